"""vnexpress.net (Báo VnExpress), section Giáo dục and its sub-sections.

Confirmed on real served pages (2022 and 2026, kept outside the repository; real-structure
fixtures `current-2022-*` and `current-2026-*`), one article layout, `current`:

- headline `h1.title-detail` (a 2022 seasonal skin prints two empty `h1`s before it); lead
  `p.description`, opening with a dateline `span.location-stamp` ("TP HCM") on some pages;
  time `span.date` "Thứ bảy, 7/3/2026, 00:05 (GMT+7)" (day and month not zero-padded), JSON-LD
  `datePublished` with seconds; breadcrumb `ul.breadcrumb` (section > sub-section > ...).
- body `article.fck_detail` of `p.Normal` (subheadings `p.Normal > span > strong`, bold inline
  phrases likewise); a `p.Normal` may hold only a chart `iframe` and its script; figures
  `figure.tplCaption` with a lazy `img[data-src]` (placeholder gif in `src`; older articles a
  plain `src`) and `figcaption > p.Image` ending "Ảnh: <em>Reuters</em>"; inside the body also
  `div.list_link`, a hidden `ul.list-news` of related links and `[data-component]` boxes.
- the author only in the sign-off closing the body: a right-aligned `p.Normal` with the name
  in `strong`, sometimes with a remark (`<em>(tổng hợp)</em>`), or a `p.author_mail > strong`;
  JSON-LD `author` is the Organization "VnExpress". Tags in the `article:tag` meta
  (comma-separated, repeats possible); 2022 pages have none (only `keywords`).

Listing pages (`/giao-duc`, `/kinh-doanh`, sub-sections `/giao-duc/tuyen-sinh`) hold the top
story `article.item-news.full-thumb` and three `article.article-item` in
`div.wrapper-topstory-folder`, a row `#automation_5News`, then `div.list-news-subfolder`
streams of `article.item-news` (some `hidden`, revealed by script); most stream teasers carry
`data-publishtime` (a Unix time) on /kinh-doanh (2026-03), none do on /thoi-su (2026-01). The
right column is filled by script. Pages go on as `/giao-duc-p2`, announced by `<link
rel="next">` and `a.next-page`.

Older layouts reported by public scrapers (`div.fck_detail.width_common`, `#article_content`,
`.title_news h1`, `h3.short_intro`) were not found on any saved real page; the old articles
that were (2022) are served in the current layout.

Discovery beside the category pages (README, Discovery): feeds `/rss/giao-duc.rss` and
`/rss/giao-duc/<sub-section>.rss` (the form of `/rss/suc-khoe/tin-tuc.rss`), RSS 2.0 as served in
2026 (`description` CDATA with the thumbnail link and the sapo, `pubDate` in `+0700`, an
`enclosure`); the news sitemap `/google-news-sitemap.xml` (Google News format, reconstructed);
the sitemap index `/sitemap.xml` of daily `/articles-YYYY-sitemap.xml?m=M&d=D`, reported in 2026
to answer crawlers with a redirect (a live backfill may get nothing). URLs name no section.
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

    # Discovery beside the category pages (README, Discovery).
    category_feeds = {
        slug: page.replace("vnexpress.net/", "vnexpress.net/rss/") + ".rss"
        for slug, page in categories.items()
    }
    news_sitemaps = ("https://vnexpress.net/google-news-sitemap.xml",)
    sitemap_index = "https://vnexpress.net/sitemap.xml"
    archive_sitemap_pattern = re.compile(
        r"/articles-(?P<year>\d{4})-sitemap\.xml(?:\?m=(?P<month>\d{1,2})(?:&d=\d{1,2})?)?$"
    )

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
