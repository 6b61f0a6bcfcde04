"""CSS selectors evaluated straight on lxml elements, compiled once per selector string.

The same selectors as parsel's (`::text` and `::attr(name)` included, translated by parsel's
own translator), minus parsel's per-call overhead: the XPath is compiled once, and the results
are lxml elements and plain strings rather than `Selector` objects. The extraction hot path
runs a dozen of these per page.
"""

from __future__ import annotations

from functools import lru_cache

from lxml import etree
from parsel.csstranslator import HTMLTranslator

_TRANSLATOR = HTMLTranslator()

Node = etree._Element | str


@lru_cache(maxsize=1024)
def compiled(css: str) -> etree.XPath:
    """The compiled XPath of `css` (results in document order, strings not 'smart')."""
    return etree.XPath(_TRANSLATOR.css_to_xpath(css), smart_strings=False)


def select(node: etree._Element, css: str) -> list[Node]:
    """Every match of `css` in `node` (itself included): elements, or strings for `::text`
    and `::attr()`. An empty `css` selects nothing."""
    return compiled(css)(node) if css else []


def select_first(node: etree._Element, css: str) -> Node | None:
    """The first match of `css` in `node` in document order, or None."""
    matches = select(node, css)
    return matches[0] if matches else None


def drop(element: etree._Element) -> None:
    """Take `element` out of its tree, keeping the text that follows it (its tail)."""
    parent = element.getparent()
    if parent is None:
        return
    tail = element.tail
    if tail:
        previous = element.getprevious()
        if previous is None:
            parent.text = (parent.text or "") + tail
        else:
            previous.tail = (previous.tail or "") + tail
    parent.remove(element)
