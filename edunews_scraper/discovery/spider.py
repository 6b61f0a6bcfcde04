"""`DiscoveringSpider`: the sources beside the category pages that a news spider reads, and the
backfill from the sites' article sitemaps.

A site's spider declares its sources as class attributes (`category_feeds`, `news_sitemaps`,
`sitemap_index`, `archive_sitemap_pattern`); `-a discover=listing,rss,sitemap` chooses among
them (default: all the site has) and `-a backfill=2024-01..2024-06` reads the article sitemaps
of those months instead. Whatever the source, an article goes through one decision,
`judge_entry`: older than `since`, exported by an earlier run, already taken from another
source in this run, or new and followed. The category pages (`NewsSpider.parse_listing`)
call it too.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from datetime import datetime
from typing import Any, ClassVar
from urllib.parse import urlsplit

import scrapy
from scrapy.exceptions import IgnoreRequest
from scrapy.http import Response
from twisted.python.failure import Failure

from edunews_scraper.arguments import Argument, ArgumentError, one_of_list
from edunews_scraper.discovery.archive import MonthRange, sitemap_period
from edunews_scraper.discovery.documents import (
    Entry,
    NotAFeed,
    rss_entries,
    sitemap_document,
)
from edunews_scraper.discovery.record import (
    LISTING,
    RSS,
    SITEMAP,
    SOURCES,
    WHOLE_SITE,
    DiscoveryRecord,
)
from edunews_scraper.discovery.verdict import Thresholds, Verdict, judge

#: What `judge_entry` decides for an article a source lists.
OLDER, KNOWN, ALREADY_LISTED, NEW = "older", "known", "already_listed", "followed"
SOURCE_KEY = "edunews_source"


class DiscoveringSpider(scrapy.Spider):
    """The discovery half of `NewsSpider` (which provides `is_article_url`, `followable_url`,
    `is_known`, `since`, `selected_categories`, `parse_article`, `article_failed`,
    `response_time`)."""

    #: RSS feed of each category: slug -> feed URL (read with `-a discover=rss`).
    category_feeds: ClassVar[dict[str, str]] = {}
    #: The site's news sitemaps (Google News format): the latest articles of every section.
    news_sitemaps: ClassVar[tuple[str, ...]] = ()
    #: The sitemap index that lists the site's article sitemaps by period (backfill).
    sitemap_index: ClassVar[str] = ""
    #: The URL form of those article sitemaps: named groups `year` and (optional) `month`.
    archive_sitemap_pattern: ClassVar[re.Pattern[str] | None] = None

    def discovery_arguments(self) -> tuple[Argument, ...]:
        """The `-a discover` and `-a backfill` arguments (see NewsSpider.spider_arguments)."""
        return (
            Argument(
                "discover",
                f"comma-separated sources from {', '.join(self.available_sources(all_of=True))}",
                one_of_list(self.available_sources(all_of=True), "source"),
            ),
            Argument(
                "backfill", "months YYYY-MM..YYYY-MM (e.g. 2024-01..2024-06)", MonthRange.parse
            ),
        )

    def init_discovery(self, discover: list[str] | None, backfill: MonthRange | None) -> None:
        """Set the sources read (default: all the site has for the selected categories) and
        the backfill; `ArgumentError` for a source the selected categories lack."""
        available = self.available_sources()
        missing = [name for name in discover or () if name not in available]
        if missing:
            raise ArgumentError(
                f"-a discover={','.join(discover or ())!r}: {', '.join(missing)} not available "
                f"for the categories chosen; accepted: {', '.join(available)}"
            )
        self.sources = tuple(name for name in SOURCES if name in (discover or available))
        if backfill and not (self.sitemap_index and self.archive_sitemap_pattern):
            raise ArgumentError(f"-a backfill: {self.name} declares no sitemap index of articles")
        self.backfill = backfill
        self.discovery = DiscoveryRecord(None, keep_entries=self.backfill is None)
        self._verdict: Verdict | None = None

    def available_sources(self, all_of: bool = False) -> tuple[str, ...]:
        """The sources this spider has for its selected categories (or for all of them)."""
        selected = self.categories if all_of else getattr(self, "selected_categories", {})
        has = {
            LISTING: bool(selected),
            RSS: any(slug in self.category_feeds for slug in selected),
            SITEMAP: bool(self.news_sitemaps),
        }
        return tuple(source for source in SOURCES if has[source])

    def discovery_requests(self) -> Iterator[scrapy.Request]:
        """The feeds of the selected categories and the news sitemaps (`start` adds the
        category pages); in a backfill, only the sitemap index."""
        self.discovery.stats = self.crawler.stats
        if self.backfill:
            self.logger.info("Backfill of %s from %s", self.backfill, self.sitemap_index)
            yield self._request(self.sitemap_index, self.parse_archive_sitemap, SITEMAP, "")
            return
        if RSS in self.sources:
            for slug in self.selected_categories:
                if feed := self.category_feeds.get(slug):
                    yield self._request(feed, self.parse_feed, RSS, slug)
        if SITEMAP in self.sources:
            for sitemap in self.news_sitemaps:
                yield self._request(sitemap, self.parse_news_sitemap, SITEMAP, WHOLE_SITE)

    def _request(self, url: str, callback: Any, source: str, category: str) -> scrapy.Request:
        return scrapy.Request(
            url,
            callback=callback,
            errback=self.discovery_failed,
            cb_kwargs={"category": category},
            meta={SOURCE_KEY: source},
        )

    # One decision for every source -----------------------------------------------------

    def judge_entry(self, source: str, category: str, url: str, published: datetime | None) -> str:
        """Record that `source` lists the article `url` in `category`, and decide: OLDER
        (printed before `since`), ALREADY_LISTED (another source took it in this run), KNOWN
        (exported by an earlier run) or NEW (follow it)."""
        self.discovery.listed(source, category, url, published)
        if self.since and published and published.date() < self.since:
            decision = OLDER
        elif not self.discovery.claim(source, url):
            decision = ALREADY_LISTED
        elif self.is_known(url):
            decision = KNOWN
        else:
            decision = NEW
        self.crawler.stats.inc_value(f"edunews/discovery/{source}/{decision}")
        return decision

    def follow_entries(
        self, response: Response, source: str, category: str, entries: Iterable[Entry]
    ) -> Iterator[scrapy.Request]:
        """Follow the new articles among a feed's or a sitemap's entries."""
        known = older = 0
        for url, published in self.article_entries(response, source, entries):
            decision = self.judge_entry(source, category, url, published)
            known += decision == KNOWN
            older += decision == OLDER
            if decision == NEW:
                yield response.follow(url, callback=self.parse_article, errback=self.article_failed)
        # Counted where the category pages count theirs (the min_articles monitor reads them).
        self.crawler.stats.inc_value("edunews/listing/known_skipped", known)
        self.crawler.stats.inc_value("edunews/listing/older_skipped", older)

    def article_entries(
        self, response: Response, source: str, entries: Iterable[Entry]
    ) -> Iterator[tuple[str, datetime | None]]:
        """(absolute URL, time) of the entries that are article pages of the site, their
        links checked as the category pages' are (`followable_url`: refused ones counted in
        `edunews/listing/refused/<why>`); others (video pages...) counted as not articles."""
        for entry in entries:
            url = self.followable_url(response, entry.link)
            if url is None:
                continue
            if self.is_article_url(url):
                yield url, entry.published
            else:
                self.crawler.stats.inc_value(f"edunews/discovery/{source}/not_articles")

    def sitemap_category(self, url: str) -> str | None:
        """The selected category an article of the whole-site sitemap belongs to, judged by
        its URL: the category whose page path its path lies under (dantri
        `/giao-duc/<slug>.htm` under `/giao-duc.htm`); "" when the URL names no section
        (`/<slug>-<id>.html`); None when it names another section."""
        folder = "/".join(urlsplit(url).path.strip("/").split("/")[:-1])
        if not folder:
            return ""
        sections = {
            slug: urlsplit(page).path.strip("/").removesuffix(".htm").removesuffix(".html")
            for slug, page in self.selected_categories.items()
        }
        for slug, section in sections.items():
            if section and (folder == section or folder.startswith(f"{section}/")):
                return slug
        if any(section.startswith(f"{folder}/") for section in sections.values()):
            return ""  # a parent section of a selected sub-category: which one, it does not say
        return None

    # Callbacks ---------------------------------------------------------------------------

    def parse_feed(self, response: Response, category: str) -> Iterator[scrapy.Request]:
        """A category's RSS feed: follow its new articles."""
        entries = self._read(response, RSS, category, rss_entries)
        if entries is not None:
            yield from self.follow_entries(response, RSS, category, entries)

    def parse_news_sitemap(self, response: Response, category: str) -> Iterator[scrapy.Request]:
        """A news sitemap of the whole site: every article is recorded (the check of the
        category sources); those it places in a selected category are followed."""
        document = self._read(response, SITEMAP, WHOLE_SITE, sitemap_document)
        if document is None:
            return
        if document.index:  # a news sitemap index: its sitemaps are read the same way
            for child in document.entries:
                yield self._request(child.link, self.parse_news_sitemap, SITEMAP, WHOLE_SITE)
            return
        placed: dict[str, list[Entry]] = {}
        for url, published in self.article_entries(response, SITEMAP, document.entries):
            self.discovery.listed(SITEMAP, WHOLE_SITE, url, published)
            slug = self.sitemap_category(url)
            if slug:
                placed.setdefault(slug, []).append(Entry(url, published))
            else:
                kind = "unplaced" if slug == "" else "other_sections"
                self.crawler.stats.inc_value(f"edunews/discovery/{SITEMAP}/{kind}")
        for slug, entries in placed.items():
            yield from self.follow_entries(response, SITEMAP, slug, entries)

    def parse_archive_sitemap(self, response: Response, category: str) -> Iterator[scrapy.Request]:
        """Backfill: a sitemap index (follow its article sitemaps of the months asked for)
        or an article sitemap (follow its articles not known yet)."""
        document = self._read(response, SITEMAP, WHOLE_SITE, sitemap_document)
        if document is None or self.backfill is None or self.archive_sitemap_pattern is None:
            return
        if document.index:
            for child in document.entries:
                period = sitemap_period(child.link, self.archive_sitemap_pattern)
                if period and self.backfill.covers(*period):
                    url = response.urljoin(child.link)
                    yield self._request(url, self.parse_archive_sitemap, SITEMAP, "")
            return
        for url, published in self.article_entries(response, SITEMAP, document.entries):
            slug = self.sitemap_category(url)
            if slug is None:
                self.crawler.stats.inc_value(f"edunews/discovery/{SITEMAP}/other_sections")
                continue
            entry = Entry(url, published)
            yield from self.follow_entries(response, SITEMAP, slug or WHOLE_SITE, [entry])

    def _read(self, response: Response, source: str, category: str, parse: Any) -> Any:
        """`parse(response)`, with the document counted as read, or as failed (logged) when
        it is not the feed or sitemap it should be."""
        try:
            parsed = parse(response)
        except NotAFeed as error:
            self.logger.warning("%s %s is unreadable: %s", source, response.url, error)
            self.discovery.document_failed(source, category, response.url, str(error))
            return None
        self.discovery.document_read(source, category, self.response_time(response))
        return parsed

    def discovery_failed(self, failure: Failure) -> None:
        """Errback of feed and sitemap requests: a download that failed is a broken source; a
        request left out (robots.txt, a page not saved in a replay) is only logged."""
        request = failure.request  # type: ignore[attr-defined]
        source = request.meta.get(SOURCE_KEY, SITEMAP)
        category = request.cb_kwargs.get("category", WHOLE_SITE)
        if failure.check(IgnoreRequest):
            self.logger.info("%s %s not read: %s", source, request.url, failure.getErrorMessage())
            return
        response = getattr(failure.value, "response", None)
        why = f"HTTP {response.status}" if response is not None else failure.getErrorMessage()
        self.logger.warning("%s %s failed: %s", source, request.url, why)
        self.discovery.document_failed(source, category, request.url, why)

    # Verdict -----------------------------------------------------------------------------

    def discovery_verdict(self) -> Verdict:
        """The sources checked against each other (once; logged and counted in the stats)."""
        if self._verdict is None and self.settings.get("REDIS_URL"):
            # One worker of a shared crawl reads a share of the sources: nothing to compare.
            self._verdict = Verdict(0, ())
        if self._verdict is None:
            self._verdict = judge(self.discovery, Thresholds.from_settings(self.settings))
            stats = self.crawler.stats
            stats.set_value("edunews/discovery/compared", self._verdict.compared)
            for source, categories in self._verdict.broken_sources().items():
                stats.set_value(f"edunews/discovery/broken/{source}", len(categories))
            for breakage in self._verdict.breakages:
                self.logger.warning("Discovery: %s", breakage)
            if self._verdict.compared and not self._verdict.breakages:
                self.logger.info(
                    "Discovery: the sources agree (%d comparisons)", self._verdict.compared
                )
        return self._verdict

    def closed(self, reason: str) -> None:
        self.discovery_verdict()
