"""Boilerplate removal: comment boxes, "Xem thêm", share bars, header clutter, repeats."""

from __future__ import annotations

from edunews_scraper.items import RawArticle
from edunews_scraper.parsing.boilerplate import remove_boilerplate, strip_outlet_stamp
from edunews_scraper.pipelines.base import RawArticleStage


class BoilerplatePipeline(RawArticleStage):
    """Drop page furniture from the paragraphs, and paragraphs that repeat the headline,
    the lead or the byline; the outlet's stamp from the lead."""

    def process(self, raw: RawArticle) -> RawArticle:
        repeats = {raw.headline, raw.lead, raw.byline} - {""}
        raw.lead = strip_outlet_stamp(raw.lead)
        raw.paragraphs = [p for p in remove_boilerplate(raw.paragraphs) if p not in repeats]
        return raw
