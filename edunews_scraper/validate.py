"""`edunews-validate SOURCE...`: check articles feeds against the shipped JSON Schema.

SOURCE is a JSON Lines file, a folder (its `*.jsonl`/`*.jl`/`*.jsonlines` files) or a glob
pattern. Prints each bad line as `path:line: reason`, then one line of counts on stderr;
reject lines (from a rejects feed) are counted apart, never as bad articles.

Exit status: 0 every article line is valid, 1 some line is bad, 2 a SOURCE names no file.
"""

from __future__ import annotations

import argparse
import sys

from edunews_scraper.loader import Problem, RejectLine, check_file, feed_paths


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="edunews-validate",
        description=__doc__.splitlines()[0],
        epilog="Exit status: 0 all valid, 1 a bad line, 2 a SOURCE that names no file.",
    )
    parser.add_argument("sources", nargs="+", metavar="SOURCE", help="file, folder or pattern")
    args = parser.parse_args(argv)
    try:
        paths = feed_paths(args.sources)
    except FileNotFoundError as error:
        print(f"edunews-validate: error: {error}", file=sys.stderr)
        return 2
    valid = bad = rejects = 0
    for path in paths:
        for _, result in check_file(path):
            if isinstance(result, Problem):
                print(result)
                bad += 1
            elif isinstance(result, RejectLine):
                rejects += 1
            else:
                valid += 1
    skipped = f"; {rejects} reject line(s) skipped (not articles)" if rejects else ""
    print(
        f"{len(paths)} file(s): {valid} valid article line(s), {bad} bad{skipped}",
        file=sys.stderr,
    )
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
