"""Distributed crawling on scrapy-redis: N worker processes (on N machines) split one crawl.

`RedisCrawl` is a Scrapy add-on that does nothing unless `REDIS_URL` is set (as a setting or
in the environment). With it, every worker of a spider shares one request queue and one
duplicate filter in Redis, under the keys

    edunews:<spider>[:<run>]:requests     a sorted set of pickled requests, by priority
    edunews:<spider>[:<run>]:dupefilter   a set of 20-byte request fingerprints

so a request any worker has scheduled is never scheduled again by another, and each worker
takes its next request from the shared queue. Everything downstream of the scheduler (spider
callbacks, pipelines, feeds, crawl state, replay) runs in each worker as in a single process:
each worker writes its own feed files and keeps its own crawl state. Requests are popped from
the queue, not acknowledged: those a killed worker had taken are lost to its run.

Runs. `EDUNEWS_REDIS_RUN` (a setting or environment variable; letters, digits, `.`, `_`, `-`)
names the run all workers share: workers given the same run id cooperate, a new run id
starts afresh. Without one, the spider's keys are shared by whatever runs use them: the
keys are kept while any worker runs and expire `EDUNEWS_REDIS_TTL` seconds (default 600)
after the last one stopped, so a run started later than that starts afresh, while one started
sooner finds the previous run's fingerprints and skips every page it already fetched.
Scheduled runs closer together than that pass a run id (e.g. `EDUNEWS_REDIS_RUN=$(date +%F)`
for a daily crawl). The expiry also bounds Redis's memory: only live runs keep fingerprints.

Stopping. A worker stops by itself once the shared queue has stayed empty, and it has had
nothing in flight, for `EDUNEWS_REDIS_IDLE_TIMEOUT` seconds (default 60; checked at Scrapy's
5-second heartbeat), so a worker that joins late or finishes early never idles forever.

scrapy-redis 0.9.1 with Scrapy 2.19, fixed here by subclassing:
- its scheduler passes `spider=` to the stats collector and calls `Spider.log()` (both
  deprecated in Scrapy 2.19), and unless SCHEDULER_PERSIST it deletes the shared queue and
  fingerprints when any one worker closes (this add-on sets SCHEDULER_PERSIST);
- its dupefilter hashes requests itself (40 hex characters), ignoring Scrapy's
  `REQUEST_FINGERPRINTER_CLASS`, and never counts `dupefilter/filtered`.
Its `RedisSpider` (start URLs pushed to Redis) is not used: our spiders keep their `start()`,
whose requests the shared filter lets through once per run.
"""

from __future__ import annotations

import logging
import os
import re
import time
from typing import Any

from redis import Redis
from scrapy import Request, Spider, signals
from scrapy.crawler import Crawler
from scrapy.exceptions import DontCloseSpider
from scrapy.settings import BaseSettings
from scrapy.utils.asyncio import create_looping_call
from scrapy.utils.misc import load_object
from scrapy.utils.request import RequestFingerprinterProtocol
from scrapy_redis.connection import get_redis_from_settings
from scrapy_redis.dupefilter import RFPDupeFilter
from scrapy_redis.scheduler import Scheduler

logger = logging.getLogger(__name__)

KEY_PREFIX = "edunews"
RUN_ID = re.compile(r"[\w.-]+", re.ASCII)
DEFAULT_IDLE_TIMEOUT = 60
DEFAULT_TTL = 600


def _setting_or_env(settings: BaseSettings, name: str) -> str:
    """A setting's value, else the environment variable of the same name, else ""."""
    return str(settings.get(name) or os.environ.get(name) or "").strip()


class RedisCrawl:
    """Add-on: run spiders on a shared Redis queue and duplicate filter when `REDIS_URL` is set.

    Its settings are set at add-on priority, so the project or the command line still
    overrides any of them (e.g. SCHEDULER_QUEUE_CLASS)."""

    def update_settings(self, settings: BaseSettings) -> None:
        url = _setting_or_env(settings, "REDIS_URL")
        if not url:
            return
        run = _setting_or_env(settings, "EDUNEWS_REDIS_RUN")
        if run and not RUN_ID.fullmatch(run):
            raise ValueError(f"EDUNEWS_REDIS_RUN {run!r}: use letters, digits, '.', '_', '-'")
        prefix = f"{KEY_PREFIX}:%(spider)s" + (f":{run}" if run else "")
        for name, value in {
            "REDIS_URL": url,
            "SCHEDULER": f"{__name__}.RedisScheduler",
            "DUPEFILTER_CLASS": f"{__name__}.RedisDupeFilter",
            "SCHEDULER_QUEUE_KEY": f"{prefix}:requests",
            "SCHEDULER_DUPEFILTER_KEY": f"{prefix}:dupefilter",
            # Other workers may still be running when one closes: never flush on close.
            "SCHEDULER_PERSIST": True,
        }.items():
            settings.set(name, value, priority="addon")


class RedisDupeFilter(RFPDupeFilter):
    """The shared filter of seen requests, fingerprinted by Scrapy's request fingerprinter
    (20 bytes each, as Scrapy's own filter), counted in `dupefilter/filtered`."""

    def __init__(
        self,
        server: Redis,
        key: str,
        debug: bool = False,
        *,
        crawler: Crawler,
    ) -> None:
        super().__init__(server, key, debug)
        self.crawler = crawler
        assert crawler.request_fingerprinter is not None
        self.fingerprinter: RequestFingerprinterProtocol = crawler.request_fingerprinter

    @classmethod
    def from_spider(cls, spider: Spider) -> RedisDupeFilter:
        settings = spider.settings
        return cls(
            get_redis_from_settings(settings),
            key=settings["SCHEDULER_DUPEFILTER_KEY"] % {"spider": spider.name},
            debug=settings.getbool("DUPEFILTER_DEBUG"),
            crawler=spider.crawler,
        )

    def request_fingerprint(self, request: Request) -> bytes:  # type: ignore[override]
        return self.fingerprinter.fingerprint(request)

    def log(self, request: Request, spider: Spider) -> None:
        super().log(request, spider)
        self.crawler.stats.inc_value("dupefilter/filtered")


class RedisScheduler(Scheduler):
    """scrapy-redis's scheduler, plus: the worker stops once the shared queue has stayed empty
    for `EDUNEWS_REDIS_IDLE_TIMEOUT` seconds, and the run's keys expire `EDUNEWS_REDIS_TTL`
    seconds after the last worker stopped (each worker renews them while it runs)."""

    crawler: Crawler
    spider: Spider
    queue: Any
    df: RedisDupeFilter
    idle_timeout: float
    ttl: int
    keepalive: Any
    #: When the worker was first seen idle since it last took a request.
    idle_since: float | None = None

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> RedisScheduler:
        scheduler: RedisScheduler = cls.from_settings(crawler.settings)
        scheduler.crawler = crawler
        scheduler.idle_timeout = crawler.settings.getfloat(
            "EDUNEWS_REDIS_IDLE_TIMEOUT", DEFAULT_IDLE_TIMEOUT
        )
        scheduler.ttl = crawler.settings.getint("EDUNEWS_REDIS_TTL", DEFAULT_TTL)
        if scheduler.ttl < 1:
            raise ValueError(f"EDUNEWS_REDIS_TTL must be 1 or more, not {scheduler.ttl}")
        scheduler.keepalive = create_looping_call(scheduler.renew_keys)
        crawler.signals.connect(scheduler.spider_idle, signal=signals.spider_idle)
        return scheduler

    def open(self, spider: Spider) -> None:
        # As scrapy-redis's, without its call of the deprecated `Spider.log()`.
        self.spider = spider
        self.queue = load_object(self.queue_cls)(
            server=self.server,
            spider=spider,
            key=self.queue_key % {"spider": spider.name},
            serializer=self.serializer,
        )
        if self.df is None:
            self.df = load_object(self.dupefilter_cls).from_spider(spider)
        if self.flush_on_start:
            self.flush()
        queued, seen = len(self.queue), self.server.scard(self.df.key)
        logger.info(
            "Shared Redis queue %s (%d requests) and dupefilter %s (%d seen)",
            self.queue.key,
            queued,
            self.df.key,
            seen,
            extra={"spider": spider},
        )
        if seen and not queued:
            logger.warning(
                "Joining a run that has seen %d requests and has none queued: pages it saw "
                "are skipped. To start a new crawl, set another EDUNEWS_REDIS_RUN.",
                seen,
                extra={"spider": spider},
            )
        self.keepalive.start(max(1.0, self.ttl / 4), now=True)

    def close(self, reason: str) -> None:
        if self.keepalive.running:
            self.keepalive.stop()
        self.renew_keys()
        super().close(reason)
        self.df.server.close()
        self.server.close()

    def renew_keys(self) -> None:
        """Expire the run's keys `ttl` seconds from now (keys not yet created are skipped)."""
        with self.server.pipeline(transaction=False) as pipe:
            pipe.expire(self.queue.key, self.ttl)
            pipe.expire(self.df.key, self.ttl)
            pipe.execute()

    def enqueue_request(self, request: Request) -> bool:
        if not request.dont_filter and self.df.request_seen(request):
            self.df.log(request, self.spider)
            return False
        self.queue.push(request)
        self.crawler.stats.inc_value("scheduler/enqueued/redis")
        return True

    def next_request(self) -> Request | None:
        request = self.queue.pop(self.idle_before_close)
        if request is not None:
            self.idle_since = None
            self.crawler.stats.inc_value("scheduler/dequeued/redis")
        return request

    def spider_idle(self, spider: Spider) -> None:
        """Keep an idle worker open, polling the shared queue, until it has been empty for
        `idle_timeout` seconds."""
        now = time.monotonic()
        if self.idle_since is None:
            self.idle_since = now
            logger.info(
                "Shared queue empty: stopping unless new requests come within %g s",
                self.idle_timeout,
                extra={"spider": spider},
            )
        if now - self.idle_since < self.idle_timeout:
            raise DontCloseSpider
        logger.info(
            "Shared queue empty for %.0f s: worker stops",
            now - self.idle_since,
            extra={"spider": spider},
        )
