"""QA commands: `scrapy extract` and the `scrapy fixture` add / check / accept loop."""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from pathlib import Path

from tests.conftest import FIXTURES

SEED = FIXTURES / "giaoducthoidai" / "articles" / "legacy-2018-truyen-thong-giao-duc"
SEED_URL = (
    "http://giaoducthoidai.vn/thoi-su/tiep-tuc-day-manh-cong-tac-truyen-thong-giao-duc-3917426.html"
)


def test_extract_prints_the_final_item(scrapy_cli: Callable) -> None:
    result = scrapy_cli("extract", f"{SEED}.html")
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == json.loads(Path(f"{SEED}.expected.json").read_text())


def test_extract_a_page_without_meta_chooses_the_spider_by_domain(
    scrapy_cli: Callable, tmp_path: Path
) -> None:
    page = tmp_path / "page.html"
    shutil.copyfile(f"{SEED}.html", page)
    result = scrapy_cli(
        "extract", str(page), "--url", SEED_URL, "--fetched-at", "2021-09-18T08:12:40+07:00"
    )
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["headline"] == (
        "Tiếp tục đẩy mạnh công tác truyền thông giáo dục"
    )


def test_extract_reports_a_reject_and_fails(scrapy_cli: Callable, tmp_path: Path) -> None:
    page = tmp_path / "empty.html"
    page.write_text("<html><body><h1 class='article__title'>Tiêu đề</h1></body></html>", "utf-8")
    result = scrapy_cli(
        "extract", str(page), "--url", "https://giaoducthoidai.vn/chi-co-tieu-de-post123456.html"
    )
    assert result.returncode == 1
    assert json.loads(result.stdout)["reason"] == "missing: published, paragraphs"
    assert "rejected: missing: published, paragraphs" in result.stderr


def test_extract_without_a_known_domain(scrapy_cli: Callable, tmp_path: Path) -> None:
    page = tmp_path / "p.html"
    page.write_text("<html></html>", "utf-8")
    result = scrapy_cli("extract", str(page), "--url", "https://example.org/a.html")
    assert result.returncode != 0
    assert "no spider covers 'example.org'" in result.stderr


def test_fixture_add_check_accept(scrapy_cli: Callable, tmp_path: Path) -> None:
    fixtures = tmp_path / "qa-fixtures"
    settings = ("-s", f"EDUNEWS_FIXTURES_DIR={fixtures}")
    page = tmp_path / "saved.html"
    shutil.copyfile(f"{SEED}.html", page)

    added = scrapy_cli(
        "fixture",
        *settings,
        "add",
        str(page),
        "--url",
        SEED_URL,
        "--fetched-at",
        "2021-09-18T08:12:40+07:00",
    )
    assert added.returncode == 0, added.stderr
    name = "giaoducthoidai/articles/tiep-tuc-day-manh-cong-tac-truyen-thong-giao-duc-3917426"
    saved = fixtures / f"{name}.html"
    assert saved.read_bytes() == page.read_bytes()
    assert json.loads(saved.with_name(saved.stem + ".meta.json").read_text())["url"] == SEED_URL

    pending = scrapy_cli("fixture", *settings, "check")
    assert pending.returncode == 1
    assert f"NEW  {name}" in pending.stdout

    accepted = scrapy_cli("fixture", *settings, "accept", name)
    assert accepted.returncode == 0, accepted.stderr
    clean = scrapy_cli("fixture", *settings, "check")
    assert clean.returncode == 0
    assert f"1 fixtures in {fixtures}: 1 as expected, 0 to review" in clean.stdout

    expected = saved.with_name(saved.stem + ".expected.json")
    changed = json.loads(expected.read_text())
    changed["headline"] = "Tiêu đề cũ"
    expected.write_text(json.dumps(changed, ensure_ascii=False))
    diff = scrapy_cli("fixture", *settings, "check")
    assert diff.returncode == 1
    assert "DIFF" in diff.stdout and "headline" in diff.stdout and "Tiêu đề cũ" in diff.stdout
    assert json.loads(expected.read_text())["headline"] == "Tiêu đề cũ"  # never rewritten
