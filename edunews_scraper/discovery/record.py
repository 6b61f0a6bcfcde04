"""What each discovery source showed in one run: per source and category, the articles it
listed (with their times), the documents read and those that could not be read.

Sources: `listing` (the category pages), `rss` (each category's feed) and `sitemap` (the
site's news sitemap: the latest articles of every section; an entry is *placed* in a
category when its URL says which, e.g. dantri's `/giao-duc/...`). The record also hands each
article to the first source that lists it in the run (`claim`), so an article found by two
sources is followed by one, and counts, in the crawl stats, the distinct articles each source
found (`edunews/discovery/<source>/found`).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime

from scrapy.statscollectors import StatsCollector

from edunews_scraper.urls import url_fingerprint

LISTING, RSS, SITEMAP = "listing", "rss", "sitemap"
SOURCES = (LISTING, RSS, SITEMAP)
#: The category of what a source shows of the whole site (the news sitemap).
WHOLE_SITE = ""


def article_key(url: str) -> int:
    """What the sources are compared by: the article URL's fingerprint (canonical: query
    sorted, no fragment). A run keeps one per article found, so not the URL itself."""
    return url_fingerprint(url)


@dataclass
class Reading:
    """What one source showed of one category (or of the whole site)."""

    entries: dict[int, datetime | None] = field(default_factory=dict)  # article key -> time
    documents: int = 0
    failures: list[str] = field(default_factory=list)
    fetched: datetime | None = None  # when its newest document was fetched

    @property
    def attempted(self) -> bool:
        return bool(self.documents or self.failures)


class DiscoveryRecord:
    """The readings of one run, and which source claimed each article first."""

    def __init__(self, stats: StatsCollector | None, keep_entries: bool = True) -> None:
        self.stats = stats
        #: False in a backfill: months of sitemaps are counted, not kept.
        self.keep_entries = keep_entries
        self.readings: dict[tuple[str, str], Reading] = {}
        self._found: dict[str, set[int]] = {source: set() for source in SOURCES}
        self._claimed: dict[int, str] = {}  # article key -> the source that took it

    def reading(self, source: str, category: str) -> Reading:
        return self.readings.setdefault((source, category), Reading())

    def readings_of(self, source: str) -> Iterator[tuple[str, Reading]]:
        """(category, reading) of every category `source` was asked about."""
        for (name, category), reading in self.readings.items():
            if name == source:
                yield category, reading

    def document_read(self, source: str, category: str, fetched: datetime) -> None:
        reading = self.reading(source, category)
        reading.documents += 1
        reading.fetched = max(fetched, reading.fetched) if reading.fetched else fetched
        self._inc(f"edunews/discovery/{source}/documents")

    def document_failed(self, source: str, category: str, url: str, why: str) -> None:
        self.reading(source, category).failures.append(f"{url}: {why}")
        self._inc(f"edunews/discovery/{source}/failed")

    def listed(self, source: str, category: str, url: str, published: datetime | None) -> None:
        """`source` lists the article `url` in `category`."""
        key = article_key(url)
        if self.keep_entries:
            entries = self.reading(source, category).entries
            entries[key] = entries.get(key) or published
        if key not in self._found[source]:
            if self.keep_entries:
                self._found[source].add(key)
            self._inc(f"edunews/discovery/{source}/found")

    def claim(self, source: str, url: str) -> bool:
        """True unless another source took the article first in this run (a source that
        lists an article twice, e.g. a page's top block and stream, decides as it did)."""
        return self._claimed.setdefault(article_key(url), source) == source

    def _inc(self, key: str, count: int = 1) -> None:
        if self.stats is not None:
            self.stats.inc_value(key, count)
