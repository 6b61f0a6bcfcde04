"""The data team's tools on real crawl output: README's recipes (Python, pandas and Parquet,
DuckDB, jq) run as written, `edunews-validate` on a run's folder, and `-O` to CSV and JSON."""

from __future__ import annotations

import csv
import json
import re
import subprocess
import sys
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from edunews_scraper.fixtures import find_fixtures
from edunews_scraper.validate import main as validate
from tests.conftest import FIXTURES, ROOT, run_scrapy
from tests.test_monitoring import TEXTLESS_PAGES, broken_copy

SPIDER = "giaoducthoidai"


def recipes() -> dict[str, tuple[str, str]]:
    """README's data recipes: name -> (language, code)."""
    readme = (ROOT / "README.md").read_text("utf-8")
    found = re.findall(r"<!-- data-recipe: (\w+) -->\n```(\w+)\n(.*?)```", readme, re.DOTALL)
    return {name: (language, code) for name, language, code in found}


@pytest.fixture(scope="module")
def output(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A folder after two replay crawls: the saved pages, and a copy in a changed layout
    (which also leaves rejects)."""
    folder = tmp_path_factory.mktemp("data-tools")
    clean = run_scrapy(["crawl", SPIDER, "-a", f"replay={FIXTURES}"], folder)
    assert clean.returncode == 0, clean.stderr[-3000:]
    changed = run_scrapy(["crawl", SPIDER, "-a", f"replay={broken_copy(folder / 'b')}"], folder)
    assert changed.returncode == 1, changed.stderr[-3000:]  # its monitors fail
    return folder


def run_recipe(name: str, folder: Path) -> subprocess.CompletedProcess:
    language, code = recipes()[name]
    command = [sys.executable, "-c", code] if language == "python" else ["bash", "-c", code]
    result = subprocess.run(
        command, cwd=folder, capture_output=True, text=True, timeout=120, check=False
    )
    assert result.returncode == 0, result.stderr[-3000:]
    assert result.stderr == ""  # no warning: rejects are never taken for bad articles
    return result


def test_readme_has_the_four_recipes() -> None:
    assert set(recipes()) == {"load", "pandas", "duckdb", "jq"}


def test_load_recipe(output: Path) -> None:
    result = run_recipe("load", output)
    assert result.stdout.startswith("7 articles, newest: 2026-11-19 20:30:00+07:00")


def test_pandas_recipe_writes_parquet_with_aware_times(output: Path) -> None:
    result = run_recipe("pandas", output)
    assert "2026-11-19 20:30:00+07:00" in result.stdout
    table = pq.read_table(output / "giaoducthoidai.parquet")
    assert table.num_rows == 7
    assert str(table.schema.field("published").type) == "timestamp[us, tz=+07:00]"
    assert str(table.schema.field("images").type) == (
        "list<element: struct<url: string, caption: string>>"
    )
    assert "reason" not in table.schema.names


def test_duckdb_recipe_reads_articles_only(output: Path) -> None:
    result = run_recipe("duckdb", output)
    rows = re.findall(r"│ (\S[^│]*?)\s*│\s+(\d+) │ (\S+ \S+) +│", result.stdout)
    # Both runs' lines: 7 articles, then 4 (three pages of the changed copy became rejects).
    assert sum(int(count) for _, count, _ in rows) == 7 + 7 - len(TEXTLESS_PAGES)
    assert ("Tin tức", "2026-11-19 20:30:00+07") in {(c, n) for c, _, n in rows}


def test_jq_recipe(output: Path) -> None:
    result = run_recipe("jq", output)
    lines = result.stdout.splitlines()
    assert len(lines) == 7 + 7 - len(TEXTLESS_PAGES) + 1
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+07:00\t[^\t]*\t.+", lines[0])
    assert lines[-1].split() == [str(len(TEXTLESS_PAGES)), "missing"]


def test_validate_takes_a_folder_and_never_counts_rejects(
    output: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data = output / "data" / SPIDER
    for source in (str(data), f"{data}/*.jsonl"):
        assert validate([source]) == 0
        articles = 7 + 7 - len(TEXTLESS_PAGES)
        assert capsys.readouterr().err == (  # the second crawl read the same 7 articles changed
            f"2 file(s): {articles} valid article line(s), 0 bad; 7 distinct article(s), "
            f"{articles - 7} re-export(s) with changed content\n"
        )
    assert validate([str(data / "rejects")]) == 0
    assert capsys.readouterr().err == (
        f"2 file(s): 0 valid article line(s), 0 bad; {len(TEXTLESS_PAGES)} reject line(s) skipped"
        " (not articles)\n"
    )


@pytest.mark.parametrize("suffix", ["csv", "json"])
def test_csv_and_json_outputs_read_back(suffix: str, tmp_path: Path) -> None:
    out = tmp_path / f"articles.{suffix}"
    result = run_scrapy(["crawl", SPIDER, "-a", f"replay={FIXTURES}", "-O", str(out)], tmp_path)
    assert result.returncode == 0, result.stderr[-3000:]
    assert not (tmp_path / "data").exists()  # -O writes the articles there only
    if suffix == "json":
        articles = json.loads(out.read_text("utf-8"))  # one valid JSON array
    else:
        with out.open(encoding="utf-8", newline="") as file:
            rows = list(csv.DictReader(file))
        lists = ("authors", "paragraphs", "images", "tags")
        articles = [
            {
                **row,
                **{name: json.loads(row[name]) for name in lists},
                "updated": row["updated"] or None,
            }
            for row in rows
        ]
    saved = {f.url: f.expected() for f in find_fixtures(FIXTURES, SPIDER) if f.kind == "articles"}
    assert len(articles) == 7
    for article in articles:
        assert article == saved[article["url"]]
        assert article["published"].endswith("+07:00")
