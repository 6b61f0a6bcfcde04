"""Saved pages ("fixtures"): the page byte for byte, its URL and fetch time, and the expected
output beside it.

Layout: ``fixtures/<spider>/<kind>/<name>.html`` with ``<name>.meta.json`` (url, fetched_at,
status, headers) and, once reviewed, ``<name>.expected.json``. `kind` is ``articles`` or
``listings``. ``<name>.actual.json`` is what the code produced last, waiting for review.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from email.utils import format_datetime
from pathlib import Path
from typing import Any

from scrapy.http import HtmlResponse, Request

KINDS = ("articles", "listings")


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
        return self.html_path.name.removesuffix(".html")

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

    def response(self, request: Request | None = None) -> HtmlResponse:
        """The saved page as Scrapy's downloader would have handed it over."""
        headers = {"Date": format_datetime(self.fetched_at, usegmt=False), **self.headers}
        return HtmlResponse(
            url=self.url,
            status=self.status,
            headers=headers,
            body=self.html_path.read_bytes(),
            request=request or Request(self.url),
        )

    def expected(self) -> Any | None:
        """The reviewed expected output, or None when not yet accepted."""
        path = self.sibling("expected")
        return json.loads(path.read_text("utf-8")) if path.exists() else None


def load_fixture(html_path: Path) -> Fixture:
    """Read a fixture from its HTML file and the meta file beside it."""
    meta_path = html_path.with_name(html_path.name.removesuffix(".html") + ".meta.json")
    meta = json.loads(meta_path.read_text("utf-8"))
    return Fixture(
        html_path=html_path,
        url=meta["url"],
        fetched_at=datetime.fromisoformat(meta["fetched_at"]),
        status=int(meta.get("status", 200)),
        headers=meta.get("headers", {"Content-Type": "text/html; charset=utf-8"}),
    )


def write_meta(
    html_path: Path,
    url: str,
    fetched_at: datetime,
    headers: dict[str, str] | None = None,
    status: int = 200,
) -> Path:
    """Write the meta file of a saved page."""
    meta_path = html_path.with_name(html_path.name.removesuffix(".html") + ".meta.json")
    meta = {
        "url": url,
        "fetched_at": fetched_at.isoformat(),
        "status": status,
        "headers": headers or {"Content-Type": "text/html; charset=utf-8"},
    }
    write_json(meta_path, meta)
    return meta_path


def find_fixtures(root: Path | str, spider: str | None = None) -> list[Fixture]:
    """Every fixture under `root` (optionally one spider's), in a stable order."""
    base = Path(root)
    pattern = f"{spider or '*'}/*/*.html"
    return [load_fixture(path) for path in sorted(base.glob(pattern)) if path.parent.name in KINDS]


def field_differences(expected: dict[str, Any], actual: dict[str, Any]) -> dict[str, Any]:
    """{field: (expected, actual)} for every top-level field whose values differ."""
    names = list(expected) + [name for name in actual if name not in expected]
    return {
        name: (expected.get(name), actual.get(name))
        for name in names
        if expected.get(name) != actual.get(name)
    }


def write_json(path: Path, value: Any) -> None:
    """Write `value` as readable, UTF-8, Vietnamese-unescaped JSON."""
    path.write_text(json.dumps(value, ensure_ascii=False, indent=2) + "\n", "utf-8")
