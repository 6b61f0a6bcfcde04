"""Author credits split into a clean list of names."""

from __future__ import annotations

from edunews_scraper.items import RawArticle
from edunews_scraper.parsing.authors import split_authors
from edunews_scraper.pipelines.base import RawArticleStage


class AuthorsPipeline(RawArticleStage):
    """ "Bài, ảnh: A - B" and friends become ["A", "B"]."""

    def process(self, raw: RawArticle) -> RawArticle:
        raw.authors = split_authors(raw.authors)
        return raw
