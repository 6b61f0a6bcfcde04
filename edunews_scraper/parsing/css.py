"""CSS selectors evaluated straight on lxml elements, compiled once per selector string.

The same selectors as parsel's (`::text` and `::attr(name)` included, translated by parsel's
own translator), minus parsel's per-call overhead: the XPath is compiled once, and the results
are lxml elements and plain strings rather than `Selector` objects.

`Page` answers a page's selectors faster still. libxml2 tests a class predicate on every
element of the page (`.a .b` costs 100-200 us on a 200-element page), and a spider's selectors
list several layouts (`h1.title-page, h1.e-magazine__title, ...`) and many exclusions of which
a page shows few. A selector naming a class that no element of the page carries matches
nothing: `Page` looks the classes up in the page's class attributes, joined into one string,
and leaves such selectors out of the XPath it evaluates.
"""

from __future__ import annotations

from functools import lru_cache

import cssselect
from cssselect.parser import Class, CombinedSelector, Tree
from lxml import etree
from parsel.csstranslator import HTMLTranslator

_TRANSLATOR = HTMLTranslator()

Node = etree._Element | str


@lru_cache(maxsize=1024)
def compiled(css: str) -> etree.XPath:
    """The compiled XPath of `css` (results in document order, strings not 'smart')."""
    return compiled_xpath(_TRANSLATOR.css_to_xpath(css))


@lru_cache(maxsize=1024)
def compiled_xpath(xpath: str) -> etree.XPath:
    """`xpath` compiled, its strings not 'smart'."""
    return etree.XPath(xpath, smart_strings=False)


def select(node: etree._Element, css: str) -> list[Node]:
    """Every match of `css` in `node` (itself included): elements, or strings for `::text`
    and `::attr()`. An empty `css` selects nothing."""
    return compiled(css)(node) if css else []


# Selectors that cannot match -----------------------------------------------------------------


def _required_classes(tree: Tree) -> frozenset[str]:
    """The class names a match needs some element of the page to carry: those of each
    compound of the selector (not those inside `:not()` or `:has()`)."""
    names = set()
    compounds = []
    while isinstance(tree, CombinedSelector):
        compounds.append(tree.subselector)
        tree = tree.selector
    compounds.append(tree)
    for compound in compounds:
        while hasattr(compound, "selector"):  # nested conditions on one element
            if isinstance(compound, Class):
                names.add(compound.class_name)
            compound = compound.selector
    return frozenset(names)


@lru_cache(maxsize=1024)
def _alternatives(css: str) -> tuple[tuple[frozenset[str], str], ...]:
    """Each selector of the group: (the classes it needs, its XPath)."""
    return tuple(
        (
            _required_classes(selector.parsed_tree),
            _TRANSLATOR.selector_to_xpath(selector, translate_pseudo_elements=True),
        )
        for selector in cssselect.parse(css)
    )


_CLASS_VALUES = etree.XPath("//@class", smart_strings=False)


class Page:
    """A parsed page answering CSS selectors as `select` does, without evaluating those that
    need a class the page does not carry."""

    def __init__(self, root: etree._Element) -> None:
        self.root = root
        self._classes: str | None = None

    @property
    def classes(self) -> str:
        """Every class attribute of the page, joined: a class name that is not in it is
        carried by no element."""
        if self._classes is None:
            self._classes = "\n".join(_CLASS_VALUES(self.root))
        return self._classes

    def select(self, css: str, within: etree._Element | None = None) -> list[Node]:
        """Every match of `css` in the page, or in `within` (an element of the page), as
        `select` finds them."""
        if not css:
            return []
        possible = [
            xpath
            for needed, xpath in _alternatives(css)
            if all(name in self.classes for name in needed)
        ]
        if not possible:
            return []
        return compiled_xpath(" | ".join(possible))(self.root if within is None else within)

    def select_first(self, css: str, within: etree._Element | None = None) -> Node | None:
        """The first match of `css` in document order, or None."""
        matches = self.select(css, within)
        return matches[0] if matches else None
