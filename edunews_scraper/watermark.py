"""Watermarks: how far the last complete pass over a category's listing went.

A listing shows the newest articles first and grows at the top. A *pass* pages a category
from its first page down, following every article it does not know; it is *complete* when
paging stopped for a reason of its own (the listing ended, `since` or `max_pages` was
reached, or it met the part an earlier complete pass covered) and the run then finished
cleanly, with every article written or rejected.

A run may stop paging early only at a page that lies entirely inside what the last complete
pass covered: knowing every article of a page is not enough, because a run killed half-way
leaves known pages above articles never fetched. The watermark keeps, per category, the
fingerprints of the listing entries at the top of the last complete pass (`ENTRIES_KEPT`:
the next pass meets them long before it runs out of them) and the *floor* that pass reached.
A floor only stands in for a run that asks for no more: a pass stopped by `since` does not
cover an earlier `since`, nor one stopped at `max_pages` a larger `max_pages`.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from typing import Any

from edunews_scraper.urls import url_fingerprint

#: Listing entries kept per category: the top of the last complete pass.
ENTRIES_KEPT = 1000


def entry_fingerprint(url: str) -> str:
    """A listing entry's fingerprint: 16 hex digits of the SHA-1 of the canonical URL (the
    bytes of `url_fingerprint`, as saved watermarks hold them)."""
    return url_fingerprint(url).to_bytes(8, "little").hex()


@dataclass(frozen=True)
class Floor:
    """Where a complete pass stopped paging: the listing's end, or the first page all older
    than `since`, or `max_pages` pages."""

    since: date | None = None
    max_pages: int | None = None

    @property
    def is_end(self) -> bool:
        return self.since is None and self.max_pages is None

    def covers(self, since: date | None, max_pages: int | None) -> bool:
        """True when a pass that stopped here covered all that a run with these limits
        asks for."""
        if self.since is not None:
            return since is not None and since >= self.since
        if self.max_pages is not None:
            return max_pages is not None and max_pages <= self.max_pages
        return True

    def to_json(self) -> Any:
        if self.since is not None:
            return {"since": self.since.isoformat()}
        if self.max_pages is not None:
            return {"max_pages": self.max_pages}
        return "end"

    @classmethod
    def from_json(cls, value: Any) -> Floor:
        if value == "end":
            return cls()
        if isinstance(value, dict) and isinstance(value.get("since"), str):
            return cls(since=date.fromisoformat(value["since"]))
        if isinstance(value, dict) and isinstance(value.get("max_pages"), int):
            return cls(max_pages=value["max_pages"])
        raise ValueError(f"not a floor: {value!r}")

    def __str__(self) -> str:
        if self.since is not None:
            return f"since {self.since}"
        if self.max_pages is not None:
            return f"max_pages {self.max_pages}"
        return "the listing's end"


END = Floor()


@dataclass(frozen=True)
class Watermark:
    """What the last complete pass over a category covered."""

    floor: Floor
    entries: frozenset[str]

    def to_json(self) -> dict[str, Any]:
        return {"floor": self.floor.to_json(), "entries": sorted(self.entries)}

    @classmethod
    def from_json(cls, value: Any) -> Watermark:
        entries = value.get("entries") if isinstance(value, dict) else None
        if not isinstance(entries, list) or not all(isinstance(e, str) for e in entries):
            raise ValueError("watermark without entries")
        return cls(Floor.from_json(value.get("floor")), frozenset(entries))


class ListingPass:
    """One run's pass over one category's listing pages, page after page."""

    def __init__(
        self, previous: Watermark | None, since: date | None, max_pages: int | None
    ) -> None:
        self.last = previous
        # The previous pass lets paging stop early only if it went as deep as this run asks.
        self.previous = previous if previous and previous.floor.covers(since, max_pages) else None
        self.met_last = False
        self.entries: dict[str, None] = {}  # fingerprints in listing order
        self.floor: Floor | None = None
        self.broken = ""

    def read_page(self, urls: Iterable[str]) -> bool:
        """Note a page's entries (those in scope); True when the page lies entirely inside
        the previous complete pass, so everything below it is covered too."""
        fingerprints = [entry_fingerprint(url) for url in urls]
        inside = bool(
            self.last
            and fingerprints
            and all(fingerprint in self.last.entries for fingerprint in fingerprints)
        )
        self.note_page(fingerprints, inside)
        return inside and self.previous is not None

    def note_page(self, fingerprints: list[str], inside: bool) -> None:
        """Keep a page's entries (up to `ENTRIES_KEPT`), and whether it lay inside the last
        complete pass."""
        for fingerprint in fingerprints:
            if len(self.entries) >= ENTRIES_KEPT:
                break
            self.entries.setdefault(fingerprint)
        self.met_last = self.met_last or inside

    @property
    def gap(self) -> bool:
        """True when paging stopped before meeting the last complete pass: the articles
        between the two are never fetched."""
        return self.last is not None and not self.met_last

    def stop_inside_previous(self) -> None:
        """Paging stopped at a page the previous pass covered: its floor is this pass's."""
        assert self.previous is not None
        self.end(self.previous.floor)

    def end(self, floor: Floor) -> None:
        """Paging stopped for a reason of its own, at `floor`."""
        if self.floor is None:
            self.floor = floor

    def fail(self, why: str) -> None:
        """Paging could not go on (a listing page failed): the pass is incomplete."""
        self.broken = self.broken or why

    @property
    def watermark(self) -> Watermark | None:
        """The watermark this pass leaves, once complete; None while paging is unfinished."""
        if self.floor is None or self.broken:
            return None
        return Watermark(self.floor, frozenset(self.entries))
