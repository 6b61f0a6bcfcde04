"""Validation: an article without URL, headline, published time or body becomes a `Reject`."""

from __future__ import annotations

from edunews_scraper.items import RawArticle, Reject
from edunews_scraper.pipelines.base import RawArticleStage


class ValidationPipeline(RawArticleStage):
    """Turn an incomplete article into a `Reject` naming what is missing."""

    def process(self, raw: RawArticle) -> RawArticle | Reject:
        missing = [
            name
            for name, value in (
                ("url", raw.url),
                ("headline", raw.headline),
                ("published", raw.published),
                ("paragraphs", raw.paragraphs),
            )
            if not value
        ]
        if not missing:
            return raw
        if raw.published_raw and raw.published is None:
            missing[missing.index("published")] = f"published (unparsed {raw.published_raw!r})"
        return Reject(
            url=raw.url,
            site=raw.site,
            fetched_at=raw.fetched_at,
            reason="missing: " + ", ".join(missing),
        )
