"""Shared test helpers: the project root, its fixtures, and an offline crawl runner."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from edunews_scraper.fixtures import find_fixtures

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "fixtures"


def read_jsonl(path: Path) -> list[dict]:
    """Every line of a JSON Lines file, parsed."""
    return [json.loads(line) for line in path.read_text("utf-8").splitlines() if line.strip()]


#: Settings that bring Scrapy's dump of every counter back into the log (off by default: a
#: crawl ends with a short summary), for tests that read counters from the log.
STATS_DUMP = ("-s", "STATS_DUMP=True")


def reachable(spider: str) -> tuple[dict[str, dict], set[str]]:
    """(expected article by URL, URLs expected as rejects) for a replay of `spider`: what its
    listing fixtures link to and is saved as an article page. (Linked pages that are not saved
    are not fetched: see `not_saved`.)"""
    fixtures = find_fixtures(FIXTURES, spider)
    linked = {url for f in fixtures if f.kind == "listings" for url in f.expected()["articles"]}
    saved = {f.url: f.expected() for f in fixtures if f.kind == "articles"}
    articles = {url: saved[url] for url in linked if url in saved and "reason" not in saved[url]}
    return articles, {url for url in linked if url in saved} - set(articles)


def not_saved(spider: str) -> set[str]:
    """The pages a replay of `spider` asks for that are not saved: category pages, and the
    articles and next listing pages its listing fixtures link to."""
    from edunews_scraper.offline import spider_class

    listings = [f.expected() for f in find_fixtures(FIXTURES, spider) if f.kind == "listings"]
    linked = {url for listing in listings for url in listing["articles"]}
    linked |= set(spider_class(spider).categories.values())
    linked |= {listing["next_page"] for listing in listings if listing["next_page"]}
    return linked - {f.url for f in find_fixtures(FIXTURES, spider)}


def rejects_of(articles_file: Path) -> Path:
    """The rejects file of a run whose articles went to `articles_file`."""
    return articles_file.parent / "rejects" / f"{articles_file.stem}.jsonl"


def run_scrapy(args: list[str], cwd: Path, timeout: int = 300) -> subprocess.CompletedProcess:
    """`scrapy ARGS` in a fresh process, with the project's settings, from `cwd`."""
    env = {**os.environ, "SCRAPY_SETTINGS_MODULE": "edunews_scraper.settings"}
    return subprocess.run(
        [sys.executable, "-m", "scrapy", *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


@pytest.fixture
def scrapy_cli(tmp_path: Path) -> Callable[..., subprocess.CompletedProcess]:
    """Run `scrapy` in a temporary folder (so its default `data/` output lands there)."""
    return lambda *args, timeout=300: run_scrapy(list(args), tmp_path, timeout)
