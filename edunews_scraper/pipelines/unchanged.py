"""Articles already in the output with the same content are not exported again."""

from __future__ import annotations

from scrapy.crawler import Crawler
from scrapy.exceptions import DropItem

from edunews_scraper.items import RawArticle
from edunews_scraper.pipelines.article import content_hash
from edunews_scraper.pipelines.base import RawArticleStage


class UnchangedArticlePipeline(RawArticleStage):
    """Drop an article whose URL was exported before with the same content hash; one whose
    content changed goes on to be exported again (same `id`, new `content_hash`). Runs before
    `ArticlePipeline`, so `edunews/articles` counts exported articles only."""

    def __init__(self, crawler: Crawler) -> None:
        super().__init__(crawler.stats)
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> UnchangedArticlePipeline:
        return cls(crawler)

    def process(self, raw: RawArticle) -> RawArticle:
        state = getattr(self.crawler.spider, "crawl_state", None)
        if state is None:
            return raw
        if state.is_unchanged(raw.url, content_hash(raw)):
            self.count("unchanged")
            raise DropItem(f"unchanged since its last export: {raw.url}", log_level="DEBUG")
        if raw.url in state:
            self.count("changed")
        return raw
