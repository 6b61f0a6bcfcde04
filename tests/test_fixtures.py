"""Every saved page, checked field by field against its reviewed expected output.

A new fixture needs no new test code: drop `<name>.html` + `<name>.meta.json` under
`fixtures/<spider>/<kind>/`, run `scrapy fixture check`, review, `scrapy fixture accept`.
"""

from __future__ import annotations

from functools import cache
from typing import Any

import pytest

from edunews_scraper.fixtures import Fixture, find_fixtures
from edunews_scraper.offline import OfflineRunner, spider_class
from tests.conftest import FIXTURES

ALL_FIXTURES = find_fixtures(FIXTURES)
BY_ID = {fixture.id: fixture for fixture in ALL_FIXTURES}


@cache
def runner(spider: str) -> OfflineRunner:
    return OfflineRunner(spider_class(spider))


@cache
def output_of(fixture_id: str) -> dict[str, Any]:
    fixture = BY_ID[fixture_id]
    return runner(fixture.spider).output(fixture.response())


def output(fixture: Fixture) -> dict[str, Any]:
    return output_of(fixture.id)


def expected_fields() -> list[Any]:
    cases = []
    for fixture in ALL_FIXTURES:
        expected = fixture.expected() or {"<expected.json>": None}
        cases += [
            pytest.param(fixture, name, value, id=f"{fixture.id}:{name}")
            for name, value in expected.items()
        ]
    return cases


@pytest.mark.parametrize(("fixture", "name", "value"), expected_fields())
def test_field_as_expected(fixture: Fixture, name: str, value: Any) -> None:
    assert fixture.expected() is not None, (
        f"{fixture.id} has no expected output: run `scrapy fixture check`, review, accept"
    )
    assert output(fixture).get(name) == value


@pytest.mark.parametrize("fixture", ALL_FIXTURES, ids=lambda f: f.id)
def test_no_unexpected_fields(fixture: Fixture) -> None:
    assert set(output(fixture)) == set(fixture.expected() or {})
