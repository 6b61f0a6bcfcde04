"""dantri.com.vn (Báo Dân trí), section Giáo dục and its sub-sections.

What real served pages show (kept out of the repository; fixtures rebuilt from them with our
own text, see fixtures/dantri/):

Category pages (2026, confirmed on a served `/kinh-doanh.htm`): the main listing is a top block
`div.grid.highlight` (lead story and six more, `article.article-item` inside
`<article class="article grid|column">`, `data-content-name="category-highlights"`) and the
stream `div.grid.list#bai-viet > div.main > div.article.list` (`category-timeline_page_N`);
the sidebar (`article.article.sidebar`) and the sub-category boxes (`article.article-wrap`,
`category-children`) are other listings. Teasers print no time: an article's id is its
creation time (`...-20260307080054340.htm`: yyyymmddHHMMSS + ms), which stands in for it (the
JSON-LD `datePublished` is later: the id is not the publication time). Article URLs end
`-<17 digits>.htm` in every section (`/kinh-doanh/...`, `/giao-duc/...`: a sub-section's
articles sit under the top section). The next page is `div.pagination > a.page-item.next`
(`/giao-duc/trang-2.htm`, no rel=next). These pages declare `og:type` "article" too (the
base takes no page for an article on that alone).

Article layouts, each a `Layout`, newest first:
- 2026 (redesign, confirmed on a served article of 2026-03-07; the head also on one of
  2026-04-09): `article[data-slot=container]`, `h1[data-slot=title]`, byline box of avatar
  and name links `a[href*="/tac-gia/"]`, an unclassed `<time datetime="2026-03-07 08:07">`
  printing "Thứ bảy, 07/03/2026 - 08:07", `h2[data-slot=sapo]` opening "(Dân trí) - ",
  `div[data-slot=content]#desktop-in-article` of plain `<p>` (subheadings `<p><strong>`),
  with a `div.dantri-widget` and an empty `aside[data-module=related-article-in-content]`;
  Tailwind `dt-` classes everywhere. No printed tags: `meta[name=keywords]` holds them (the
  JSON-LD `keywords` adds the sections and labels such as "Tin nóng"). JSON-LD:
  BreadcrumbList (nested arrays), NewsArticle (author a Person, seconds in
  `datePublished`), and an Organization at the end of the body. Reconstructed, not seen on a
  served page of this layout: photos in the body, written as the CMS wrote them in 2022
  (`figure.image > img[data-original] + figcaption > p`; the widget and auto-link markup of
  the body is the same in 2022 and 2026, and the page's CSS styles
  `[data-slot=content] figure figcaption`).
- singular (2021 - mid 2025; seen in a hand-edited copy of Dec 2022 and a template copied from
  a May 2025 page, no served page found): `article.singular-container`, `h1.title-page`,
  `.author-name b`, `time.author-time[datetime]`, `h2.singular-sapo`, `div.singular-content`
  with `div.dta-unit` ads and `figure.image.align-center` photos, `ul.tags-wrap` tags.
- e-magazine (photo stories), dt-news (2020-2021), 2016 (2016-2019): reconstructed from the
  selectors of public crawlers; no served page of them was found. The older layouts sign the
  article off in the body: a last right-aligned `p` in `strong`.

Discovery beside the category pages (README, Discovery): the feed `/rss/giao-duc.rss` (the
sub-sections' feeds are not known); its format is the one quoted from the live feed in 2017
(every field in CDATA, a UUID `guid`, `pubDate` "Mon, 12 Jun 2017 10:50:00 GMT+7"), no later
copy found. Sitemaps reported by crawlers: `/google-news-sitemap.xml` (Google News format,
reconstructed) and `/sitemaps/articles.xml`, an index of monthly `/sitemaps/Article-YYYY-MM-01.xml`
beside `categories.xml` and `topics.xml` (their entries reconstructed as `loc` + `lastmod`).
Article URLs name their section (`/giao-duc/...`): sitemap articles are placed in the selected
categories by URL, in the news sitemap and in a backfill.
"""

import re
from collections.abc import Iterator
from datetime import datetime

from scrapy.http import Response

from edunews_scraper.items import RawArticle
from edunews_scraper.parsing.vn_datetime import VN_TZ
from edunews_scraper.spiders.layout import Layout
from edunews_scraper.spiders.news import NewsSpider

BODY = ("div.singular-content", "div.e-magazine__body", "div.dt-news__content", "#divNewsContent")
#: The sign-off paragraph of the older layouts: the body's last `p`, right-aligned.
SIGN_OFF = tuple(
    f'{body} > p:last-of-type[style*="{style}"]'
    for body in BODY[2:]
    for style in ("text-align: right", "text-align:right")
)
AUTHORS = ", ".join((".author-name b", *(f"{css} strong" for css in SIGN_OFF)))
CATEGORY = (
    'a[data-content-name="article-breadcrumb"], ul.dt-breadcrumb li + li a, div.breadcrumb a.cate'
)
TAGS = "ul.tags-wrap a, ul.dt-news__tag-list a, span.news-tags-item a"
EXCLUDE = (
    *SIGN_OFF,
    "div.dta-unit",
    '[data-slot="ads-in-content"]',
    "div.dantri-widget",
    ".article-related",
    "[data-tin-lien-quan]",
    "figure.video",
)
#: The creation time in an article id: `-yyyymmddHHMMSSfff.htm`.
URL_TIME = re.compile(r"-(\d{14})\d{3}\.htm$")


class DantriSpider(NewsSpider):
    name = "dantri"
    site = "dantri.com.vn"
    allowed_domains = ["dantri.com.vn"]
    categories = {
        "giao-duc": "https://dantri.com.vn/giao-duc.htm",
        "tuyen-sinh": "https://dantri.com.vn/giao-duc/tuyen-sinh.htm",
        "du-hoc": "https://dantri.com.vn/giao-duc/du-hoc.htm",
        "giao-duc-nghe-nghiep": "https://dantri.com.vn/giao-duc/giao-duc-nghe-nghiep.htm",
        "khuyen-hoc": "https://dantri.com.vn/giao-duc/khuyen-hoc.htm",
        "guong-sang": "https://dantri.com.vn/giao-duc/guong-sang.htm",
        "goc-phu-huynh": "https://dantri.com.vn/giao-duc/goc-phu-huynh.htm",
    }

    # Discovery beside the category pages (README, Discovery); sub-sections' feeds unknown.
    category_feeds = {"giao-duc": "https://dantri.com.vn/rss/giao-duc.rss"}
    news_sitemaps = ("https://dantri.com.vn/google-news-sitemap.xml",)
    sitemap_index = "https://dantri.com.vn/sitemaps/articles.xml"
    archive_sitemap_pattern = re.compile(
        r"/sitemaps/Article-(?P<year>\d{4})-(?P<month>\d{2})-\d{2}\.xml$"
    )

    # The main listing: the top block and the stream, not the sidebar or sub-category boxes.
    listing_item_css = "div.highlight article.article-item, div.article.list article.article-item"
    listing_link_css = "h3.article-title a::attr(href)"
    # An article in any section (what to crawl is decided by the category pages).
    article_url_pattern = re.compile(r"^https?://dantri\.com\.vn/[\w-]+/[\w-]+-\d{10,}\.htm$")
    next_page_css = "div.pagination a.page-item.next::attr(href)"

    layouts = (
        Layout(
            name="2026",
            marker='article[data-slot="container"], h1[data-slot="title"], '
            'div[data-slot="content"]',
            headline='h1[data-slot="title"]',
            lead='h2[data-slot="sapo"]',
            authors='article[data-slot="container"] a[href*="/tac-gia/"]',
            time='article[data-slot="container"] time',
            category=CATEGORY,
            body='div[data-slot="content"]',
            body_exclude=(
                "div.dantri-widget",
                '[data-module="related-article-in-content"]',
                "div.dta-unit",
                "figure.video",
            ),
            figure="figure.image",
        ),
        *(
            Layout(
                name=name,
                marker=marker,
                headline=headline,
                lead=lead,
                lead_exclude=("span.sapo-dantri",),
                authors=AUTHORS,
                time=time,
                category=CATEGORY,
                tags=TAGS,
                body=body,
                body_exclude=EXCLUDE,
                figure='figure.image, div.VCSortableInPreviewMode[type="Photo"]',
                figure_caption="figcaption, div.PhotoCMS_Caption",
            )
            for name, marker, headline, lead, time, body in (
                (
                    "singular",
                    "article.singular-container",
                    "h1.title-page",
                    "h2.singular-sapo",
                    "time.author-time",
                    BODY[0],
                ),
                (
                    "e-magazine",
                    "h1.e-magazine__title",
                    "h1.e-magazine__title",
                    "h2.e-magazine__sapo",
                    ".e-magazine__meta time",
                    BODY[1],
                ),
                (
                    "dt-news",
                    "h1.dt-news__title",
                    "h1.dt-news__title",
                    ".dt-news__sapo h2",
                    "span.dt-news__time",
                    BODY[2],
                ),
                (
                    "2016",
                    "#divNewsContent",
                    "h1.mgb15",
                    "h2.sapo",
                    "span.fr.fon7.tt-capitalize",
                    BODY[3],
                ),
            )
        ),
    )

    def listing_entries(self, response: Response) -> Iterator[tuple[str, datetime | None]]:
        """(article URL, creation time from its id) for each teaser; teasers print no time."""
        for url, printed in super().listing_entries(response):
            yield url, printed or url_time(url)

    def next_page_url(self, response: Response) -> str | None:
        """The page's "next" link (`a.page-item.next`); none after a page without teasers."""
        if next(self.listing_entries(response), None) is None:
            return None
        return super().next_page_url(response)

    def extract_article(self, response: Response) -> RawArticle:
        """As the base; on pages that print no tags, the tags are `meta[name=keywords]` (the
        JSON-LD `keywords` also lists the sections and labels such as "Tin nóng")."""
        article = super().extract_article(response)
        if not self.layout(response).tags:
            keywords = self.page(response).select('meta[name="keywords"]::attr(content)')[:1]
            tags = [tag.strip() for tag in str(keywords[0]).split(",")] if keywords else []
            article.tags = [tag for tag in tags if tag] or article.tags
        return article


def url_time(url: str) -> datetime | None:
    """The creation time in an article URL's id, or None when the id carries none."""
    match = URL_TIME.search(url)
    if match is None:
        return None
    try:
        return datetime.strptime(match.group(1), "%Y%m%d%H%M%S").replace(tzinfo=VN_TZ)
    except ValueError:
        return None
