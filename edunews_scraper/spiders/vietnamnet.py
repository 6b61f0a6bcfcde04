"""vietnamnet.vn (Báo VietNamNet), education section and its sub-sections.

Article layouts, newest first:

- `current` (since about 2022; confirmed on real served pages of 2024 and 2026, fixtures
  `current-2024-*` and `current-2026-*`): URLs `/<slug>-<7 digits>.html` in every section;
  `h1.content-detail-title`, `h2.content-detail-sapo`, body `div#maincontent.maincontent` of
  plain `<p>` (subheadings `<p><strong>`), figures `figure.vnn-content-image` with a lazy
  `img[data-original]` and a `figcaption` "… Ảnh: Name", summary cards of other articles
  (`article.ck-cms-wiki-news-full`) inside the body; time `div.bread-crumb-detail__time`
  "Thứ Bảy, 07/03/2026 - 08:52" (also `div.publish-date` "07/03/2026 08:52 (GMT+07:00)" and
  JSON-LD `datePublished` "2026-03-07T08:52:11.000 +07:00"); author box
  `.article-detail-author__info span.name a` and a JSON-LD `Person`; tags `div.tag-cotnent`
  (sic). The breadcrumb `div.bread-crumb-detail > ul > li` carries, inside its first crumb, a
  drop-down `ul.menu__drop-list` of every section: only direct crumbs are the category.
  Attributes encode text as `&#xHEX;` entities (ASP.NET), also JSON held in attributes.
- `newsFeature` (2021-2022; reconstructed, no real page found): `h1.newsFeature__header-title`,
  lead `div.newFeature__main-textBold` (sic), time `div.breadcrumb-box__time span`
  "05/05/2022   14:12 (GMT+07:00)", author `p.newsFeature__author-info`, tags
  `div.list-tag-related`.
- `2019` (confirmed on a real 2019 page by an earlier session, markup facts in
  `../shared/markup/README.md`; the fixture `reconstructed-2019-*` is built from those facts,
  no real page was found this session): URLs `/vn/<section>/[<sub>/]<slug>-<6 digits>.html`;
  `h1.title`, `span.ArticleDate`, lead `div.ArticleLead > h2 > p`, body `#ArticleContent`,
  images in `table.FmsArticleBoxStyle.ImageBox` with the caption in `td.image_desc`; the
  author only in a closing `<p><span class="bold">Name</span>(theo ...)</p>`; JSON-LD dates
  day-first ("24-03-2019T08:15:00") and the organisation as author.

Listings (confirmed on a real 2026 section page, fixture `listings/giao-duc`): teasers
`div.verticalPost` (lead block, `div.topStory-2nd`, `-3nd`) and `div.horizontalPost`
(`div.topStory-15nd`, then the stream), all in `div.container__left`, each title in
`.vnn-title a`. Pages are 0-based: page 2 of `/giao-duc` is `/giao-duc-page1`, linked from
`ul.pagination__list li.pagination-next` and `<link rel="next">`. Every section has a feed
`/<section>.rss` (`/thoi-su.rss`; article pages announce their sub-section's).

Discovery beside the category pages (README, Discovery): the feeds `<category page>.rss`
(`/giao-duc.rss`, `/giao-duc/tuyen-sinh.rss`) in the format of a real 2026 feed (one line,
CDATA titles padded with spaces, `&amp;apos;` inside them, `pubDate` in `+0700`, permalink
`guid`s); the news sitemap `/sitemap-news.xml` and the sitemap index `/sitemap.xml` of monthly
`/sitemap-article-MM-YYYY-NN.xml` (month before year; `loc` and `lastmod` only) back to 2003,
reported by crawlers (the news sitemap's format reconstructed). URLs name no section.
"""

import re

from lxml import etree
from scrapy.http import Response

from edunews_scraper.parsing.text import clean_text, element_paragraphs
from edunews_scraper.spiders.layout import Layout
from edunews_scraper.spiders.news import NewsSpider, is_hidden

BASE = "https://vietnamnet.vn"
_PAGE_SUFFIX = re.compile(r"-page(\d+)$")
#: A closing byline: a short bold name, no sentence punctuation, no digits.
_BYLINE = re.compile(r"^[^\d.!?:…]{2,60}$")
#: What may follow the bold name of a closing byline: a source in parentheses, "(theo Zing)".
_BYLINE_REMARK = re.compile(r"^\s*(\([^()]*\))?\s*$")
_PARAGRAPHS = etree.XPath("descendant::p")
#: A bold part of a paragraph: `strong`, `b`, or (2019) `span.bold`.
_BOLD = etree.XPath(
    "self::strong or self::b or self::span[contains(concat(' ', normalize-space(@class), ' '),"
    " ' bold ')]"
)
EXCLUDE = (
    "div.ck-cms-insert-neww-group",  # "related news" box inserted by the CMS
    "article.ck-cms-insert-news",
    ".ck-cms-wiki-news-full",  # summary card of another article
    "div.insert-wiki-content",
    "div.article-relate",
    "div.related-news",
    "div.inner-article",
    "vmcadszone",  # ad slots, current and legacy
    "div.VnnAdsBox",
    "div.vnn-share-social",
)


class VietnamnetSpider(NewsSpider):
    name = "vietnamnet"
    site = "vietnamnet.vn"
    allowed_domains = ["vietnamnet.vn"]
    categories = {
        "giao-duc": f"{BASE}/giao-duc",
        "tuyen-sinh": f"{BASE}/giao-duc/tuyen-sinh",
        "du-hoc": f"{BASE}/giao-duc/du-hoc",
        "nha-truong": f"{BASE}/giao-duc/nha-truong",
        "chan-dung": f"{BASE}/giao-duc/chan-dung",
        "goc-phu-huynh": f"{BASE}/giao-duc/goc-phu-huynh",
        "hoc-tieng-anh": f"{BASE}/giao-duc/hoc-tieng-anh",
        "khoa-hoc": f"{BASE}/giao-duc/khoa-hoc",
    }

    # Discovery beside the category pages (README, Discovery).
    category_feeds = {slug: f"{page}.rss" for slug, page in categories.items()}
    news_sitemaps = (f"{BASE}/sitemap-news.xml",)
    sitemap_index = f"{BASE}/sitemap.xml"
    archive_sitemap_pattern = re.compile(
        r"/sitemap-article-(?P<month>\d{2})-(?P<year>\d{4})-\d{2}\.xml$"
    )

    # Current teasers are horizontalPost / verticalPost, legacy ones feature-box; the title
    # link is always inside `.vnn-title`.
    listing_item_css = "div.horizontalPost, div.verticalPost, div.feature-box"
    listing_link_css = ".vnn-title a::attr(href)"
    #: Articles of every section: `/<slug>-<id>.html`; until about 2020 `/vn/<section>/[<sub>/]`.
    article_url_pattern = re.compile(
        r"^https?://vietnamnet\.vn/(?:vn/[a-z0-9-]+/(?:[a-z0-9-]+/)?)?[a-z0-9-]+-\d{6,}\.html$"
    )
    next_page_css = "ul.pagination__list li.pagination-next a::attr(href)"

    layouts = (
        Layout(
            name="current",
            marker="h1.content-detail-title",
            headline="h1.content-detail-title",
            lead="h2.content-detail-sapo",
            authors=(
                ".article-detail-author__info .name a, .article-author-multiple__slide .name a"
            ),
            time="div.bread-crumb-detail__time",
            # The first crumb holds a drop-down of every section (`ul.menu__drop-list`): only
            # the crumbs themselves.
            category="div.bread-crumb-detail > ul > li:last-child > a",
            tags="div.tag-cotnent ul li h3 a",
            body="div.maincontent",
            body_exclude=EXCLUDE,
        ),
        Layout(
            name="newsFeature",
            marker="h1.newsFeature__header-title",
            headline="h1.newsFeature__header-title",
            lead="div.newFeature__main-textBold",
            authors="p.newsFeature__author-info span a",
            time="div.breadcrumb-box__time span",
            category="div.breadcrumb-box__link p a:last-of-type",
            tags="div.list-tag-related li a",
            body="div.maincontent",
            body_exclude=EXCLUDE,
        ),
        Layout(
            name="2019",
            marker="div#ArticleContent",
            headline="h1.title",
            lead="div.ArticleLead",
            time="span.ArticleDate",
            tags="div.tagBoxContent li a",
            body="div#ArticleContent",
            body_exclude=EXCLUDE,
            figure="table.ImageBox",
            figure_caption="td.image_desc",
        ),
    )

    def next_page_url(self, response: Response) -> str | None:
        """The `li.pagination-next` link; without a pagination list, the next `-pageN` URL.

        Never past a page without teasers, nor past the last page of a pagination list."""
        if next(self.listing_entries(response), None) is None:
            return None
        href = response.css(self.next_page_css).get()
        if href:
            return response.urljoin(href.strip())
        if response.css("ul.pagination__list"):
            return None
        url = response.url.split("?", 1)[0].rstrip("/")
        if match := _PAGE_SUFFIX.search(url):
            return f"{url[: match.start()]}-page{int(match.group(1)) + 1}"
        return f"{url}-page1"

    def take_sign_off(self, body: etree._Element, hidden: set[etree._Element]) -> list[str]:
        """A bold name closing the body is its author's sign-off: the whole last paragraph
        (`<p><strong>Name</strong></p>`), or the name and a source in parentheses
        (`<p><span class="bold">Name</span>(theo Zing)</p>`, 2019)."""
        last = next(
            (
                (paragraph, text)
                for paragraph in reversed(_PARAGRAPHS(body))
                if not is_hidden(paragraph, hidden, body)
                and (text := " ".join(element_paragraphs(paragraph, hidden)))
            ),
            None,
        )
        if last is None:
            return []
        paragraph, text = last
        name = clean_text(
            " ".join(
                part
                for child in paragraph
                if child not in hidden and _BOLD(child)
                for part in element_paragraphs(child, hidden)
            )
        )
        if not (name and text.startswith(name) and _BYLINE.match(name)):
            return []
        if not _BYLINE_REMARK.match(text[len(name) :]):
            return []
        hidden.add(paragraph)
        return [name]
