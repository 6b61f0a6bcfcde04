"""Article entries from the documents that list a site's articles besides its category pages:
RSS 2.0 feeds and sitemaps (article sitemaps, Google News sitemaps and sitemap indexes).

Feeds are read the way Scrapy's `XMLFeedSpider` reads them (parsel's XML selector: lxml with
recovery on, entities never resolved), sitemaps with Scrapy's `Sitemap` (the `SitemapSpider`
parser), gzip-compressed ones included. Both keep every entry's link and its time: the item's
`pubDate`, the sitemap entry's `news:publication_date`, else its `lastmod`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from lxml import etree
from parsel import Selector
from scrapy.http import Response
from scrapy.utils.gz import gunzip, gzip_magic_number
from scrapy.utils.sitemap import Sitemap

from edunews_scraper.discovery.times import parse_feed_time

#: The largest sitemap read once decompressed (Scrapy's default DOWNLOAD_MAXSIZE).
MAX_SITEMAP_BYTES = 1024 * 1024 * 1024


@dataclass(frozen=True)
class Entry:
    """One article a source lists: its link as written, and when it was published."""

    link: str
    published: datetime | None


class NotAFeed(ValueError):
    """A document that is not the RSS feed or sitemap it should be (an HTML error page...)."""


def rss_entries(response: Response) -> list[Entry]:
    """The items of an RSS 2.0 feed: `link` (else a permalink `guid`) and `pubDate`."""
    selector = Selector(text=_xml_text(response), type="xml")
    if not selector.xpath("/rss"):
        raise NotAFeed(f"not an RSS feed (root: {_root_name(selector)})")
    entries = []
    for item in selector.xpath("/rss/channel/item"):
        link = item.xpath("string(link)").get("").strip()
        guid = item.xpath("guid[not(@isPermaLink='false')]")
        if not link and guid:
            link = guid[0].xpath("string()").get("").strip()
        if link:
            entries.append(Entry(link, parse_feed_time(item.xpath("string(pubDate)").get())))
    return entries


def _xml_text(response: Response) -> str:
    body = response.body
    if gzip_magic_number(response):
        body = gunzip(body, max_size=MAX_SITEMAP_BYTES)
    return body.decode(getattr(response, "encoding", None) or "utf-8", "replace")


def _root_name(selector: Selector) -> str:
    root = selector.root
    return etree.QName(root).localname if isinstance(root, etree._Element) else "none"


class NewsSitemap(Sitemap):
    """Scrapy's `Sitemap`, also keeping a Google News entry's `news:publication_date` and
    `news:title` (Scrapy's parser keeps only the direct children of `<url>`)."""

    def _process_sitemap_element(self, elem: etree._Element) -> dict[str, Any] | None:
        news = {
            self._get_tag_name(node): (node.text or "").strip()
            for node in elem.iter()
            if isinstance(node.tag, str) and "sitemap-news" in node.tag
        }
        entry = super()._process_sitemap_element(elem)
        if entry is not None:
            entry.pop("news", None)
            entry.update({f"news:{name}": value for name, value in news.items() if value})
        return entry


@dataclass(frozen=True)
class SitemapDocument:
    """A sitemap read: `index` when it lists other sitemaps, and its entries."""

    index: bool
    entries: list[Entry]


def sitemap_document(response: Response) -> SitemapDocument:
    """The entries of a sitemap (`urlset`) or sitemap index (`sitemapindex`), gzip or not."""
    body = response.body
    if gzip_magic_number(response):
        body = gunzip(body, max_size=MAX_SITEMAP_BYTES)
    try:
        sitemap = NewsSitemap(body)
    except (etree.XMLSyntaxError, StopIteration) as error:  # no root element at all
        raise NotAFeed(f"not a sitemap ({error or 'empty or not XML'})") from None
    if sitemap.type not in ("urlset", "sitemapindex"):
        raise NotAFeed(f"not a sitemap (root: {sitemap.type or 'none'})")
    entries = [
        Entry(
            entry["loc"],
            parse_feed_time(entry.get("news:publication_date") or entry.get("lastmod")),
        )
        for entry in sitemap
        if entry.get("loc")
    ]
    return SitemapDocument(sitemap.type == "sitemapindex", entries)
