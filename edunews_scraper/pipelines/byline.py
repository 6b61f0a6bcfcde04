"""Byline parsing: `Author - dd/mm/yyyy, HH:MM GMT+07 | Category` into its three fields."""

from __future__ import annotations

from edunews_scraper.items import RawArticle
from edunews_scraper.parsing.byline import parse_byline
from edunews_scraper.pipelines.base import RawArticleStage


class BylinePipeline(RawArticleStage):
    """Fill authors, printed time and category from the byline where the page gave no better."""

    def process(self, raw: RawArticle) -> RawArticle:
        byline = parse_byline(raw.byline) if raw.byline else None
        if byline is None:
            return raw
        if not raw.authors and byline.author:
            raw.authors = [byline.author]
        if not raw.published_raw:
            raw.published_raw = byline.when
        if not raw.category:
            raw.category = byline.category
        return raw
