"""tuoitre.vn (Tuổi Trẻ Online), three article layouts, each a `Layout`.

**current** (since 2022; confirmed on a real article page of 2026-03-07, see the fixtures
`chien-su-*`): `h1.detail-title[data-role=title]`, lead `h2.detail-sapo[data-role=sapo]`, time
`div.detail-time > div[data-role=publishdate]` ("07/03/2026 08:01 GMT+7"), category
`div.detail-cate a`, body `div.detail-cmain > div.detail-content.afcbc-body` with `<h2>`
subheadings and boxed panels (`div.VCSortableInPreviewMode[type=content]` opening with `<h3>`,
article text), photos `figure[type=Photo]` and, inside a panel, `figure[type=PhotoInContentBox]`
(see `families/vccorp.py`), related `div[type=RelatedOneNews]`, a hidden "Đọc tiếp"
`.readmore-body-box`; tags `div.detail-tab a.item` ("Chủ đề:" label in a span). Bylines are
printed upper case; the top one shows the first name and "và 1 tác giả khác", every name is in
`.detail-author .author-item-name a.name` and again after the body in `div.detail-author-bot`.
JSON-LD strings carry HTML entities, even escaped twice (`Chi&amp;#7871;n`), and name a Person
author (or several). Pages are ~500 KB with CRLF line endings.

**legacy** (2017-2021: `h1.article-title`, `h2.sapo` "TTO - ...", `div#main-detail-body`,
`div.date-time`): reconstructed from crawlers' selectors; no real page of it was found.

**2015** (URLs `/tin/<section>/<yyyymmdd>/<slug>/<id>.html`, redirected to the current layout
today; confirmed on one browser-saved real page of 2015-03-23): `h1.title-2`, `span.date`
"23/03/2015 08:06 GMT+7", lead `p.txt-head` "TT - ...", body `div.fck`, photos
`table.desc_image` captioned by `td.ck_legend`, the author closing the body in
`div.wrapper-qt > strong`, beside a like button.

Article URLs are `https://tuoitre.vn/<slug>-<15-20 digit id>.htm` in every section. A category
page (confirmed on two real ones of 2026) prints its lead story
(`div.box-category-item-main > div.item-first`) and 8 more teasers (`div.box-category-item`) in
`div.list__focus-main`; its stream `div.list__listing-main #load-list-news` is empty in the
served HTML and "Xem thêm" is `href="javascript:;"`: a script fills the stream from
`/timeline/<zone id>/trang-<N>.htm` from page 1 on, the zone id being the page's hidden
`#hdZoneId` (giáo dục: 13). Timeline pages are bare lists of `div.box-category-item`
(reported by crawlers; reconstructed) and page on by their own URL. Sidebar boxes
(`div.list__listing-sub`, `div.list__focus-sub`) show other sections' teasers: not taken.

Discovery beside the category pages (README, Discovery): the feed `/rss/giao-duc.rss` (the
sub-sections' are not known), whose `pubDate` reads `10/2/2026 9:25:00 AM` (month first, 12-hour
clock, Vietnam time; seen in 2026; the rest of the feed reconstructed); the news sitemap
`/Sitemap/GoogleNews.ashx` (Google News format, reconstructed); the sitemap index
`/sitemaps/index.rss` of 5-day shards `/StaticSitemaps/sitemaps-YYYY-M-d1-d2.xml` back to 2011
(real structure: `lastmod` without seconds, `image:title` holding entity-escaped CDATA, `.htm.rss`
URLs among the articles). URLs name no section: a backfill takes every article of the months.
"""

import re

from scrapy.http import Response

from edunews_scraper.spiders.families.vccorp import (
    BODY_EXCLUDE,
    FIGURE,
    FIGURE_CAPTION,
    PrintedBylineFirst,
    vccorp_article_layout,
)
from edunews_scraper.spiders.layout import Layout

EXCLUDE = (*BODY_EXCLUDE, ".readmore-body-box", ".relate-container", ".ads-inpage")
OLD_FIGURE = f"{FIGURE}, table:has(img)"
OLD_FIGURE_CAPTION = f"{FIGURE_CAPTION}, td:not(:has(img))"
TIMELINE_PAGE = re.compile(r"/timeline/(\d+)/trang-(\d+)\.htm$")


class TuoitreSpider(PrintedBylineFirst):
    name = "tuoitre"
    site = "tuoitre.vn"
    allowed_domains = ["tuoitre.vn"]
    categories = {
        "giao-duc": "https://tuoitre.vn/giao-duc.htm",
        "tuyen-sinh": "https://tuoitre.vn/giao-duc/tuyen-sinh.htm",
        "du-hoc": "https://tuoitre.vn/giao-duc/du-hoc.htm",
        "cau-chuyen-giao-duc": "https://tuoitre.vn/giao-duc/cau-chuyen-giao-duc.htm",
    }

    # Discovery beside the category pages (README, Discovery); sub-sections' feeds unknown.
    category_feeds = {"giao-duc": "https://tuoitre.vn/rss/giao-duc.rss"}
    news_sitemaps = ("https://tuoitre.vn/Sitemap/GoogleNews.ashx",)
    sitemap_index = "https://tuoitre.vn/sitemaps/index.rss"
    archive_sitemap_pattern = re.compile(
        r"/StaticSitemaps/sitemaps-(?P<year>\d{4})-(?P<month>\d{1,2})-\d{1,2}-\d{1,2}\.xml$"
    )

    # The category page's lead story, top teasers and stream (not the sidebars' boxes of
    # other sections), and the bare items of a timeline page.
    listing_item_css = (
        ".list__focus-main .item-first, .list__focus-main .box-category-item, "
        ".list__listing-main .box-category-item, body > .box-category-item"
    )
    listing_link_css = "a.box-category-link-title::attr(href)"
    #: Timeline teasers carry their time as an attribute (`title="2026-06-12T07:45:00"`).
    listing_time_css = ".time-ago-last-news::attr(title)"
    #: Current URLs, and the 2015 layout's (`/tin/<section>/<yyyymmdd>/<slug>/<id>.html`).
    article_url_pattern = re.compile(
        r"^https?://tuoitre\.vn/(?:[a-z0-9]+(?:-[a-z0-9]+)*-\d{15,20}\.htm"
        r"|tin/[a-z0-9-]+(?:/[a-z0-9-]+)*/\d{8}/[a-z0-9-]+/\d+\.html)$"
    )
    #: Bylines that credit the paper itself, not a person.
    not_a_person = re.compile(
        r"^\s*(?:tuổi trẻ online|tuoi tre online|tuổi trẻ|tto|tác giả)\s*$", re.I
    )

    layouts = (
        vccorp_article_layout(
            "current",
            authors=(
                ".detail-author .author-info a.name, .detail-author .author-item-name a.name, "
                ".detail-author-bot a.name"
            ),
            body_exclude=EXCLUDE,
            figure=OLD_FIGURE,
            figure_caption=OLD_FIGURE_CAPTION,
        ),
        Layout(
            name="legacy",
            marker="div#main-detail-body",
            headline="h1.article-title",
            lead="h2.sapo",
            authors=".main-content-body > div.author",
            time="div.date-time",
            category=".bread-crumb li:last-child a",
            tags=".tags-container li a",
            body="div#main-detail-body",
            body_exclude=EXCLUDE,
            figure=OLD_FIGURE,
            figure_caption=OLD_FIGURE_CAPTION,
        ),
        Layout(
            name="2015",
            marker="div.fck, h1.title-2",
            headline="h1.title-2",
            lead="p.txt-head",
            authors="div.fck div.wrapper-qt > strong",
            time=".tool-bar span.date",
            updated="meta[name=lastmod]::attr(content)",
            category="ul.breadcrumb li a",
            tags="ul.block-key li a",
            body="div.fck",
            # The like button and byline closing the body, and an ad player's wrapper.
            body_exclude=("div.wrapper-qt", "[id^=tt-wrapper]"),
            figure="table.desc_image",
            figure_caption="td.ck_legend",
        ),
    )

    def next_page_url(self, response: Response) -> str | None:
        """The zone's timeline page that follows: page 1 after the category page (its stream
        is empty in the served HTML), then N+1; none after a page without teasers."""
        if not response.css(self.listing_item_css):
            return None
        if match := TIMELINE_PAGE.search(response.url):
            zone, page = match.group(1), int(match.group(2)) + 1
        else:
            zone, page = (response.css("#hdZoneId::attr(value)").get() or "").strip(), 1
        if not zone.isdigit():
            return None
        return f"https://tuoitre.vn/timeline/{zone}/trang-{page}.htm"
