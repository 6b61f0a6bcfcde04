"""A page's own structured data: JSON-LD (NewsArticle and kin), Open Graph and article meta."""

from __future__ import annotations

import html
import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from lxml import etree

from edunews_scraper.parsing.css import compiled

ARTICLE_TYPES = frozenset(
    {
        "NewsArticle",
        "Article",
        "ReportageNews",
        "AnalysisNewsArticle",
        "BlogPosting",
        "OpinionNewsArticle",
        "BackgroundNewsArticle",
        "LiveBlogPosting",
        "VideoObject",
    }
)


@dataclass
class PageMetadata:
    """What the page says of itself in machine-readable form; empty strings where silent.

    `headline` comes from JSON-LD only; `title` is `og:title`, which often carries a site suffix.
    """

    headline: str = ""
    title: str = ""
    description: str = ""
    published: str = ""
    modified: str = ""
    section: str = ""
    canonical_url: str = ""
    authors: list[str] = field(default_factory=list)
    tags: list[str] = field(default_factory=list)
    images: list[str] = field(default_factory=list)


def unescape(text: str) -> str:
    """`text` with its HTML entities decoded, also when escaped twice or three times
    (`Chi&amp;#7871;n` -> `Chiến`): JSON-LD and meta values of some sites carry them."""
    for _ in range(3):
        if "&" not in text:
            break
        decoded = html.unescape(text)
        if decoded == text:
            break
        text = decoded
    return text


#: How deep lists and `@graph`s are searched for the article object (real pages: 2-3).
MAX_JSON_LD_DEPTH = 8


def _walk(node: Any, depth: int = 0) -> Iterator[dict[str, Any]]:
    if depth > MAX_JSON_LD_DEPTH:
        return
    if isinstance(node, list):
        for child in node:
            yield from _walk(child, depth + 1)
    elif isinstance(node, dict):
        yield node
        yield from _walk(node.get("@graph", []), depth + 1)


def _types(node: dict[str, Any]) -> set[str]:
    value = node.get("@type", [])
    values = value if isinstance(value, list) else [value]
    return {item for item in values if isinstance(item, str)}


_JSON_LD = compiled('script[type="application/ld+json"]::text')
#: The `<meta>` properties read, by `property` or by `name`.
META_KEYS = (
    "og:title",
    "og:description",
    "og:url",
    "og:image",
    "article:published_time",
    "article:modified_time",
    "article:section",
    "article:tag",
)
_META = etree.XPath(
    "//meta[@content][{}]".format(
        " or ".join(f"@property='{key}' or @name='{key}'" for key in META_KEYS)
    )
)
_CANONICAL = compiled('link[rel="canonical"]::attr(href)')


def json_ld_article(root: etree._Element) -> dict[str, Any]:
    """The first JSON-LD object of an article type on the page, or {} when there is none.
    A block that is not JSON, or nested too deep to read, is ignored."""
    for script in _JSON_LD(root):
        try:
            data = json.loads(script, strict=False)
        except (ValueError, RecursionError):
            continue
        for node in _walk(data):
            if _types(node) & ARTICLE_TYPES:
                return node
    return {}


def page_kind(root: etree._Element) -> str:
    """What the page's JSON-LD says it is when that is an article ("JSON-LD NewsArticle"),
    else "". (`og:type` is no evidence: category pages of some sites declare "article".)"""
    if types := _types(json_ld_article(root)) & ARTICLE_TYPES:
        return f"JSON-LD {sorted(types)[0]}"
    return ""


def meta_contents(root: etree._Element) -> dict[str, list[str]]:
    """The `content` of the `<meta>`s of `META_KEYS` by `property` and by `name`, in page
    order."""
    contents: dict[str, list[str]] = {}
    for element in _META(root):
        content = unescape(element.get("content"))
        for key in {element.get("property"), element.get("name")} - {None}:
            contents.setdefault(key, []).append(content)
    return contents


def _names(value: Any, person_only: bool) -> list[str]:
    items = value if isinstance(value, list) else [value]
    names = []
    for item in items:
        if isinstance(item, str):
            names.append(item)
        elif (
            isinstance(item, dict)
            and isinstance(item.get("name"), str)
            and not (person_only and "Organization" in _types(item))
        ):
            names.append(item["name"])
    return [unescape(name) for name in names if name.strip()]


def _image_urls(value: Any) -> list[str]:
    items = value if isinstance(value, list) else [value]
    urls = []
    for item in items:
        if isinstance(item, str):
            urls.append(item)
        elif isinstance(item, dict) and isinstance(item.get("url"), str):
            urls.append(item["url"])
    return urls


def _keywords(value: Any) -> list[str]:
    if isinstance(value, str):
        value = unescape(value).split(",")
    if isinstance(value, list):
        return [unescape(word).strip() for word in value if isinstance(word, str) and word.strip()]
    return []


def _text(value: Any) -> str:
    """A string value, or the first string of a list value, stripped; "" otherwise."""
    if isinstance(value, list):
        value = next((item for item in value if isinstance(item, str)), "")
    return unescape(value).strip() if isinstance(value, str) else ""


def page_metadata(root: etree._Element) -> PageMetadata:
    """JSON-LD first, then `article:*` / `og:*` meta and `<link rel=canonical>`."""
    ld = json_ld_article(root)
    metas = meta_contents(root)

    def meta(key: str) -> str:
        values = metas.get(key)
        return values[0].strip() if values else ""

    main_entity = ld.get("mainEntityOfPage")
    if isinstance(main_entity, dict):
        main_entity = main_entity.get("@id")
    canonical = _CANONICAL(root)
    return PageMetadata(
        headline=_text(ld.get("headline")),
        title=meta("og:title"),
        description=_text(ld.get("description")) or meta("og:description"),
        published=_text(ld.get("datePublished")) or meta("article:published_time"),
        modified=_text(ld.get("dateModified")) or meta("article:modified_time"),
        section=_text(ld.get("articleSection")) or meta("article:section"),
        canonical_url=(canonical[0].strip() if canonical else "")
        or meta("og:url")
        or _text(main_entity)
        or _text(ld.get("url")),
        authors=_names(ld.get("author"), person_only=True),
        tags=_keywords(ld.get("keywords"))
        or [
            tag.strip()
            for content in metas.get("article:tag", [])
            for tag in content.split(",")
            if tag.strip()
        ],
        images=_image_urls(ld.get("image")) or ([meta("og:image")] if meta("og:image") else []),
    )
