"""Crawls of the synthetic site, each in a subprocess (`bench.crawl`), and `scrapy bench`."""

from __future__ import annotations

import json
import os
import re
import statistics
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

from bench.site import SyntheticSite

ROOT = Path(__file__).resolve().parents[1]


@dataclass
class CrawlResult:
    mode: str  # "full" or "bare"
    articles_on_site: int
    seconds: float  # spider opened -> closed
    cpu_seconds: float  # CPU time of the crawling process, from the start of the crawl
    pages: int
    articles: int  # exported
    peak_rss_mb: float
    held_bytes: dict[str, int] | None = None  # bench/growth.py, when traced

    @property
    def pages_per_minute(self) -> float:
        return 60 * self.pages / self.seconds


def _timeout(articles: int) -> float:
    return 300 + 0.1 * articles


def run_crawl(
    articles: int,
    mode: str,
    folder: Path,
    overrides: dict[str, str] | None = None,
    concurrency: int = 64,
    profile: Path | None = None,
    trace_memory: bool = False,
) -> CrawlResult:
    """Serve a site of `articles` articles and crawl it once in a fresh process. Fails unless
    the crawl fetched every page (and, in `full` mode, exported every article)."""
    timeout = _timeout(articles)
    with SyntheticSite(articles, lifetime=timeout + 60) as site:
        command = [sys.executable, "-m", "bench.crawl", site.base, str(folder), mode]
        command += ["--concurrency", str(concurrency)]
        for name, value in (overrides or {}).items():
            command += ["-s", f"{name}={value}"]
        if profile is not None:
            command += ["--profile", str(profile)]
        if trace_memory:
            command += ["--trace-memory"]
        env = {**os.environ, "SCRAPY_SETTINGS_MODULE": "edunews_scraper.settings"}
        done = subprocess.run(
            command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=timeout
        )
    if done.returncode != 0:
        raise RuntimeError(f"{mode} crawl failed:\n{done.stderr[-3000:]}")
    figures = json.loads(done.stdout.strip().splitlines()[-1])
    expected_pages = site.content.pages
    if figures["pages"] != expected_pages or (mode == "full" and figures["articles"] != articles):
        raise RuntimeError(
            f"{mode} crawl of {articles} articles incomplete: {figures} "
            f"(expected {expected_pages} pages); see {folder / 'crawl.log'}"
        )
    return CrawlResult(
        mode=mode,
        articles_on_site=articles,
        seconds=figures["seconds"],
        cpu_seconds=figures["cpu_seconds"],
        pages=figures["pages"],
        articles=figures["articles"],
        peak_rss_mb=figures["peak_rss_mb"],
        held_bytes=figures.get("held_bytes"),
    )


_RATE = re.compile(r"Crawled \d+ pages \(at (\d+) pages/min\)")


def scrapy_bench(seconds: int) -> float:
    """`scrapy bench`'s pages/min (the median of its per-interval rates after the first), run
    outside the project so that Scrapy's defaults apply, as everywhere else it is quoted."""
    env = {k: v for k, v in os.environ.items() if k != "SCRAPY_SETTINGS_MODULE"}
    with tempfile.TemporaryDirectory() as folder:
        done = subprocess.run(
            [sys.executable, "-m", "scrapy", "bench", "-s", f"CLOSESPIDER_TIMEOUT={seconds}"],
            cwd=folder,
            env=env,
            capture_output=True,
            text=True,
            timeout=seconds + 120,
        )
    rates = [int(rate) for rate in _RATE.findall(done.stderr)][1:]
    if done.returncode != 0 or not rates:
        raise RuntimeError(f"scrapy bench failed:\n{done.stderr[-3000:]}")
    return statistics.median(rates)
