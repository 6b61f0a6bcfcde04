"""Incremental crawls: the extension that keeps each spider's crawl state (see state.py).

When the spider opens, it opens (and locks) the state, or refuses to crawl with a clear
error and exit status 1 when the state is in use, damaged beyond rebuilding, or its folder is
read-only or full. The spider then skips known articles and stops paging a category inside
the part its last complete pass covered (watermark.py). Each local articles file is noted in
the state's journal before its first line is written (through `FeedDurability`); an article
is remembered once its line is written to every local articles feed. When the feeds are
closed and fsynced, the run's articles are folded into the state, and, if the run finished
cleanly (no shutdown, no failed write, no error in a callback or pipeline), the watermarks of
the passes it completed. `EDUNEWS_STATE_DIR` sets where the state lives;
`EDUNEWS_STATE_ENABLED = False` switches it off.

A worker of a shared crawl (`REDIS_URL`, distributed.py) uses the spider's state in Redis
instead (redis_state.py; its state folder keeps only the worker's journal): each article is
claimed before it is exported, and confirmed once its line is written and flushed to disk
(fdatasync), so that no other worker exports it and a power cut cannot take back a line Redis
counts; a claimed article that is not written is released.
"""

from __future__ import annotations

import logging
import os
from pathlib import Path
from typing import Any

from scrapy import Spider, signals
from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured
from scrapy.extensions.feedexport import FeedExporter
from scrapy.utils.defer import maybe_deferred_to_future
from twisted.internet.defer import Deferred

from edunews_scraper.distributed import DistributedRun
from edunews_scraper.durability import DurableFeedStorage, DurableFile, FeedDurability
from edunews_scraper.failure import fail_run, run_failure
from edunews_scraper.feeds import ARTICLE
from edunews_scraper.items import Article, RawArticle
from edunews_scraper.redis_state import RedisCrawlState
from edunews_scraper.state import CrawlState, StateError
from edunews_scraper.watermark import Watermark

logger = logging.getLogger(__name__)


class IncrementalState:
    """Shares a persistent `CrawlState` with the spider as `spider.crawl_state`."""

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        self.folder = Path(crawler.settings["EDUNEWS_STATE_DIR"])
        self.state: CrawlState | RedisCrawlState | None = None
        #: Why this run's listing passes cannot count as complete, whatever its close reason.
        self.incomplete = ""
        self._writes_seen: dict[int, int] = {}
        #: Files whose folder entry is on disk (a shared state flushes after each line).
        self._synced: set[int] = set()
        self._feeds_closed: Deferred[None] = Deferred()

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> IncrementalState:
        if not crawler.settings.getbool("EDUNEWS_STATE_ENABLED"):
            raise NotConfigured
        extension = cls(crawler)
        for handler, signal in (
            (extension.spider_opened, signals.spider_opened),
            (extension.item_scraped, signals.item_scraped),
            (extension.item_not_written, signals.item_dropped),
            (extension.item_not_written, signals.item_error),
            (extension.callback_failed, signals.spider_error),
            (extension.pipeline_failed, signals.item_error),
            (extension.feeds_closed, signals.feed_exporter_closed),
            (extension.spider_closed, signals.spider_closed),
        ):
            crawler.signals.connect(handler, signal=signal)
        return extension

    def spider_opened(self, spider: Spider) -> None:
        try:
            self.state = self._open(spider)
        except StateError as error:  # FailedRunGuard: no request is sent
            fail_run(self.crawler, "state_refused", str(error))
            return
        spider.crawl_state = self.state
        self.crawler.stats.set_value("edunews/state/known_at_start", len(self.state))
        guard = self.crawler.get_extension(FeedDurability)
        if guard is not None:
            guard.listeners.append(self.note_feed)
        for slot in self._article_slots():
            if not isinstance(slot.storage, DurableFeedStorage):
                spider.logger.warning(
                    "Feed %s is not a local file: its lines cannot be checked, and a killed run "
                    "may export its articles again",
                    slot.uri,
                )

    def _open(self, spider: Spider) -> CrawlState | RedisCrawlState:
        """The local state, or for a worker of a shared run the spider's state in Redis."""
        folder = self.folder / spider.name
        run = self.crawler.get_extension(DistributedRun)
        if run is None or run.shared is None:
            return CrawlState.open(folder)
        state = RedisCrawlState.open(run.shared, folder)
        state.on_failure = run.failed
        return state

    def _article_slots(self) -> list[Any]:
        exporter = self.crawler.get_extension(FeedExporter)
        return [
            slot
            for slot in getattr(exporter, "slots", [])
            if ARTICLE in slot.feed_options.get("item_classes", [])
        ]

    def note_feed(self, path: Path, feed_options: dict[str, Any]) -> None:
        """Before a local feed file is first written to: journal it if it takes articles."""
        if self.state is not None and ARTICLE in feed_options.get("item_classes", []):
            self.state.record_output(path)

    def item_scraped(self, item: Any) -> None:
        """Runs after the feed exporter wrote `item`: remember an article whose line reached
        every local articles file (and only then)."""
        files = [
            slot.storage.file
            for slot in self._article_slots()
            if isinstance(slot.storage, DurableFeedStorage) and slot.storage.file is not None
        ]
        written = all([self._wrote_since(file) for file in files])  # every counter moves on
        if not isinstance(item, Article) or self.state is None:
            return
        if written and isinstance(self.state, RedisCrawlState):
            written = self._flushed(files)
        if written:
            self.state.add((item.url, item.canonical_url), item.content_hash)
            self.crawler.stats.inc_value("edunews/state/recorded")
        else:
            self.state.release(item.url)
            self.crawler.stats.inc_value("edunews/state/unwritten")

    def _flushed(self, files: list[DurableFile]) -> bool:
        """Flush the files' data to disk, and each file's folder entry after its first line
        (a shared state counts an article at once, not when the run ends); False, and the run
        fails, when that fails."""
        for file in files:
            if id(file) not in self._synced:
                self._synced.add(id(file))
                file.sync()  # the data and the folder; on failure it fails the run
                if file.error is not None:
                    return False
                continue
            try:
                os.fdatasync(file.fileno())
            except OSError as error:
                file.error = error
                guard = self.crawler.get_extension(FeedDurability)
                if guard is not None:
                    guard.write_failed(file)
                return False
        return True

    def item_not_written(self, item: Any, **kwargs: Any) -> None:
        """An article dropped or failed in a pipeline after it was claimed: release it."""
        if self.state is not None and isinstance(item, RawArticle | Article):
            self.state.release(item.url)

    def _wrote_since(self, file: DurableFile) -> bool:
        """True when `file` took a whole write since the last item (and has not failed)."""
        before = self._writes_seen.get(id(file), 0)
        self._writes_seen[id(file)] = file.writes
        return file.error is None and file.writes > before

    def callback_failed(self, failure: Any, response: Any, spider: Spider) -> None:
        self.incomplete = self.incomplete or f"an error in a callback on {response.url}"

    def pipeline_failed(self, item: Any, response: Any, spider: Spider, failure: Any) -> None:
        url = getattr(item, "url", "an item")
        self.incomplete = self.incomplete or f"an error in an item pipeline on {url}"

    def feeds_closed(self) -> None:
        if not self._feeds_closed.called:
            self._feeds_closed.callback(None)

    async def spider_closed(self, spider: Spider, reason: str) -> None:
        """Once every feed is closed (and fsynced), save the state."""
        if self.state is None:
            return
        if self.crawler.get_extension(FeedExporter) is not None:
            await maybe_deferred_to_future(self._feeds_closed)
        self.save(spider, reason)

    def save(self, spider: Spider, reason: str) -> None:
        """Fold the run's articles into the state, then the watermarks of its complete
        passes; a run that failed keeps its journal for the next run to fold in."""
        state = self.state
        assert state is not None
        self.state = None
        try:
            failure = run_failure(self.crawler)
            if failure:
                logger.warning(
                    "The run failed (%s): the crawl state keeps this run in its journal; the "
                    "next run reads back what its files hold",
                    failure,
                )
                return
            watermarks = self._watermarks(spider, reason)
            try:
                state.commit(watermarks)
            except OSError as error:
                fail_run(
                    self.crawler,
                    "state_write_failed",
                    f"Cannot save the crawl state {state.folder} ({error}); its journal still "
                    "holds this run, the next run folds it in",
                    f"the crawl state could not be written ({error.strerror})",
                )
                return
            self.crawler.stats.set_value("edunews/state/watermarks_saved", len(watermarks))
        finally:
            state.close()

    def _watermarks(self, spider: Spider, reason: str) -> dict[str, Watermark]:
        """The watermarks of the passes this run completed; none unless it finished cleanly
        (a shared state saves them only once the whole run ended complete)."""
        passes = getattr(spider, "listing_passes", {})
        why = f"it ended with {reason!r}" if reason != "finished" else self.incomplete
        if why:
            if passes:
                logger.info("Watermarks not updated: %s", why)
            return {}
        return {
            category: mark
            for category, listing_pass in passes.items()
            if (mark := listing_pass.watermark) is not None
        }
