"""Offline replay: Scrapy's HTTP cache, backed by the saved pages of a fixtures folder.

With replay on, every request is answered from the fixture whose URL matches; a request
for a page that was not saved is ignored (never fetched), so a crawl runs with no network.
"""

from __future__ import annotations

from pathlib import Path

from scrapy import Spider
from scrapy.http import Request, Response
from scrapy.settings import BaseSettings, Settings
from w3lib.url import canonicalize_url

from edunews_scraper.fixtures import Fixture, find_fixtures


def enable_replay(settings: Settings, folder: str) -> None:
    """Switch a crawler's settings to replay from `folder` (before they are frozen)."""
    if not Path(folder).is_dir():
        raise ValueError(f"replay folder {folder!r} does not exist")
    for name, value in {
        "EDUNEWS_REPLAY_DIR": str(folder),
        "HTTPCACHE_ENABLED": True,
        "HTTPCACHE_STORAGE": "edunews_scraper.replay.FixtureCacheStorage",
        "HTTPCACHE_POLICY": "scrapy.extensions.httpcache.DummyPolicy",
        "HTTPCACHE_IGNORE_MISSING": True,
        "HTTPCACHE_EXPIRATION_SECS": 0,
        "AUTOTHROTTLE_ENABLED": False,
        "DOWNLOAD_DELAY": 0,
    }.items():
        settings.set(name, value, priority="cmdline")


def _key(url: str) -> str:
    return canonicalize_url(url, keep_fragments=False)


class FixtureCacheStorage:
    """An HTTP-cache storage that reads saved pages and never stores anything."""

    def __init__(self, settings: BaseSettings) -> None:
        self.folder = settings.get("EDUNEWS_REPLAY_DIR") or "fixtures"
        self.pages: dict[str, Fixture] = {}

    def open_spider(self, spider: Spider) -> None:
        self.pages = {_key(fixture.url): fixture for fixture in find_fixtures(self.folder)}
        spider.logger.info("Replaying %d saved pages from %s", len(self.pages), self.folder)

    def close_spider(self, spider: Spider) -> None:
        self.pages = {}

    def retrieve_response(self, spider: Spider, request: Request) -> Response | None:
        fixture = self.pages.get(_key(request.url))
        return fixture.response(request) if fixture is not None else None

    def store_response(self, spider: Spider, request: Request, response: Response) -> None:
        """Replay never writes to its fixtures."""
