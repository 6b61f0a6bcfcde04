"""Incremental crawls: the extension that keeps each spider's `CrawlState` (see state.py).

It opens the state when the spider opens (the spider then skips known articles), notes the
local article feeds before anything is written to them, remembers each exported article, and
compacts the state once the feeds are closed. `EDUNEWS_STATE_DIR` sets where the state lives;
`EDUNEWS_STATE_ENABLED = False` switches it off.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from scrapy import Spider, signals
from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured
from scrapy.extensions.feedexport import FeedExporter, FileFeedStorage

from edunews_scraper.feeds import ARTICLE
from edunews_scraper.items import Article
from edunews_scraper.state import CrawlState


class IncrementalState:
    """Shares a persistent `CrawlState` with the spider as `spider.crawl_state`."""

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        self.folder = Path(crawler.settings["EDUNEWS_STATE_DIR"])
        self.state: CrawlState | None = None

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> IncrementalState:
        if not crawler.settings.getbool("EDUNEWS_STATE_ENABLED"):
            raise NotConfigured
        extension = cls(crawler)
        crawler.signals.connect(extension.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(extension.engine_started, signal=signals.engine_started)
        crawler.signals.connect(extension.item_scraped, signal=signals.item_scraped)
        crawler.signals.connect(extension.feeds_closed, signal=signals.feed_exporter_closed)
        return extension

    def spider_opened(self, spider: Spider) -> None:
        self.state = CrawlState.open(self.folder / spider.name)
        spider.crawl_state = self.state
        self.crawler.stats.set_value("edunews/state/known_at_start", len(self.state))

    def engine_started(self) -> None:
        """Note every local file that receives articles, before the first line is written."""
        exporter = self.crawler.get_extension(FeedExporter)
        assert self.state is not None
        for slot in getattr(exporter, "slots", []):
            takes_articles = ARTICLE in slot.feed_options.get("item_classes", [])
            if takes_articles and isinstance(slot.storage, FileFeedStorage):
                self.state.record_output(slot.storage.path)
            elif takes_articles:
                self.crawler.spider.logger.warning(
                    "Feed %s is not a local file: a killed run may export its articles again",
                    slot.uri,
                )

    def item_scraped(self, item: Any) -> None:
        if isinstance(item, Article) and self.state is not None:
            self.state.add((item.url, item.canonical_url), item.content_hash)

    def feeds_closed(self) -> None:
        """Every feed is stored: fold this run into the compacted state."""
        if self.state is not None:
            self.state.compact()
