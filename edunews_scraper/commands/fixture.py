"""`scrapy fixture add|check|accept`: QA's loop over saved pages.

add PAGE.html --url URL   save a page as a fixture and show what the code makes of it
check [--spider NAME]     re-run every fixture; write `<name>.actual.json` where the output
                          differs from `<name>.expected.json`, and show the differing fields
accept ID [ID ...]        after review, make the actual output the expected one
                          (ID as printed by check: spider/kind/name; or --all)
"""

from __future__ import annotations

import argparse
import json
import re
import shutil
from pathlib import Path
from urllib.parse import urlsplit

from scrapy.commands import ScrapyCommand
from scrapy.exceptions import UsageError

from edunews_scraper.commands.extract import add_page_options, saved_page
from edunews_scraper.fixtures import (
    Fixture,
    field_differences,
    find_fixtures,
    load_fixture,
    write_json,
    write_meta,
)
from edunews_scraper.offline import OfflineRunner, spider_class


def _show(value: object) -> str:
    text = json.dumps(value, ensure_ascii=False)
    return text if len(text) <= 160 else text[:157] + "..."


def default_name(url: str) -> str:
    """A file name for a page: the last segment of its URL path, without `.html`."""
    path = urlsplit(url).path.rstrip("/")
    last = path.rsplit("/", 1)[-1].removesuffix(".html").removesuffix(".htm")
    return re.sub(r"[^\w-]+", "-", last).strip("-") or "index"


class Command(ScrapyCommand):
    requires_project = True
    requires_crawler_process = False
    default_settings = {"LOG_LEVEL": "WARNING"}

    def syntax(self) -> str:
        return "add PAGE.html [--url URL] [--name NAME] | check [--spider NAME] | accept ID..."

    def short_desc(self) -> str:
        return "Save pages as fixtures, re-run them against their expected output, accept changes"

    def long_desc(self) -> str:
        return __doc__ or self.short_desc()

    def add_options(self, parser: argparse.ArgumentParser) -> None:
        super().add_options(parser)
        actions = parser.add_subparsers(dest="action", required=True)
        add = actions.add_parser("add", help="save a page as a fixture")
        add_page_options(add)
        add.add_argument("--name", help="fixture name (default: from the URL)")
        check = actions.add_parser("check", help="re-run fixtures, show differences")
        check.add_argument("--spider", help="only this spider's fixtures")
        accept = actions.add_parser("accept", help="accept reviewed actual output")
        accept.add_argument("ids", nargs="*", help="fixture ids (spider/kind/name)")
        accept.add_argument("--all", action="store_true", help="every pending fixture")

    @property
    def root(self) -> Path:
        return Path(self.settings.get("EDUNEWS_FIXTURES_DIR", "fixtures"))

    def run(self, args: list[str], opts: argparse.Namespace) -> None:
        {"add": self.add, "check": self.check, "accept": self.accept}[opts.action](opts)

    def output(self, fixture: Fixture) -> dict:
        runner = OfflineRunner(spider_class(fixture.spider, settings=self.settings), self.settings)
        return runner.output(fixture.response())

    def add(self, opts: argparse.Namespace) -> None:
        page = saved_page(Path(opts.page), opts.url, opts.fetched_at)
        spidercls = spider_class(opts.spider, page.url, self.settings)
        runner = OfflineRunner(spidercls, self.settings)
        kind = "articles" if runner.article_evidence(page.response()) else "listings"
        folder = self.root / spidercls.name / kind
        folder.mkdir(parents=True, exist_ok=True)
        target = folder / f"{opts.name or default_name(page.url)}.html"
        if target.exists():
            raise UsageError(f"{target} exists already; choose another --name")
        shutil.copyfile(page.html_path, target)
        write_meta(target, page.url, page.fetched_at, page.headers, page.status)
        fixture = load_fixture(target)
        write_json(fixture.sibling("actual"), self.output(fixture))
        print(
            f"saved {fixture.id}; review {fixture.sibling('actual')}, then run "
            f"`scrapy fixture accept {fixture.id}`"
        )

    def check(self, opts: argparse.Namespace) -> None:
        fixtures = find_fixtures(self.root, opts.spider)
        pending = 0
        for fixture in fixtures:
            actual, expected = self.output(fixture), fixture.expected()
            actual_path = fixture.sibling("actual")
            if actual == expected:
                actual_path.unlink(missing_ok=True)
                continue
            pending += 1
            write_json(actual_path, actual)
            if expected is None:
                print(f"NEW  {fixture.id}: no expected output yet; review {actual_path}")
                continue
            print(f"DIFF {fixture.id}")
            for name, (want, got) in field_differences(expected, actual).items():
                print(f"  {name}:\n    expected {_show(want)}\n    actual   {_show(got)}")
        print(
            f"{len(fixtures)} fixtures, {len(fixtures) - pending} as expected, {pending} to review"
        )
        self.exitcode = 1 if pending else 0

    def accept(self, opts: argparse.Namespace) -> None:
        fixtures = {fixture.id: fixture for fixture in find_fixtures(self.root)}
        ids = (
            [fid for fid, f in fixtures.items() if f.sibling("actual").exists()]
            if opts.all
            else opts.ids
        )
        if not ids:
            raise UsageError("name the fixtures to accept, or --all")
        for fid in ids:
            if fid not in fixtures or not fixtures[fid].sibling("actual").exists():
                raise UsageError(f"{fid}: no pending output (run `scrapy fixture check`)")
            fixture = fixtures[fid]
            fixture.sibling("actual").replace(fixture.sibling("expected"))
            print(f"accepted {fid}")
