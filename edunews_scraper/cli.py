"""What our `scrapy` commands share: a user's mistake never ends in a traceback but in one line
on stderr, `scrapy COMMAND: error: ...`, and exit status 2 (1 for a file that cannot be read or
written)."""

from __future__ import annotations

import argparse
import sys
from typing import NoReturn

from scrapy.commands import ScrapyCommand
from scrapy.exceptions import UsageError

from edunews_scraper.arguments import ArgumentError


def refuse(command: str, message: str, exitcode: int = 2) -> NoReturn:
    """End the command on a user's mistake: one line on stderr."""
    sys.stderr.write(f"scrapy {command}: error: {message}\n")
    sys.exit(exitcode)


class Mistake(Exception):
    """A user's mistake, said in one line (`exitcode` 2, or 1 for a file problem)."""

    def __init__(self, message: str, exitcode: int = 2) -> None:
        super().__init__(message)
        self.exitcode = exitcode


class QaCommand(ScrapyCommand):
    """A QA command: leftover arguments are refused, mistakes are one line."""

    requires_project = True
    requires_crawler_process = False
    default_settings = {"LOG_LEVEL": "WARNING"}
    command_name = ""

    def process_options(self, args: list[str], opts: argparse.Namespace) -> None:
        try:
            super().process_options(args, opts)
        except UsageError as error:
            refuse(self.command_name, str(error))
        if args:
            refuse(self.command_name, f"unexpected argument(s): {' '.join(args)}")

    def run(self, args: list[str], opts: argparse.Namespace) -> None:
        try:
            self.run_checked(opts)
        except Mistake as mistake:
            refuse(self.command_name, str(mistake), mistake.exitcode)
        except (UsageError, ArgumentError, LookupError) as error:
            refuse(self.command_name, str(error.args[0] if error.args else error))
        except OSError as error:
            refuse(self.command_name, str(error), 1)

    def run_checked(self, opts: argparse.Namespace) -> None:
        raise NotImplementedError
