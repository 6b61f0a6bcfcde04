"""A run that must not pass for a good one: one clear error, the crawl stopped, exit status 1.

Scrapy has no API for a crawl's exit status: `scrapy crawl` (and `runspider`) exit 1 only
when a crawler ends without a spider (its "could not start" check). `fail_run` therefore
unsets `crawler.spider` once the engine has stopped (after the feeds are closed, the stats
dumped and every extension has closed), which makes the command exit 1. A run that fails
while its spider opens (a refused crawl state) sends no request (`FailedRunGuard`) and
closes with the failure's reason as soon as it is idle.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Callable
from typing import Any

from scrapy import signals
from scrapy.crawler import Crawler
from scrapy.exceptions import CloseSpider
from scrapy.utils.defer import deferred_from_coro

logger = logging.getLogger(__name__)

#: The stat that names why a run failed (its first reason).
STAT = "edunews/failed"


def fail_run(crawler: Crawler, reason: str, message: str) -> None:
    """Log `message` as an error, close the spider with `reason` (when it is running) and
    make the command exit with status 1. The first failure of a run names it."""
    logger.error(message)
    stats = crawler.stats
    if stats is not None and stats.get_value(STAT):
        return
    if stats is not None:
        stats.set_value(STAT, reason)
    crawler.signals.connect(_unset_spider(crawler), signal=signals.engine_stopped, weak=False)
    engine = getattr(crawler, "engine", None)
    if engine is not None and engine.running and engine.spider is not None:
        deferred_from_coro(engine.close_spider_async(reason=reason))


class FailedRunGuard:
    """Spider middleware: a run that failed before it started sends no start request, and
    closes, with the failure's reason, once idle."""

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        crawler.signals.connect(self.spider_idle, signal=signals.spider_idle)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> FailedRunGuard:
        return cls(crawler)

    async def process_start(self, start: AsyncIterator[Any]) -> AsyncIterator[Any]:
        if run_failure(self.crawler):
            return
        async for request_or_item in start:
            yield request_or_item

    def spider_idle(self) -> None:
        if reason := run_failure(self.crawler):
            raise CloseSpider(reason)


def run_failure(crawler: Crawler) -> str | None:
    """Why the run failed (`fail_run`'s first reason), or None."""
    return crawler.stats.get_value(STAT) if crawler.stats is not None else None


def _unset_spider(crawler: Crawler) -> Callable[[], None]:
    def engine_stopped() -> None:
        crawler.spider = None  # read by the crawler process: exit status 1

    return engine_stopped
