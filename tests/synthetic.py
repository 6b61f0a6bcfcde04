"""Crawls of the synthetic site (bench/site.py) in processes of their own, as cron runs them:
`scrapy crawl` with the project's settings, started, signalled and read back."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

from bench.site import SyntheticSite
from edunews_scraper.state import complete_lines
from tests.conftest import ROOT

SPIDER_MODULE = "tests.faultsite.sitespider"  # with the project's root on PYTHONPATH
#: A crawl slow enough to be stopped half-way (about 30 pages a second).
SLOW = (
    "-s",
    "DOWNLOAD_DELAY=0.03",
    "-s",
    "RANDOMIZE_DOWNLOAD_DELAY=False",
    "-s",
    "CONCURRENT_REQUESTS=1",
)


def environment() -> dict[str, str]:
    return {
        **os.environ,
        "SCRAPY_SETTINGS_MODULE": "edunews_scraper.settings",
        "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")])),
    }


def command(base: str, output: str, *args: str) -> list[str]:
    """`scrapy crawl` of the synthetic site's spider, articles to `output`."""
    return [
        sys.executable,
        "-m",
        "scrapy",
        "crawl",
        "synthetic",
        "-s",
        f"SPIDER_MODULES={SPIDER_MODULE}",
        "-a",
        f"base={base}",
        "-o",
        output,
        "-s",
        "AUTOTHROTTLE_ENABLED=False",
        "-s",
        "ROBOTSTXT_OBEY=False",
        "-s",
        "DOWNLOAD_DELAY=0",
        "-s",
        "CONCURRENT_REQUESTS=4",
        "-s",
        "EDUNEWS_MAX_PAGES=1000",
        "-s",
        "SPIDERMON_ENABLED=False",
        "-s",
        "STATS_DUMP=True",
        *args,
    ]


def listed(site: SyntheticSite, category: int = 0) -> set[str]:
    """The URLs of the articles a category of the site lists now."""
    content = site.content
    return {
        site.base + content.article_path(n)
        for n in content.visible
        if content.category_of(n) == category
    }


def run(folder: Path, base: str, output: str, *args: str, timeout: float = 120):
    """A crawl run to its end."""
    return subprocess.run(
        command(base, output, *args),
        cwd=folder,
        env=environment(),
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


def articles(folder: Path, pattern: str = "runs/*[0-9].jsonl") -> Counter[str]:
    """How many times each article URL is in the complete lines of the runs' outputs."""
    return Counter(
        record["url"] for path in sorted(folder.glob(pattern)) for record in complete_lines(path)
    )


def interrupt(
    folder: Path, base: str, output: str, after: int, how: signal.Signals, *args: str
) -> tuple[int, str]:
    """Start a crawl, send it `how` once `after` more articles are out, wait for it to end;
    its exit status and log."""
    before = sum(articles(folder).values())
    log = folder / f"{Path(output).stem}.log"
    with log.open("w") as stderr:
        process = subprocess.Popen(
            command(base, output, *SLOW, *args),
            cwd=folder,
            env=environment(),
            stdout=subprocess.DEVNULL,
            stderr=stderr,
        )
        deadline = time.monotonic() + 60
        while process.poll() is None and time.monotonic() < deadline:
            if sum(articles(folder).values()) >= before + after:
                break
            time.sleep(0.01)
        assert process.poll() is None, f"the crawl ended before {after} articles: {log}"
        process.send_signal(how)
        status = process.wait(timeout=60)
    return status, log.read_text()
