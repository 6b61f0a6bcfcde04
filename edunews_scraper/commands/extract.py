"""`scrapy extract PAGE.html --url URL [--spider NAME]`: one saved page through the spider and
its pipelines, the final item printed as JSON (or the reject reason)."""

from __future__ import annotations

import argparse
import json
import sys
from datetime import datetime
from pathlib import Path
from urllib.parse import urlsplit

from scrapy.settings import BaseSettings
from scrapy.spiderloader import get_spider_loader

from edunews_scraper.cli import Mistake, QaCommand
from edunews_scraper.fixtures import Fixture, FixtureError, load_fixture, meta_path
from edunews_scraper.offline import OfflineRunner, spider_class
from edunews_scraper.parsing.vn_datetime import VN_TZ
from edunews_scraper.spiders.news import NewsSpider


def fetch_time(text: str) -> datetime:
    """`--fetched-at`: ISO 8601, GMT+07 when it names no offset."""
    try:
        moment = datetime.fromisoformat(text.strip())
    except ValueError:
        raise Mistake(
            f"--fetched-at {text!r}: not an ISO 8601 time; accepted: e.g. "
            "2026-11-30T08:00:00+07:00 or 2026-11-30"
        ) from None
    return moment if moment.tzinfo else moment.replace(tzinfo=VN_TZ)


def saved_page(path: Path, url: str | None, fetched: str | None) -> Fixture:
    """The page at `path` with its URL and fetch time: from the options, else its meta file."""
    if not path.is_file():
        raise Mistake(f"no such page: {path}")
    try:
        known = load_fixture(path) if meta_path(path).is_file() else None
    except FixtureError as error:
        raise Mistake(f"{error}; give --url and --fetched-at instead") from None
    if not url and known is None:
        raise Mistake("--url is required for a page without a .meta.json beside it")
    url = url or known.url  # type: ignore[union-attr]
    if urlsplit(url).scheme not in ("http", "https") or not urlsplit(url).hostname:
        raise Mistake(f"--url {url!r}: not an http(s) URL")
    if fetched:
        fetched_at = fetch_time(fetched)
    else:
        fetched_at = known.fetched_at if known else datetime.now(VN_TZ).replace(microsecond=0)
    return Fixture(
        html_path=path,
        url=url,
        fetched_at=fetched_at,
        status=known.status if known else 200,
        headers=known.headers if known else {"Content-Type": "text/html"},
    )


def page_spider(name: str | None, url: str, settings: BaseSettings) -> type[NewsSpider]:
    """The spider `--spider` names, or the one whose domains cover `url`."""
    if name:
        known = sorted(get_spider_loader(settings).list())
        if name not in known:
            raise Mistake(f"--spider {name!r}: no such spider; known: {', '.join(known)}")
    return spider_class(name, url, settings)


def add_page_options(parser: argparse.ArgumentParser, page_optional: bool = False) -> None:
    """The options shared by the commands that read one saved page (`page_optional` where
    another option can name the page instead)."""
    parser.add_argument("page", nargs="?" if page_optional else None, help="the saved HTML file")
    parser.add_argument("--url", help="the page's URL (default: from PAGE's .meta.json)")
    parser.add_argument("--spider", help="spider name (default: chosen by the URL's domain)")
    parser.add_argument(
        "--fetched-at",
        dest="fetched_at",
        help="ISO 8601 fetch time (default: from .meta.json, else now)",
    )


class Command(QaCommand):
    command_name = "extract"

    def syntax(self) -> str:
        return "PAGE.html [--url URL] [--spider NAME] [--fetched-at ISO]"

    def short_desc(self) -> str:
        return "Run one saved page through its spider and pipelines, print the result as JSON"

    def add_options(self, parser: argparse.ArgumentParser) -> None:
        super().add_options(parser)
        add_page_options(parser)

    def run_checked(self, opts: argparse.Namespace) -> None:
        page = saved_page(Path(opts.page), opts.url, opts.fetched_at)
        spidercls = page_spider(opts.spider, page.url, self.settings)
        runner = OfflineRunner(spidercls, self.settings)
        response = page.response()
        evidence = runner.article_evidence(response)
        print(
            f"article page ({evidence})"
            if evidence
            else f"taken for a listing page: no {spidercls.name} article layout matches, the "
            "page's structured data does not say article, and the URL is not an article's",
            file=sys.stderr,
        )
        output = runner.output(response)
        json.dump(output, sys.stdout, ensure_ascii=False, indent=2)
        sys.stdout.write("\n")
        if "reason" in output:
            print(f"rejected: {output['reason']}", file=sys.stderr)
            self.exitcode = 1
