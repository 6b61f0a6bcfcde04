"""thanhnien.vn (Báo Thanh Niên), the layout in use since 2022.

Article URLs are `https://thanhnien.vn/<slug>-185<digits>.htm`: 18 digits for articles written
since 2022 (185 + yymmddHHMMSS + milliseconds, sometimes 17), 9-10 for articles migrated from the
old CMS (185 + the old id). Their bodies may still hold the old CMS's `table.imagefull` photos.

A category page (`/giao-duc.htm`) carries its zone id in `<input id="hdZoneId">`; its "Xem thêm"
button loads `/timelinelist/<zone>/<page>.htm` from page 2 on: bare `div.box-category-item`
fragments, an empty answer after the last page.
"""

import re
from urllib.parse import urlsplit

from scrapy.http import Response

from edunews_scraper.spiders.layout import Layout
from edunews_scraper.spiders.news import NewsSpider

_TIMELINE_PAGE = re.compile(r"^/timelinelist/(?P<zone>\d+)/(?P<page>\d+)\.htm$")


class ThanhnienSpider(NewsSpider):
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

    # The category's own lists (not the header mega-menu's or the sidebar's teasers), and the
    # bare items of a timelinelist fragment.
    listing_item_css = (
        ".list__focus-main .item-first, .list__focus-main .box-category-item, "
        ".list__stream-main .box-category-item, body > .box-category-item"
    )
    listing_link_css = "a.box-category-link-title::attr(href)"
    article_url_pattern = re.compile(
        r"^https?://thanhnien\.vn/[a-z0-9]+(?:-[a-z0-9]+)*-185\d{6,15}\.htm$"
    )

    layouts = (
        Layout(
            name="current",
            marker="div.detail-cmain",
            headline="h1.detail-title",
            lead="h2.detail-sapo",
            authors=".detail-author .author-info .name",
            time=".detail-time [data-role='publishdate']",
            category=".detail-cate a:last-child",
            tags=".detail-tab a.item",
            body="div.detail-cmain div.detail-content, div.detail-cmain",
            body_exclude=(
                ".VCSortableInPreviewMode[type='RelatedNewsBox']",
                ".VCSortableInPreviewMode[type='RelatedOneNews']",
                ".kbwscwl-relatedbox",
                ".VCSortableInPreviewMode[type='VideoStream']",
                ".VCSortableInPreviewMode[type='Video']",
                ".ads-inpage",
                "zone",
                ".dable_placeholder",
                "[data-check-position]",
                # Photo credits printed inside a caption (old CMS); `.PhotoCMS_Author` sits
                # outside it.
                ".imgcaption .source",
            ),
            figure=(
                ".VCSortableInPreviewMode[type='Photo'], "
                "figure.VCSortableInPreviewMode:not([type]), table.imagefull"
            ),
            figure_caption=".PhotoCMS_Caption, .imgcaption",
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
