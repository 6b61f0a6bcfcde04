"""Only web URLs and bounded fields reach the output.

A canonical URL or an image URL that is not a web URL (`javascript:`, `vbscript:`, `file:`,
`data:`, malformed, longer than the `url` limit) is dropped, counted in
`edunews/refused/canonical` or `edunews/refused/images` and logged: the article keeps its
own URL, and its other images. A text field longer than its limit (`EDUNEWS_FIELD_LIMITS`,
see limits.py) makes the article a reject (`refused: ...`): no output line grows without
bound.
"""

from __future__ import annotations

import logging

from scrapy.crawler import Crawler

from edunews_scraper.items import RawArticle, Reject
from edunews_scraper.limits import FieldLimits
from edunews_scraper.pipelines.base import RawArticleStage
from edunews_scraper.urls import UnsafeURL, web_url

logger = logging.getLogger(__name__)


class FieldLimitsPipeline(RawArticleStage):
    """Drop non-web canonical and image URLs; reject an article with an over-long field."""

    def __init__(self, crawler: Crawler) -> None:
        super().__init__(crawler.stats)
        self.limits = FieldLimits.from_settings(crawler.settings)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> FieldLimitsPipeline:
        return cls(crawler)

    def process(self, raw: RawArticle) -> RawArticle | Reject:
        self.keep_web_urls(raw)
        problem = self.over_limit(raw)
        if not problem:
            return raw
        return Reject(
            url=raw.url,
            site=raw.site,
            fetched_at=raw.fetched_at,
            reason=f"refused: {problem} (EDUNEWS_FIELD_LIMITS)",
        )

    def keep_web_urls(self, raw: RawArticle) -> None:
        if raw.canonical_url:
            try:
                web_url(raw.canonical_url, self.limits.url)
            except UnsafeURL as error:
                self.count("refused/canonical")
                logger.warning("Dropped the canonical URL of %s: %s", raw.url, error)
                raw.canonical_url = ""
        kept = []
        for image in raw.images:
            try:
                web_url(image.src, self.limits.url)
            except UnsafeURL as error:
                self.count("refused/images")
                logger.warning("Dropped an image of %s: %s", raw.url, error)
            else:
                kept.append(image)
        raw.images = kept

    def over_limit(self, raw: RawArticle) -> str:
        """What is too long in `raw` ("" when nothing is)."""
        limits, paragraphs = self.limits, raw.paragraphs
        fields = [
            ("headline", raw.headline, limits.headline),
            ("lead", raw.lead, limits.lead),
            ("category", raw.category, limits.label),
            ("printed time", raw.published_raw, limits.label),
            *((f"paragraph {n}", text, limits.paragraph) for n, text in enumerate(paragraphs, 1)),
            *((f"caption {n}", i.caption, limits.caption) for n, i in enumerate(raw.images, 1)),
            *(("author", name, limits.label) for name in raw.authors),
            *(("tag", tag, limits.label) for tag in raw.tags),
        ]
        for name, text, limit in fields:
            if len(text) > limit:
                return f"{name} is {len(text):,} characters long (limit {limit:,})"
        total = sum(len(text) for name, text, _ in fields if name not in {"author", "tag"})
        if total > limits.article:
            return f"the article's text is {total:,} characters long (limit {limits.article:,})"
        return ""
