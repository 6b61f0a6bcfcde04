"""`scrapy reextract SPIDER ARCHIVES... -O out.jsonl [--jobs N]`: every article page of web
archives through the spider's article path and the item pipelines again (see
reextraction.py), the same JSON Lines a crawl writes, rejects beside them."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from scrapy.commands import ScrapyCommand
from scrapy.exceptions import UsageError

from edunews_scraper.offline import spider_class
from edunews_scraper.reextraction import reextract


class Command(ScrapyCommand):
    requires_project = True
    requires_crawler_process = False
    default_settings = {"LOG_LEVEL": "WARNING"}

    def syntax(self) -> str:
        return "SPIDER ARCHIVE.warc.gz|FOLDER [...] -O OUT.jsonl [--jobs N]"

    def short_desc(self) -> str:
        return "Re-extract the article pages of web archives with the spider as it is now"

    def add_options(self, parser: argparse.ArgumentParser) -> None:
        super().add_options(parser)
        parser.add_argument("spider", help="the spider whose article path reads the pages")
        parser.add_argument("archives", nargs="+", help=".warc.gz files or folders of them")
        parser.add_argument(
            "-O",
            "--overwrite-output",
            dest="out",
            required=True,
            metavar="OUT.jsonl",
            help="the articles file (replaced once complete); rejects go beside it",
        )
        parser.add_argument(
            "--jobs", type=int, default=None, help="worker processes (default: every core)"
        )
        parser.add_argument("--no-progress", action="store_true", help="no progress bar")

    def run(self, args: list[str], opts: argparse.Namespace) -> None:
        try:
            spider_class(opts.spider, settings=self.settings)
        except KeyError:
            raise UsageError(f"unknown spider {opts.spider!r}; `scrapy list` shows them") from None
        if opts.jobs is not None and opts.jobs < 1:
            raise UsageError(f"--jobs must be 1 or more, not {opts.jobs}")
        missing = [source for source in opts.archives if not Path(source).exists()]
        if missing:
            raise UsageError(f"no such archive or folder: {', '.join(missing)}")
        try:
            summary = reextract(
                opts.spider,
                [Path(source) for source in opts.archives],
                Path(opts.out),
                self.settings,
                opts.jobs,
                progress=not opts.no_progress,
            )
        except FileNotFoundError as error:
            raise UsageError(str(error)) from error
        aside = ", ".join(f"{count} {what}" for what, count in sorted(summary.aside.items()))
        print(
            f"{summary.pages} article pages from {summary.archives} archive(s) in "
            f"{summary.seconds:.1f} s ({summary.pages_per_second:.0f} pages/s, "
            f"{summary.jobs} jobs): {summary.articles} articles -> {opts.out}, "
            f"{summary.rejects} rejects beside it" + (f"; left aside: {aside}" if aside else ""),
            file=sys.stderr,
        )
