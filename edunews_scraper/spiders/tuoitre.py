"""tuoitre.vn (Tuổi Trẻ Online): the current layout (since 2022: `h1.detail-title`,
`div.detail-content[data-role=content]`, `[data-role=publishdate]`) and the legacy one
(2017-2021: `h1.article-title`, `h2.sapo` "TTO - ...", `div#main-detail-body`, `div.date-time`),
each a `Layout`.

Article URLs are `https://tuoitre.vn/<slug>-<15-20 digit id>.htm`. A category page shows its
first teasers; "Xem thêm" loads the next ones from `/timeline/<zone id>/trang-<N>.htm`, the zone
id being the page's hidden `#hdZoneId` (giáo dục: 13). Those timeline pages are bare lists of
`div.box-category-item` and page on by their own URL."""

import re

from scrapy.http import Response

from edunews_scraper.items import RawArticle
from edunews_scraper.spiders.layout import Layout
from edunews_scraper.spiders.news import NewsSpider

EXCLUDE = (
    "[type^=RelatedNews]",
    "[type=RelatedOneNews]",
    "[type=VideoStream]",
    ".readmore-body-box",
    ".relate-container",
    ".ads-inpage",
    "zone",
)
FIGURE = ".VCSortableInPreviewMode[type=Photo], table:has(img)"
FIGURE_CAPTION = ".PhotoCMS_Caption, td:not(:has(img))"
TIMELINE_PAGE = re.compile(r"/timeline/(\d+)/trang-(\d+)\.htm$")
#: Bylines that credit the paper itself, not a person.
SITE_CREDIT = re.compile(r"^\s*(?:tuổi trẻ online|tuoi tre online|tuổi trẻ|tto)\s*$", re.I)


class TuoitreSpider(NewsSpider):
    name = "tuoitre"
    site = "tuoitre.vn"
    allowed_domains = ["tuoitre.vn"]
    categories = {
        "giao-duc": "https://tuoitre.vn/giao-duc.htm",
        "tuyen-sinh": "https://tuoitre.vn/giao-duc/tuyen-sinh.htm",
        "du-hoc": "https://tuoitre.vn/giao-duc/du-hoc.htm",
        "cau-chuyen-giao-duc": "https://tuoitre.vn/giao-duc/cau-chuyen-giao-duc.htm",
    }

    # The category page's lead stories and main list (not the sidebar's "most read" of other
    # sections), and the bare items of a timeline page.
    listing_item_css = (
        ".list__focus-main .box-category-item, .list__listing-main .box-category-item, "
        "body > .box-category-item"
    )
    listing_link_css = "a.box-category-link-title::attr(href)"
    #: Teasers carry their time as an attribute (`title="2026-06-12T07:45:00"`), not as text.
    listing_time_css = ".time-ago-last-news::attr(title)"
    article_url_pattern = re.compile(
        r"^https?://tuoitre\.vn/[a-z0-9]+(?:-[a-z0-9]+)*-\d{15,20}\.htm$"
    )

    layouts = (
        Layout(
            name="current",
            marker="div.detail-cmain",
            headline="h1.detail-title",
            lead=".detail-sapo",
            authors=(
                ".detail-author .author-info a.name, .detail-author .author-item-name a.name, "
                ".detail-author-bot a.name"
            ),
            time=".detail-time [data-role=publishdate]",
            category="div.detail-cate a",
            tags=".detail-tab a",
            body="div.detail-cmain div.detail-content",
            body_exclude=EXCLUDE,
            figure=FIGURE,
            figure_caption=FIGURE_CAPTION,
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
            figure=FIGURE,
            figure_caption=FIGURE_CAPTION,
        ),
    )

    def next_page_url(self, response: Response) -> str | None:
        """The next timeline page of the zone; none after a page without teasers."""
        if not response.css(self.listing_item_css):
            return None
        if match := TIMELINE_PAGE.search(response.url):
            zone, page = match.group(1), int(match.group(2)) + 1
        else:
            zone, page = (response.css("#hdZoneId::attr(value)").get() or "").strip(), 2
        if not zone.isdigit():
            return None
        return f"https://tuoitre.vn/timeline/{zone}/trang-{page}.htm"

    def extract_article(self, response: Response) -> RawArticle:
        """The base's article, with the printed bylines preferred over the structured data's
        author, and credits to the paper itself ("TUỔI TRẺ ONLINE") dropped."""
        raw = super().extract_article(response)
        printed = self.all_texts(response, self.layout(response).authors)
        raw.authors = [name for name in printed or raw.authors if not SITE_CREDIT.match(name)]
        return raw
