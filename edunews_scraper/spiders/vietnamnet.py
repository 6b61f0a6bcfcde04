"""vietnamnet.vn (Báo VietNamNet), education section and its sub-sections.

Two layouts share the `https://vietnamnet.vn/<slug>-<id>.html` article URLs:

- current (since about 2023): `h1.content-detail-title`, `h2.content-detail-sapo`, body
  `div#maincontent.maincontent`, time `div.bread-crumb-detail__time` printed as
  `Thứ Ba, 17/03/2026 - 06:05`, author box `.article-detail-author-wrapper` (one author) or
  `.article-author-multiple__slide` (several), tags `div.tag-cotnent` (sic);
- legacy "newsFeature" (2021-2022): `h1.newsFeature__header-title`, lead
  `div.newFeature__main-textBold` (sic), time `div.breadcrumb-box__time span` printed as
  `05/05/2022   14:12 (GMT+07:00)`, author `p.newsFeature__author-info`, tags
  `div.list-tag-related`.

Listings are 0-based: page 2 of `/giao-duc` is `/giao-duc-page1`, linked from
`li.pagination-next`. Some articles end with the author's name as a bold last paragraph;
it is taken out of the body and into the authors.
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
_PARAGRAPHS = etree.XPath("descendant::p")
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

    # Current teasers are horizontalPost / verticalPost, legacy ones feature-box; the title
    # link is always inside `.vnn-title`.
    listing_item_css = "div.horizontalPost, div.verticalPost, div.feature-box"
    listing_link_css = ".vnn-title a::attr(href)"
    article_url_pattern = re.compile(r"^https?://vietnamnet\.vn/[a-z0-9-]+-\d{6,}\.html$")
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
            category="div.bread-crumb-detail ul li:last-child a",
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
        """A bold name closing the body is its author's sign-off."""
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
        paragraph, name = last
        bold = clean_text(
            " ".join(
                text
                for child in paragraph
                if child.tag in ("strong", "b") and child not in hidden
                for text in element_paragraphs(child, hidden)
            )
        )
        if not (name == bold and _BYLINE.match(name)):
            return []
        hidden.add(paragraph)
        return [name]
