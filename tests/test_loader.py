"""The data team's side: `edunews_scraper.load`, the shipped JSON Schema, `edunews-validate`."""

from __future__ import annotations

import json
import re
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from jsonschema import Draft202012Validator

import edunews_scraper
from edunews_scraper.exporters import to_jsonable
from edunews_scraper.fixtures import find_fixtures
from edunews_scraper.loader import Problem, schema
from edunews_scraper.offline import OfflineRunner, spider_class
from edunews_scraper.validate import main as validate
from tests.conftest import FIXTURES


@pytest.fixture(scope="module")
def records() -> list[dict]:
    """Every article fixture of giaoducthoidai, as the feed writes it."""
    runner = OfflineRunner(spider_class("giaoducthoidai"))
    fixtures = [f for f in find_fixtures(FIXTURES, "giaoducthoidai") if f.kind == "articles"]
    outputs = [runner.output(f.response()) for f in fixtures]
    return [o for o in outputs if "reason" not in o]


def reject_of(record: dict, reason: str) -> dict:
    """A line of a rejects feed for the page of `record`."""
    return {"url": record["url"], "site": record["site"], "reason": reason,
            "fetched_at": record["fetched_at"]}  # fmt: skip


def write_lines(path: Path, lines: list[str]) -> Path:
    path.write_text("".join(lines), "utf-8")
    return path


def test_every_exported_article_matches_the_schema(records: list[dict]) -> None:
    Draft202012Validator.check_schema(schema())
    validator = Draft202012Validator(schema())
    assert records
    for record in records:
        assert list(validator.iter_errors(record)) == []


def test_load_types_dedupes_and_reports(records: list[dict], tmp_path: Path) -> None:
    first, second = records[0], records[1]
    newer = {
        **first,
        "paragraphs": [*first["paragraphs"], "Đoạn mới bổ sung."],
        "content_hash": "f" * 16,
        "fetched_at": (datetime.fromisoformat(first["fetched_at"]) + timedelta(days=1)).isoformat(),
    }
    no_headline = {**second}
    del no_headline["headline"]
    dumps = [json.dumps(r, ensure_ascii=False) + "\n" for r in (first, second, newer)]
    one = write_lines(
        tmp_path / "run1.jsonl", [dumps[0], "not json\n", json.dumps(no_headline) + "\n"]
    )
    two = write_lines(tmp_path / "run2.jsonl", [dumps[1], dumps[2], dumps[1][:40]])
    problems: list[Problem] = []

    articles = list(edunews_scraper.load(str(tmp_path / "*.jsonl"), on_problem=problems.append))

    assert [a.id for a in articles] == [first["id"], second["id"]]
    latest = articles[0]
    assert isinstance(latest, edunews_scraper.Article)
    assert latest.paragraphs[-1] == "Đoạn mới bổ sung."  # the newer version won
    assert latest.published.utcoffset() == timedelta(hours=7)
    assert all(isinstance(image, edunews_scraper.Image) for image in latest.images)
    assert [(p.path.name, p.line) for p in problems] == [
        ("run1.jsonl", 2),
        ("run1.jsonl", 3),
        ("run2.jsonl", 3),
    ]
    assert "not a JSON object" in problems[0].reason
    assert "'headline' is a required property" in problems[1].reason
    assert problems[2].reason == "last line cut off mid-write"
    assert list(edunews_scraper.load([one, two], on_problem=lambda p: None))


def test_a_source_that_names_no_file_is_an_error(tmp_path: Path) -> None:
    (tmp_path / "empty").mkdir()
    for source, message in (
        (tmp_path / "none.jsonl", "no such file"),
        (str(tmp_path / "nope" / "*.jsonl"), "the pattern matches no file"),
        (tmp_path / "empty", "the folder holds no .jsonl/.jl/.jsonlines file"),
    ):
        with pytest.raises(FileNotFoundError, match=re.escape(f"{source}: {message}")):
            edunews_scraper.load(source)  # at once, before anything is read


def test_folders_and_patterns_take_articles_never_rejects(
    records: list[dict], tmp_path: Path
) -> None:
    """A run's folder as a crawl leaves it: articles files, and rejects in their own folder
    (which neither the folder nor `*.jsonl` takes); a rejects line in an articles file is
    passed over, never reported as a bad article."""
    run = tmp_path / "data" / "giaoducthoidai"
    (run / "rejects").mkdir(parents=True)
    reject = reject_of(records[0], "missing: published")
    lines = [json.dumps(r, ensure_ascii=False) + "\n" for r in records]
    write_lines(run / "2026-11-30T08-00-00+00-00.jsonl", lines[:3])
    write_lines(run / "2026-11-30T09-00-00+00-00.jl", [*lines[3:], json.dumps(reject) + "\n"])
    write_lines(run / "rejects" / "2026-11-30T08-00-00+00-00.jsonl", [json.dumps(reject) + "\n"])
    write_lines(run / "2026-11-30T08-00-00+00-00.monitors.json", ["{}"])
    problems: list[Problem] = []
    for source in (run, f"{run}/", f"{run}/*.j*l", [f"{run}/*.jsonl", run / "x.jl"]):
        if isinstance(source, list):
            (run / "x.jl").write_text("")
        loaded = edunews_scraper.load(source, on_problem=problems.append)
        expected = records if not isinstance(source, list) else records[:3]
        assert sorted(a.id for a in loaded) == sorted(r["id"] for r in expected)
    assert problems == []


def test_validate_counts_rejects_apart_and_fails_on_nothing(
    records: list[dict], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    reject = reject_of(records[0], "download failed: HTTP 404")
    lines = [json.dumps(r, ensure_ascii=False) + "\n" for r in records]
    write_lines(tmp_path / "a.jsonl", [*lines, json.dumps(reject) + "\n"])
    assert validate([str(tmp_path)]) == 0
    assert capsys.readouterr().err == (
        f"1 file(s): {len(records)} valid article line(s), 0 bad; "
        "1 reject line(s) skipped (not articles)\n"
    )
    assert validate([str(tmp_path / "nope" / "*.jsonl")]) == 2
    assert capsys.readouterr().err == (
        f"edunews-validate: error: {tmp_path}/nope/*.jsonl: the pattern matches no file\n"
    )


def test_validate_command(
    records: list[dict], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    good = write_lines(
        tmp_path / "good.jsonl", [json.dumps(r, ensure_ascii=False) + "\n" for r in records]
    )
    assert validate([str(good)]) == 0
    assert f"1 file(s): {len(records)} valid article line(s), 0 bad" in capsys.readouterr().err
    bad_record = {**records[0], "published": "2018-05-10 21:35"}
    bad = write_lines(tmp_path / "bad.jsonl", [json.dumps(bad_record) + "\n"])
    assert validate([str(bad)]) == 1
    out = capsys.readouterr().out
    assert f"{bad}:1: published:" in out and "does not match" in out


def test_loaded_articles_round_trip(records: list[dict], tmp_path: Path) -> None:
    path = write_lines(
        tmp_path / "a.jsonl", [json.dumps(r, ensure_ascii=False) + "\n" for r in records]
    )
    assert [to_jsonable(a) for a in edunews_scraper.load(path)] == records
