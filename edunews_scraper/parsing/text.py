"""Text clean-up: Unicode NFC, collapsed whitespace, and HTML fragments split into paragraphs.

Block boundaries (`<p>`, `<div>`, list items, table cells, headings) and a run of two or more
`<br>` end a paragraph; a single `<br>` is a line break inside one. Either way, words on each
side of them never glue together.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Collection, Iterable

import lxml.html
from lxml import etree

_INVISIBLE = re.compile("[\u200b\u200c\u200d\u2060\ufeff\u00ad]")
_BREAK = "\ue000"  # stands for a <br> until the paragraph is finished
_PARAGRAPH_BREAK = re.compile(rf"\s*{_BREAK}\s*(?:{_BREAK}\s*)+")

BLOCK_TAGS = frozenset(
    "p div section article header footer aside main nav h1 h2 h3 h4 h5 h6 ul ol li dl dt dd "
    "blockquote pre table thead tbody tfoot tr td th caption figure figcaption hr address "
    "center details summary".split()
)
SKIPPED_TAGS = frozenset(
    "script style noscript template iframe object embed svg button form input select "
    "textarea video audio source picture map head title meta link".split()
)


def clean_text(text: str | None) -> str:
    """NFC-normalise `text`, drop invisible characters and collapse whitespace."""
    if not text:
        return ""
    # split() splits on exactly what the regex \s matches: str.isspace() characters.
    return " ".join(_INVISIBLE.sub("", unicodedata.normalize("NFC", text)).split())


def clean_all(texts: Iterable[str]) -> list[str]:
    """`clean_text` over `texts`, dropping those that end up empty."""
    return [cleaned for text in texts if (cleaned := clean_text(text))]


def html_to_paragraphs(fragment: str) -> list[str]:
    """Split an HTML fragment into clean paragraphs, one per block of visible text."""
    if not fragment or not fragment.strip():
        return []
    try:
        root = lxml.html.fragment_fromstring(fragment, create_parent="div")
    except (etree.ParserError, ValueError):
        return []
    return element_paragraphs(root)


def element_paragraphs(
    root: etree._Element, hidden: Collection[etree._Element] = frozenset()
) -> list[str]:
    """The clean paragraphs of the visible text inside an (already parsed) element, leaving
    out the elements in `hidden` (but not the text that follows them)."""
    if not isinstance(root.tag, str) or root.tag in SKIPPED_TAGS:
        return []
    if not len(root):  # a leaf (a headline, a link): its text is its one paragraph
        text = clean_text(root.text)
        return [text] if text else []
    paragraphs: list[str] = []
    pieces: list[str] = []

    def flush() -> None:
        text = "".join(pieces)
        pieces.clear()
        if not text or text.isspace():
            return
        blocks = _PARAGRAPH_BREAK.split(text) if _BREAK in text else [text]
        for block in blocks:
            if cleaned := clean_text(block.replace(_BREAK, " ")):
                paragraphs.append(cleaned)

    def walk(element: etree._Element) -> None:
        tag = element.tag
        if not isinstance(tag, str) or tag in SKIPPED_TAGS or element in hidden:
            pass
        elif tag == "br":
            pieces.append(_BREAK)
        elif tag in BLOCK_TAGS:
            flush()
            if element.text:
                pieces.append(element.text)
            for child in element:
                walk(child)
            flush()
        else:
            if element.text:
                pieces.append(element.text)
            for child in element:
                walk(child)
        if element.tail:
            pieces.append(element.tail)

    if root.text:
        pieces.append(root.text)
    for child in root:
        walk(child)
    flush()
    return paragraphs
