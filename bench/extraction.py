"""Extraction speed: every article fixture of every spider through the spider's callback and
the item pipelines (`OfflineRunner`), beside `lxml.html` parsing the same bytes and nothing
else (the floor) and `trafilatura.extract(..., with_metadata=True)` on the same pages.

Times are CPU times of this process (`time.process_time`), the best of several passes, the
three methods' passes interleaved: other load on the machine then skews neither side.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import lxml.html
import trafilatura

from edunews_scraper.fixtures import Fixture, find_fixtures
from edunews_scraper.items import Article
from edunews_scraper.offline import OfflineRunner, spider_class

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"


@dataclass
class ExtractionResult:
    pages: int
    articles: int  # pages that became an Article (the rest became Rejects)
    spider_seconds: float  # one pass over every page, the best of the passes
    lxml_seconds: float
    trafilatura_seconds: float

    @property
    def articles_per_second(self) -> float:
        return self.pages / self.spider_seconds

    @property
    def extract_over_lxml(self) -> float:
        return self.spider_seconds / self.lxml_seconds

    @property
    def trafilatura_over_extract(self) -> float:
        return self.trafilatura_seconds / self.spider_seconds


def article_fixtures(root: Path = FIXTURES) -> list[Fixture]:
    """Every saved article page of every spider."""
    return [fixture for fixture in find_fixtures(root) if fixture.kind == "articles"]


def measure(passes: int = 10, root: Path = FIXTURES) -> ExtractionResult:
    """Time `passes` passes of each method over every article fixture (trafilatura, being
    slow, a third as many); keep each method's best pass."""
    fixtures = article_fixtures(root)
    runners = {name: OfflineRunner(spider_class(name)) for name in {f.spider for f in fixtures}}
    parsers: dict[str, lxml.html.HTMLParser] = {}
    pages = []  # (fixture, body, a parser for its encoding)
    for fixture in fixtures:
        encoding = fixture.response().encoding
        parser = parsers.setdefault(encoding, lxml.html.HTMLParser(encoding=encoding))
        pages.append((fixture, fixture.html_path.read_bytes(), parser))
    articles = 0

    def spider_pass() -> float:
        nonlocal articles
        # Fresh responses each pass: a response caches its parsed tree.
        responses = [(runners[fixture.spider], fixture.response()) for fixture in fixtures]
        started = time.process_time()
        items = [runner.article(response) for runner, response in responses]
        elapsed = time.process_time() - started
        articles = sum(isinstance(item, Article) for item in items)
        return elapsed

    def lxml_pass() -> float:
        started = time.process_time()
        for _, body, parser in pages:
            lxml.html.document_fromstring(body, parser=parser)
        return time.process_time() - started

    def trafilatura_pass() -> float:
        started = time.process_time()
        for fixture, body, _ in pages:
            trafilatura.extract(body, url=fixture.url, with_metadata=True)
        return time.process_time() - started

    timings: dict[Callable[[], float], list[float]] = {
        spider_pass: [],
        lxml_pass: [],
        trafilatura_pass: [],
    }
    for method in timings:
        method()  # warm-up: imports, caches, compiled selectors
    for round_ in range(passes):
        for method, times in timings.items():
            if method is not trafilatura_pass or round_ % 3 == 0:
                times.append(method())
    return ExtractionResult(
        pages=len(fixtures),
        articles=articles,
        spider_seconds=min(timings[spider_pass]),
        lxml_seconds=min(timings[lxml_pass]),
        trafilatura_seconds=min(timings[trafilatura_pass]),
    )
