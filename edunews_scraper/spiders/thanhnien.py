"""thanhnien.vn (Báo Thanh Niên), the layout in use since 2022 (a `Layout`).

Confirmed on real 2026 pages (read in parts, the article region of one of them whole; the
fixtures `lu-quet-structure-*` reproduce it): `article.detail__cmain`; category `div.detail-cate >
a[data-role=cate-name]`; headline `h1.detail-title > span[data-role=title]`; byline
`div.detail-author[data-role=author] .author-info-top a.name` followed by the reporter's e-mail
in `span.email`; time `div.detail-time > time[data-role=publishdate][datetime]`
("17/07/2026 22:18 GMT+7"); then a share bar with a Google-preference popup (text that is not the
article's), and the lead `div.detail-sapo[data-role=sapo]` - a `div`, not the `h2` of the sister
sites; body `div.detail-cmain > div.detail-content.afcbc-body[data-role=content]` with
entity-encoded text (`N&#7841;n nh&acirc;n`), photos `figure[type=Photo]` captioned by
`figcaption.PhotoCMS_Caption` with the photographer in `div.PhotoCMS_Author` ("ẢNH: ..."),
videos `div[type=VideoStream]` with `div.VideoCMS_Caption`, and inside the body an ads script
and an MGID widget (see `families/vccorp.py`); after it `div.detail__related` ("Tin liên quan"),
the comment box, tags `div.detail-tab[data-role=tags]` ("Khám phá thêm chủ đề" in an `h4`,
`a.item` each). The head has `article:published_time`, `meta.cms-date[itemprop=datePublished]`,
`meta[property=article:author]` and three JSON-LD blocks (NewsArticle with a Person author,
`articleSection`, `keywords`; BreadcrumbList; NewsMediaOrganization); the JSON-LD author can be
the placeholder "Tác giả" or empty (reported on 2026 heads). Pages are ~800 KB: ~570 KB of
inline CSS before `<body>`. Reconstructed, not seen on a real page: `h2.detail-sapo` (older
templates, kept in the lead selector) and the old CMS's `table.imagefull` photos with
`.imgcaption` in migrated articles.

Article URLs are `https://thanhnien.vn/<slug>-185<digits>.htm`: 18 digits for articles written
since 2022 (185 + yymmddHHMMSS + milliseconds, sometimes 17), 9-10 for articles migrated from the
old CMS (185 + the old id).

No real category page was found. Reconstructed: a category page (`/giao-duc.htm`) carries its
zone id in `<input id="hdZoneId">`, its lead story and teasers in `.list__focus-main` and its
stream in `.list__stream-main` (the sister sites' streams are `.list__news-main` (nld) and
`.list__listing-main` (tuoitre): read as well); "Xem thêm" loads `/timelinelist/<zone>/<page>.htm`
from page 2 on: bare `div.box-category-item` fragments, an empty answer after the last page.

Discovery beside the category pages (README, Discovery): the feed `/rss/giao-duc.rss`, whose
`pubDate` has a two-digit year (`Mon, 05 Oct 26 14:10:00 +0700`, seen in 2026; the rest of the
feed reconstructed as its family's); the news sitemap `/google-news-sitemap.xml` (the family's
name for it; reconstructed); the sitemap index `/sitemap.xml` of 5-day shards
`/sitemaps/sitemaps-YYYY-M-d1-d2.xml` back to 2011, written as tuoitre's. URLs name no section.
"""

import re
from urllib.parse import urlsplit

from scrapy.http import Response

from edunews_scraper.spiders.families.vccorp import (
    BODY_EXCLUDE,
    FIGURE,
    FIGURE_CAPTION,
    PrintedBylineFirst,
    vccorp_article_layout,
)

_TIMELINE_PAGE = re.compile(r"^/timelinelist/(?P<zone>\d+)/(?P<page>\d+)\.htm$")


class ThanhnienSpider(PrintedBylineFirst):
    name = "thanhnien"
    site = "thanhnien.vn"
    allowed_domains = ["thanhnien.vn"]
    categories = {
        "giao-duc": "https://thanhnien.vn/giao-duc.htm",
        "tuyen-sinh": "https://thanhnien.vn/giao-duc/tuyen-sinh.htm",
        "chon-nghe-chon-truong": "https://thanhnien.vn/giao-duc/chon-nghe-chon-truong.htm",
        "du-hoc": "https://thanhnien.vn/giao-duc/du-hoc.htm",
        "nha-truong": "https://thanhnien.vn/giao-duc/nha-truong.htm",
        "phu-huynh": "https://thanhnien.vn/giao-duc/phu-huynh.htm",
        "on-thi-tot-nghiep": "https://thanhnien.vn/giao-duc/on-thi-tot-nghiep.htm",
    }

    # Discovery beside the category pages (README, Discovery); sub-sections' feeds unknown.
    category_feeds = {"giao-duc": "https://thanhnien.vn/rss/giao-duc.rss"}
    news_sitemaps = ("https://thanhnien.vn/google-news-sitemap.xml",)
    sitemap_index = "https://thanhnien.vn/sitemap.xml"
    archive_sitemap_pattern = re.compile(
        r"/sitemaps/sitemaps-(?P<year>\d{4})-(?P<month>\d{1,2})-\d{1,2}-\d{1,2}\.xml$"
    )

    # The category's own lists (not the header mega-menu's or the sidebars' teasers), and the
    # bare items of a timelinelist fragment.
    listing_item_css = (
        ".list__focus-main .item-first, .list__focus-main .box-category-item, "
        ".list__stream-main .box-category-item, .list__news-main .box-category-item, "
        ".list__listing-main .box-category-item, body > .box-category-item"
    )
    listing_link_css = "a.box-category-link-title::attr(href)"
    article_url_pattern = re.compile(
        r"^https?://thanhnien\.vn/[a-z0-9]+(?:-[a-z0-9]+)*-185\d{6,15}\.htm$"
    )
    #: Bylines that credit the paper itself or are a placeholder, not a person.
    not_a_person = re.compile(r"^\s*(?:báo thanh niên|thanh niên|thanhnien\.vn|tác giả)\s*$", re.I)

    layouts = (
        vccorp_article_layout(
            "current",
            authors=".detail-author .author-info .name",
            category=".detail-cate a:last-child",
            tags=".detail-tab a.item",
            body="div.detail-cmain div.detail-content, div.detail-cmain",
            body_exclude=(
                *BODY_EXCLUDE,
                ".kbwscwl-relatedbox",
                ".ads-inpage",
                ".dable_placeholder",
                # Photo credits printed inside a caption (old CMS); `.PhotoCMS_Author` sits
                # outside it.
                ".imgcaption .source",
            ),
            figure=f"{FIGURE}, table.imagefull",
            figure_caption=f"{FIGURE_CAPTION}, .imgcaption",
        ),
    )

    def next_page_url(self, response: Response) -> str | None:
        """The next timelinelist page: page 2 after the category page, then N+1; none after
        a page without teasers."""
        if next(self.listing_entries(response), None) is None:
            return None
        page = _TIMELINE_PAGE.match(urlsplit(response.url).path)
        if page:
            return response.urljoin(f"/timelinelist/{page['zone']}/{int(page['page']) + 1}.htm")
        zone = (response.css("#hdZoneId::attr(value)").get() or "").strip()
        return response.urljoin(f"/timelinelist/{zone}/2.htm") if zone.isdigit() else None
