"""The benchmarks (bench/) run end to end at a tiny size and report every figure; timings are
never asserted."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
from scrapy.http import HtmlResponse

from bench import run
from bench.crawl import SiteSpider
from bench.site import SiteContent
from edunews_scraper.items import Article
from edunews_scraper.offline import OfflineRunner
from tests.conftest import ROOT

KEYS = ("extract_over_lxml", "trafilatura_over_extract", "crawl_over_bare")
REEXTRACT = ("reextract_pages_per_s", "reextract_over_trafilatura")


@pytest.fixture(scope="module")
def figures() -> dict:
    return run.run(run.PRESETS["tiny"])


def test_every_figure_is_reported_and_positive(figures: dict) -> None:
    for key in (*KEYS, *REEXTRACT, "dateparser_over_fastpath"):
        assert figures[key] > 0, key
    again = figures["reextract"]
    assert again["pages"] == again["articles"] == run.PRESETS["tiny"].archive_pages
    size = str(run.PRESETS["tiny"].memory_articles[0])
    assert figures["peak_rss_mb"][size] > 0
    assert figures["crawl"]["scrapy_bench_pages_per_min"] > 0
    grown = figures["crawl"]["memory_growth"]
    assert grown["crawls"] == [20, 40]
    assert grown["bytes_per_article"]["state"] > 0  # a fingerprint per URL at least
    assert figures["extraction"]["articles"] == figures["extraction"]["pages"]
    json.dumps(figures)  # JSON-ready as --json writes it


def test_table_shows_every_benchmark(figures: dict) -> None:
    text = run.table(figures)
    labels = ("dateparser_over_fastpath", "peak_rss_mb", "scrapy bench", "Memory")
    for label in (*KEYS, *REEXTRACT, *labels):
        assert label in text


def test_the_spider_reaches_every_synthetic_article_once() -> None:
    site = SiteContent(articles=130, base="http://127.0.0.1:1")
    runner = OfflineRunner(SiteSpider, base=site.base)
    linked, queue = [], list(site.category_urls().values())
    while queue:
        url = queue.pop()
        page = site.page(url.removeprefix(site.base))
        assert page is not None, url
        listing = runner.listing(HtmlResponse(url, body=page.encode(), encoding="utf-8"))
        linked += listing["articles"]
        queue += [listing["next_page"]] if listing["next_page"] else []
    assert sorted(linked) == sorted(site.base + site.article_path(n) for n in range(130))
    article = site.base + site.article_path(7)
    item = runner.article(
        HtmlResponse(
            article, body=site.page(article.removeprefix(site.base)).encode(), encoding="utf-8"
        )
    )
    assert isinstance(item, Article) and item.headline.endswith("(kỳ 8)")
    assert site.page(site.article_path(130)) is None


def test_the_script_runs_from_anywhere() -> None:
    done = subprocess.run(
        [sys.executable, str(ROOT / "bench" / "run.py"), "--help"],
        cwd=ROOT.parent,
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert "--quick" in done.stdout


def test_hostile_pages_are_measured() -> None:
    from bench.hostile import measure

    assert measure("plain")["outcome"] == "article"
    assert measure("attribute-bomb")["outcome"].startswith("refused: a tag with 200,000")
