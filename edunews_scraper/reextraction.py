"""Re-extraction: the article pages of web archives through a spider's article path and the
item pipelines again, on every core, without the crawl engine.

A page goes the way it went in the crawl from the moment it was downloaded: the downloader
middlewares' `process_response` (content decoding, charset repair, ...), the spider's
`parse_article`, every item pipeline, and the feed's JSON text. The output is the crawl's:
the same ids, a new `content_hash` where the extraction now reads the page differently.

Which pages: the response records fetched for `parse_article` (archives written by other
tools, which do not say, are judged by `NewsSpider.article_evidence`) on the spider's
domains. A page answered with an HTTP error becomes the crawl's reject (`download failed:
HTTP 404`) unless the same archive (the same run) holds a later answer for it (a retry);
redirects are left to the page they lead to, which the crawl archived under its own URL.

Work is split into byte ranges of the archives (each record is a gzip member of its own, so a
range starts at the first record after its first byte) and spread over a process pool; the
output keeps the archives' order.
"""

from __future__ import annotations

import multiprocessing
import os
import time
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any
from urllib.parse import urlsplit

from scrapy import Request
from scrapy.core.downloader.middleware import DownloaderMiddlewareManager
from scrapy.http import Response
from scrapy.settings import Settings
from tqdm import tqdm

from edunews_scraper.archive import ArchivedResponse, archive_files, member_start, read_responses
from edunews_scraper.exporters import json_text
from edunews_scraper.feeds import rejects_beside
from edunews_scraper.items import Article, Reject
from edunews_scraper.offline import OfflineRunner, spider_class
from edunews_scraper.parsing.vn_datetime import VN_TZ

#: Bytes of archive per unit of work: at most about 90 real-size pages, at least about 10,
#: and small enough to give every worker four.
RANGE_BYTES = (1 << 20, 8 << 20)


@dataclass(frozen=True)
class Task:
    """The records of `path` that begin in bytes [`start`, `end`) (`end` None: to its end)."""

    path: Path
    start: int
    end: int | None
    size: int  # bytes of archive the task covers, for the progress bar


@dataclass
class Outcome:
    """What one task made: feed lines in archive order, and what it left aside."""

    articles: list[str] = field(default_factory=list)
    rejects: list[str] = field(default_factory=list)
    #: URL -> reject line of article pages answered with an HTTP error (see `Merger`).
    failed: dict[str, str] = field(default_factory=dict)
    #: URLs of article pages that were answered (2xx).
    answered: set[str] = field(default_factory=set)
    aside: Counter[str] = field(default_factory=Counter)
    pages: int = 0
    cpu_seconds: float = 0.0  # of the process that did the task


def plan(files: list[Path], jobs: int = 1) -> list[Task]:
    """The tasks covering every record of `files`, in file order."""
    total = sum(path.stat().st_size for path in files)
    range_bytes = min(max(total // (4 * jobs), RANGE_BYTES[0]), RANGE_BYTES[1])
    tasks = []
    for path in files:
        size = path.stat().st_size
        starts = [0]
        if path.name.endswith(".gz"):
            with path.open("rb") as file:
                position = range_bytes
                while position < size:
                    found = member_start(file, position, size)
                    if found is None:
                        break
                    starts.append(found)
                    position = found + range_bytes
        ends: list[int | None] = [*starts[1:], None]
        tasks += [
            Task(path, start, end, (end if end is not None else size) - start)
            for start, end in zip(starts, ends, strict=True)
        ]
    return tasks


class Reextractor:
    """A spider, its pipelines and the downloader middlewares' response steps, in one
    process: turns archived responses into feed lines."""

    def __init__(self, spider: str, settings: Settings) -> None:
        self.runner = OfflineRunner(spider_class(spider, settings=settings), settings)
        self.spider = self.runner.spider
        manager = DownloaderMiddlewareManager.from_crawler(self.runner.crawler)
        self.response_steps: list[Callable[..., Any]] = list(manager.methods["process_response"])
        self.domains = [d.lower() for d in getattr(self.spider, "allowed_domains", None) or []]

    def ours(self, url: str) -> bool:
        host = (urlsplit(url).hostname or "").lower()
        return not self.domains or any(host == d or host.endswith(f".{d}") for d in self.domains)

    def as_received(self, archived: ArchivedResponse) -> Response | Request:
        """The response as the spider received it in the crawl (or the request a middleware
        answered it with, e.g. a meta refresh)."""
        request = Request(archived.url)
        result: Response | Request = archived.response(request)
        for step in self.response_steps:
            result = step(request=request, response=result)
            if isinstance(result, Request):
                break
        return result

    def run(self, task: Task) -> Outcome:
        started = time.process_time()
        outcome = Outcome()
        for archived in read_responses(task.path, task.start, task.end):
            self.take(archived, outcome)
        outcome.cpu_seconds = time.process_time() - started
        return outcome

    def take(self, archived: ArchivedResponse, outcome: Outcome) -> None:
        if archived.callback and archived.callback != "parse_article":
            kind = archived.callback.removeprefix("parse_").replace("_", " ")
            outcome.aside[f"{kind} pages"] += 1
            return
        if not self.ours(archived.url):
            outcome.aside["pages of other sites"] += 1
            return
        if 300 <= archived.status < 400:
            outcome.aside["redirects"] += 1
            return
        if not 200 <= archived.status < 300:
            if archived.callback:
                outcome.failed[archived.url] = self.failed(archived)
            else:
                outcome.aside[f"HTTP {archived.status} answers"] += 1
            return
        response = self.as_received(archived)
        if isinstance(response, Request):
            outcome.aside["redirects"] += 1
            return
        if not archived.callback and not self.spider.article_evidence(response):
            outcome.aside["pages not taken for articles"] += 1
            return
        outcome.pages += 1
        outcome.answered.add(archived.url)
        item = self.runner.article(response)
        if isinstance(item, Article):
            outcome.articles.append(json_text(item))
        elif isinstance(item, Reject):
            outcome.rejects.append(json_text(item))

    def failed(self, archived: ArchivedResponse) -> str:
        """The crawl's reject of an article page answered with an HTTP error."""
        return json_text(
            Reject(
                url=archived.url,
                site=self.spider.site_of(archived.url),
                reason=f"download failed: HTTP {archived.status}",
                fetched_at=archived.fetched_at.astimezone(VN_TZ).replace(microsecond=0),
            )
        )


#: The process's Reextractor: built before the pool forks, so every worker starts with it.
_worker: Reextractor | None = None


def _run_task(task: Task) -> Outcome:
    assert _worker is not None
    return _worker.run(task)


@dataclass
class Summary:
    """What a re-extraction read, wrote and left aside."""

    archives: int = 0
    pages: int = 0
    articles: int = 0
    rejects: int = 0
    aside: Counter[str] = field(default_factory=Counter)
    seconds: float = 0.0  # wall clock, from start to the output in place
    cpu_seconds: float = 0.0  # the workers' processing time, all together
    jobs: int = 1

    @property
    def pages_per_second(self) -> float:
        return self.pages / self.seconds if self.seconds else 0.0


class Merger:
    """Writes the tasks' outcomes in order; an article page's HTTP error becomes a reject
    once its archive is done, unless that archive (that run) answered it later."""

    def __init__(self, articles: IO[str], rejects: IO[str], summary: Summary) -> None:
        self.articles, self.rejects, self.summary = articles, rejects, summary
        self.path: Path | None = None
        self.failed: dict[str, str] = {}
        self.answered: set[str] = set()

    def add(self, task: Task, outcome: Outcome) -> None:
        if task.path != self.path:
            self.end_of_archive()
            self.path = task.path
        self.articles.writelines(line + "\n" for line in outcome.articles)
        self.write_rejects(outcome.rejects)
        self.failed.update(outcome.failed)
        self.answered |= outcome.answered
        self.summary.pages += outcome.pages
        self.summary.cpu_seconds += outcome.cpu_seconds
        self.summary.articles += len(outcome.articles)
        self.summary.aside.update(outcome.aside)

    def end_of_archive(self) -> None:
        failed = [line for url, line in self.failed.items() if url not in self.answered]
        self.summary.pages += len(failed)
        self.write_rejects(failed)
        self.failed, self.answered = {}, set()

    def write_rejects(self, lines: list[str]) -> None:
        self.rejects.writelines(line + "\n" for line in lines)
        self.summary.rejects += len(lines)


@contextmanager
def replaced_when_done(path: Path) -> Iterator[IO[str]]:
    """A file that becomes `path` only once the block ends without an error: a run that
    fails or is killed leaves `path` as it was (and at most a hidden temporary file)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        with temporary.open("w", encoding="utf-8") as file:
            yield file
        os.replace(temporary, path)
    finally:
        temporary.unlink(missing_ok=True)


def _outcomes(spider: str, settings: Settings, tasks: list[Task], jobs: int) -> Iterator[Outcome]:
    """The tasks' outcomes in order, from `jobs` forked worker processes (or this one)."""
    global _worker
    _worker = Reextractor(spider, settings)
    try:
        if jobs <= 1:
            yield from map(_worker.run, tasks)
            return
        with multiprocessing.get_context("fork").Pool(jobs) as pool:
            yield from pool.imap(_run_task, tasks)
    finally:
        _worker = None


def reextract(
    spider: str,
    sources: list[Path],
    out: Path,
    settings: Settings,
    jobs: int | None = None,
    progress: bool = True,
) -> Summary:
    """Re-extract every article page of the archives in `sources` (files or folders) into
    the JSON Lines file `out`, rejects beside it (`out.rejects.jsonl`)."""
    files = [path for source in sources for path in archive_files(source)]
    if not files:
        raise FileNotFoundError(f"no web archive (.warc.gz, .warc) in {[str(s) for s in sources]}")
    jobs = max(1, jobs or os.cpu_count() or 1)
    summary = Summary(archives=len(files), jobs=jobs)
    tasks = plan(files, jobs)
    rejects_path = Path(rejects_beside(str(out)) or f"{out}.rejects.jsonl")
    started = time.perf_counter()
    bar = tqdm(
        total=sum(task.size for task in tasks),
        unit="B",
        unit_scale=True,
        desc=f"reextract {spider}",
        disable=None if progress else True,  # None: only on a terminal
    )
    with replaced_when_done(out) as articles, replaced_when_done(rejects_path) as rejects:
        merger = Merger(articles, rejects, summary)
        for task, outcome in zip(tasks, _outcomes(spider, settings, tasks, jobs), strict=True):
            merger.add(task, outcome)
            bar.update(task.size)
            bar.set_postfix(pages=summary.pages, refresh=False)
        merger.end_of_archive()
    bar.close()
    summary.seconds = time.perf_counter() - started
    return summary
