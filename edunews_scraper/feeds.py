"""Feed routing: articles to the feeds the user asked for, rejects to a feed of their own.

With no `FEEDS` (no -o/-O on the command line), articles go to `EDUNEWS_FEED_URI`, a file per
run. Each feed that names no `item_classes` gets only `Article`s. `Reject`s go beside the first
local articles file (`out.jsonl` -> `out.rejects.jsonl`), or to `EDUNEWS_REJECTS_URI` when that
is set (or when no articles feed is a local file), unless a feed takes them already.
"""

from __future__ import annotations

import re
from typing import Any

from scrapy.settings import BaseSettings

ARTICLE = "edunews_scraper.items.Article"
REJECT = "edunews_scraper.items.Reject"
FALLBACK_REJECTS_URI = "data/%(name)s/%(time)s.rejects.jsonl"
_LOCAL = re.compile(r"^(?:file://|[^:/]*(?:/|$)|[A-Za-z]:\\)")  # a path, not s3:// or ftp://


def rejects_beside(uri: str) -> str | None:
    """The rejects file beside a local articles file, or None for a remote feed or stdout."""
    if uri in {"-", "stdout:"} or not _LOCAL.match(uri):
        return None
    stem = re.sub(r"\.(?:jsonl|jsonlines|jl|json|csv|xml)$", "", uri)
    return f"{stem}.rejects.jsonl"


def route_feeds(settings: BaseSettings) -> None:
    """Rewrite `FEEDS` in place (keeping its priority) so articles and rejects never mix."""
    feeds = settings.getdict("FEEDS")
    if not feeds and settings.get("EDUNEWS_FEED_URI"):
        feeds = {settings["EDUNEWS_FEED_URI"]: {"format": "jsonlines", "encoding": "utf-8"}}
    routed: dict[str, dict[str, Any]] = {}
    for uri, options in feeds.items():
        options = dict(options or {})
        options.setdefault("item_classes", [ARTICLE])
        routed[str(uri)] = options
    if any(REJECT in options["item_classes"] for options in routed.values()):
        settings.set("FEEDS", routed, priority=settings.getpriority("FEEDS") or "project")
        return
    beside = [
        (uri, options)
        for uri, options in routed.items()
        if ARTICLE in options["item_classes"] and rejects_beside(uri)
    ]
    rejects_uri = settings.get("EDUNEWS_REJECTS_URI") or (
        rejects_beside(beside[0][0]) if beside else FALLBACK_REJECTS_URI
    )
    overwrite = bool(beside and beside[0][1].get("overwrite"))
    routed[rejects_uri] = {
        "format": "jsonlines",
        "encoding": "utf-8",
        "overwrite": overwrite,
        "item_classes": [REJECT],
    }
    settings.set("FEEDS", routed, priority=settings.getpriority("FEEDS") or "project")
