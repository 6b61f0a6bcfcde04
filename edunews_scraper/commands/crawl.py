"""`scrapy crawl SPIDER`: Scrapy's own command, plus what an operator needs from it.

- Before anything starts, the spider name, every `-a` argument, `-o/-O` and our settings are
  checked: a mistake ends the command with one line on stderr naming what is wrong and what is
  accepted, and exit status 2.
- When the crawl ends, a short summary is logged (articles, rejects by reason and where they
  are, pages not in a replay, monitors, time) with the verdict as its last line, and the exit
  status says whether the run was healthy (0) or failed (1): see `edunews_scraper/summary.py`.
"""

from __future__ import annotations

import argparse
import logging
from typing import Any

from scrapy.commands.crawl import Command as ScrapyCrawl
from scrapy.crawler import Crawler
from scrapy.exceptions import UsageError
from scrapy.spiderloader import get_spider_loader
from scrapy.spiders import Spider

from edunews_scraper.arguments import ArgumentError
from edunews_scraper.cli import refuse
from edunews_scraper.settings_check import check_settings
from edunews_scraper.spiders.news import NewsSpider
from edunews_scraper.summary import judge, summary

logger = logging.getLogger("edunews_scraper.summary")


def check_spider(command: str, settings: Any, name: str, arguments: dict[str, Any]) -> None:
    """Refuse an unknown spider, a bad or unknown `-a` argument, or a crawl with no start."""
    loader = get_spider_loader(settings)
    if name not in loader.list():
        refuse(command, f"no spider called {name!r}; known: {', '.join(sorted(loader.list()))}")
    spidercls: type[Spider] = loader.load(name)
    if not issubclass(spidercls, NewsSpider):
        return
    try:
        spider = spidercls(**arguments)  # checks every argument; no crawler, no side effect
    except ArgumentError as error:
        refuse(command, str(error))
    if not spider.selected_categories:
        hint = " (name them with -a start_urls=URL[,URL...])" if name == "news" else ""
        refuse(command, f"{name}: nothing to crawl: no listing page to start from{hint}")


class Command(ScrapyCrawl):
    def long_desc(self) -> str:
        return (
            "Run a spider. Exit status: 0 a healthy run, 1 a failed run (a monitor failed, no "
            "listing page could be fetched, a feed could not be stored), 2 a mistake on the "
            "command line (nothing crawled)."
        )

    def process_options(self, args: list[str], opts: argparse.Namespace) -> None:
        for flag, values in (("-a", opts.spargs), ("-s", opts.set)):
            for value in values or []:
                if "=" not in value:
                    refuse("crawl", f"{flag} {value}: not NAME=VALUE")
        try:
            super().process_options(args, opts)
        except UsageError as error:
            refuse("crawl", str(error) or "bad options")
        if len(args) != 1:
            refuse("crawl", "name one spider: scrapy crawl SPIDER [-a NAME=VALUE ...]")
        try:
            check_settings(self.settings)
        except ValueError as error:
            refuse("crawl", str(error))
        check_spider("crawl", self.settings, args[0], opts.spargs)

    def _create_crawler(self, spidercls: type[Spider] | str) -> Crawler:
        self.crawler = super()._create_crawler(spidercls)
        return self.crawler

    def run(self, args: list[str], opts: argparse.Namespace) -> None:
        super().run(args, opts)
        if self.crawler_process is not None and self.crawler_process.bootstrap_failed:
            logger.error("Run FAILED: the spider could not start (see the error above).")
            return
        verdict = judge(self.crawler)
        logger.log(
            logging.ERROR if verdict.failures else logging.INFO, summary(self.crawler, verdict)
        )
        self.exitcode = max(self.exitcode, verdict.exitcode)
