"""The last step: a complete `RawArticle` becomes a typed `Article`; outcomes are counted."""

from __future__ import annotations

import hashlib
import json
from typing import Any

from w3lib.url import canonicalize_url

from edunews_scraper.items import Article, Image, RawArticle, Reject
from edunews_scraper.pipelines.base import RawArticleStage


def content_hash(raw: RawArticle) -> str:
    """16 hex digits that change whenever the article's text or images change."""
    content = [raw.headline, raw.lead, raw.paragraphs, [(i.src, i.caption) for i in raw.images]]
    encoded = json.dumps(content, ensure_ascii=False).encode("utf-8")
    return hashlib.sha1(encoded).hexdigest()[:16]


def article_id(canonical_url: str) -> str:
    """A stable id: the first 16 hex digits of the SHA-1 of the canonicalised URL."""
    return hashlib.sha1(canonicalize_url(canonical_url).encode("utf-8")).hexdigest()[:16]


class ArticlePipeline(RawArticleStage):
    """Build the `Article` and count articles and rejects (by reason) in the crawl stats."""

    def process_item(self, item: Any) -> Any:
        if isinstance(item, Reject):
            self.count("rejects")
            self.count(f"rejects/{item.reason.split(':')[0]}")
        return super().process_item(item)

    def process(self, raw: RawArticle) -> Article:
        assert raw.published is not None, "ValidationPipeline must run before ArticlePipeline"
        canonical = raw.canonical_url or raw.url
        self.count("articles")
        return Article(
            id=article_id(canonical),
            url=raw.url,
            canonical_url=canonical,
            site=raw.site,
            category=raw.category,
            headline=raw.headline,
            lead=raw.lead,
            authors=raw.authors,
            published=raw.published,
            published_raw=raw.published_raw,
            updated=raw.updated,
            paragraphs=raw.paragraphs,
            images=[Image(url=image.src, caption=image.caption) for image in raw.images],
            tags=raw.tags,
            language=raw.language,
            fetched_at=raw.fetched_at,
            content_hash=content_hash(raw),
        )
