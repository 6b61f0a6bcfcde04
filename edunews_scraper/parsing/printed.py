"""What an article page prints about itself, found without knowing its markup: the headline,
and near it the publication time, the byline and the sapo (lead).

For pages of a CMS no spider knows. Everything is looked for as a reader sees it: the headline
is the page's `h1` (outside header, navigation, footer and sidebars), or else the element
classed as a title whose text is the page's own title; the time, byline and sapo are the
first of their kind after the headline in document order, so a masthead's date ("Thứ Bảy,
Ngày 07 tháng 03 năm 2026") or a sidebar's teasers before it are never taken.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from itertools import islice

from lxml import etree

from edunews_scraper.parsing.text import SKIPPED_TAGS, clean_text

_OUTSIDE_ARTICLE = "ancestor::*[self::header or self::nav or self::footer or self::aside]"
_H1 = etree.XPath(f"//h1[not({_OUTSIDE_ARTICLE})]")
_TITLED = etree.XPath(
    "//body//*[contains(translate(@class, 'TITLE', 'title'), 'title')]"
    f"[not({_OUTSIDE_ARTICLE})][not(self::a or ancestor::a)]"
)

#: A printed date with its time, either order: "07/03/2026 08:47", "07-03-2026 - 00:01 AM",
#: "08:06 07/03/2026", "Thứ bảy, 7/3/2026, 08:06 (GMT+7)".
DATE_TIME = re.compile(
    r"\d{1,2}[/.-]\d{1,2}[/.-]\d{4}[^\d\n]{0,12}?\d{1,2}\s*[:hg]\s*\d{2}(?:\s*[AaPp][Mm])?"
    r"|\d{1,2}:\d{2}(?:\s*[AaPp][Mm])?[^\d\n]{0,12}?\d{1,2}[/.-]\d{1,2}[/.-]\d{4}"
)
#: A printed date alone: "01/03/2026".
DATE = re.compile(r"\d{1,2}[/.-]\d{1,2}[/.-]\d{4}")
#: Classes of elements that print a time, a byline or a sapo.
_TIME_CLASS = re.compile(r"time|date|publish|ngay", re.IGNORECASE)
_AUTHOR_CLASS = re.compile(r"(?:^|[\s_-])(?:author|byline|tac-?gia)(?:$|[\s_-])", re.IGNORECASE)
_SAPO_CLASS = re.compile(r"sapo|lead|summary|description|excerpt|chapeau|standfirst", re.I)
#: How many elements after the headline the time, byline and sapo are looked for in.
NEAR = 400
#: A byline names at most this many characters' worth of people.
MAX_BYLINE = 60
#: A sapo has at least this many characters.
MIN_SAPO = 40


def text_of(element: etree._Element) -> str:
    """The element's visible text (scripts and styles left out), cleaned."""
    return clean_text(" ".join(_visible_texts(element)))


def _visible_texts(element: etree._Element) -> Iterator[str]:
    if not isinstance(element.tag, str) or element.tag in SKIPPED_TAGS:
        return
    if element.text:
        yield element.text
    for child in element:
        yield from _visible_texts(child)
        if child.tail:
            yield child.tail


def own_text(element: etree._Element) -> str:
    """The text directly inside the element (not inside its children), cleaned."""
    parts = [element.text or "", *(child.tail or "" for child in element)]
    return clean_text(" ".join(parts))


def _title_forms(titles: Iterable[str]) -> set[str]:
    """The page's own titles, and each without a " - Site" or " | Site" suffix."""
    forms = set()
    for title in titles:
        title = clean_text(title)
        if title:
            forms.add(title.casefold())
            forms.add(re.split(r"\s+[|\-–—]\s+", title)[0].casefold())
    return forms


def printed_headline(root: etree._Element, titles: Iterable[str]) -> etree._Element | None:
    """The element that prints the headline: the first `h1` with text outside header,
    navigation, footer and sidebars; else the first element classed as a title whose text is
    one of `titles` (JSON-LD headline, og:title, `<title>`), a site suffix allowed."""
    for h1 in _H1(root):
        if text_of(h1):
            return h1
    forms = _title_forms(titles)
    for element in _TITLED(root):
        text = text_of(element)
        if len(text) >= 10 and text.casefold() in forms:
            return element
    return None


def after(root: etree._Element, start: etree._Element | None) -> Iterator[etree._Element]:
    """The elements of the page after `start` (its descendants first) in document order, at
    most `NEAR` of them; from the top of `<body>` when there is no `start`."""
    if start is None:
        body = root.find(".//body")
        elements: Iterator[etree._Element] = (body if body is not None else root).iter()
    else:
        elements = _following(start)
    return islice((element for element in elements if isinstance(element.tag, str)), NEAR)


def _following(start: etree._Element) -> Iterator[etree._Element]:
    yield from start.iterdescendants()
    node: etree._Element | None = start
    while node is not None:
        for sibling in node.itersiblings():
            yield from sibling.iter()
        node = node.getparent()


def _classes(element: etree._Element) -> str:
    return f"{element.get('class') or ''} {element.get('id') or ''}"


def printed_time(root: etree._Element, headline: etree._Element | None) -> str:
    """The publication time the page prints after its headline, as printed: the first date
    with a time; else the first date alone in an element classed as a time or a date.
    A `<time datetime>` there counts too. "" when none."""
    date_only = ""
    for element in after(root, headline):
        if element.tag in SKIPPED_TAGS:
            continue
        if element.tag == "time" and (machine := clean_text(element.get("datetime"))):
            return machine
        text = own_text(element)
        if match := DATE_TIME.search(text):
            return match.group(0)
        if not date_only and _TIME_CLASS.search(_classes(element)) and DATE.search(text):
            date_only = DATE.search(text).group(0)
    return date_only


def printed_authors(root: etree._Element, headline: etree._Element | None) -> list[str]:
    """The names the first byline after the headline prints: elements classed as an author
    or byline (the innermost ones), short and without digits."""
    names: list[str] = []
    for element in after(root, headline):
        if not _AUTHOR_CLASS.search(element.get("class") or "") or element.tag in SKIPPED_TAGS:
            continue
        if any(
            _AUTHOR_CLASS.search(child.get("class") or "")
            for child in element.iterdescendants()
            if isinstance(child.tag, str)
        ):
            continue
        text = text_of(element)
        if text and len(text) <= MAX_BYLINE and not re.search(r"\d", text):
            names.append(text)
        elif names:
            break
    return list(dict.fromkeys(names))


def printed_sapo(root: etree._Element, headline: etree._Element | None) -> str:
    """The sapo printed after the headline: the first element classed as a sapo or lead
    with at least `MIN_SAPO` characters of text."""
    for element in after(root, headline):
        if element.tag in SKIPPED_TAGS or not _SAPO_CLASS.search(element.get("class") or ""):
            continue
        text = text_of(element)
        if len(text) >= MIN_SAPO:
            return text
    return ""
