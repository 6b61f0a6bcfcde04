"""Bounded work per page: limits that keep one hostile page from taking minutes or gigabytes.

- Size: Scrapy's `DOWNLOAD_MAXSIZE` (also applied to the decompressed body, so a gzip bomb
  stops at the limit) and `DOWNLOAD_WARNSIZE`.
- Structure, checked on the raw bytes before anything parses them (`scan_page`): at most
  `EDUNEWS_MAX_TAGS` tags (lxml needs ~300 bytes per element, and its parse time grows with
  them) and `EDUNEWS_MAX_ATTRIBUTES` distinct attributes on one tag (libxml2 compares each
  attribute with every earlier one: a `<p>` with 200,000 attributes takes it 70 s). Nothing
  can interrupt lxml mid-parse, so parse time is bounded by bounding what it is given.
- Fields (`FieldLimits`, setting `EDUNEWS_FIELD_LIMITS`): the longest headline, lead,
  paragraph, caption, label (author, tag, category, printed time), URL and whole text an
  article may have.

A page over a limit becomes a reject whose reason starts with ``refused:``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, fields

from scrapy.exceptions import IgnoreRequest
from scrapy.settings import BaseSettings
from twisted.internet.defer import CancelledError
from twisted.python.failure import Failure

try:
    from scrapy.exceptions import DownloadCancelledError
except ImportError:  # Scrapy < 2.14
    DownloadCancelledError = CancelledError  # type: ignore[assignment,misc]

_SEPARATORS = (b" ", b"\n", b"\t", b"\r", b"\f", b"/", b'"', b"'")
#: Where libxml2 reads no tags (an unclosed one runs to the end of the page).
_RAW_TEXT = ((b"<script", b"</script"), (b"<style", b"</style"), (b"<!--", b"-->"))
_QUOTED = re.compile(rb"\"[^\"]*\"|'[^']*'")
_ATTRIBUTE_SEPARATORS = re.compile(rb"[\s/]+")


class PageRefused(IgnoreRequest):
    """A page refused by a limit before it was parsed; the message says which."""


@dataclass(frozen=True)
class PageLimits:
    max_tags: int = 100_000
    max_attributes: int = 100

    @classmethod
    def from_settings(cls, settings: BaseSettings) -> PageLimits:
        return cls(
            settings.getint("EDUNEWS_MAX_TAGS", cls.max_tags),
            settings.getint("EDUNEWS_MAX_ATTRIBUTES", cls.max_attributes),
        )

    def scan(self, body: bytes) -> str:
        """What makes `body` too costly to parse ("" when nothing does). Linear in its size."""
        tags = body.count(b"<")
        if tags > self.max_tags:
            return f"{tags:,} tags (limit {self.max_tags:,}: EDUNEWS_MAX_TAGS)"
        shortest = 2 * self.max_attributes  # an attribute takes a separator and a letter
        lowered = b""
        for piece in body.split(b">"):
            if len(piece) < shortest:
                continue
            tag = piece[piece.rfind(b"<") :]
            if (
                len(tag) < shortest
                or not tag[1:2].isalpha()
                or _separators(tag) < self.max_attributes
                or (count := distinct_attributes(tag)) <= self.max_attributes
            ):
                continue
            lowered = lowered or body.lower()
            if _in_raw_text(lowered, lowered.find(tag.lower())):
                continue
            return (
                f"a tag with {count:,} attributes (limit {self.max_attributes:,}: "
                "EDUNEWS_MAX_ATTRIBUTES)"
            )
        return ""


def _separators(tag: bytes) -> int:
    """An upper bound of the attributes in `tag`: what can end or separate them."""
    return sum(map(tag.count, _SEPARATORS))


def _in_raw_text(lowered: bytes, position: int) -> bool:
    """True when `position` of a page (lowercased) lies in a script, a style or a comment,
    where libxml2 reads no tags."""
    return any(
        lowered.rfind(opening, 0, position) > lowered.rfind(closing, 0, position)
        for opening, closing in _RAW_TEXT
    )


def distinct_attributes(tag: bytes) -> int:
    """How many distinct attribute names a start tag (``<name ...``, perhaps without its
    ``>``) holds, read as an HTML tokenizer would (values may be unquoted, and a quoted value
    may run into the next name)."""
    tokens = _ATTRIBUTE_SEPARATORS.split(_QUOTED.sub(b" ", tag[1:]))[1:]
    return len({token.split(b"=", 1)[0].lower() for token in tokens} - {b""})


def refusal(failure: Failure) -> str:
    """The reject reason (``refused: ...``) of a download stopped by a limit, else ""."""
    error = failure.value
    if isinstance(error, PageRefused):
        return str(error)
    message = str(error)
    if isinstance(error, DownloadCancelledError | CancelledError) and "max size" in message:
        return "refused: larger than DOWNLOAD_MAXSIZE"
    if isinstance(error, IgnoreRequest) and "DOWNLOAD_MAXSIZE" in message:
        return "refused: larger than DOWNLOAD_MAXSIZE once decompressed"
    return ""


@dataclass(frozen=True)
class FieldLimits:
    """The longest value of each text field, in characters (setting `EDUNEWS_FIELD_LIMITS`,
    a dict of any of these names; the others keep their defaults)."""

    headline: int = 1_000
    lead: int = 5_000
    paragraph: int = 20_000
    caption: int = 2_000
    label: int = 500  # an author, a tag, the category, the printed time
    url: int = 2_048  # a canonical or image URL (a longer one is dropped)
    article: int = 500_000  # all of its text together

    @classmethod
    def from_settings(cls, settings: BaseSettings) -> FieldLimits:
        given = settings.getdict("EDUNEWS_FIELD_LIMITS")
        known = {field.name for field in fields(cls)}
        unknown = set(given) - known
        if unknown:
            raise ValueError(
                f"EDUNEWS_FIELD_LIMITS: unknown fields {sorted(unknown)}; known: {sorted(known)}"
            )
        return cls(**{name: int(value) for name, value in given.items()})
