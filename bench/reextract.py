"""Re-extraction speed: `scrapy reextract`'s engine (every core) over the bench archive
(bench/archive.py), beside `trafilatura.extract(..., with_metadata=True)` in one process on
the same archived pages.

Both read the pages from the archives (a record's gzip member, then the page's own gzip
encoding). Figures are wall-clock pages a second over the same pages, measured one after the
other in one run; the CPU time each spends on a page is reported beside them, since other
load on a shared machine moves wall-clock figures.
"""

from __future__ import annotations

import time
import zlib
from dataclasses import dataclass
from pathlib import Path

import trafilatura
from scrapy.utils.project import get_project_settings

from bench.archive import ArchiveBuild, build
from edunews_scraper.archive import read_responses
from edunews_scraper.reextraction import reextract


@dataclass
class ReextractResult:
    pages: int
    articles: int
    mean_page_kb: float
    above_300_kb: int  # pages of real-structure fixtures heavier than the 200-300 KB range
    jobs: int
    seconds: float  # wall clock, every spider's archive, worker start-up included
    cpu_seconds: float  # the workers' CPU time
    trafilatura_pages: int
    trafilatura_seconds: float
    trafilatura_cpu_seconds: float

    @property
    def pages_per_second(self) -> float:
        return self.pages / self.seconds

    @property
    def trafilatura_pages_per_second(self) -> float:
        return self.trafilatura_pages / self.trafilatura_seconds

    @property
    def over_trafilatura(self) -> float:
        return self.pages_per_second / self.trafilatura_pages_per_second


def _page(body: bytes, headers: dict[bytes, list[bytes]]) -> bytes:
    encoded = b"gzip" in b" ".join(headers.get(b"Content-Encoding", []))
    return zlib.decompress(body, zlib.MAX_WBITS | 16) if encoded else body


def trafilatura_pass(built: ArchiveBuild, limit: int | None = None) -> tuple[int, float, float]:
    """(pages, wall seconds, CPU seconds) of trafilatura on the archived pages."""
    pages, wall, cpu = 0, time.perf_counter(), time.process_time()
    for path in built.archives.values():
        for archived in read_responses(path):
            if limit is not None and pages >= limit:
                break
            trafilatura.extract(
                _page(archived.body, archived.headers), url=archived.url, with_metadata=True
            )
            pages += 1
    return pages, time.perf_counter() - wall, time.process_time() - cpu


def measure(pages: int, work: Path, jobs: int = 2) -> ReextractResult:
    """Build an archive of `pages` pages in `work` and time both over it."""
    built = build(work / "archive", pages)
    settings = get_project_settings()
    read = articles = 0
    seconds = cpu = 0.0
    for spider, path in built.archives.items():
        summary = reextract(spider, [path], work / f"{spider}.jsonl", settings, jobs, False)
        read += summary.pages
        articles += summary.articles
        seconds += summary.seconds
        cpu += summary.cpu_seconds
    if read != built.total_pages:
        raise RuntimeError(f"reextract read {read} of the archive's {built.total_pages} pages")
    traf_pages, traf_seconds, traf_cpu = trafilatura_pass(built)
    return ReextractResult(
        pages=read,
        articles=articles,
        mean_page_kb=built.mean_page_kb,
        above_300_kb=built.above_range,
        jobs=jobs,
        seconds=seconds,
        cpu_seconds=cpu,
        trafilatura_pages=traf_pages,
        trafilatura_seconds=traf_seconds,
        trafilatura_cpu_seconds=traf_cpu,
    )
