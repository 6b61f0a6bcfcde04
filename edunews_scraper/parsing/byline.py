"""The legacy giaoducthoidai.vn byline: `Author - dd/mm/yyyy, HH:MM GMT+07 | Category`."""

from __future__ import annotations

import re
from dataclasses import dataclass

from edunews_scraper.parsing.text import clean_text

_BYLINE = re.compile(
    r"^(?:(?P<author>.+?)\s*[-–]\s*)?"
    r"(?P<when>\d{1,2}/\d{1,2}/\d{4}[^|]*?)"
    r"\s*(?:\|\s*(?P<category>[^|]+?))?\s*$"
)


@dataclass(frozen=True)
class Byline:
    """The three parts of a byline, each as printed (empty when absent)."""

    author: str
    when: str
    category: str


def parse_byline(text: str) -> Byline | None:
    """Split a byline into author, printed time and category; None when it is no byline."""
    match = _BYLINE.match(clean_text(text))
    if match is None:
        return None
    return Byline(
        author=clean_text(match.group("author")),
        when=clean_text(match.group("when")),
        category=clean_text(match.group("category")),
    )
