"""Offline replay: a download handler that answers every request from the saved pages.

With replay on, requests still pass through the whole downloader (middlewares, slots, delays,
retries, redirects), but the page comes from the fixture whose URL matches; a page that was
not saved is never fetched: its request fails with `NotInReplay`, which the spider counts
(`edunews/replay/not_saved`) instead of recording a failed download: the fixtures hold the pages
QA chose, not every page a listing links to.

The saved pages are a fixtures folder, or web archives of earlier crawls (a `.warc.gz` file,
or a folder holding some: see archive.py), which answer each URL with its newest archived
response, as the crawl received it (redirects and errors included).
"""

from __future__ import annotations

import logging
from pathlib import Path

from scrapy import Request
from scrapy.core.downloader.handlers.base import BaseDownloadHandler
from scrapy.crawler import Crawler
from scrapy.exceptions import IgnoreRequest
from scrapy.http import Response
from scrapy.settings import Settings
from scrapy.statscollectors import StatsCollector
from twisted.python.failure import Failure

from edunews_scraper.archive import archive_files, newest_pages
from edunews_scraper.fixtures import FixtureError, find_fixtures, find_saved_feeds
from edunews_scraper.urls import canonical_url

logger = logging.getLogger(__name__)

HANDLER = "edunews_scraper.replay.ReplayDownloadHandler"
NOT_SAVED = "edunews/replay/not_saved"


class NotInReplay(IgnoreRequest):
    """A request for a page that the replay folder does not hold: never fetched."""


def not_in_replay(failure: Failure, stats: StatsCollector | None) -> bool:
    """True for the failure of a request whose page is not in the replay folder, counted as
    `edunews/replay/not_saved`: a page left out of the replay, not a failed download."""
    if failure.check(NotInReplay) is None:
        return False
    if stats is not None:
        stats.inc_value(NOT_SAVED)
    return True


def enable_replay(settings: Settings, folder: str) -> None:
    """Switch a crawler's settings to replay from `folder` (before they are frozen), a
    fixtures folder or web archives.

    Set at spider priority, so `-s` on the command line still wins (e.g. a DOWNLOAD_DELAY to
    make a replay take its time). A replay starts afresh every time: the crawl state is off
    unless `-s EDUNEWS_STATE_ENABLED=True` asks for it, and then it is kept apart from the
    state of live crawls, in `EDUNEWS_REPLAY_STATE_DIR`. Nothing is archived unless
    `-s EDUNEWS_ARCHIVE=PATH` asks for it."""
    if not Path(folder).is_dir() and not archive_files(folder):
        raise ValueError(f"replay folder {folder!r} is neither a folder nor a .warc.gz file")
    settings.set("EDUNEWS_REPLAY_DIR", str(folder), priority="spider")
    settings.set("DOWNLOAD_HANDLERS", {"http": HANDLER, "https": HANDLER}, priority="spider")
    settings.set("AUTOTHROTTLE_ENABLED", False, priority="spider")
    settings.set("DOWNLOAD_DELAY", 0, priority="spider")
    settings.set("EDUNEWS_STATE_ENABLED", False, priority="spider")
    settings.set("EDUNEWS_STATE_DIR", settings["EDUNEWS_REPLAY_STATE_DIR"], priority="spider")
    settings.set("EDUNEWS_ARCHIVE", "", priority="spider")


def replay_folder(text: str) -> str:
    """The `replay` spider argument: an existing folder (of fixtures or of web archives) or a
    web archive file (raises ValueError otherwise)."""
    if not text.strip():
        raise ValueError("empty")
    if not Path(text).is_dir() and not archive_files(text):
        raise ValueError(f"no such folder or .warc.gz file (from {Path.cwd()})")
    return text


class ReplayDownloadHandler(BaseDownloadHandler):
    """Serves http(s) requests from the fixtures folder named by `EDUNEWS_REPLAY_DIR`."""

    def __init__(self, crawler: Crawler) -> None:
        super().__init__(crawler)
        self.folder = crawler.settings.get("EDUNEWS_REPLAY_DIR") or "fixtures"
        archives = archive_files(self.folder)
        if archives:
            self.pages = newest_pages(archives, canonical_url)
        else:
            fixtures = [
                *find_fixtures(self.folder, on_error=self._unreadable),
                *find_saved_feeds(self.folder, on_error=self._unreadable),
            ]
            self.pages = {canonical_url(fixture.url): fixture for fixture in fixtures}

    def _unreadable(self, error: FixtureError) -> None:
        logger.warning("Replay: saved page left out: %s", error)

    async def download_request(self, request: Request) -> Response:
        fixture = self.pages.get(canonical_url(request.url))
        if fixture is None:
            raise NotInReplay(f"page not saved in replay folder {self.folder}")
        return fixture.response(request)
