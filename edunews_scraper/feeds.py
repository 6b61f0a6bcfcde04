"""Feed routing: articles to the feeds the user asked for, rejects to a feed of their own.

With no `FEEDS` (no -o/-O on the command line), articles go to `EDUNEWS_FEED_URI`, a file per
run. Each feed that names no `item_classes` gets only `Article`s. `Reject`s go to a `rejects/`
folder beside the first local articles file (`out.jsonl` -> `rejects/out.jsonl`), so that no
pattern of article files (`data/giaoducthoidai/*.jsonl`) ever takes them, or to
`EDUNEWS_REJECTS_URI` when that is set (or when no articles feed is a local file), unless a feed
takes them already.

One run, one file: when the feeds open, the run's `%(time)s` is claimed by creating its articles
file exclusively (stat `edunews/run_time`); a run started in the same second as another gets
`<time>-2` (`-3`, ...), never the other's file.
"""

from __future__ import annotations

import os
import re
from datetime import UTC, datetime
from itertools import count
from pathlib import Path
from typing import Any

from scrapy import Spider
from scrapy.extensions.feedexport import apply_uri_params
from scrapy.settings import BaseSettings

ARTICLE = "edunews_scraper.items.Article"
REJECT = "edunews_scraper.items.Reject"
FALLBACK_REJECTS_URI = "data/%(name)s/rejects/%(time)s.jsonl"
URI_PARAMS = "edunews_scraper.feeds.uri_params"
REJECTS_FOLDER = "rejects"
_LOCAL = re.compile(r"^(?:file://|[^:/]*(?:/|$)|[A-Za-z]:\\)")  # a path, not s3:// or ftp://


def rejects_beside(uri: str) -> str | None:
    """The rejects file of a local articles file (`out.jsonl` -> `rejects/out.jsonl`, in the
    same folder), or None for a remote feed or stdout."""
    if uri in {"-", "stdout:"} or not _LOCAL.match(uri):
        return None
    folder, _, name = uri.rpartition("/")
    stem = re.sub(r"\.(?:jsonl|jsonlines|jl|json|csv|xml)$", "", name)
    return f"{folder + '/' if folder else ''}{REJECTS_FOLDER}/{stem}.jsonl"


def local_path(uri: str) -> Path | None:
    """The file a local feed URI names, or None for any other feed."""
    if uri in {"-", "stdout:"} or not _LOCAL.match(uri):
        return None
    return Path(uri.removeprefix("file://"))


def claim_run_time(feeds: dict[str, dict[str, Any]], spider: str, now: datetime) -> str:
    """The `%(time)s` of this run: `now` to the second, or with `-2`, `-3`... when a run that
    started in the same second already created the first local, appended-to articles file of
    `feeds`. The file is created here, exclusively: no other run can take it afterwards."""
    stamp = now.astimezone(UTC).replace(microsecond=0).isoformat().replace(":", "-")
    templates = [
        uri
        for uri, options in feeds.items()
        if "%(time)s" in uri
        and ARTICLE in options.get("item_classes", [])
        and not options.get("overwrite")
        and local_path(uri) is not None
    ]
    for number in count(1):
        candidate = stamp if number == 1 else f"{stamp}-{number}"
        try:
            path = local_path(apply_uri_params(templates[0], {"name": spider, "time": candidate}))
        except (IndexError, KeyError, ValueError):  # no such feed, or other placeholders
            return candidate
        assert path is not None
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            os.close(os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o644))
        except FileExistsError:
            continue
        except OSError:  # a folder that cannot be written: the feed's storage reports it
            return candidate
        return candidate
    raise AssertionError("unreachable")


RUN_TIME = "edunews/run_time"


def uri_params(params: dict[str, Any], spider: Spider) -> dict[str, Any]:
    """Feed URI parameters (`FEEDS` option `uri_params`): `%(time)s` is the run's time, claimed
    when the first feed opens and kept in the stats (`edunews/run_time`)."""
    stats = spider.crawler.stats
    stamp = stats.get_value(RUN_TIME) if stats else None
    if stamp is None:
        stamp = claim_run_time(spider.settings.getdict("FEEDS"), spider.name, datetime.now(UTC))
        if stats:
            stats.set_value(RUN_TIME, stamp)
    params["time"] = stamp
    return params


def route_feeds(settings: BaseSettings) -> None:
    """Rewrite `FEEDS` in place (keeping its priority) so articles and rejects never mix, and
    name the run's files by its claimed time (`uri_params`)."""
    feeds = settings.getdict("FEEDS")
    if not feeds and settings.get("EDUNEWS_FEED_URI"):
        feeds = {settings["EDUNEWS_FEED_URI"]: {"format": "jsonlines", "encoding": "utf-8"}}
    routed: dict[str, dict[str, Any]] = {}
    for uri, options in feeds.items():
        options = dict(options or {})
        options.setdefault("item_classes", [ARTICLE])
        options.setdefault("uri_params", settings.get("FEED_URI_PARAMS") or URI_PARAMS)
        routed[str(uri)] = options
    if not any(REJECT in options["item_classes"] for options in routed.values()):
        routed.update(_rejects_feed(settings, routed))
    settings.set("FEEDS", routed, priority=settings.getpriority("FEEDS") or "project")


def _rejects_feed(
    settings: BaseSettings, routed: dict[str, dict[str, Any]]
) -> dict[str, dict[str, Any]]:
    """The feed of the rejects, for articles feeds that take none."""
    beside = [
        (uri, options)
        for uri, options in routed.items()
        if ARTICLE in options["item_classes"] and rejects_beside(uri)
    ]
    rejects_uri = settings.get("EDUNEWS_REJECTS_URI") or (
        rejects_beside(beside[0][0]) if beside else FALLBACK_REJECTS_URI
    )
    overwrite = bool(beside and beside[0][1].get("overwrite"))
    return {
        rejects_uri: {
            "format": "jsonlines",
            "encoding": "utf-8",
            "overwrite": overwrite,
            "item_classes": [REJECT],
            "uri_params": settings.get("FEED_URI_PARAMS") or URI_PARAMS,
        }
    }
