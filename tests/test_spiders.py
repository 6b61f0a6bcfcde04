"""Every site spider, checked the same way: fixtures of both kinds on its own domain, start
requests that build, listed by `scrapy list`, and `scrapy extract` working on its pages."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable
from urllib.parse import urlsplit

import pytest
from scrapy import Request

from edunews_scraper.fixtures import find_fixtures
from edunews_scraper.offline import OfflineRunner, site_spiders, spider_class
from tests.conftest import FIXTURES

SITE_SPIDERS = site_spiders()


def on_domain(url: str, domains: list[str]) -> bool:
    host = urlsplit(url).hostname or ""
    return any(host == domain or host.endswith("." + domain) for domain in domains)


def test_there_are_six_site_spiders() -> None:
    assert len(SITE_SPIDERS) >= 6


@pytest.mark.parametrize("name", SITE_SPIDERS)
def test_fixtures_of_both_kinds_on_the_spiders_domain(name: str) -> None:
    cls = spider_class(name)
    fixtures = find_fixtures(FIXTURES, name)
    kinds = {f.kind for f in fixtures}
    assert kinds == {"articles", "listings"}
    assert len([f for f in fixtures if f.kind == "articles"]) >= 4
    for fixture in fixtures:
        assert on_domain(fixture.url, cls.allowed_domains), fixture.id
        is_article = bool(cls.article_url_pattern.search(fixture.url))
        assert is_article == (fixture.kind == "articles"), fixture.id
        assert fixture.expected() is not None, f"{fixture.id}: not reviewed yet"
    assert cls.site and cls.categories


@pytest.mark.parametrize("name", SITE_SPIDERS)
def test_start_requests_build(name: str) -> None:
    runner = OfflineRunner(spider_class(name))

    async def collect() -> list[Request]:
        return [request async for request in runner.spider.start()]

    requests = asyncio.run(collect())
    spider = runner.spider
    listing = [r for r in requests if r.callback == spider.parse_listing]
    assert [r.url for r in listing] == list(spider.categories.values())
    for request in requests:
        assert on_domain(request.url, spider.allowed_domains)
    # Beside the category pages: their feeds and the news sitemap (tests/test_discovery.py).
    feeds = [
        spider.category_feeds[slug] for slug in spider.categories if slug in spider.category_feeds
    ]
    assert [r.url for r in requests[len(listing) :]] == [*feeds, *spider.news_sitemaps]


def test_scrapy_list_shows_every_spider(scrapy_cli: Callable) -> None:
    result = scrapy_cli("list")
    assert result.returncode == 0, result.stderr
    assert set(SITE_SPIDERS) <= set(result.stdout.split())


@pytest.mark.parametrize("name", SITE_SPIDERS)
def test_scrapy_extract_works_on_the_spiders_pages(name: str, scrapy_cli: Callable) -> None:
    fixture = next(f for f in find_fixtures(FIXTURES, name) if f.kind == "articles")
    result = scrapy_cli("extract", str(fixture.html_path))
    assert result.returncode == 0, result.stderr[-2000:]
    assert json.loads(result.stdout) == fixture.expected()
