"""Which discovery source broke: each source is checked against what the others list.

A source *breaks* when it fails to show most of the articles another source lists over the
same span of time: a category page redesigned so that no teaser is found any more, a feed
that stopped updating or moved, a sitemap left stale. Per category, the listing is checked
against the category's feed and against the news-sitemap entries placed in the category,
and the feed against the listing; the news sitemap (the whole site's latest articles) is
checked against everything the category sources list.

The span compared is the one the checked source covers: from its oldest dated entry (a tenth of
its oldest ignored) up to a grace period before it was fetched (an article published minutes ago
may not be there yet); a source that listed nothing is expected to show every entry of the other
older than the grace period; a source that prints no times (some listings) is expected to show
as many of the other's first (newest) entries as it has entries. A source breaks when at least
`EDUNEWS_DISCOVERY_MIN_ENTRIES` entries are expected and more than
`EDUNEWS_DISCOVERY_MAX_MISSING` of them are missing; a source whose documents could not be
downloaded at all breaks as soon as the other lists that many.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from scrapy.settings import BaseSettings

from edunews_scraper.discovery.record import (
    LISTING,
    RSS,
    SITEMAP,
    WHOLE_SITE,
    DiscoveryRecord,
    Reading,
)


@dataclass(frozen=True)
class Thresholds:
    min_entries: int
    max_missing: float
    grace: timedelta

    @classmethod
    def from_settings(cls, settings: BaseSettings) -> Thresholds:
        return cls(
            min_entries=settings.getint("EDUNEWS_DISCOVERY_MIN_ENTRIES", 3),
            max_missing=settings.getfloat("EDUNEWS_DISCOVERY_MAX_MISSING", 0.5),
            grace=timedelta(minutes=settings.getfloat("EDUNEWS_DISCOVERY_GRACE_MINUTES", 30)),
        )


@dataclass(frozen=True)
class Breakage:
    """`source` (for `category`, "" for the whole site) misses what `witness` lists."""

    source: str
    category: str
    witness: str
    expected: int
    missing: int
    failures: tuple[str, ...] = ()

    def __str__(self) -> str:
        where = f"category {self.category}" if self.category else "the whole site"
        shown = self.expected - self.missing
        text = (
            f"{self.source} broke ({where}): it shows {shown} of the {self.expected} "
            f"articles that {self.witness} lists over the same time"
        )
        if self.failures:
            text += f"; its documents could not be read ({'; '.join(self.failures[:3])})"
        return text


@dataclass(frozen=True)
class Verdict:
    """The comparisons made and the sources found broken."""

    compared: int
    breakages: tuple[Breakage, ...]

    def broken_sources(self) -> dict[str, list[str]]:
        """{source: [category, ...]} of every breakage."""
        broken: dict[str, list[str]] = {}
        for breakage in self.breakages:
            broken.setdefault(breakage.source, []).append(breakage.category)
        return broken


def judge(record: DiscoveryRecord, thresholds: Thresholds) -> Verdict:
    """Check every source against the others, category by category and for the whole site."""
    checks: list[tuple[str, str, Reading, str, Reading]] = []
    for category, listing in record.readings_of(LISTING):
        feed = record.readings.get((RSS, category))
        if feed is not None:
            checks.append((LISTING, category, listing, RSS, feed))
            checks.append((RSS, category, feed, LISTING, listing))
        placed = record.readings.get((SITEMAP, category))
        if placed is not None and placed.entries:
            checks.append((LISTING, category, listing, SITEMAP, placed))
    sitemap = record.readings.get((SITEMAP, WHOLE_SITE))
    if sitemap is not None:
        listed = Reading(documents=0)
        for source in (LISTING, RSS):
            for _, reading in record.readings_of(source):
                listed.documents += reading.documents
                for key, published in reading.entries.items():
                    listed.entries[key] = listed.entries.get(key) or published
        checks.append((SITEMAP, WHOLE_SITE, sitemap, f"{LISTING} or {RSS}", listed))
    compared = 0
    breakages = []
    for source, category, checked, witness, other in checks:
        if not checked.attempted or not other.documents:
            continue  # one of the two was not asked for, or gave nothing to compare with
        compared += 1
        if breakage := _check(source, category, checked, witness, other, thresholds):
            breakages.append(breakage)
    return Verdict(compared, tuple(breakages))


def _check(
    source: str,
    category: str,
    checked: Reading,
    witness: str,
    other: Reading,
    thresholds: Thresholds,
) -> Breakage | None:
    reference = checked.fetched or other.fetched
    cutoff = reference - thresholds.grace if reference else None
    expected = expected_entries(other.entries, checked.entries, cutoff)
    missing = [key for key in expected if key not in checked.entries]
    if len(expected) < thresholds.min_entries:
        return None
    if len(missing) / len(expected) <= thresholds.max_missing:
        return None
    failures = tuple(checked.failures) if not checked.documents else ()
    return Breakage(source, category, witness, len(expected), len(missing), failures)


def expected_entries(
    listed: dict[int, datetime | None],
    checked: dict[int, datetime | None],
    cutoff: datetime | None,
) -> list[int]:
    """The entries of `listed` that the checked source should show (see the module)."""

    def settled(published: datetime | None) -> bool:
        return published is None or cutoff is None or published <= cutoff

    if not checked:
        return [key for key, published in listed.items() if settled(published)]
    times = [published for published in checked.values() if published is not None]
    if times:
        # The checked source's span starts at its oldest entry, a tenth of its oldest ignored
        # (a category page's top block may feature an article of last month).
        times.sort()
        oldest = times[len(times) // 10]
        return [
            key
            for key, published in listed.items()
            if published is not None and published >= oldest and settled(published)
        ]
    # The checked source prints no times: it should show as many of the others' first
    # entries (sources list newest first) as it has entries.
    first = [key for key, published in listed.items() if settled(published)]
    return first[: len(checked)]
