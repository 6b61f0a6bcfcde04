"""Items: what a spider saw (`RawArticle`), what we export (`Article`), and `Reject`.

Spiders yield `RawArticle`s holding strings and HTML fragments as the page shows them.
The pipelines fill in the derived fields of the `RawArticle` step by step and finally turn
it into a typed `Article`, or into a `Reject` that records the URL and the reason.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime


@dataclass
class Image:
    """An image of the article body with its caption (empty when the page shows none)."""

    url: str
    caption: str = ""


@dataclass
class RawImage:
    """An image as the page shows it: source URL, caption text and alt/title text."""

    src: str
    caption: str = ""
    alt: str = ""


@dataclass
class RawArticle:
    """An article page as a spider saw it, plus the fields the pipelines derive from it."""

    url: str
    site: str
    fetched_at: datetime
    canonical_url: str = ""
    headline: str = ""
    lead: str = ""
    byline: str = ""
    authors: list[str] = field(default_factory=list)
    published_raw: str = ""
    published_iso: str = ""
    updated_raw: str = ""
    category: str = ""
    body_html: str = ""
    images: list[RawImage] = field(default_factory=list)
    tags: list[str] = field(default_factory=list)
    language: str = "vi"
    # Derived by the pipelines:
    paragraphs: list[str] = field(default_factory=list)
    published: datetime | None = None
    updated: datetime | None = None


@dataclass
class Article:
    """A clean, typed article: the schema of the articles feed (see README)."""

    id: str
    url: str
    canonical_url: str
    site: str
    category: str
    headline: str
    lead: str
    authors: list[str]
    published: datetime
    published_raw: str
    updated: datetime | None
    paragraphs: list[str]
    images: list[Image]
    tags: list[str]
    language: str
    fetched_at: datetime
    content_hash: str


@dataclass
class Reject:
    """A page that did not become an `Article`: where it was and why."""

    url: str
    site: str
    reason: str
    fetched_at: datetime
