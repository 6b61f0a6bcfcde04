"""What a run did, told in a few lines: the record kept during a crawl, the verdict, the summary.

`RunRecord` (an extension) keeps what the counters do not: where the feeds go, the rejects by
reason with their URLs, articles per category and per day, and the listing pages received
(stat `edunews/listing/pages`). The monitors' reports read it; `scrapy crawl` ends with
`summary()` and exits with `Verdict.exitcode`:

    0  the run is healthy (a scheduled run with nothing new is healthy too);
    1  it failed: a monitor failed, no listing page could be fetched (the site could not be
       reached, or the replay folder holds none), a feed could not be stored, or a component
       set the stat `edunews/run_failed` to its reason;
    2  the command line was wrong (nothing was crawled).
"""

from __future__ import annotations

import logging
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from scrapy import Spider, signals
from scrapy.crawler import Crawler
from scrapy.extensions.feedexport import FeedExporter, FileFeedStorage
from scrapy.http import Request, Response

from edunews_scraper.feeds import ARTICLE, REJECT
from edunews_scraper.items import Article, Reject
from edunews_scraper.replay import NOT_SAVED

logger = logging.getLogger(__name__)

#: How many URLs are kept per reject reason (the count is always complete).
URLS_PER_REASON = 200
LISTING_PAGES = "edunews/listing/pages"
RUN_FAILED = "edunews/run_failed"
#: A worker of a shared run (distributed.py): the run, this worker, the run's workers and
#: articles, requests put back from dead workers, whether the run ended.
SHARED_RUN = "edunews/redis/run"
SHARED_WORKER = "edunews/redis/worker"
SHARED_WORKERS = "edunews/redis/workers"
SHARED_ARTICLES = "edunews/redis/run_articles"
SHARED_REQUEUED = "edunews/redis/requeued"
SHARED_ENDED = "edunews/redis/ended"


@dataclass
class RunRecord:
    """Extension: what the run wrote and where, beyond the counters in the stats; counts the
    listing pages received with a 2xx status (`edunews/listing/pages`)."""

    crawler: Crawler
    articles_file: Path | None = None
    rejects_file: Path | None = None
    per_category: Counter[str] = field(default_factory=Counter)
    per_day: Counter[str] = field(default_factory=Counter)
    rejects: dict[str, list[tuple[str, str]]] = field(default_factory=lambda: defaultdict(list))
    reject_counts: Counter[str] = field(default_factory=Counter)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> RunRecord:
        record = cls(crawler)
        crawler.signals.connect(record.engine_started, signal=signals.engine_started)
        crawler.signals.connect(record.item_scraped, signal=signals.item_scraped)
        crawler.signals.connect(record.response_received, signal=signals.response_received)
        return record

    def engine_started(self) -> None:
        """Note the local files the articles and the rejects go to."""
        exporter = self.crawler.get_extension(FeedExporter)
        for slot in getattr(exporter, "slots", []):
            if not isinstance(slot.storage, FileFeedStorage):
                continue
            classes = slot.feed_options.get("item_classes", [])
            if ARTICLE in classes and self.articles_file is None:
                self.articles_file = Path(slot.storage.path)
            if REJECT in classes and self.rejects_file is None:
                self.rejects_file = Path(slot.storage.path)

    def item_scraped(self, item: Any) -> None:
        if isinstance(item, Article):
            self.per_category[item.category or "(none)"] += 1
            self.per_day[item.published.date().isoformat()] += 1
        elif isinstance(item, Reject):
            kind = item.reason.split(":", 1)[0]
            self.reject_counts[kind] += 1
            if len(self.rejects[kind]) < URLS_PER_REASON:
                self.rejects[kind].append((item.url, item.reason))

    def response_received(self, response: Response, request: Request, spider: Spider) -> None:
        listing = getattr(spider, "parse_listing", None)
        if listing is not None and request.callback == listing and 200 <= response.status < 300:
            self.crawler.stats.inc_value(LISTING_PAGES)


@dataclass(frozen=True)
class Verdict:
    """Why a run failed (nothing: it did not)."""

    failures: tuple[str, ...]

    @property
    def exitcode(self) -> int:
        return 1 if self.failures else 0

    def line(self) -> str:
        if not self.failures:
            return "Run OK."
        return "Run FAILED: " + "; ".join(self.failures) + "."


def judge(crawler: Crawler) -> Verdict:
    """The verdict on a finished crawl, from its stats."""
    stats: dict[str, Any] = crawler.stats.get_stats() if crawler.stats else {}
    spider = crawler.spider
    failures = []
    categories = getattr(spider, "selected_categories", None)
    shared = crawler.settings.get("REDIS_URL")  # one worker of a shared crawl: its share may
    # be nothing; a run refused at its start (e.g. its crawl state) fetched nothing by design.
    refused = stats.get(RUN_FAILED) and not stats.get("response_received_count")
    read = stats.get(LISTING_PAGES, 0) + sum(  # feeds and sitemaps list articles too
        stats.get(f"edunews/discovery/{source}/documents", 0) for source in ("rss", "sitemap")
    )
    if categories is not None and not shared and not read and not refused:
        failures.append(_no_listing(crawler, stats, len(categories)))
    if stats.get(RUN_FAILED):
        failures.append(str(stats[RUN_FAILED]))
    stored_badly = sum(v for k, v in stats.items() if k.startswith("feedexport/failed_count/"))
    if stored_badly:
        failures.append(f"{stored_badly} feed(s) could not be stored (see the log)")
    failed_monitors = [
        key.removeprefix("edunews/monitors/")
        for key, status in stats.items()
        if key.startswith("edunews/monitors/") and status in ("FAIL", "ERROR")
    ]
    if failed_monitors:
        failures.append(f"monitors failed: {', '.join(sorted(failed_monitors))}")
    return Verdict(tuple(failures))


def _no_listing(crawler: Crawler, stats: dict[str, Any], categories: int) -> str:
    spider = crawler.spider
    replay = crawler.settings.get("EDUNEWS_REPLAY_DIR") if getattr(spider, "replay", None) else ""
    if not categories:
        return "nothing to crawl: no listing page to start from"
    if getattr(spider, "backfill", None) or "listing" not in getattr(
        spider, "sources", ("listing",)
    ):
        return f"no feed or sitemap of {spider.name} could be read (see the log)"
    if replay:
        return f"no listing page of {spider.name} is saved in the replay folder {replay}"
    failed = stats.get("edunews/listing_failures", 0)
    record = crawler.get_extension(RunRecord)
    failures = record.rejects.get("listing failed", []) if record else []
    reasons = sorted({reason.split(": ", 2)[1] for _, reason in failures})
    site = getattr(spider, "site", "") or spider.name
    why = f" ({', '.join(reasons)})" if reasons else ""
    if stats.get("response_received_count"):  # the site answers, but no listing page
        return f"no listing page of {site} could be fetched: {failed} failed{why}"
    return f"could not reach {site}: {failed} of {categories} first listing page(s) failed{why}"


def _count(number: int, noun: str) -> str:
    return f"{number} {noun}{'' if number == 1 else 's'}"


def _shared_run(stats: dict[str, Any]) -> str:
    """The line of a worker of a shared run: the run's figures."""
    line = (
        f"  worker {stats.get(SHARED_WORKER)} of run {stats[SHARED_RUN]}: "
        f"{_count(stats.get(SHARED_WORKERS, 0), 'worker')}, "
        f"{_count(stats.get(SHARED_ARTICLES, 0), 'article')} in all"
    )
    if stats.get(SHARED_REQUEUED):
        line += f", {stats[SHARED_REQUEUED]} request(s) put back from workers that died"
    if not stats.get(SHARED_ENDED):
        line += "; the run goes on without this worker"
    return line


def summary(crawler: Crawler, verdict: Verdict) -> str:
    """The end-of-run summary: articles and rejects (by reason) and where they are, what was
    not fetched and why, the monitors, the time; the verdict last."""
    stats: dict[str, Any] = crawler.stats.get_stats() if crawler.stats else {}
    record = crawler.get_extension(RunRecord)
    spider = crawler.spider
    name = spider.name if spider else "?"
    elapsed = stats.get("elapsed_time_seconds")
    took = f" in {elapsed:.1f} s" if isinstance(elapsed, int | float) else ""
    replay = getattr(spider, "replay", None)
    lines = [
        f"Summary of {name}{f' (replay of {replay})' if replay else ''}: "
        f"{stats.get('finish_reason', 'not started')}{took}"
    ]
    articles = stats.get("edunews/articles", 0)
    where = f" -> {record.articles_file}" if record and record.articles_file else ""
    lines.append(f"  {_count(articles, 'article')}{where}")
    rejects = stats.get("edunews/rejects", 0)
    where = f" -> {record.rejects_file}" if record and record.rejects_file else ""
    kinds = ", ".join(f"{n} {kind}" for kind, n in (record.reject_counts if record else {}).items())
    lines.append(f"  {_count(rejects, 'reject')}{f' ({kinds})' if kinds else ''}{where}")
    known, unchanged = (
        stats.get("edunews/listing/known_skipped", 0),
        stats.get("edunews/unchanged", 0),
    )
    if known or unchanged:
        lines.append(
            f"  already exported by earlier runs: {known} listed (not fetched), "
            f"{unchanged} fetched again and unchanged"
        )
    if stats.get(NOT_SAVED):
        lines.append(
            f"  {_count(stats[NOT_SAVED], 'linked page')} not in the replay folder (not fetched)"
        )
    lines.append(
        f"  {_count(stats.get('response_received_count', 0), 'page')} received, "
        f"{stats.get(LISTING_PAGES, 0)} of them listing pages"
    )
    if stats.get(SHARED_RUN):
        lines.append(_shared_run(stats))
    if "edunews/monitors/passed" in stats:
        report = stats.get("edunews/monitors/html_report") or stats.get("edunews/monitors/report")
        lines.append(
            f"  monitors: {stats['edunews/monitors/passed']} passed, "
            f"{stats['edunews/monitors/failed']} failed, {stats['edunews/monitors/skipped']} "
            f"skipped" + (f"; report: {report}" if report else "")
        )
    lines.append('  every counter: -s STATS_DUMP=True, or "stats" in the monitors\' JSON report')
    lines.append(verdict.line())
    return "\n".join(lines)
