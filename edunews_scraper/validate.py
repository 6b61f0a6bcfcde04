"""`edunews-validate SOURCE...`: check articles feeds against the shipped JSON Schema.

SOURCE is a JSON Lines file, a folder (its `*.jsonl`/`*.jl`/`*.jsonlines` files) or a glob
pattern; the files of several sources are read as one (e.g. the files every worker of a
distributed run wrote). Prints each bad line as `path:line: reason`, then one line of counts on
stderr; reject lines (from a rejects feed) are counted apart, never as bad articles. An article
(`id`) found again with the same content is a duplicate export: each is printed as
`path:line: duplicate of path:line` and counted; one found again with other content (a
re-export after it changed) is counted too. Neither is a bad line.

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
    valid = bad = rejects = duplicates = changed = 0
    first: dict[str, tuple[str, str]] = {}  # id -> (content hash, where first read)
    for path in paths:
        for number, result in check_file(path):
            if isinstance(result, Problem):
                print(result)
                bad += 1
            elif isinstance(result, RejectLine):
                rejects += 1
            else:
                valid += 1
                seen = first.setdefault(result["id"], (result["content_hash"], f"{path}:{number}"))
                if seen[1] == f"{path}:{number}":
                    continue
                if seen[0] == result["content_hash"]:
                    print(f"{path}:{number}: duplicate of {seen[1]} (same article, same content)")
                    duplicates += 1
                else:
                    changed += 1
    counts = f"{len(paths)} file(s): {valid} valid article line(s), {bad} bad"
    if duplicates or changed:
        counts += f"; {len(first)} distinct article(s)"
        counts += f", {duplicates} duplicate line(s)" if duplicates else ""
        counts += f", {changed} re-export(s) with changed content" if changed else ""
    if rejects:
        counts += f"; {rejects} reject line(s) skipped (not articles)"
    print(counts, file=sys.stderr)
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
