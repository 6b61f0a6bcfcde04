"""Articles already in the output with the same content are not exported again."""

from __future__ import annotations

from typing import Any

from scrapy.crawler import Crawler
from scrapy.exceptions import DropItem

from edunews_scraper.items import Article


class UnchangedArticlePipeline:
    """Drop an `Article` whose URL was exported before with the same `content_hash`; one whose
    content changed is exported again (same `id`, new `content_hash`)."""

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> UnchangedArticlePipeline:
        return cls(crawler)

    def process_item(self, item: Any) -> Any:
        state = getattr(self.crawler.spider, "crawl_state", None)
        if not isinstance(item, Article) or state is None:
            return item
        if state.is_unchanged(item.url, item.content_hash):
            self.crawler.stats.inc_value("edunews/unchanged")
            raise DropItem(f"unchanged since its last export: {item.url}", log_level="DEBUG")
        if item.url in state:
            self.crawler.stats.inc_value("edunews/changed")
        return item
