"""VCCorp's CMS, which tuoitre.vn, thanhnien.vn, nld.com.vn and baochinhphu.vn share (its assets
on `*.mediacdn.vn`, its ads from admicro; confirmed on real 2026 article pages of all four).

An article body is `div.detail-content.afcbc-body[data-role=content]` inside `div.detail-cmain`.
What the editor embeds in it is a `.VCSortableInPreviewMode` element whose `type` says what it
is: photos `figure[type=Photo]` (inside a boxed panel `figure[type=PhotoInContentBox]`) with
`figcaption.PhotoCMS_Caption > p` (empty `<p data-placeholder>` when uncaptioned) and, on
thanhnien, a credit `div.PhotoCMS_Author` inside the figure; boxed panels `div[type=content]`
opening with an `<h3>` (article text, kept); related news `[type=RelatedNewsBox]`,
`[type=RelatedOneNews]`; videos `[type=VideoStream]` with `.VideoCMS_Caption`. Ad slots are
`<zone>` elements and scripts; `div[data-check-position]` marks the body's start and end.

Printed bylines are the reliable author source: the structured data may name the paper or a
placeholder ("Tác giả") instead of the reporters.
"""

from __future__ import annotations

import re
from dataclasses import replace
from typing import Any, ClassVar

from scrapy.http import Response

from edunews_scraper.items import RawArticle
from edunews_scraper.spiders.layout import Layout
from edunews_scraper.spiders.news import NewsSpider

#: Inside the body, not article text (none of their text or images is taken).
BODY_EXCLUDE = (
    ".VCSortableInPreviewMode[type^=RelatedNews]",
    ".VCSortableInPreviewMode[type=RelatedOneNews]",
    ".VCSortableInPreviewMode[type=VideoStream]",
    ".VCSortableInPreviewMode[type=Video]",
    "zone",
    "[data-check-position]",
    # Recommendation widgets (MGID) that thanhnien places inside the body.
    "[data-type=_mgwidget]",
)
#: Every embedded photo, in a boxed panel too (`type` "Photo", "PhotoInContentBox").
FIGURE = "figure.VCSortableInPreviewMode, .VCSortableInPreviewMode[type^=Photo]"
FIGURE_CAPTION = ".PhotoCMS_Caption"

#: The article layout the sites print around those roles (tuoitre and thanhnien); the byline
#: markup differs between them.
VCCORP_ARTICLE = Layout(
    name="vccorp",
    marker="div.detail-cmain",
    headline="h1.detail-title",
    lead=".detail-sapo",
    time=".detail-time [data-role=publishdate]",
    category="div.detail-cate a",
    tags=".detail-tab a",
    body="div.detail-cmain div.detail-content",
    body_exclude=BODY_EXCLUDE,
    figure=FIGURE,
    figure_caption=FIGURE_CAPTION,
)


def vccorp_article_layout(name: str, **overrides: Any) -> Layout:
    """The family's article layout under a site's name, with the site's own selectors."""
    return replace(VCCORP_ARTICLE, name=name, **overrides)


class PrintedBylineFirst(NewsSpider):
    """A spider of the family: the printed bylines win over the structured data's author, and
    names that are no person's (the paper, a placeholder) are dropped."""

    #: Author "names" that are not a person's.
    not_a_person: ClassVar[re.Pattern[str]] = re.compile(r"^\s*tác giả\s*$", re.I)

    def extract_article(self, response: Response) -> RawArticle:
        raw = super().extract_article(response)
        printed = self.all_texts(response, self.layout(response).authors)
        raw.authors = [name for name in printed or raw.authors if not self.not_a_person.match(name)]
        return raw
