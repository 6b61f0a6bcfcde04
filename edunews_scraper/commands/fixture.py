"""`scrapy fixture add|check|accept`: QA's loop over saved pages.

add PAGE.html --url URL   save a page as a fixture and show what the code makes of it
add --from-archive PATH --url URL
                          the same with the newest response for URL in web archives (a
                          .warc.gz or a folder of them): the page decoded, its real headers
check [--spider NAME]     re-run every fixture; write `<name>.actual.json` where the output
                          differs from `<name>.expected.json`, and show every differing value
accept ID [ID ...]        after review, make the actual output the expected one
                          (ID as printed by check: spider/kind/name; or --all); an output
                          that is a reject (or a listing without links) needs --allow-reject

Global options such as `-s NAME=VALUE` go before or after the action. The fixtures folder is
EDUNEWS_FIXTURES_DIR: relative to the project folder (where scrapy.cfg is), or, given with
`-s`, to the current folder. `check` fails (exit 1) when anything differs, when a fixture
cannot be read, and when there is no fixture to check.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import sys
import tempfile
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from scrapy.settings import SETTINGS_PRIORITIES
from scrapy.spiderloader import get_spider_loader
from scrapy.utils.conf import closest_scrapy_cfg

from edunews_scraper.archived_fixture import archived_fixture
from edunews_scraper.atomic_files import write_atomically
from edunews_scraper.cli import Mistake, QaCommand
from edunews_scraper.commands.extract import add_page_options, page_spider, saved_page
from edunews_scraper.fixtures import (
    MISSING,
    Fixture,
    FixtureError,
    check_name,
    differences,
    find_fixtures,
    incomplete_pages,
    load_fixture,
    meta_path,
    read_json,
    shorten_name,
    write_json,
    write_meta,
)
from edunews_scraper.offline import OfflineRunner, spider_class


def default_name(url: str) -> str:
    """A file name for a page: the last segment of its URL path, without `.html`, cut to a
    length every file system takes."""
    path = urlsplit(url).path.rstrip("/")
    last = path.rsplit("/", 1)[-1].removesuffix(".html").removesuffix(".htm")
    return shorten_name(re.sub(r"[^\w-]+", "-", last).strip("-") or "index", url)


def _show(value: Any) -> str:
    return "(absent)" if value is MISSING else json.dumps(value, ensure_ascii=False)


def refusal(output: dict[str, Any]) -> str | None:
    """Why an output needs --allow-reject to be accepted: a reject, or a listing without a
    single article link or next page; None for a real article or listing."""
    if "reason" in output:
        return f"its output is a reject ({output['reason']})"
    if "articles" in output and not output["articles"] and not output.get("next_page"):
        return "its output is a listing without any article link or next page"
    return None


def looks_wrong(body: bytes) -> str | None:
    """Why a saved page is no HTML page: empty, or binary."""
    if not body.strip():
        return "the page is empty"
    head = body[:8192]
    if b"\0" in head or b"<" not in head:
        return "the page does not look like HTML (binary or plain text)"
    return None


class Command(QaCommand):
    command_name = "fixture"

    def syntax(self) -> str:
        return (
            "add PAGE.html [--url URL] [--name NAME] | add --from-archive PATH --url URL | "
            "check [--spider NAME] | accept ID... [--all] [--allow-reject]"
        )

    def short_desc(self) -> str:
        return "Save pages as fixtures, re-run them against their expected output, accept changes"

    def long_desc(self) -> str:
        return __doc__ or self.short_desc()

    def add_options(self, parser: argparse.ArgumentParser) -> None:
        super().add_options(parser)
        actions = parser.add_subparsers(dest="action", required=True)
        add = actions.add_parser("add", help="save a page as a fixture")
        add_page_options(add, page_optional=True)
        add.add_argument("--name", help="fixture name (default: from the URL)")
        add.add_argument("--from-archive", metavar="PATH", help="take the page from web archives")
        check = actions.add_parser("check", help="re-run fixtures, show differences")
        check.add_argument("--spider", help="only this spider's fixtures")
        accept = actions.add_parser("accept", help="accept reviewed actual output")
        accept.add_argument("ids", nargs="*", help="fixture ids (spider/kind/name)")
        accept.add_argument("--all", action="store_true", help="every pending fixture")
        accept.add_argument(
            "--allow-reject",
            action="store_true",
            help="also accept an output that is a reject or an empty listing",
        )
        for action in (add, check, accept):  # -s after the action too, as Scrapy takes it
            action.add_argument(
                "-s",
                "--set",
                dest="action_set",
                action="append",
                default=[],
                metavar="NAME=VALUE",
                help="set/override setting (may be repeated)",
            )

    def process_options(self, args: list[str], opts: argparse.Namespace) -> None:
        opts.set = [*opts.set, *getattr(opts, "action_set", [])]
        super().process_options(args, opts)

    @property
    def root(self) -> Path:
        """EDUNEWS_FIXTURES_DIR: from the command line relative to the current folder, else
        relative to the project folder."""
        path = Path(self.settings.get("EDUNEWS_FIXTURES_DIR") or "fixtures")
        from_cmdline = (
            self.settings.getpriority("EDUNEWS_FIXTURES_DIR") == SETTINGS_PRIORITIES["cmdline"]
        )
        config = closest_scrapy_cfg()
        if path.is_absolute() or from_cmdline or not config:
            return path.absolute()
        return Path(config).parent / path

    def run_checked(self, opts: argparse.Namespace) -> None:
        {"add": self.add, "check": self.check, "accept": self.accept}[opts.action](opts)

    def output(self, fixture: Fixture) -> dict:
        runner = OfflineRunner(spider_class(fixture.spider, settings=self.settings), self.settings)
        return runner.output(fixture.response())

    def add(self, opts: argparse.Namespace) -> None:
        if not opts.from_archive:
            if not opts.page:
                raise Mistake("give the saved page (PAGE.html), or --from-archive PATH")
            return self.save(opts, saved_page(Path(opts.page), opts.url, opts.fetched_at))
        if opts.page or not opts.url:
            raise Mistake("--from-archive takes --url URL and no PAGE.html")
        with tempfile.TemporaryDirectory() as folder:
            try:
                page = archived_fixture(
                    Path(opts.from_archive), opts.url, Path(folder), self.settings
                )
            except LookupError as error:
                raise Mistake(str(error.args[0])) from None
            return self.save(opts, page)

    def save(self, opts: argparse.Namespace, page: Fixture) -> None:
        """Save `page` as a fixture and write what the code makes of it for review."""
        spidercls = page_spider(opts.spider, page.url, self.settings)
        try:
            name = check_name(opts.name) if opts.name else default_name(page.url)
        except ValueError as error:
            raise Mistake(str(error)) from None
        body = page.html_path.read_bytes()
        runner = OfflineRunner(spidercls, self.settings)
        kind = "articles" if runner.article_evidence(page.response()) else "listings"
        folder = self.root / spidercls.name / kind
        target = folder / f"{name}.html"
        if meta_path(target).exists():
            raise Mistake(f"{target} exists already; choose another --name")
        folder.mkdir(parents=True, exist_ok=True)
        # The page, then its meta file: a page is a fixture only once both are whole.
        write_atomically(target, body)
        write_meta(target, page.url, page.fetched_at, page.headers, page.status)
        fixture = load_fixture(target)
        actual = self.output(fixture)
        write_json(fixture.sibling("actual"), actual)
        for warning in (looks_wrong(body), refusal(actual)):
            if warning:
                print(f"warning: {fixture.id}: {warning}", file=sys.stderr)
        allow = " --allow-reject" if refusal(actual) else ""
        print(
            f"saved {fixture.id}; review {fixture.sibling('actual')}, then run "
            f"`scrapy fixture accept {fixture.id}{allow}`"
        )

    def _fixtures(self, spider: str | None = None) -> tuple[list[Fixture], list[str]]:
        """The fixtures under the root, and a line for each that cannot be read."""
        if spider is not None:
            known = sorted(get_spider_loader(self.settings).list())
            if spider not in known:
                raise Mistake(f"--spider {spider!r}: no such spider; known: {', '.join(known)}")
        root = self.root
        if not root.is_dir():
            raise Mistake(f"no fixtures folder {root} (set one with -s EDUNEWS_FIXTURES_DIR=PATH)")
        broken: list[str] = []
        fixtures = find_fixtures(root, spider, lambda error: broken.append(f"BROKEN {error}"))
        broken += [
            f"INCOMPLETE {page}: no {meta_path(page).name} (an interrupted `fixture add`?); "
            "delete it or add the page again"
            for page in incomplete_pages(root, spider)
        ]
        return fixtures, broken

    def check(self, opts: argparse.Namespace) -> None:
        fixtures, broken = self._fixtures(opts.spider)
        where = f"{self.root}" + (f" for spider {opts.spider}" if opts.spider else "")
        if not fixtures and not broken:
            raise Mistake(f"no fixtures to check in {where}", exitcode=1)
        pending = 0
        for fixture in fixtures:
            actual_path = fixture.sibling("actual")
            try:
                expected = fixture.expected()
            except FixtureError as error:
                broken.append(f"BROKEN {error}")
                continue
            actual = self.output(fixture)
            if actual == expected:
                actual_path.unlink(missing_ok=True)
                continue
            pending += 1
            write_json(actual_path, actual)
            if expected is None:
                print(f"NEW  {fixture.id}: no expected output yet; review {actual_path}")
                continue
            print(f"DIFF {fixture.id}")
            for field, want, got in differences(expected, actual):
                print(f"  {field}:\n    expected {_show(want)}\n    actual   {_show(got)}")
        for line in broken:
            print(line)
        print(
            f"{len(fixtures)} fixtures in {where}: {len(fixtures) - pending} as expected, "
            f"{pending} to review" + (f", {len(broken)} broken" if broken else "")
        )
        self.exitcode = 1 if pending or broken else 0

    def accept(self, opts: argparse.Namespace) -> None:
        if not opts.all and not opts.ids:
            raise Mistake("name the fixtures to accept, or --all")
        fixtures = {fixture.id: fixture for fixture in self._fixtures()[0]}
        pending = [fid for fid, f in fixtures.items() if f.sibling("actual").exists()]
        ids = pending if opts.all else opts.ids
        if not ids:
            raise Mistake(
                "nothing pending to accept" if opts.all else "name the fixtures to accept, or --all"
            )
        refused = 0
        for fid in ids:
            if fid not in pending:
                raise Mistake(f"{fid}: no pending output (run `scrapy fixture check`)")
            fixture = fixtures[fid]
            try:
                actual = read_json(fixture.sibling("actual"))
            except FixtureError as error:
                raise Mistake(f"{error}; run `scrapy fixture check` again", exitcode=1) from None
            why = refusal(actual) if isinstance(actual, dict) else "its output is not an object"
            if why and not opts.allow_reject:
                print(f"NOT accepted {fid}: {why}; accept it with --allow-reject if it should be")
                refused += 1
                continue
            os.replace(fixture.sibling("actual"), fixture.sibling("expected"))
            print(f"accepted {fid}")
        self.exitcode = 1 if refused else 0
