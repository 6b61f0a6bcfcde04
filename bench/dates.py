"""Date parsing: the regular-expression fast path (`parse_fast`) against `dateparser_parse`
on every printed date form of the fixtures (`published_raw` of the expected outputs) and of
the tables in tests/test_vn_datetime.py. Where both parse a form, they must agree."""

from __future__ import annotations

import ast
import json
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from edunews_scraper.parsing.vn_datetime import dateparser_parse, parse_fast

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = ROOT / "fixtures"
DATE_TESTS = ROOT / "tests" / "test_vn_datetime.py"

Form = tuple[str, datetime]  # printed text, the reference (fetch) time it is read against


@dataclass
class DatesResult:
    forms: int  # distinct (text, reference) pairs
    fast_forms: int  # of which the fast path parses
    both_forms: int  # of which both parse (and agree)
    fast_seconds: float  # one pass of parse_fast over the fast path's forms
    dateparser_seconds: float  # one pass of dateparser_parse over the same forms

    @property
    def dateparser_over_fastpath(self) -> float:
        return self.dateparser_seconds / self.fast_seconds


def fixture_forms(root: Path = FIXTURES) -> list[Form]:
    """`published_raw` of every expected article output, with its fetch time."""
    forms = []
    for path in sorted(root.glob("*/articles/*.expected.json")):
        expected = json.loads(path.read_text("utf-8"))
        if expected.get("published_raw") and expected.get("fetched_at"):
            forms.append(
                (expected["published_raw"], datetime.fromisoformat(expected["fetched_at"]))
            )
    return forms


def table_forms(path: Path = DATE_TESTS) -> list[Form]:
    """The (text, ISO) tables of the date tests (module-level `*_FORMS` lists), read without
    importing the test module, with the tests' `FETCHED` time as the reference."""
    tree = ast.parse(path.read_text("utf-8"))
    reference = datetime.fromisoformat("2026-11-20T10:00:00+07:00")
    texts: list[str] = []
    for node in tree.body:
        if not (isinstance(node, ast.Assign) and isinstance(node.targets[0], ast.Name)):
            continue
        name = node.targets[0].id
        if name == "FETCHED" and isinstance(node.value, ast.Call) and node.value.args:
            reference = datetime.fromisoformat(ast.literal_eval(node.value.args[0]))
        elif name.endswith("_FORMS"):
            texts += [row[0] for row in ast.literal_eval(node.value)]
    return [(text, reference) for text in texts]


def _best_pass(parse: Callable[[str, datetime], object], forms: list[Form], passes: int) -> float:
    best = float("inf")
    for _ in range(passes):
        started = time.process_time()
        for text, reference in forms:
            parse(text, reference)
        best = min(best, time.process_time() - started)
    return best


def measure(passes: int = 20) -> DatesResult:
    """Check agreement on every form, then time both parsers over the forms the fast path
    knows (best of `passes` passes; dateparser, being slow, a fifth as many)."""
    forms = list(dict.fromkeys(fixture_forms() + table_forms()))
    fast_forms, disagreements, both = [], [], 0
    for text, reference in forms:
        fast, slow = parse_fast(text, reference), dateparser_parse(text, reference)
        if fast is not None:
            fast_forms.append((text, reference))
        if fast is not None and slow is not None:
            both += 1
            if fast != slow:
                disagreements.append(f"{text!r}: fast {fast}, dateparser {slow}")
    if disagreements:
        raise AssertionError("fast path and dateparser disagree: " + "; ".join(disagreements))
    return DatesResult(
        forms=len(forms),
        fast_forms=len(fast_forms),
        both_forms=both,
        fast_seconds=_best_pass(parse_fast, fast_forms, passes),
        dateparser_seconds=_best_pass(dateparser_parse, fast_forms, max(1, passes // 5)),
    )
