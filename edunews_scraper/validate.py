"""`edunews-validate FILE...`: check articles feeds against the shipped JSON Schema.

Prints each bad line as `path:line: reason` and a summary; exits 1 when any line is bad.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from edunews_scraper.loader import Problem, _paths, check_file


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="edunews-validate", description=__doc__.splitlines()[0])
    parser.add_argument("files", nargs="+", help="JSON Lines files or globs")
    args = parser.parse_args(argv)
    valid = bad = 0
    for path in _paths(args.files):
        if not path.is_file():
            print(Problem(Path(path), 0, "no such file"))
            bad += 1
            continue
        for _, result in check_file(path):
            if isinstance(result, Problem):
                print(result)
                bad += 1
            else:
                valid += 1
    print(f"{valid} valid lines, {bad} bad", file=sys.stderr)
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
