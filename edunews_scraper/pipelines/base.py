"""The shape shared by our pipelines: work on `RawArticle`s, pass every other item on."""

from __future__ import annotations

from typing import Any

from scrapy.crawler import Crawler
from scrapy.statscollectors import StatsCollector

from edunews_scraper.items import RawArticle, Reject


class RawArticleStage:
    """Base of the pipelines that refine a `RawArticle`; other items pass through untouched."""

    def __init__(self, stats: StatsCollector | None = None) -> None:
        self.stats = stats

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> RawArticleStage:
        return cls(crawler.stats)

    def process_item(self, item: Any) -> Any:
        return self.process(item) if isinstance(item, RawArticle) else item

    def process(self, raw: RawArticle) -> RawArticle | Reject:
        raise NotImplementedError

    def count(self, key: str) -> None:
        """Add one to the crawl stat `edunews/<key>`."""
        if self.stats is not None:
            self.stats.inc_value(f"edunews/{key}")
