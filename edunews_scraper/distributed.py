"""Distributed crawling: N worker processes (on N machines) share one crawl through Redis.

`RedisCrawl` is a Scrapy add-on that does nothing unless `REDIS_URL` is set (as a setting or
in the environment). With it, every worker of a spider joins the same *run* (sharedrun.py):

- `RedisScheduler` takes requests from the run's shared queue and acknowledges each once the
  engine is done with it (downloaded, its callback's requests queued, its items written); a
  worker that dies is reaped by the others once its lease (`EDUNEWS_REDIS_LEASE` seconds)
  expires, and what it had in flight goes back to the queue. The queue's duplicate filter lets
  each request through once per run. An idle worker waits, polling the queue, until the run
  ends: when its queue is empty and nothing is in flight on any worker.
- the crawl state is the spider's state in Redis (redis_state.py, opened by incremental.py):
  known articles, claims so that no two workers export the same article, and the watermarks
  of the last complete pass, shared by every worker of every run.
- `DistributedRun` (an extension) holds this worker's view of the run, counts what it did in
  the run's record (`scrapy redis watch SPIDER` shows it), and gives the verdict on the run.

Runs. `EDUNEWS_REDIS_RUN` (a setting or environment variable; letters, digits, `.`, `_`, `-`)
names the run: workers given the same id work on one run; a worker that joins a run that has
ended does nothing (exit 0). Without a run id, a worker joins the spider's run in progress, or
starts a new one when none is (its id is its start time). Every worker must crawl with the same
spider arguments (`categories`, `max_pages`, `since`, `full`): one that does not is refused. A
run's keys expire `EDUNEWS_REDIS_TTL` seconds after the last heartbeat of any of its workers.

Replays (`-a replay=...`) keep their shared state apart, under the prefix `edunews:replay`.
Requests travel between workers pickled: every worker must run the same code.
"""

from __future__ import annotations

import logging
import os
import pickle
import re
from typing import Any

from redis import Redis
from redis.backoff import ExponentialBackoff
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import RedisError
from redis.exceptions import TimeoutError as RedisTimeoutError
from redis.retry import Retry
from scrapy import Request, Spider, signals
from scrapy.core.scheduler import BaseScheduler
from scrapy.crawler import Crawler
from scrapy.exceptions import DontCloseSpider, NotConfigured
from scrapy.http import Response
from scrapy.settings import BaseSettings
from scrapy.utils.asyncio import create_looping_call
from scrapy.utils.request import request_from_dict

from edunews_scraper.discovery.spider import SOURCE_KEY
from edunews_scraper.failure import fail_run, run_failure
from edunews_scraper.items import Article, Reject
from edunews_scraper.sharedrun import (
    KEY_PREFIX,
    ArgumentsDiffer,
    LeaseLost,
    RunOver,
    SharedRun,
    current_run,
)
from edunews_scraper.summary import (
    RUN_FAILED,
    SHARED_ARTICLES,
    SHARED_ENDED,
    SHARED_REQUEUED,
    SHARED_RUN,
    SHARED_WORKER,
    SHARED_WORKERS,
)

logger = logging.getLogger(__name__)

RUN_ID = re.compile(r"[\w.-]+", re.ASCII)
DEFAULT_LEASE = 60.0
DEFAULT_TTL = 86400
#: How often an idle worker looks at the shared queue (seconds).
POLL_INTERVAL = 0.5
#: Redis commands are retried on a lost connection for about 20 s (a Redis restart).
RETRIES = 14


def setting_or_env(settings: BaseSettings, name: str) -> str:
    """A setting's value, else the environment variable of the same name, else ""."""
    return str(settings.get(name) or os.environ.get(name) or "").strip()


def connect(url: str) -> Redis:
    """A Redis client that rides out a restart of the server (about 20 s of retries)."""
    return Redis.from_url(
        url,
        socket_timeout=10,
        socket_connect_timeout=5,
        retry=Retry(ExponentialBackoff(cap=2.0, base=0.05), RETRIES),
        retry_on_error=[RedisConnectionError, RedisTimeoutError],
    )


def run_id_setting(settings: BaseSettings) -> str:
    """`EDUNEWS_REDIS_RUN` (setting, else environment), checked."""
    run = setting_or_env(settings, "EDUNEWS_REDIS_RUN")
    if run and not RUN_ID.fullmatch(run):
        raise ValueError(f"EDUNEWS_REDIS_RUN {run!r}: use letters, digits, '.', '_', '-'")
    return run


def key_prefix(settings: BaseSettings) -> str:
    """The prefix of the Redis keys: replays keep theirs apart from live crawls."""
    return f"{KEY_PREFIX}:replay" if settings.get("EDUNEWS_REPLAY_DIR") else KEY_PREFIX


class RedisCrawl:
    """Add-on: run spiders as workers of a shared run when `REDIS_URL` is set.

    Its settings are set at add-on priority, so the project or the command line still
    overrides any of them."""

    def update_settings(self, settings: BaseSettings) -> None:
        url = setting_or_env(settings, "REDIS_URL")
        if not url:
            return
        run_id_setting(settings)
        settings.set("REDIS_URL", url, priority="addon")
        settings.set("SCHEDULER", f"{__name__}.RedisScheduler", priority="addon")
        settings.setdefault_in_component_priority_dict("EXTENSIONS", DistributedRun, 450)


def spider_arguments(spider: Spider) -> dict[str, Any]:
    """The arguments every worker of a run must share."""
    categories = getattr(spider, "selected_categories", None)
    since = getattr(spider, "since", None)
    return {
        "categories": sorted(categories) if categories is not None else None,
        "max_pages": getattr(spider, "max_pages", None),
        "since": since.isoformat() if since else None,
        "full": bool(getattr(spider, "full", False)),
    }


class DistributedRun:
    """Extension: this worker's part in a shared run. Joined by the scheduler when the spider
    opens; counts the run's pages that list articles and its rejects, marks the run's passes
    incomplete on an error in a callback or pipeline, and when the spider closes fails the run
    when no worker could fetch a page that lists articles (stat `edunews/run_failed`)."""

    def __init__(self, crawler: Crawler) -> None:
        settings = crawler.settings
        self.crawler = crawler
        self.url = settings["REDIS_URL"]
        self.run_id = run_id_setting(settings)
        self.lease = settings.getfloat("EDUNEWS_REDIS_LEASE", DEFAULT_LEASE)
        self.ttl = settings.getint("EDUNEWS_REDIS_TTL", DEFAULT_TTL)
        self.prefix = key_prefix(settings)
        self.client = connect(self.url)
        self.shared: SharedRun | None = None
        #: False once this worker may take nothing from the run (it ended, or this worker
        #: failed or was refused).
        self.active = False
        #: True once this worker joined the run (it has something to leave).
        self.joined = False
        self.ended = False
        for handler, signal in (
            (self.response_received, signals.response_received),
            (self.item_scraped, signals.item_scraped),
            (self.callback_failed, signals.spider_error),
            (self.pipeline_failed, signals.item_error),
            (self.spider_closed, signals.spider_closed),
        ):
            crawler.signals.connect(handler, signal=signal)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> DistributedRun:
        if not crawler.settings.get("REDIS_URL"):
            raise NotConfigured
        return cls(crawler)

    def join(self, spider: Spider) -> None:
        """Join this worker's run (the given one, else the spider's run in progress)."""
        try:
            run = self.run_id or current_run(self.client, spider.name, self.prefix)
            self.shared = SharedRun(
                self.client, spider.name, run, lease=self.lease, ttl=self.ttl, prefix=self.prefix
            )
            stats = self.crawler.stats
            stats.set_value(SHARED_RUN, run)
            stats.set_value(SHARED_WORKER, self.shared.worker)
            started = self.shared.join(spider_arguments(spider))
        except RunOver as over:
            logger.info(
                "Run %s of %s ended at %s: this worker has nothing to do (give scheduled runs "
                "an EDUNEWS_REDIS_RUN of their own)",
                run,
                spider.name,
                over,
            )
            self.ended = True
            return
        except ArgumentsDiffer as differ:
            fail_run(
                self.crawler,
                "arguments_differ",
                f"Run {run} of {spider.name} crawls with {differ}, this worker with "
                f"{spider_arguments(spider)}: give every worker of a run the same arguments, "
                "or this one another EDUNEWS_REDIS_RUN",
                f"run {run} crawls with other spider arguments than this worker",
            )
            return
        except RedisError as error:
            self.redis_failed(error)
            return
        self.active = self.joined = True
        logger.info(
            "Worker %s %s run %s of %s (Redis %s, lease %g s)",
            self.shared.worker,
            "started" if started else "joined",
            run,
            spider.name,
            self.url,
            self.lease,
        )

    def lost(self, why: str) -> None:
        """This worker was reaped: it stops, taking and exporting nothing more."""
        self._stop("lease_lost", f"{why}: stopping this worker", why)

    def failed(self, error: Exception) -> None:
        """This worker must stop: it was reaped, or Redis failed."""
        if isinstance(error, LeaseLost):
            self.lost(str(error))
        else:
            self.redis_failed(error)

    def redis_failed(self, error: Exception) -> None:
        self._stop(
            "redis_failed",
            f"Redis at {self.url} failed ({error}): stopping this worker; its unfinished "
            "requests go back to the queue (at once, or once its lease expires)",
            f"Redis failed ({error})",
        )

    def _stop(self, reason: str, message: str, verdict: str) -> None:
        """Take nothing more from the run, and fail this worker's run (once)."""
        self.active = False
        if not run_failure(self.crawler):
            fail_run(self.crawler, reason, message, verdict)

    # Counting ------------------------------------------------------------------------------

    def _count(self, name: str, *, run: bool = False) -> None:
        if self.shared is not None and self.active:
            try:
                self.shared.count(name, run=run)
            except RedisError as error:
                self.redis_failed(error)

    def response_received(self, response: Response, request: Request, spider: Spider) -> None:
        """Count the run's pages that list articles: listing pages, feeds and sitemaps."""
        listing = getattr(spider, "parse_listing", None)
        lists = request.callback == listing or SOURCE_KEY in request.meta
        if listing is not None and lists and 200 <= response.status < 300:
            self._count("listing_pages", run=True)

    def item_scraped(self, item: Any) -> None:
        if isinstance(item, Article | Reject):
            self._count("articles" if isinstance(item, Article) else "rejects")

    def callback_failed(self, failure: Any, response: Any, spider: Spider) -> None:
        self._incomplete(f"an error in a callback on {response.url}")

    def pipeline_failed(self, item: Any, response: Any, spider: Spider, failure: Any) -> None:
        self._incomplete(f"an error in an item pipeline on {getattr(item, 'url', 'an item')}")

    def _incomplete(self, why: str) -> None:
        if self.shared is not None:
            try:
                self.shared.mark_incomplete(f"{why} ({self.shared.worker})")
            except RedisError as error:
                self.redis_failed(error)

    # The end -------------------------------------------------------------------------------

    def spider_closed(self, spider: Spider, reason: str) -> None:
        """Record the run's figures in this worker's stats; fail the run when it ended and
        no worker fetched a listing page."""
        shared = self.shared
        if shared is None:
            return
        stats = self.crawler.stats
        try:
            info = shared.info_fields()
            workers = shared.workers()
        except RedisError as error:
            logger.error("Could not read run %s from Redis: %s", shared.run, error)
            return
        stats.set_value(SHARED_WORKERS, len(workers))
        stats.set_value(SHARED_ARTICLES, sum(w.count("articles") for w in workers))
        stats.set_value(SHARED_REQUEUED, int(info.get("requeued", 0)))
        stats.set_value(SHARED_ENDED, "ended" in info)
        categories = getattr(spider, "selected_categories", None)
        no_listing = "ended" in info and not int(info.get("listing_pages", 0))
        if categories and no_listing and not stats.get_value(RUN_FAILED):
            site = getattr(spider, "site", "") or spider.name
            why = (
                f"could not reach {site}: no worker of run {shared.run} fetched a listing page, "
                f"feed or sitemap (this worker: {stats.get_value('edunews/listing_failures', 0)}"
                " listing pages failed)"
            )
            logger.error(why)
            stats.set_value(RUN_FAILED, why)


class RedisScheduler(BaseScheduler):
    """The scheduler of a worker of a shared run (see the module's docstring)."""

    def __init__(self, crawler: Crawler, run: DistributedRun) -> None:
        self.crawler = crawler
        self.run = run
        assert crawler.request_fingerprinter is not None
        self.fingerprinter = crawler.request_fingerprinter
        self.spider: Spider | None = None
        #: Requests this worker took and has not finished -> their queue member.
        self.taken: dict[Request, bytes] = {}
        #: Requests finished after this worker failed: put back in the queue on close.
        self.unfinished: list[bytes] = []
        self.waiting = False
        self.heartbeat = create_looping_call(self.beat)
        self.poll = create_looping_call(self.poll_queue)
        self._slot: Any = None
        crawler.signals.connect(self.spider_idle, signal=signals.spider_idle)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> RedisScheduler:
        run = crawler.get_extension(DistributedRun)
        if run is None:
            raise NotConfigured("RedisScheduler needs the DistributedRun extension (REDIS_URL)")
        return cls(crawler, run)

    @property
    def shared(self) -> SharedRun:
        assert self.run.shared is not None
        return self.run.shared

    def open(self, spider: Spider) -> None:
        self.spider = spider
        self.run.join(spider)
        if not self.run.active:
            return
        self._hook_engine()
        self.heartbeat.start(max(0.2, self.run.lease / 4), now=False)
        self.poll.start(POLL_INTERVAL, now=False)

    def _hook_engine(self) -> None:
        """Acknowledge each request when the engine is done with it: the engine's slot
        (private in Scrapy) drops a request once its download, callback and items are all
        handled; the acknowledgement comes first, before the slot may close."""
        engine = self.crawler.engine
        slot = getattr(engine, "_slot", None)
        if slot is None or not hasattr(slot, "remove_request") or not hasattr(slot, "nextcall"):
            raise RuntimeError("this Scrapy's engine has no request slot to acknowledge from")
        remove = slot.remove_request

        def remove_request(request: Request) -> None:
            self.finished(request)
            remove(request)

        slot.remove_request = remove_request
        self._slot = slot

    def close(self, reason: str) -> None:
        for loop in (self.heartbeat, self.poll):
            if loop.running:
                loop.stop()
        shared = self.run.shared
        if shared is None or not self.run.joined:
            return
        left = self.unfinished + list(self.taken.values())
        failure = run_failure(self.crawler)
        status = (
            f"failed ({failure})"
            if failure
            else "finished"
            if self.run.ended
            else f"stopped ({reason})"
        )
        try:
            if left:
                moved = shared.requeue(left)
                logger.info("Put %d unfinished request(s) back in the shared queue", moved)
            shared.leave(status)
        except RedisError as error:
            logger.error(
                "Could not leave run %s cleanly (%s): its requests go back to the queue "
                "once this worker's lease expires",
                shared.run,
                error,
            )
        self.taken.clear()
        self.unfinished.clear()

    # The queue -----------------------------------------------------------------------------

    def has_pending_requests(self) -> bool:
        if not self.run.active:
            return False
        try:
            return self.shared.queued() > 0
        except RedisError as error:
            self.run.redis_failed(error)
            return False

    def enqueue_request(self, request: Request) -> bool:
        if not self.run.active:
            return False
        fingerprint = None if request.dont_filter else self.fingerprinter.fingerprint(request)
        payload = pickle.dumps(
            request.to_dict(spider=self.spider), protocol=pickle.HIGHEST_PROTOCOL
        )
        try:
            outcome = self.shared.enqueue(fingerprint, request.priority, payload)
        except RedisError as error:
            self.run.redis_failed(error)
            return False
        stats = self.crawler.stats
        if outcome == 1:
            stats.inc_value("scheduler/enqueued/redis")
            stats.inc_value("scheduler/enqueued")
        elif outcome == 0:
            stats.inc_value("dupefilter/filtered")
            if self.crawler.settings.getbool("DUPEFILTER_DEBUG"):
                logger.debug("Filtered duplicate request: %s", request)
        return outcome == 1

    def next_request(self) -> Request | None:
        if not self.run.active:
            return None
        try:
            member = self.shared.take()
        except LeaseLost as lost:
            self.run.lost(str(lost))
            return None
        except RedisError as error:
            self.run.redis_failed(error)
            return None
        if member is None:
            return None
        request = request_from_dict(pickle.loads(member[12:]), spider=self.spider)
        self.taken[request] = member
        self.waiting = False
        self.crawler.stats.inc_value("scheduler/dequeued/redis")
        self.crawler.stats.inc_value("scheduler/dequeued")
        return request

    def finished(self, request: Request) -> None:
        """The engine is done with `request`: acknowledge it, unless this worker failed
        (then it goes back to the queue when the worker closes)."""
        member = self.taken.pop(request, None)
        if member is None:
            return
        if not self.run.active or run_failure(self.crawler):
            self.unfinished.append(member)
            return
        try:
            self.shared.ack(member)
        except RedisError as error:
            self.unfinished.append(member)
            self.run.redis_failed(error)

    # Liveness and the end of the run --------------------------------------------------------

    def beat(self) -> None:
        """Renew this worker's lease, reap the workers whose lease expired, and put back in
        the queue what Redis holds in flight here that this worker no longer has (after a
        Redis restart that lost its acknowledgements)."""
        if not self.run.active:
            return
        shared = self.shared
        passes = getattr(self.spider, "listing_passes", {})
        extra = [key for listing in passes.values() for key in getattr(listing, "keys", ())]
        try:
            shared.heartbeat(extra)
            self.reap()
            stale = shared.in_flight_here() - set(self.taken.values())
            if stale:
                shared.requeue(stale)
        except LeaseLost as lost:
            self.run.lost(str(lost))
        except RedisError as error:
            self.run.redis_failed(error)

    def reap(self) -> None:
        """Reap the workers whose lease expired (raises RedisError)."""
        for worker, (moved, doubts) in self.shared.reap().items():
            logger.warning(
                "Worker %s stopped renewing its lease: %d of its request(s) went back to the "
                "queue%s",
                worker,
                moved,
                f"; it was writing {doubts} article(s) (exported again by another worker, and "
                "taken out of its files when its state folder is used again)"
                if doubts
                else "",
            )

    def poll_queue(self) -> None:
        """An idle worker looks for new requests (the engine itself looks every 5 s)."""
        if self.run.active and self._slot is not None and not self._slot.inprogress:
            self._slot.nextcall.schedule()

    def spider_idle(self, spider: Spider) -> None:
        """Keep an idle worker until the run ends: queue empty, nothing in flight anywhere."""
        if not self.run.active:
            return
        shared = self.shared
        try:
            self.reap()
            ended = shared.try_end()
        except RedisError as error:
            self.run.redis_failed(error)
            return
        if ended:
            self.run.ended = True
            self.run.active = False
            logger.info(
                "Run %s ended: its queue is empty and no worker has a request in flight",
                shared.run,
            )
            return
        if not self.waiting:
            self.waiting = True
            logger.info("Shared queue empty: waiting for the other workers' requests")
        raise DontCloseSpider
