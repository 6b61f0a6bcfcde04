"""dantri.com.vn (Báo Dân trí), section Giáo dục and its sub-sections.

Listing pages (`/giao-duc.htm`, `/giao-duc/tuyen-sinh.htm`, ...) hold `article.article-item`
teasers that print no time, and paginate as `/giao-duc/trang-2.htm` with no rel=next link. An
article's id is its creation time (`...-20260311060512345.htm`: yyyymmddHHMMSS + ms), which
stands in for the teaser's time.

Article layouts, each a `Layout`:
- singular (2021-): `article.singular-container`, `h1.title-page`, `h2.singular-sapo`,
  `time.author-time` ("Thứ tư, 11/03/2026 - 06:05"), `div.singular-content`, JSON-LD
  NewsArticle; images in `figure.image` with `figcaption`.
- photo story (e-magazine template): `h1.e-magazine__title`, `h2.e-magazine__sapo`,
  `div.e-magazine__meta`, `div.e-magazine__body`.
- dt-news (2020-2021): `h1.dt-news__title`, `.dt-news__sapo h2`, `span.dt-news__time`,
  `div.dt-news__content`, related box marked `data-tin-lien-quan`.
- 2016-2019: `h1.mgb15`, `h2.sapo`, `span.tt-capitalize` date, `div#divNewsContent`; images
  in `div.VCSortableInPreviewMode` boxes with a `div.PhotoCMS_Caption`.
The older layouts sign the article off in the body: a last right-aligned `p` in `strong`.
"""

import re
from collections.abc import Iterator
from datetime import datetime
from urllib.parse import urlsplit, urlunsplit

from scrapy.http import Response

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
#: A listing page's path: the category, then `/trang-N` from page 2 on.
LISTING_PATH = re.compile(r"^(?P<category>/.+?)(?:/trang-(?P<page>\d+))?\.htm$")


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

    # The main column's teasers (`div.article.list`, the page's top block), not the sidebar's.
    listing_item_css = "div.article article.article-item"
    listing_link_css = "h3.article-title a::attr(href)"
    # The section's names over the years: giao-duc-khuyen-hoc (to 2020), giao-duc-huong-nghiep
    # (2021-2023), giao-duc.
    article_url_pattern = re.compile(
        r"^https?://dantri\.com\.vn/(?:giao-duc|giao-duc-huong-nghiep|giao-duc-khuyen-hoc)/"
        r"[\w-]+-\d{10,}\.htm$"
    )

    layouts = tuple(
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
    )

    def listing_entries(self, response: Response) -> Iterator[tuple[str, datetime | None]]:
        """(article URL, creation time from its id) for each teaser; teasers print no time."""
        for url, printed in super().listing_entries(response):
            yield url, printed or url_time(url)

    def next_page_url(self, response: Response) -> str | None:
        """`/<category>/trang-<N+1>.htm`, built from this page's URL; none after a page
        without teasers."""
        if next(self.listing_entries(response), None) is None:
            return None
        parts = urlsplit(response.url)
        match = LISTING_PATH.match(parts.path)
        if match is None:
            return None
        page = int(match.group("page") or 1) + 1
        path = f"{match.group('category')}/trang-{page}.htm"
        return urlunsplit((parts.scheme, parts.netloc, path, "", ""))


def url_time(url: str) -> datetime | None:
    """The creation time in an article URL's id, or None when the id carries none."""
    match = URL_TIME.search(url)
    if match is None:
        return None
    try:
        return datetime.strptime(match.group(1), "%Y%m%d%H%M%S").replace(tzinfo=VN_TZ)
    except ValueError:
        return None
