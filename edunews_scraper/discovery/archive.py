"""Backfill: the months asked for (`-a backfill=2024-01..2024-06`) and the article sitemaps of
a site's sitemap index that cover them.

Sites list their article sitemaps by period in a sitemap index: monthly (dantri
`sitemaps/Article-2024-01-01.xml`, vietnamnet `sitemap-article-01-2024-01.xml`, the ePi CMS
`sitemaps/news-2024-1.xml`), in 5-day shards (tuoitre and thanhnien
`sitemaps-2024-1-1-5.xml`) or daily (vnexpress `articles-2024-sitemap.xml?m=1&d=5`). A spider
gives the URL form as a pattern with the named groups `year` and, unless the sitemap covers a
whole year, `month`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_MONTH = re.compile(r"^(\d{4})-(\d{1,2})$")


@dataclass(frozen=True)
class MonthRange:
    """The months from `first` to `last`, both included, as (year, month)."""

    first: tuple[int, int]
    last: tuple[int, int]

    @classmethod
    def parse(cls, text: str) -> MonthRange:
        """`YYYY-MM..YYYY-MM` or one month `YYYY-MM`; ValueError otherwise."""
        start, _, end = text.strip().partition("..")
        first, last = _month(start), _month(end or start)
        if last < first:
            raise ValueError("the range ends before it starts")
        return cls(first, last)

    def covers(self, year: int, month: int | None) -> bool:
        """True when the month (or, without one, any month of the year) is in the range."""
        if month is None:
            return self.first[0] <= year <= self.last[0]
        return self.first <= (year, month) <= self.last

    def __str__(self) -> str:
        first, last = (f"{year:04d}-{month:02d}" for year, month in (self.first, self.last))
        return first if first == last else f"{first}..{last}"


def _month(text: str) -> tuple[int, int]:
    match = _MONTH.match(text.strip())
    if not match or not 1 <= int(match.group(2)) <= 12:
        raise ValueError(f"{text.strip()!r} is not a month")
    return int(match.group(1)), int(match.group(2))


def sitemap_period(url: str, pattern: re.Pattern[str]) -> tuple[int, int | None] | None:
    """(year, month or None) of an article sitemap of the form `pattern`; None for others."""
    match = pattern.search(url)
    if match is None:
        return None
    month = match.groupdict().get("month")
    return int(match.group("year")), int(month) if month else None
