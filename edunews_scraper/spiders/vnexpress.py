"""vnexpress.net (Báo VnExpress), section Giáo dục and its sub-sections.

Listing pages (`/giao-duc`, `/giao-duc/tuyen-sinh`, ...) hold `article.item-news` teasers with a
`data-publishtime` Unix timestamp and paginate as `/giao-duc-p2`, announced by
`<link rel="next">`. Article pages carry JSON-LD NewsArticle (author: the Organization
"VnExpress", so the real names come from the page) and an `article:tag` meta listing the tags
comma-separated. The body `article.fck_detail` ends with the sign-off: a right-aligned
`p.Normal` whose `strong` holds the author(s), or a `p.author_mail` on older pages.
"""

import re
from datetime import datetime

from lxml import etree
from parsel import Selector
from scrapy.http import Response

from edunews_scraper.items import RawArticle
from edunews_scraper.parsing.text import clean_text
from edunews_scraper.parsing.vn_datetime import VN_TZ
from edunews_scraper.spiders.layout import Layout
from edunews_scraper.spiders.news import NewsSpider

#: The sign-off paragraph: the body's last `p`, right-aligned, or the older `p.author_mail`.
SIGN_OFF = (
    'article.fck_detail > p.Normal:last-of-type[style*="text-align:right"]',
    'article.fck_detail > p.Normal:last-of-type[style*="text-align: right"]',
    "article.fck_detail p.author_mail",
)
#: A sign-off that credits a source ("Theo Reuters"), not an author.
SOURCE_CREDIT = re.compile(r"^theo\s", re.IGNORECASE)
#: A remark in parentheses after a name: "(tổng hợp)", "(theo AFP)".
REMARK = re.compile(r"\([^)]*\)")
#: Inline related-article links: a paragraph starting with ">>".
RELATED_LINK = "descendant::p[starts-with(normalize-space(.), '>>')]"


def text_of(node: etree._Element) -> str:
    """The visible text of a node, cleaned."""
    return clean_text(" ".join(node.itertext()))


class VnexpressSpider(NewsSpider):
    name = "vnexpress"
    site = "vnexpress.net"
    allowed_domains = ["vnexpress.net"]
    categories = {
        "giao-duc": "https://vnexpress.net/giao-duc",
        "tin-tuc": "https://vnexpress.net/giao-duc/tin-tuc",
        "tuyen-sinh": "https://vnexpress.net/giao-duc/tuyen-sinh",
        "chan-dung": "https://vnexpress.net/giao-duc/chan-dung",
        "du-hoc": "https://vnexpress.net/giao-duc/du-hoc",
        "thao-luan": "https://vnexpress.net/giao-duc/thao-luan",
        "hoc-tieng-anh": "https://vnexpress.net/giao-duc/hoc-tieng-anh",
        "giao-duc-40": "https://vnexpress.net/giao-duc/giao-duc-40",
    }

    listing_item_css = "article.item-news, article.article-item"
    listing_link_css = ".title-news a::attr(href)"
    article_url_pattern = re.compile(r"^https?://vnexpress\.net/[a-z0-9-]+-\d{6,8}\.html$")
    next_page_css = (
        'link[rel="next"]::attr(href), #pagination a.next-page:not(.disable)::attr(href)'
    )

    layouts = (
        Layout(
            name="current",
            marker="article.fck_detail",
            headline="h1.title-detail",
            lead="p.description",
            lead_exclude=(".location-stamp",),
            time=".header-content span.date",
            category="ul.breadcrumb li:last-of-type a",
            body="article.fck_detail",
            body_exclude=(
                *SIGN_OFF,
                "[data-component]",
                "div.box-tinlienquanv2",
                "ul.list-news",
                ".banner-ads",
                ".box_embed_video_parent",
                ".vote_rating_box",
            ),
            body_exclude_xpath=(RELATED_LINK,),
            figure="figure, table.tplCaption",
            figure_caption="figcaption, p.Image, td.Image",
        ),
    )

    def teaser_time(self, teaser: Selector, reference: datetime) -> datetime | None:
        """Teasers print no time: their `data-publishtime` holds it as a Unix timestamp."""
        stamp = (teaser.attrib.get("data-publishtime") or "").strip()
        return datetime.fromtimestamp(int(stamp), VN_TZ) if stamp.isdigit() else None

    def next_page_url(self, response: Response) -> str | None:
        """The next listing page, never past a page without teasers."""
        if next(self.listing_entries(response), None) is None:
            return None
        return super().next_page_url(response)

    def extract_article(self, response: Response) -> RawArticle:
        """The base's article, with the authors of the sign-off."""
        raw = super().extract_article(response)
        raw.authors = raw.authors or self.sign_off_authors(response)
        return raw

    def sign_off_authors(self, response: Response) -> list[str]:
        """The names of the sign-off: its `strong` parts (else its text) without remarks in
        parentheses; none when it only credits a source ("Theo Times Higher Education")."""
        sign_offs = self.page(response).select(", ".join(SIGN_OFF))
        if not sign_offs or SOURCE_CREDIT.match(text_of(sign_off := sign_offs[-1])):
            return []
        credits = [text_of(strong) for strong in sign_off.iter("strong")] or [text_of(sign_off)]
        return [name for text in credits if (name := clean_text(REMARK.sub(" ", text)))]
