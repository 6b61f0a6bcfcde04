"""A run that must not pass for a good one: one clear error, the crawl stopped, exit status 1.

`fail_run` logs the error, sets the stat `edunews/run_failed` (the `scrapy crawl` command
ends its summary with `Run FAILED: <that>` and exits 1, see summary.py) and closes the spider
with a reason of its own (`finish_reason`). A run that fails while its spider opens (a
refused crawl state) sends no request (`FailedRunGuard`) and closes as soon as it is idle.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from typing import Any

from scrapy import signals
from scrapy.crawler import Crawler
from scrapy.exceptions import CloseSpider
from scrapy.utils.defer import deferred_from_coro

from edunews_scraper.summary import RUN_FAILED

logger = logging.getLogger(__name__)

#: The stat that says a run failed, and why (the first failure of a run names it).
STAT = RUN_FAILED
#: The stat with the close reason of the failure (e.g. `feed_write_failed`).
REASON = "edunews/run_failed/reason"


def fail_run(crawler: Crawler, reason: str, message: str, verdict: str = "") -> None:
    """Log `message` as an error, close the spider with `reason` (when it is running) and
    fail the run with `verdict` (default: `message`). The first failure of a run names it."""
    logger.error(message)
    stats = crawler.stats
    if stats is None or stats.get_value(REASON):
        return
    stats.set_value(STAT, verdict or message)
    stats.set_value(REASON, reason)
    engine = getattr(crawler, "engine", None)
    if engine is not None and engine.running and engine.spider is not None:
        deferred_from_coro(engine.close_spider_async(reason=reason))


def run_failure(crawler: Crawler) -> str | None:
    """The close reason of the failure `fail_run` recorded, or None."""
    return crawler.stats.get_value(REASON) if crawler.stats is not None else None


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
