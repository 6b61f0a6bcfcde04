"""The accuracy report (bench/accuracy.py) runs end to end at a small size, and its scoring
means what README says it means."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import datetime, timedelta, timezone

import pytest

from bench import accuracy
from tests.conftest import ROOT


@pytest.fixture(scope="module")
def report() -> dict:
    return accuracy.run(limit=1)


def test_every_site_is_scored_by_every_extractor(report: dict) -> None:
    fixtures = accuracy.scored_fixtures(limit=1)
    sites = {accuracy.site_of(fixture) for fixture in fixtures}
    rows = {(row["site"], row["extractor"]) for row in report["summary"]}
    for fixture in fixtures:
        site = accuracy.site_of(fixture)
        for extractor in accuracy.extractors_for(fixture):
            assert (site, extractor) in rows
    assert {site for site, _ in rows if not site.startswith("all")} == sites
    assert len(report["pages"]) == sum(len(accuracy.extractors_for(f)) for f in fixtures)
    json.dumps(report)  # JSON-ready as --json writes it


def test_site_spiders_are_exact_on_their_own_fixtures(report: dict) -> None:
    """The fixture tests hold every site spider to its reviewed output field by field: the
    report must see that as 100% and F1 1.0 (a scoring bug would show here)."""
    own = [page for page in report["pages"] if page["extractor"] == accuracy.SITE_SPIDER]
    assert own
    for page in own:
        assert page["body_f1"] == pytest.approx(1.0), page["page"]
        assert all(page[name] for name in ("headline", "published", "authors", "lead")), page


def test_table_shows_every_field(report: dict) -> None:
    text = accuracy.table(report["summary"])
    for label in ("headline", "published", "authors", "lead", "body F1", "captions"):
        assert label in text.splitlines()[0]
    assert "trafilatura" in text and "newspaper4k" in text
    assert len(text.splitlines()) == len(report["summary"]) + 2


def test_token_f1() -> None:
    expected = ["Học sinh đến trường.", "Cô giáo dạy toán."]
    assert accuracy.token_f1(expected, ["học sinh đến trường", "cô giáo dạy toán"]) == 1.0
    # Four of the eight words, and nothing else: precision 1, recall 0.5.
    assert accuracy.token_f1(expected, ["Học sinh đến trường."]) == pytest.approx(2 / 3)
    # Eight right words and eight of clutter: precision 0.5, recall 1.
    clutter = ["Tải ứng dụng báo ngay trên điện thoại"]
    assert accuracy.token_f1(expected, [*expected, clutter[0]]) == pytest.approx(2 / 3)
    assert accuracy.token_f1(expected, []) == 0.0
    assert accuracy.token_f1([], []) == 1.0


def test_times_without_offset_are_the_sites_own() -> None:
    gmt7 = timezone(timedelta(hours=7))
    moment = datetime(2026, 3, 7, 8, 6, tzinfo=gmt7)
    assert accuracy.as_datetime("2026-03-07T08:06:00+07:00") == moment
    assert accuracy.as_datetime("2026-03-07T08:06:00+0700") == moment
    assert accuracy.as_datetime("2026-03-07T01:06:00Z") == moment
    assert accuracy.as_datetime(datetime(2026, 3, 7, 8, 6)) == moment
    assert accuracy.as_datetime("2026-03-07") != moment  # a date alone is not the time
    assert accuracy.as_datetime("") is None


def test_the_script_runs_from_anywhere(tmp_path) -> None:
    out = tmp_path / "accuracy.json"
    done = subprocess.run(
        [sys.executable, str(ROOT / "bench" / "accuracy.py"), "--limit", "1", "--sites",
         "vnexpress", "--json", str(out)],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert "| vnexpress | site spider | 1 |" in done.stdout
    assert json.loads(out.read_text("utf-8"))["summary"]
