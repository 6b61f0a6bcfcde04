"""`scrapy extract PAGE.html --url URL [--spider NAME]`: one saved page through the spider and
its pipelines, the final item printed as JSON (or the reject reason)."""

from __future__ import annotations

import argparse
import json
import sys
from datetime import datetime
from pathlib import Path

from scrapy.commands import ScrapyCommand
from scrapy.exceptions import UsageError

from edunews_scraper.fixtures import Fixture, load_fixture
from edunews_scraper.offline import OfflineRunner, spider_class
from edunews_scraper.parsing.vn_datetime import VN_TZ


def saved_page(path: Path, url: str | None, fetched: str | None) -> Fixture:
    """The page at `path` with its URL and fetch time: from the options, else its meta file."""
    if not path.is_file():
        raise UsageError(f"no such page: {path}")
    meta = path.with_name(path.name.removesuffix(".html") + ".meta.json")
    known = load_fixture(path) if meta.is_file() else None
    if not url and known is None:
        raise UsageError("--url is required for a page without a .meta.json beside it")
    fetched_at = (
        datetime.fromisoformat(fetched)
        if fetched
        else known.fetched_at
        if known
        else datetime.now(VN_TZ).replace(microsecond=0)
    )
    if fetched_at.tzinfo is None:
        fetched_at = fetched_at.replace(tzinfo=VN_TZ)
    return Fixture(
        html_path=path,
        url=url or known.url,
        fetched_at=fetched_at,
        status=known.status if known else 200,
        headers=known.headers if known else {"Content-Type": "text/html"},
    )


def add_page_options(parser: argparse.ArgumentParser) -> None:
    """The options shared by the commands that read one saved page."""
    parser.add_argument("page", help="the saved HTML file")
    parser.add_argument("--url", help="the page's URL (default: from PAGE's .meta.json)")
    parser.add_argument("--spider", help="spider name (default: chosen by the URL's domain)")
    parser.add_argument(
        "--fetched-at",
        dest="fetched_at",
        help="ISO 8601 fetch time (default: from .meta.json, else now)",
    )


class Command(ScrapyCommand):
    requires_project = True
    requires_crawler_process = False
    default_settings = {"LOG_LEVEL": "WARNING"}

    def syntax(self) -> str:
        return "PAGE.html [--url URL] [--spider NAME] [--fetched-at ISO]"

    def short_desc(self) -> str:
        return "Run one saved page through its spider and pipelines, print the result as JSON"

    def add_options(self, parser: argparse.ArgumentParser) -> None:
        super().add_options(parser)
        add_page_options(parser)

    def run(self, args: list[str], opts: argparse.Namespace) -> None:
        page = saved_page(Path(opts.page), opts.url, opts.fetched_at)
        try:
            spidercls = spider_class(opts.spider, page.url, self.settings)
        except (KeyError, LookupError) as exc:
            raise UsageError(str(exc.args[0] if exc.args else exc)) from exc
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
