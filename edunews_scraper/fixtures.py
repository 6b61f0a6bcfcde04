"""Saved pages ("fixtures"): the page byte for byte, its URL and fetch time, and the expected
output beside it.

Layout: ``fixtures/<spider>/<kind>/<name>.html`` with ``<name>.meta.json`` (url, fetched_at,
status, headers) and, once reviewed, ``<name>.expected.json``. `kind` is ``articles`` or
``listings``. ``<name>.actual.json`` is what the code produced last, waiting for review.

Every file is written atomically (a hidden temporary file beside it, then renamed): a killed
`scrapy fixture add` or `accept` leaves whole files or none. A page is a fixture only once its
meta file exists (written after the page), so a page without one is never taken for a
fixture (`incomplete_pages` lists them). Names are one path segment: nothing is written
outside the fixtures folder.

Saved RSS feeds and sitemaps are ``fixtures/<spider>/feeds/<name>.xml`` with the same meta file
(`find_saved_feeds`): replays serve them, tests/test_discovery.py checks them.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from email.utils import format_datetime
from pathlib import Path
from typing import Any

from scrapy.http import HtmlResponse, Request, XmlResponse

from edunews_scraper.atomic_files import write_atomically

KINDS = ("articles", "listings")
FEEDS = "feeds"  # saved RSS feeds and sitemaps (`<name>.xml`)
#: The longest fixture name, in bytes: with `.expected.json` and a temporary prefix, a file
#: name stays within the 255 bytes file systems allow.
MAX_NAME_BYTES = 200
_NAME = re.compile(r"^\w[\w.-]*$")


class FixtureError(ValueError):
    """A fixture file that cannot be read (the message says which and why)."""


@dataclass(frozen=True)
class Fixture:
    """One saved page and what we know of it."""

    html_path: Path
    url: str
    fetched_at: datetime
    status: int
    headers: dict[str, str]

    @property
    def name(self) -> str:
        return self.html_path.stem

    @property
    def kind(self) -> str:
        return self.html_path.parent.name

    @property
    def spider(self) -> str:
        return self.html_path.parent.parent.name

    @property
    def id(self) -> str:
        return f"{self.spider}/{self.kind}/{self.name}"

    def sibling(self, suffix: str) -> Path:
        return self.html_path.with_name(f"{self.name}.{suffix}.json")

    def response(self, request: Request | None = None) -> HtmlResponse | XmlResponse:
        """The saved page as Scrapy's downloader would have handed it over."""
        headers = {"Date": format_datetime(self.fetched_at, usegmt=False), **self.headers}
        response_class = XmlResponse if self.kind == FEEDS else HtmlResponse
        return response_class(
            url=self.url,
            status=self.status,
            headers=headers,
            body=self.html_path.read_bytes(),
            request=request or Request(self.url),
        )

    def expected(self) -> Any | None:
        """The reviewed expected output, or None when not yet accepted."""
        path = self.sibling("expected")
        return read_json(path) if path.exists() else None


def read_json(path: Path) -> Any:
    """The JSON value in `path`; `FixtureError` when the file is not valid JSON."""
    try:
        return json.loads(path.read_text("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise FixtureError(f"{path}: not valid JSON ({error})") from None


def meta_path(html_path: Path) -> Path:
    return html_path.with_name(html_path.stem + ".meta.json")


def load_fixture(html_path: Path) -> Fixture:
    """Read a fixture from its HTML file and the meta file beside it."""
    meta = read_json(meta_path(html_path))
    try:
        return Fixture(
            html_path=html_path,
            url=meta["url"],
            fetched_at=datetime.fromisoformat(meta["fetched_at"]),
            status=int(meta.get("status", 200)),
            headers=meta.get("headers", {"Content-Type": "text/html; charset=utf-8"}),
        )
    except (KeyError, TypeError, ValueError) as error:
        raise FixtureError(f"{meta_path(html_path)}: no usable url/fetched_at ({error})") from None


def write_meta(
    html_path: Path,
    url: str,
    fetched_at: datetime,
    headers: dict[str, str] | None = None,
    status: int = 200,
) -> Path:
    """Write the meta file of a saved page."""
    meta = {
        "url": url,
        "fetched_at": fetched_at.isoformat(),
        "status": status,
        "headers": headers or {"Content-Type": "text/html; charset=utf-8"},
    }
    write_json(meta_path(html_path), meta)
    return meta_path(html_path)


def _pages(root: Path | str, spider: str | None) -> list[Path]:
    pattern = f"{spider or '*'}/*/*.html"
    return [path for path in sorted(Path(root).glob(pattern)) if path.parent.name in KINDS]


def find_fixtures(
    root: Path | str,
    spider: str | None = None,
    on_error: Callable[[FixtureError], None] | None = None,
) -> list[Fixture]:
    """Every fixture under `root` (optionally one spider's), in a stable order; a page
    without its meta file is not one (see `incomplete_pages`). A fixture whose meta file
    cannot be read raises `FixtureError`, or, with `on_error`, is passed to it and left out."""
    return _load(_pages(root, spider), on_error)


def find_saved_feeds(
    root: Path | str,
    spider: str | None = None,
    on_error: Callable[[FixtureError], None] | None = None,
) -> list[Fixture]:
    """Every saved RSS feed and sitemap under `root` (optionally one spider's), as
    `find_fixtures` finds pages."""
    return _load(sorted(Path(root).glob(f"{spider or '*'}/{FEEDS}/*.xml")), on_error)


def _load(paths: list[Path], on_error: Callable[[FixtureError], None] | None) -> list[Fixture]:
    fixtures = []
    for path in paths:
        if not meta_path(path).is_file():
            continue
        try:
            fixtures.append(load_fixture(path))
        except FixtureError as error:
            if on_error is None:
                raise
            on_error(error)
    return fixtures


def incomplete_pages(root: Path | str, spider: str | None = None) -> list[Path]:
    """Saved pages without a meta file: left by an interrupted `fixture add`."""
    return [path for path in _pages(root, spider) if not meta_path(path).is_file()]


MISSING = object()  # a value on one side of a difference only


def differences(expected: Any, actual: Any, where: str = "") -> list[tuple[str, Any, Any]]:
    """(where, expected, actual) for every leaf that differs: `images[1].caption`,
    `paragraphs[3]`; an element or key on one side only has `MISSING` on the other."""
    if isinstance(expected, dict) and isinstance(actual, dict):
        names = list(expected) + [name for name in actual if name not in expected]
        return [
            difference
            for name in names
            for difference in differences(
                expected.get(name, MISSING),
                actual.get(name, MISSING),
                f"{where}.{name}" if where else str(name),
            )
        ]
    if isinstance(expected, list) and isinstance(actual, list):
        return [
            difference
            for index in range(max(len(expected), len(actual)))
            for difference in differences(
                expected[index] if index < len(expected) else MISSING,
                actual[index] if index < len(actual) else MISSING,
                f"{where}[{index}]",
            )
        ]
    return [] if expected == actual else [(where, expected, actual)]


def check_name(name: str) -> str:
    """`name` if it can name a fixture: one path segment of letters, digits, `_`, `-` and
    `.`, starting with a letter or digit, at most `MAX_NAME_BYTES` bytes; else ValueError."""
    if not _NAME.match(name) or ".." in name:
        raise ValueError(
            f"--name {name!r}: a fixture name is one file name (letters, digits, _ - .), no folder"
        )
    if len(name.encode("utf-8")) > MAX_NAME_BYTES:
        raise ValueError(f"--name: {len(name.encode())} bytes, more than {MAX_NAME_BYTES}")
    return name


def shorten_name(name: str, key: str) -> str:
    """`name`, cut to fit `MAX_NAME_BYTES` with 8 hex digits of `key` to keep it unique."""
    if len(name.encode("utf-8")) <= MAX_NAME_BYTES:
        return name
    digest = hashlib.sha1(key.encode("utf-8")).hexdigest()[:8]
    cut = name.encode("utf-8")[: MAX_NAME_BYTES - 9].decode("utf-8", "ignore").rstrip("-.")
    return f"{cut}-{digest}"


def write_json(path: Path, value: Any) -> None:
    """Write `value` as readable, UTF-8, Vietnamese-unescaped JSON, atomically."""
    text = json.dumps(value, ensure_ascii=False, indent=2) + "\n"
    write_atomically(path, text.encode("utf-8"))
