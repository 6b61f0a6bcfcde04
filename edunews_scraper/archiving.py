"""The extension that keeps every page a crawl fetches in a web archive (see archive.py).

`EDUNEWS_ARCHIVE` names the file, a path template like the feed's (`%(name)s`, `%(time)s`
and any spider attribute; `%(time)s` is the stamp of the run's feed, so the archive lands
beside it); "" switches archiving off (the default in replays). Every response the
downloader hands over (listings, articles, redirects, errors, robots.txt) is archived with
its request as soon as it arrives, before the spider sees it: an article that reached the
feed always has its page in the archive, even when the run is killed.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import scrapy
from scrapy import Request, Spider, signals
from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured
from scrapy.extensions.feedexport import apply_uri_params
from scrapy.http import Response

from edunews_scraper.archive import ArchiveError, ArchiveWriter
from edunews_scraper.feeds import RUN_TIME
from edunews_scraper.summary import RUN_FAILED

STATS = "edunews/archive"


def archive_path(template: str, spider: Spider, time: str | None) -> Path:
    """`template` with the spider's attributes and the run's time stamp filled in."""
    params: dict[str, Any] = {key: getattr(spider, key, None) for key in dir(spider)}
    params["time"] = time or (
        datetime.now(UTC).replace(microsecond=0).isoformat().replace(":", "-")
    )
    return Path(apply_uri_params(template, params))


class ArchiveResponses:
    """Writes every downloaded response, with its request, to the run's web archive."""

    def __init__(self, crawler: Crawler, template: str) -> None:
        if not template.endswith(".warc.gz"):
            raise ValueError(f"EDUNEWS_ARCHIVE must name a .warc.gz file, not {template!r}")
        self.crawler = crawler
        self.template = template
        self.writer: ArchiveWriter | None = None
        self.failed = ""  # why the archive could not be opened

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ArchiveResponses:
        template = crawler.settings.get("EDUNEWS_ARCHIVE") or ""
        if not template:
            raise NotConfigured
        extension = cls(crawler, template)
        crawler.signals.connect(extension.open, signal=signals.engine_started)
        crawler.signals.connect(extension.archive, signal=signals.response_downloaded)
        crawler.signals.connect(extension.close, signal=signals.spider_closed)
        return extension

    def open(self) -> None:
        """Open the archive once the feeds are open (their time stamp is the archive's). An
        archive that cannot be opened is an error in the log and fails the run (exit status 1);
        the crawl goes on without it."""
        spider = self.crawler.spider
        assert spider is not None
        path = archive_path(self.template, spider, self.crawler.stats.get_value(RUN_TIME))
        settings = self.crawler.settings
        try:
            self.writer = ArchiveWriter(
                path,
                {
                    "software": f"edunews_scraper (Scrapy {scrapy.__version__}, fastwarc)",
                    "format": "WARC File Format 1.1",
                    "isPartOf": spider.name,
                    "http-header-user-agent": settings.get("USER_AGENT") or "",
                    "robots": "obey" if settings.getbool("ROBOTSTXT_OBEY") else "ignore",
                },
            )
        except OSError as error:
            self.failed = str(error)
            spider.logger.error("No web archive this run: %s cannot be written (%s)", path, error)
            self.crawler.stats.set_value(RUN_FAILED, f"no web archive: {path} cannot be written")
            return
        self.crawler.stats.set_value(f"{STATS}/file", str(path))
        spider.logger.info("Archiving every response to %s", path)

    def archive(self, response: Response, request: Request, spider: Spider) -> None:
        if self.writer is None and not self.failed:
            self.open()
        if self.writer is None:
            self.crawler.stats.inc_value(f"{STATS}/write_errors")
            return
        callback = getattr(request.callback, "__name__", "")
        try:
            size = self.writer.write(request, response, datetime.now(UTC), callback)
        except ArchiveError as error:
            self.crawler.stats.inc_value(f"{STATS}/write_errors")
            spider.logger.error("Not archived: %s (%s)", response.url, error)
            self.crawler.stats.set_value(RUN_FAILED, f"web archive incomplete: {error}")
            return
        self.crawler.stats.inc_value(f"{STATS}/responses")
        self.crawler.stats.inc_value(f"{STATS}/bytes", size)

    def close(self) -> None:
        if self.writer is not None:
            self.writer.close()
