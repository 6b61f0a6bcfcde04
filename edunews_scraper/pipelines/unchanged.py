"""Articles already in the output with the same content are not exported again, nor articles
another worker of a shared crawl is exporting (see redis_state.py)."""

from __future__ import annotations

from scrapy.crawler import Crawler
from scrapy.exceptions import DropItem

from edunews_scraper.items import RawArticle
from edunews_scraper.pipelines.article import content_hash
from edunews_scraper.pipelines.base import RawArticleStage
from edunews_scraper.state import Claim


class UnchangedArticlePipeline(RawArticleStage):
    """Drop an article whose URL was exported before with the same content hash; one whose
    content changed goes on to be exported again (same `id`, new `content_hash`). Runs before
    `ArticlePipeline`, so `edunews/articles` counts exported articles only. The article is
    claimed here (`CrawlStateStore.claim`): in a shared crawl, one another worker is exporting
    is dropped too (`edunews/claimed_elsewhere`)."""

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
        claim = state.claim(raw.url, content_hash(raw))
        if claim is Claim.UNCHANGED:
            self.count("unchanged")
            raise DropItem(f"unchanged since its last export: {raw.url}", log_level="DEBUG")
        if claim is Claim.TAKEN:
            self.count("claimed_elsewhere")
            raise DropItem(f"being exported by another worker: {raw.url}", log_level="INFO")
        if claim is Claim.CHANGED:
            self.count("changed")
        return raw
