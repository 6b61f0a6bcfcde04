"""The fault site: a threaded HTTP server on 127.0.0.1 whose pages misbehave on purpose."""

from __future__ import annotations

import json
import threading
import time
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "giaoducthoidai"
TEMPLATE = FIXTURES / "articles" / "current-2026-stem-tieu-hoc-soc-son"


def real_article(url: str) -> str:
    """The saved current-layout article, re-addressed to `url`."""
    original = json.loads(TEMPLATE.with_suffix(".meta.json").read_text())["url"]
    return TEMPLATE.with_suffix(".html").read_text("utf-8").replace(original, url)


def minimal_article(
    headline: str = "Học sinh vùng cao đến trường",
    published: str = "2026-11-19T07:45:00+07:00",
    body: str = "<p>Sáng nay, học sinh trở lại trường sau kỳ nghỉ.</p>",
) -> str:
    """A small page of the current layout; pass "" to leave a field out."""
    ld = json.dumps(
        {"@type": "NewsArticle", "headline": headline, "datePublished": published},
        ensure_ascii=False,
    )
    return (
        f'<html><head><meta charset="utf-8"><script type="application/ld+json">{ld}</script>'
        f'</head><body><div class="article">'
        + (f'<h1 class="article__title cms-title">{headline}</h1>' if headline else "")
        + f'<div class="article__body cms-body">{body}</div></div></body></html>'
    )


def _encodable(char: str) -> bool:
    try:
        char.encode("cp1258")
    except UnicodeEncodeError:
        return False
    return True


def to_cp1258(text: str) -> bytes:
    """`text` in windows-1258, the legacy Vietnamese code page: base letters with their
    circumflex, breve or horn precomposed, tone marks as combining characters."""
    clusters: list[list[str]] = []
    for char in unicodedata.normalize("NFD", text):
        if clusters and unicodedata.combining(char):
            clusters[-1].append(char)
        else:
            clusters.append([char])
    out = []
    for base, *marks in clusters:
        rest = []
        for mark in marks:
            merged = unicodedata.normalize("NFC", base + mark)
            if len(merged) == 1 and _encodable(merged):
                base = merged
            else:
                rest.append(mark)
        out.append(base + "".join(rest))
    return "".join(out).encode("cp1258")


@dataclass
class Page:
    status: int = 200
    body: bytes = b""
    headers: dict[str, str] = field(
        default_factory=lambda: {"Content-Type": "text/html; charset=utf-8"}
    )
    delay: float = 0.0


Route = Callable[[str, int], Page]  # (absolute URL, how many times asked) -> Page


class FaultSite:
    """Serves `routes` on 127.0.0.1; 404 for anything else. Use as a context manager."""

    def __init__(self, routes: dict[str, Route]) -> None:
        self.routes = routes
        self.hits: dict[str, int] = {}
        site = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                path = self.path
                site.hits[path] = site.hits.get(path, 0) + 1
                route = site.routes.get(path)
                page = route(site.base + path, site.hits[path]) if route else Page(404, b"")
                time.sleep(page.delay)
                try:
                    self.send_response(page.status)
                    for name, value in page.headers.items():
                        self.send_header(name, value)
                    self.send_header("Content-Length", str(len(page.body)))
                    self.end_headers()
                    self.wfile.write(page.body)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the crawler gave up waiting: that is the point of a slow page

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.base = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> FaultSite:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()
