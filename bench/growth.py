"""What a crawl keeps in memory as it grows, for the goal "memory flat in crawl size apart from
the state": the memory a crawl holds once nothing is in flight (the spider idle, about to
close), traced with tracemalloc and split into the crawl's state and everything else. Two
crawls of different sizes give the growth per article.

The state is Scrapy's duplicate filter (a request fingerprint per URL, made in
`scrapy/utils/request.py` and kept in `scrapy/dupefilters.py`) and our crawl state
(`edunews_scraper/state.py`). Enabled by `bench.crawl --trace-memory`.
"""

from __future__ import annotations

import tracemalloc

from scrapy import signals
from scrapy.crawler import Crawler

STATE_SOURCES = ("scrapy/dupefilters.py", "scrapy/utils/request.py", "edunews_scraper/state.py")
STAT = "bench/held_bytes"


def split_held(snapshot: tracemalloc.Snapshot) -> dict[str, int]:
    """Bytes held by allocations made in the state's sources, and by all others."""
    state = other = 0
    for statistic in snapshot.statistics("filename"):
        filename = statistic.traceback[0].filename.replace("\\", "/")
        if filename.endswith(STATE_SOURCES):
            state += statistic.size
        else:
            other += statistic.size
    return {"state": state, "other": other}


def growth_per_article(
    small: dict[str, int], large: dict[str, int], articles: int
) -> dict[str, int]:
    """Bytes an article adds to the state and to everything else, from the memory held by two
    crawls `articles` articles apart."""
    return {key: round((large[key] - small[key]) / articles) for key in ("state", "other")}


class HeldMemory:
    """Scrapy extension: traces allocations from the spider's start and, each time the spider
    goes idle (nothing in flight), sets the stat `bench/held_bytes` to what is held."""

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        crawler.signals.connect(self.spider_opened, signals.spider_opened)
        crawler.signals.connect(self.spider_idle, signals.spider_idle)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> HeldMemory:
        return cls(crawler)

    def spider_opened(self) -> None:
        tracemalloc.start()

    def spider_idle(self) -> None:
        assert self.crawler.stats is not None
        self.crawler.stats.set_value(STAT, split_held(tracemalloc.take_snapshot()))
