"""Run saved pages through a spider and the item pipelines without the engine or network.

Used by `scrapy extract`, `scrapy fixture` and the fixture tests: the same page limits, spider
callbacks and pipelines (in `ITEM_PIPELINES` order) as a real crawl.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from scrapy import Spider
from scrapy.crawler import Crawler
from scrapy.exceptions import DropItem
from scrapy.http import Request, Response
from scrapy.settings import Settings
from scrapy.spiderloader import get_spider_loader
from scrapy.statscollectors import MemoryStatsCollector
from scrapy.utils.misc import build_from_crawler, load_object
from scrapy.utils.project import get_project_settings

from edunews_scraper.exporters import to_jsonable
from edunews_scraper.items import Reject
from edunews_scraper.limits import PageLimits
from edunews_scraper.spiders.news import NewsSpider, fetched_at


def spider_class(
    name: str | None = None, url: str | None = None, settings: Settings | None = None
) -> type[NewsSpider]:
    """The spider called `name`, or else the one whose allowed domains cover `url`."""
    loader = get_spider_loader(settings or get_project_settings())
    if name:
        return loader.load(name)
    host = (urlsplit(url or "").hostname or "").lower()
    for candidate in loader.list():
        cls = loader.load(candidate)
        domains = getattr(cls, "allowed_domains", None) or []
        if any(host == domain or host.endswith("." + domain) for domain in domains):
            return cls
    raise LookupError(f"no spider covers {host or url!r}; name one with --spider")


def site_spiders(settings: Settings | None = None) -> list[str]:
    """Names of the spiders that crawl one site with its own selectors (not the generic one)."""
    loader = get_spider_loader(settings or get_project_settings())
    return sorted(
        name
        for name in loader.list()
        if issubclass(cls := loader.load(name), NewsSpider) and cls.categories
    )


class OfflineRunner:
    """A spider and its pipelines, ready to take responses one at a time."""

    def __init__(
        self, spidercls: type[Spider], settings: Settings | None = None, **spider_kwargs: Any
    ) -> None:
        crawler = Crawler(spidercls, settings or get_project_settings())
        crawler.stats = MemoryStatsCollector(crawler)
        self.spider = spidercls.from_crawler(crawler, **spider_kwargs)
        crawler.spider = self.spider
        self.crawler = crawler
        paths = crawler.settings.get_component_priority_dict_with_base("ITEM_PIPELINES")
        ordered = sorted((p for p in paths.items() if p[1] is not None), key=lambda p: p[1])
        self.pipelines = [build_from_crawler(load_object(path), crawler) for path, _ in ordered]
        self.page_limits = PageLimits.from_settings(crawler.settings)

    def process(self, item: Any) -> Any | None:
        """`item` through every pipeline; None when one drops it."""
        for pipeline in self.pipelines:
            try:
                item = pipeline.process_item(item)
            except DropItem:
                return None
        return item

    def article(self, response: Response) -> Any:
        """The final item (Article or Reject) of an article page."""
        items = [self.process(item) for item in self.spider.parse_article(response)]
        return items[0]

    def listing(self, response: Response) -> dict[str, Any]:
        """The article URLs a listing page leads to, and its next page."""
        requests = [
            r for r in self.spider.parse_listing(response, page=1) if isinstance(r, Request)
        ]
        return {
            "articles": [r.url for r in requests if r.callback == self.spider.parse_article],
            "next_page": next(
                (r.url for r in requests if r.callback == self.spider.parse_listing), None
            ),
        }

    def article_evidence(self, response: Response) -> str:
        """Why the page is taken for an article page, "" when it is taken for a listing."""
        return self.spider.article_evidence(response)

    def output(self, response: Response) -> dict[str, Any]:
        """What a page yields, as plain JSON: the crawl's reject of a page too costly to
        parse (see limits.py), an article or reject when the page is an article page (see
        `NewsSpider.article_evidence`), else a listing summary."""
        if problem := self.page_limits.scan(response.body):
            refused = Reject(
                url=response.url,
                site=self.spider.site_of(response.url),
                reason=f"refused: {problem}",
                fetched_at=fetched_at(response),
            )
            return to_jsonable(refused)
        if self.article_evidence(response):
            return to_jsonable(self.article(response))
        return self.listing(response)
