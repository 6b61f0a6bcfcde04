"""Feed routing: articles to the feeds the user asked for, rejects to a feed of their own.

With no `FEEDS` (no -o/-O on the command line), articles go to `EDUNEWS_FEED_URI`, a file per
run. Each feed that names no `item_classes` gets only `Article`s; `Reject`s go to
`EDUNEWS_REJECTS_URI` unless a feed takes them.
"""

from __future__ import annotations

from typing import Any

from scrapy.settings import BaseSettings

ARTICLE = "edunews_scraper.items.Article"
REJECT = "edunews_scraper.items.Reject"


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
    rejects_uri = settings.get("EDUNEWS_REJECTS_URI")
    takes_rejects = any(REJECT in options["item_classes"] for options in routed.values())
    if rejects_uri and not takes_rejects:
        routed[rejects_uri] = {"format": "jsonlines", "encoding": "utf-8", "item_classes": [REJECT]}
    settings.set("FEEDS", routed, priority=settings.getpriority("FEEDS") or "project")
