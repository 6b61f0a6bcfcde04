"""Publication and update times parsed into aware datetimes in GMT+07."""

from __future__ import annotations

from edunews_scraper.items import RawArticle
from edunews_scraper.parsing.vn_datetime import parse_vn_datetime
from edunews_scraper.pipelines.base import RawArticleStage


class DatesPipeline(RawArticleStage):
    """Machine-readable time first (JSON-LD, meta), the printed one as fallback; relative
    times resolve against the page's fetch time."""

    def process(self, raw: RawArticle) -> RawArticle:
        reference = raw.fetched_at
        raw.published = parse_vn_datetime(raw.published_iso, reference) or parse_vn_datetime(
            raw.published_raw, reference
        )
        raw.updated = parse_vn_datetime(raw.updated_raw, reference)
        if raw.published_raw and raw.published is None:
            self.count("dates/unparsed")
        return raw
