"""One crawl of the synthetic site, in a process of its own (a Twisted reactor cannot be
restarted, and peak RSS is a process's own).

    python -m bench.crawl BASE OUT_DIR {full,bare} [--concurrency N] [-s NAME=VALUE ...]
                          [--profile FILE] [--trace-memory]

`full` is the giaoducthoidai spider with every pipeline, the feeds, the crawl state and the
web archive on (as a live crawl runs); `bare` follows the same links with a callback that
yields nothing and no archive (Scrapy's own cost).
Both run with AutoThrottle, robots.txt and download delay off. Prints one JSON object:
crawl seconds (spider opened to closed), CPU seconds, pages, articles, rejects, peak RSS, and
with `--trace-memory` the memory held at the end, state and other (bench/growth.py).
"""

from __future__ import annotations

import argparse
import cProfile
import json
import os
import re
import resource
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from scrapy.crawler import CrawlerProcess
from scrapy.http import Response
from scrapy.utils.project import get_project_settings

from bench.growth import STAT as HELD_STAT
from bench.growth import HeldMemory
from bench.site import CATEGORIES
from edunews_scraper.items import RawArticle, Reject
from edunews_scraper.spiders.giaoducthoidai import GiaoducthoidaiSpider


class SiteSpider(GiaoducthoidaiSpider):
    """The giaoducthoidai spider, pointed at the synthetic site (`-a base=http://...`)."""

    name = "bench_site"
    allowed_domains = ["127.0.0.1"]
    article_url_pattern = re.compile(r"/[\w-]+-post\d+\.html$")

    def __init__(self, base: str = "", **kwargs: Any) -> None:
        self.categories = {slug: f"{base}/{slug}/" for slug in CATEGORIES}
        super().__init__(**kwargs)


class BareSpider(SiteSpider):
    """Follows the same listing pages and articles; an article page yields nothing."""

    name = "bench_bare"

    def parse_article(self, response: Response) -> Iterator[RawArticle | Reject]:
        return iter(())


SPIDERS = {"full": SiteSpider, "bare": BareSpider}


def crawl_settings(out: Path, concurrency: int, mode: str = "full") -> dict[str, Any]:
    """The benchmark's overrides of the project settings."""
    return {
        "EDUNEWS_ARCHIVE": str(out / "archive.warc.gz") if mode == "full" else "",
        "AUTOTHROTTLE_ENABLED": False,
        "ROBOTSTXT_OBEY": False,
        "DOWNLOAD_DELAY": 0,
        "CONCURRENT_REQUESTS": concurrency,
        "CONCURRENT_REQUESTS_PER_DOMAIN": concurrency,
        "EDUNEWS_MAX_PAGES": 10**9,
        "FEEDS": {str(out / "articles.jsonl"): {"format": "jsonlines", "encoding": "utf-8"}},
        "EDUNEWS_REJECTS_URI": str(out / "rejects.jsonl"),
        "EDUNEWS_STATE_DIR": str(out / "state"),
        "LOG_FILE": str(out / "crawl.log"),
    }


def _cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def crawl(
    base: str,
    out: Path,
    mode: str,
    concurrency: int,
    overrides: dict[str, str],
    profile: Path | None = None,
    trace_memory: bool = False,
) -> dict:
    """Run the crawl (project settings, then the benchmark's, then `overrides`); its figures."""
    out.mkdir(parents=True, exist_ok=True)
    settings = get_project_settings()
    settings.setdict({**crawl_settings(out, concurrency, mode), **overrides}, priority="cmdline")
    if trace_memory:
        extensions = {**settings.getdict("EXTENSIONS"), HeldMemory: 900}
        settings.set("EXTENSIONS", extensions, priority="cmdline")
    process = CrawlerProcess(settings)
    crawler = process.create_crawler(SPIDERS[mode])
    process.crawl(crawler, base=base)
    profiler = cProfile.Profile() if profile else None
    cpu_before = _cpu_seconds()
    started = time.perf_counter()
    if profiler:
        profiler.enable()
    process.start()
    if profiler:
        profiler.disable()
        profiler.dump_stats(profile)
    wall = time.perf_counter() - started
    cpu = _cpu_seconds() - cpu_before
    stats = crawler.stats.get_stats()
    return {
        "mode": mode,
        "seconds": stats.get("elapsed_time_seconds", wall),
        "wall_seconds": wall,
        "cpu_seconds": cpu,
        "pages": stats.get("response_received_count", 0),
        "articles": stats.get("edunews/articles", 0),
        "rejects": stats.get("edunews/rejects", 0),
        "finish_reason": stats.get("finish_reason", ""),
        "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        "held_bytes": stats.get(HELD_STAT),
    }


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("base", help="the synthetic site, http://127.0.0.1:PORT")
    parser.add_argument("out", type=Path, help="folder for the feeds, state and log")
    parser.add_argument("mode", choices=sorted(SPIDERS))
    parser.add_argument("--concurrency", type=int, default=64)
    parser.add_argument(
        "-s", "--set", action="append", default=[], metavar="NAME=VALUE", help="a setting"
    )
    parser.add_argument("--profile", type=Path, help="write cProfile stats of the crawl here")
    parser.add_argument(
        "--trace-memory", action="store_true", help="report the memory held at the end"
    )
    args = parser.parse_args(argv)
    os.environ.setdefault("SCRAPY_SETTINGS_MODULE", "edunews_scraper.settings")
    overrides = dict(item.split("=", 1) for item in args.set)
    result = crawl(
        args.base, args.out, args.mode, args.concurrency, overrides, args.profile, args.trace_memory
    )
    json.dump(result, sys.stdout)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
