"""Article layouts as units (spiders/layout.py): each saved article names the layout it is
read with, every layout has a saved page, a page of no known layout is a clear reject, and
what a page is (article or listing) is decided from the page, not only from its URL."""

from __future__ import annotations

import json
import re
from collections.abc import Callable

import pytest

from edunews_scraper.fixtures import Fixture, find_fixtures
from edunews_scraper.offline import OfflineRunner, site_spiders, spider_class
from tests.conftest import FIXTURES

SITE_SPIDERS = site_spiders()
ARTICLES = [f for f in find_fixtures(FIXTURES) if f.kind == "articles" and f.spider != "news"]


def meta_of(fixture: Fixture) -> dict:
    return json.loads(fixture.html_path.with_name(f"{fixture.name}.meta.json").read_text())


@pytest.mark.parametrize("fixture", ARTICLES, ids=lambda f: f.id)
def test_each_saved_article_is_read_with_the_layout_it_names(fixture: Fixture) -> None:
    spider = OfflineRunner(spider_class(fixture.spider)).spider
    layout = spider.matching_layout(fixture.response())
    assert layout is not None, f"{fixture.id}: no layout matches"
    assert meta_of(fixture).get("layout") == layout.name


@pytest.mark.parametrize("name", SITE_SPIDERS)
def test_every_layout_has_a_saved_page_and_a_marker_of_its_own(name: str) -> None:
    cls = spider_class(name)
    named = {meta_of(f).get("layout") for f in ARTICLES if f.spider == name}
    assert {layout.name for layout in cls.layouts} <= named
    assert len({layout.marker for layout in cls.layouts}) == len(cls.layouts)


def test_a_page_of_no_known_layout_is_a_clear_reject() -> None:
    fixture = next(f for f in ARTICLES if meta_of(f).get("layout") == "current")
    runner = OfflineRunner(spider_class(fixture.spider))
    html = fixture.response().text.replace("article__", "renamed__")
    response = fixture.response().replace(body=html.encode("utf-8"))
    output = runner.output(response)
    assert output["url"] == fixture.url
    assert output["reason"] == (
        "extraction failed: UnknownLayout: no giaoducthoidai article layout matches the page "
        "(tried: current, legacy)"
    )


def test_the_printed_headline_wins_over_a_different_structured_one() -> None:
    fixture = next(f for f in ARTICLES if f.spider == "vnexpress")
    expected = fixture.expected()
    seo = '"headline": "SEO: từ khóa | VnExpress"'
    html, count = re.subn(r'"headline"\s*:\s*"[^"]*"', seo, fixture.response().text, count=1)
    assert count == 1
    response = fixture.response().replace(body=html.encode("utf-8"))
    assert (
        OfflineRunner(spider_class("vnexpress")).output(response)["headline"]
        == (expected["headline"])
    )


def test_an_article_of_another_section_is_read_as_an_article() -> None:
    """A page with the site's article markup is an article whatever its URL: here a dantri
    page of another section, served under a URL that lacks the article id."""
    fixture = next(
        f for f in ARTICLES if f.spider == "dantri" and meta_of(f)["layout"] == "singular"
    )
    url = re.sub(r"-\d{17}\.htm$", ".htm", fixture.url.replace("/giao-duc/", "/kinh-doanh/"))
    runner = OfflineRunner(spider_class("dantri"))
    assert not runner.spider.is_article_url(url)
    response = fixture.response().replace(url=url)
    assert runner.article_evidence(response) == "dantri layout 'singular'"
    assert runner.output(response)["headline"] == fixture.expected()["headline"]


@pytest.mark.parametrize("name", SITE_SPIDERS)
def test_saved_listings_are_taken_for_listings(name: str) -> None:
    runner = OfflineRunner(spider_class(name))
    for fixture in find_fixtures(FIXTURES, name):
        assert bool(runner.article_evidence(fixture.response())) == (fixture.kind == "articles"), (
            fixture.id
        )


def test_extract_says_what_it_took_the_page_for(scrapy_cli: Callable) -> None:
    article = next(f for f in ARTICLES if f.spider == "tuoitre")
    listing = next(f for f in find_fixtures(FIXTURES, "tuoitre") if f.kind == "listings")
    result = scrapy_cli("extract", str(article.html_path))
    assert result.returncode == 0, result.stderr[-2000:]
    assert result.stderr.splitlines()[0].startswith("article page (tuoitre layout ")
    result = scrapy_cli("extract", str(listing.html_path))
    assert result.returncode == 0, result.stderr[-2000:]
    assert result.stderr.splitlines()[0].startswith("taken for a listing page: no tuoitre")
    assert json.loads(result.stdout)["articles"] == listing.expected()["articles"]
