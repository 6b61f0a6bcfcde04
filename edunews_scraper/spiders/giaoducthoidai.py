"""giaoducthoidai.vn (Báo Giáo dục & Thời đại), the project's first site. Two layouts:

- `current` (since late 2021; article URLs `https://giaoducthoidai.vn/<slug>-post<digits>.html`):
  the CMS the paper shares with tienphong.vn, nhandan.vn, baophapluat.vn (`families/epi.py`).
  REAL: the family's markup as served in 2026 by the sister papers (a tienphong.vn photo story
  and report, a nhandan.vn topic report, read in public repositories): the selectors of the
  headline, lead, time, section, byline, tags, body, photos and in-body teasers (not
  `h2.article__sapo` and `div.cate-breadcrumb a.cate-parent`, from team notes, nor the
  exclusions `div.ads_middle`, `.banner`, `div.article__share`, never seen). Its
  five fixtures `current-2026-*` are those three pages' whole structure (head, JSON-LD, scripts,
  menus, boxes, whitespace) re-addressed to giaoducthoidai.vn with our own text: a photo story
  without `<p>` (captions are its text), reports with bare lazy `<figure>`s, a `div.notebox`,
  `div.article-relate` teasers in the body, the byline in `div.article-footer` (tienphong) or
  closing the body (nhandan). ASSUMED: that giaoducthoidai.vn serves that same template (no
  served page of its own was found), its sapo stamp "GD&TĐ - " (stripped by the shared rule),
  and its hosts (`cdn.giaoducthoidai.vn/images/...`, `images.giaoducthoidai.vn/Uploaded/...`,
  `static-cms-giaoducthoidai.epicdn.me`), which code reading the live site names.
- `legacy` (2014 to 2021, URLs `/<section>/<slug>-<7 digits>[-l|-v].html`; the seed page of
  2018, still served so in September 2021): visible order header, headline, byline
  `Author - dd/mm/yyyy, HH:MM GMT+07 | Category`, captioned images between paragraphs, comment
  box. Its tag and class names are OUR RECONSTRUCTION: no served page of that era was found.

No category page of giaoducthoidai.vn or of its sister papers was found in public repositories:
the listing selectors and the `?page=N` pagination are reconstructions; the family is reported
to page its categories through `/api/morenews-zone-<zone>-<page>.html` (JSON) on sister sites,
unconfirmed here. RSS feeds named by third parties: `/rss/home.rss`, `/rss/<slug>.rss`,
`/rss/<slug>-<id>.rss`.

Discovery beside the category pages (README, Discovery): the feeds `/rss/<slug>.rss`; the news
sitemap `/sitemaps/google-news.xml` and the sitemap index `/sitemap.xml` of monthly
`/sitemaps/news-YYYY-M.xml` are the CMS family's names (baophapluat.vn, tinnhanhchungkhoan.vn).
No feed or sitemap of the site or its family was found in public repositories: the saved feeds
are RSS 2.0 as vnexpress.net serves it, the sitemaps a one-line Google News sitemap as the
family's vietnamplus.vn writes it (the closest documented formats). Current article URLs name no
section: the news sitemap's articles are not placed in a category (it checks the other sources),
and a backfill takes every article of the months.
"""

import re

from edunews_scraper.spiders.families.epi import epi_article_layout
from edunews_scraper.spiders.layout import Layout
from edunews_scraper.spiders.news import NewsSpider


class GiaoducthoidaiSpider(NewsSpider):
    name = "giaoducthoidai"
    site = "giaoducthoidai.vn"
    allowed_domains = ["giaoducthoidai.vn"]
    categories = {
        "giao-duc": "https://giaoducthoidai.vn/giao-duc/",
        "tuyen-sinh": "https://giaoducthoidai.vn/tuyen-sinh/",
        "thoi-su": "https://giaoducthoidai.vn/thoi-su/",
    }

    # Discovery beside the category pages (README, Discovery): reconstructed, see the docstring.
    category_feeds = {slug: f"https://giaoducthoidai.vn/rss/{slug}.rss" for slug in categories}
    news_sitemaps = ("https://giaoducthoidai.vn/sitemaps/google-news.xml",)
    sitemap_index = "https://giaoducthoidai.vn/sitemap.xml"
    archive_sitemap_pattern = re.compile(r"/sitemaps/news-(?P<year>\d{4})-(?P<month>\d{1,2})\.xml$")

    # The category's own teasers; the sidebar ("Đọc nhiều") uses article.story too, untimed.
    listing_item_css = ".category-featured article.story, .category-timeline article.story"
    listing_link_css = ".story__heading a::attr(href)"
    listing_time_css = "time"
    # Current `-post<digits>.html`; legacy `<section>/<slug>-<digits>[-l|-v].html` (2014-2021).
    article_url_pattern = re.compile(
        r"giaoducthoidai\.vn/(?:[\w-]+-post\d+\.html|[\w-]+/[\w-]+-\d{5,}(?:-[a-z])?\.html)$"
    )

    layouts = (
        epi_article_layout("current"),
        Layout(
            name="legacy",
            marker=".detail-news",
            headline=".detail-news h1.detail-title",
            lead=".detail-news .detail-sapo",
            byline=".detail-news .detail-byline",
            time="",
            body=".detail-news .detail-content",
            body_exclude=(
                "div.related-news",
                "div.box-related",
                ".ads",
                ".banner",
                ".detail-content .related-box",
                ".detail-content .tool-bar",
            ),
            figure="table.image, figure",
            figure_caption="td.image_desc, figcaption",
        ),
    )
