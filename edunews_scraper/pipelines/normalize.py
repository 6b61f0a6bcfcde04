"""Unicode NFC and whitespace clean-up of every text field, and paragraphs from the body."""

from __future__ import annotations

from edunews_scraper.items import RawArticle, RawImage
from edunews_scraper.parsing.text import clean_all, clean_text, html_to_paragraphs
from edunews_scraper.pipelines.base import RawArticleStage


class NormalizeTextPipeline(RawArticleStage):
    """NFC, no invisible characters, collapsed whitespace; body HTML split into paragraphs;
    tags without a hashtag's "#"."""

    def process(self, raw: RawArticle) -> RawArticle:
        for name in (
            "url",
            "canonical_url",
            "headline",
            "lead",
            "byline",
            "published_raw",
            "published_iso",
            "updated_raw",
            "category",
        ):
            setattr(raw, name, clean_text(getattr(raw, name)))
        raw.authors = clean_all(raw.authors)
        # Tags printed as hashtags ("#kim cương": the ePi CMS's pages) without their "#".
        raw.tags = list(dict.fromkeys(clean_all(tag.lstrip().lstrip("#") for tag in raw.tags)))
        raw.images = [
            RawImage(
                src=image.src.strip(), caption=clean_text(image.caption), alt=clean_text(image.alt)
            )
            for image in raw.images
        ]
        raw.paragraphs = clean_all(raw.paragraphs) or html_to_paragraphs(raw.body_html)
        return raw
