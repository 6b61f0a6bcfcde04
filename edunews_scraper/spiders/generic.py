"""`news`: a generic spider for outlets that have no spider of their own.

    scrapy crawl news -a start_urls=URL[,URL...] [-a allowed_domains=DOMAIN[,DOMAIN...]]
    scrapy extract PAGE.html --url URL --spider news

The start URLs are listing (category) pages. Without site selectors, a listing's article
links are the same-domain links whose URL looks like an article's (a long numeric id or a
long slug; never a tag, author, search or pagination page), and its next page is the one it
names with rel=next, else the link labelled or classed as the next page ("Trang sau").

An article page is read in one of two ways:

- **A known CMS family** (`families/`: VCCorp's CMS of tuoitre, thanhnien, nld,
  baochinhphu, cafef; ePi's of giaoducthoidai, tienphong, nhandan...): the family's layout
  reads the page as a site spider would, the printed headline, sapo, byline, time, body with
  its subheadings and boxed panels, and every photo's caption.
- **Any other page**: the page's structured data (JSON-LD, og:* and article:* meta, canonical
  link) and what it prints near its headline (`parsing/printed.py`: the `h1` or the element
  classed as the page's title, the first printed date and time, byline and sapo after it)
  give the metadata; trafilatura finds the body. Before trafilatura reads the page, image
  captions are moved onto their images (so they never become paragraphs) and teaser links to
  other articles lose their thumbnails; afterwards, paragraphs that only repeat a teaser's
  headline, the lead, the byline or the outlet's name are dropped.

A page is taken for an article (`scrapy extract`, `scrapy fixture add`) when a family's layout
recognises it, its JSON-LD says it is an article, or its URL looks like an article's (og:type
alone does not: the outlets' category pages say "article" too).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import AsyncIterator, Iterable, Iterator
from datetime import datetime
from typing import Any
from urllib.parse import urlsplit

import lxml.html
import scrapy
import trafilatura
from lxml import etree
from scrapy.http import Response
from scrapy.utils.response import get_base_url
from scrapy.utils.url import url_is_from_any_domain

from edunews_scraper.items import RawArticle, RawImage
from edunews_scraper.parsing.printed import (
    MAX_BYLINE,
    printed_authors,
    printed_headline,
    printed_sapo,
    printed_time,
    text_of,
)
from edunews_scraper.parsing.structured import page_metadata
from edunews_scraper.parsing.text import clean_text, html_to_paragraphs
from edunews_scraper.parsing.vn_datetime import parse_vn_datetime
from edunews_scraper.spiders.families import FAMILIES
from edunews_scraper.spiders.families.vccorp import PrintedBylineFirst
from edunews_scraper.spiders.news import LAZY_IMAGE_ATTRIBUTES, fetched_at
from edunews_scraper.urls import joined_as_shown, web_url_or_none

#: Path segments of pages that list or describe articles rather than being one.
NON_ARTICLE_SEGMENTS = (
    "tag|tags|tu-khoa|chu-de|su-kien|topic|topics|tac-gia|author|authors|tim-kiem|search|rss"
)

#: A URL that looks like an article page.
ARTICLE_URL = re.compile(
    rf"""^https?://[^/?#]+
    (?![^?#]*/(?:{NON_ARTICLE_SEGMENTS})(?:[/.?#]|$))  # not a tag, author, search... page
    [^?#]*/                                            # its folders, then the last segment:
    (?=[^/?#]*(?:\d{{5}}|(?:[a-z0-9]+-){{5}}[a-z0-9]))  # a long numeric id or a long slug,
    (?![^/?#]*?(?<![a-z0-9])(?:p|page|trang)-?\d{{1,4}}(?:\.\w+)?/?(?:[?#]|$))  # no page number,
    [^/?#.]+(?:\.(?:s?html?|php|aspx?))?/?             # a web page, not a file
    (?:[?#].*)?$""",
    re.VERBOSE | re.IGNORECASE,
)

#: A link to a file (an image's full size, a document), not to a page.
FILE_URL = re.compile(r"\.(?:jpe?g|png|gif|webp|svg|pdf|docx?|xlsx?|mp[34])(?:[?#]|$)", re.I)

#: A page number at the end of a listing URL's last segment.
PAGE_SUFFIX = re.compile(r"(?<=[a-z0-9])-(?:p|page|trang)-?\d{1,4}$", re.IGNORECASE)

#: How a pagination link to the next page is labelled (text, title, aria-label or icon alt).
NEXT_LABEL = re.compile(
    r"^(?:trang sau|trang tiếp(?: theo)?|tiếp(?: theo)?|sau|next(?: page)?|[›»>]{1,2})$",
    re.IGNORECASE,
)
#: A class that marks a pagination link (or its list item) as the next page's.
NEXT_CLASS = re.compile(r"(?:^|[\s_-])next(?:$|[\s_-])", re.IGNORECASE)

#: The page's `<title>`, its machine-readable publication time, and its outlet's name.
_TITLE = etree.XPath("//head/title/text()", smart_strings=False)
_MACHINE_TIME = etree.XPath(
    "//*[@itemprop='datePublished']/@content | //*[@itemprop='datePublished']/@datetime"
    " | //time[@datetime][not(ancestor::*[self::header or self::nav or self::footer"
    " or self::aside])]/@datetime",
    smart_strings=False,
)
_SITE_NAME = etree.XPath(
    "//meta[@property='og:site_name' or @name='application-name']/@content", smart_strings=False
)

#: Caption elements (of images, videos, galleries): `<figcaption>` and anything called so.
CAPTIONS = (
    "//*[self::figcaption or contains(translate(@class, 'CAPTION', 'caption'), 'caption')"
    " or @itemprop='caption'][not(.//img)]"
)

#: Text beside the caption up to which an element holding an image is a figure, not a body.
FIGURE_MAX_TEXT = 200

#: What separates co-authors in a byline paragraph.
AUTHOR_SEPARATORS = re.compile(r"\s*(?:[-–,;&/]|\bvà\b)\s*", re.IGNORECASE)


def host_of(url: str) -> str:
    """The URL's host without "www."."""
    return (urlsplit(url).hostname or "").lower().removeprefix("www.")


def category_slug(url: str) -> str:
    """A listing URL's category slug: its last path segment without extension or page number
    (the host for a home page)."""
    segments = [segment for segment in urlsplit(url).path.split("/") if segment]
    if not segments:
        return host_of(url)
    return PAGE_SUFFIX.sub("", re.sub(r"\.\w+$", "", segments[-1]))


def _split(value: str | Iterable[str] | None) -> list[str]:
    """A comma-separated spider argument (or a list) as a list of non-empty strings."""
    items = value.split(",") if isinstance(value, str) else list(value or [])
    return [item.strip() for item in items if item.strip()]


def _text(element: lxml.html.HtmlElement) -> str:
    return clean_text(element.text_content())


def _drop(element: lxml.html.HtmlElement) -> None:
    """Remove `element` from its tree, keeping the text that follows it."""
    if element.getparent() is not None:
        element.drop_tree()


def _attached(element: lxml.html.HtmlElement, root: lxml.html.HtmlElement) -> bool:
    """True while `element` is still part of the tree under `root`."""
    return element is root or any(ancestor is root for ancestor in element.iterancestors())


def real_image_urls(tree: lxml.html.HtmlElement, base_url: str) -> None:
    """Give every image its real URL (lazy-loading aware, absolute) as `src`."""
    for img in tree.iter("img"):
        for attr in (*LAZY_IMAGE_ATTRIBUTES, "srcset"):
            value = (img.get(attr) or "").strip()
            if value and not value.startswith("data:"):
                img.set("src", joined_as_shown(base_url, value.split()[0]))
                break


def unwrap_layout_tables(tree: lxml.html.HtmlElement) -> None:
    """Turn tables of one cell per row and no image (boxed notes) into plain blocks whose
    lines are paragraphs, so their text is not dropped with the data tables (nor, for a
    class such as "quote", as a pull quote)."""
    for table in list(tree.iter("table")):
        rows = table.findall(".//tr")
        if not rows or table.find(".//img") is not None or any(len(row) > 1 for row in rows):
            continue
        table.attrib.clear()
        for element in table.iter("table", "thead", "tbody", "tfoot", "tr", "td", "th"):
            element.tag = "div"
        for line in table.xpath(".//div[not(.//*[self::div or self::p or self::ul])]"):
            line.tag = "p"


def take_figures(tree: lxml.html.HtmlElement) -> dict[str, RawImage]:
    """Every image of a figure by URL, with its caption; captions leave the tree and each
    figure keeps nothing but its images (credits and galleries' chrome go too)."""
    captions = tree.xpath(CAPTIONS)
    outermost = [c for c in captions if not any(a in captions for a in c.iterancestors())]
    containers = [
        *(figure for figure in tree.iter("figure") if figure.find(".//img") is not None),
        *(table for table in tree.iter("table") if table.find(".//img") is not None),
        *(
            next((a for a in caption.iterancestors() if a.find(".//img") is not None), caption)
            for caption in outermost
        ),
    ]
    figures: dict[str, RawImage] = {}
    for container in containers:
        if container.getparent() is None or not _attached(container, tree):
            continue
        inside = [c for c in outermost if any(a is container for a in c.iterancestors())]
        if not inside and container.tag == "table":
            inside = [cell for cell in container.iter("td", "th") if cell.find(".//img") is None]
        other_text = len(_text(container)) - sum(len(_text(c)) for c in inside)
        if other_text > FIGURE_MAX_TEXT:
            continue
        if container.find(".//video") is not None or container.find(".//iframe") is not None:
            _drop(container)  # a video: its poster is no photo of the article
            continue
        caption = _text(inside[0]) if inside else ""
        imgs = [img for img in container.iter("img") if img.get("src", "").startswith("http")]
        for img in imgs:
            alt = clean_text(img.get("alt") or img.get("title"))
            figures.setdefault(img.get("src"), RawImage(img.get("src"), caption, alt))
        tail = container.tail
        container.clear()
        container.tag, container.tail = "figure", tail
        container.extend(imgs)
    for caption in tree.xpath(CAPTIONS):
        _drop(caption)
    return figures


def is_byline(paragraph: str, authors: list[str]) -> bool:
    """True for a paragraph that only names the article's (known) authors."""
    names = {author.casefold() for author in authors}
    parts = [part for part in AUTHOR_SEPARATORS.split(paragraph.casefold()) if part]
    return bool(names and parts) and all(part in names for part in parts)


def repeats_lead(paragraph: str, lead: str) -> bool:
    """True for a paragraph that is the lead, perhaps with a site prefix ("(Dân trí) - ")."""
    return (
        bool(lead)
        and len(paragraph) >= 20
        and (paragraph.endswith(lead) or lead.endswith(paragraph))
    )


def fold(text: str) -> str:
    """`text` without accents, case or punctuation, to compare names ("TUỔI TRẺ ONLINE" is
    the site name "TUOI TRE ONLINE")."""
    plain = unicodedata.normalize("NFKD", text.replace("đ", "d").replace("Đ", "D"))
    return " ".join(
        re.sub(r"[\W_]+", " ", "".join(c for c in plain if not unicodedata.combining(c)))
        .casefold()
        .split()
    )


class GenericNewsSpider(PrintedBylineFirst):
    """Any news site's listing pages and articles, from structured data and trafilatura."""

    name = "news"
    article_url_pattern = ARTICLE_URL
    layouts = FAMILIES

    def __init__(
        self,
        start_urls: str | Iterable[str] | None = None,
        allowed_domains: str | Iterable[str] | None = None,
        **kwargs: Any,
    ) -> None:
        urls = _split(start_urls)
        self.categories = {}
        for url in urls:
            slug = category_slug(url)
            self.categories[slug if slug not in self.categories else url] = url
        super().__init__(**kwargs)
        self.start_urls = urls
        self.allowed_domains = _split(allowed_domains) or list(dict.fromkeys(map(host_of, urls)))

    async def start(self) -> AsyncIterator[scrapy.Request]:
        if not self.selected_categories:
            self.logger.error("Nothing to crawl: name listing pages with -a start_urls=URL,...")
        async for request in super().start():
            yield request

    def is_article_url(self, url: str, domains: list[str] | None = None) -> bool:
        """True for a URL that looks like an article page's, on `domains` (default: the
        allowed ones; any domain when none is given, as for `scrapy extract`)."""
        domains = domains or self.allowed_domains
        return bool(
            (not domains or url_is_from_any_domain(url, domains))
            and self.article_url_pattern.search(url)
        )

    # Listing pages ---------------------------------------------------------------------

    def listing_entries(self, response: Response) -> Iterator[tuple[str, datetime | None]]:
        """Each article link of the page once, with the time its teaser shows, if any."""
        reference = fetched_at(response)
        seen = {response.url}
        for link in response.css("a[href]"):
            url = self.followable_url(response, link.attrib["href"])
            if url is None or url in seen or not self.is_article_url(url):
                continue
            seen.add(url)
            yield url, self.link_time(link.root, url, response, reference)

    def next_page_url(self, response: Response) -> str | None:
        """rel=next; else a same-domain link labelled or classed as the next page."""
        if url := super().next_page_url(response):
            return url
        for link in response.xpath("//a[@href]"):
            labels = [
                clean_text(" ".join(link.xpath(".//text()").getall())),
                *map(clean_text, link.xpath("@title | @aria-label | .//img/@alt").getall()),
            ]
            classes = " ".join(link.xpath("@class | parent::li/@class").getall())
            if not (any(NEXT_LABEL.match(label) for label in labels) or NEXT_CLASS.search(classes)):
                continue
            url = self.followable_url(response, link.attrib["href"])
            if url and url != response.url and not self.article_url_pattern.search(url):
                return url
        return None

    def link_time(
        self, link: lxml.html.HtmlElement, url: str, response: Response, reference: datetime
    ) -> datetime | None:
        """The `<time>` of the link's teaser (the largest element around the link that links
        to no other article), or None when it shows none."""
        teaser = None
        for ancestor in list(link.iterancestors())[:4]:
            linked = (web_url_or_none(response.url, h) for h in ancestor.xpath(".//a/@href"))
            if any(href and href != url and self.is_article_url(href) for href in linked):
                break
            teaser = ancestor
        for time in teaser.iter("time") if teaser is not None else ():
            if parsed := parse_vn_datetime(
                clean_text(time.get("datetime") or _text(time)), reference
            ):
                return parsed
        return None

    # Article pages ---------------------------------------------------------------------

    def site_of(self, url: str) -> str:
        """A generic crawl spans sites: each item's site is its page's host."""
        return host_of(url)

    def extract_article(self, response: Response) -> RawArticle:
        """A page of a known CMS family with the family's layout; any other with its
        structured data, what it prints near its headline and trafilatura."""
        if self.matching_layout(response) is not None:
            raw = super().extract_article(response)
            raw.site = host_of(response.url)
        else:
            raw = self.extract_any(response)
        outlet = {fold(name) for name in _SITE_NAME(self.page(response).root)}
        raw.authors = [name for name in raw.authors if fold(name) not in outlet]
        return raw

    def extract_any(self, response: Response) -> RawArticle:
        """Structured data and the printed headline, time, byline and sapo for the metadata,
        trafilatura for the body."""
        root = self.page(response).root
        meta = page_metadata(root)
        canonical = (
            joined_as_shown(get_base_url(response), meta.canonical_url)
            if meta.canonical_url
            else ""
        )
        heading = printed_headline(root, [meta.headline, meta.title, *_TITLE(root)[:1]])
        printed = printed_time(root, heading)
        published = meta.published or next(iter(_MACHINE_TIME(root)), "")
        authors = meta.authors or printed_authors(root, heading)
        lead = printed_sapo(root, heading) or clean_text(meta.description)
        headline = text_of(heading) if heading is not None else meta.headline or meta.title
        paragraphs, images, teasers = self.extract_body(response, {response.url, canonical})
        own_names = {name.casefold() for name in _SITE_NAME(root)} | {host_of(response.url)}
        paragraphs = [
            p
            for index, p in enumerate(paragraphs)
            if p not in teasers
            and p != headline
            and p.casefold() not in own_names
            and not is_byline(p, authors)
            and not (printed and printed in p and len(p) <= len(printed) + MAX_BYLINE)
            and not (index < 3 and repeats_lead(p, lead))
        ]
        return RawArticle(
            url=response.url,
            site=host_of(response.url),
            fetched_at=fetched_at(response),
            canonical_url=canonical,
            headline=headline,
            lead=lead,
            authors=authors,
            published_raw=printed or published,
            published_iso=published,
            updated_raw=meta.modified,
            category=meta.section,
            paragraphs=paragraphs,
            images=images,
            tags=meta.tags,
        )

    def extract_body(
        self, response: Response, own_urls: set[str]
    ) -> tuple[list[str], list[RawImage], set[str]]:
        """The article's paragraphs and images as trafilatura finds them, and the headlines
        of the page's teaser links to other articles."""
        parser = lxml.html.HTMLParser(encoding=response.encoding)
        tree = lxml.html.document_fromstring(response.body, parser=parser)
        real_image_urls(tree, response.url)
        teasers = self.take_teasers(tree, response.url, own_urls)
        unwrap_layout_tables(tree)
        figures = take_figures(tree)
        html = trafilatura.extract(
            tree,
            url=response.url,
            output_format="html",
            include_comments=False,
            include_tables=False,
            include_images=True,
            favor_precision=True,
        )
        if not html:
            return [], [], teasers
        body = lxml.html.fromstring(html)
        images: dict[str, RawImage] = {}
        for img in list(body.iter("img")):
            src = (img.get("src") or "").strip()
            if src.startswith("http") and src not in images:
                images[src] = figures.get(src) or RawImage(src, "", clean_text(img.get("alt")))
            _drop(img)
        paragraphs = html_to_paragraphs(lxml.html.tostring(body, encoding="unicode"))
        return paragraphs, list(images.values()), teasers

    def take_teasers(
        self, tree: lxml.html.HtmlElement, page_url: str, own_urls: set[str]
    ) -> set[str]:
        """The texts of the links to other pages of the site (articles, topics, sections):
        a paragraph that is nothing but one of them is a teaser, not article text. Their
        thumbnails leave the tree (they are not the article's images)."""
        headlines = set()
        host = host_of(page_url)
        for link in tree.xpath("//a[@href]"):
            url = web_url_or_none(page_url, link.get("href"))
            if url is None or url in own_urls or host_of(url) != host or FILE_URL.search(url):
                continue
            if headline := _text(link) or clean_text(link.get("title")):
                headlines.add(headline)
            for img in list(link.iter("img")):
                _drop(img)
        return headlines
