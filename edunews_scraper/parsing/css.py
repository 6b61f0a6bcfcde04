"""CSS selectors evaluated straight on lxml elements, compiled once per selector string.

The same selectors as parsel's (`::text` and `::attr(name)` included, translated by parsel's
own translator), minus parsel's per-call overhead: the XPath is compiled once, and the results
are lxml elements and plain strings rather than `Selector` objects.

`Page` answers a page's selectors faster still. libxml2 tests a class predicate on every
element of the page (`.a .b` costs 100-200 us on a 200-element page, most of an article's
extraction time), so a `Page` finds the elements that carry a class name by searching the
page's class attributes as one string, and evaluates a selector that starts with a class
(`.box a`, `div.box > p`) from those elements only (`self::div[...]/p`).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache

import cssselect
from cssselect.parser import Class, CombinedSelector, Element, Tree
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


# Class-led evaluation ----------------------------------------------------------------------


def _leading_class(tree: Tree) -> str | None:
    """The first class name of a selector's leftmost compound when that compound names no
    tag (`.a` of `.a.b > p`): libxml2 then tests the class on every element of the page. A
    compound with a tag (`h1.a`) is cheap for XPath: the class is tested on the `h1`s only."""
    while isinstance(tree, CombinedSelector):
        tree = tree.selector
    names = []
    while hasattr(tree, "selector"):  # a compound: nested conditions on one element
        if isinstance(tree, Class):
            names.append(tree.class_name)
        tree = tree.selector
    if not isinstance(tree, Element) or tree.element not in (None, "*"):
        return None
    return names[-1] if names else None


def _stays_inside(tree: Tree) -> bool:
    """True when every combinator is a descendant or child one: the selector's elements lie
    inside the element its leftmost compound matched."""
    while isinstance(tree, CombinedSelector):
        if tree.combinator not in (" ", ">"):
            return False
        tree = tree.selector
    return True


@dataclass(frozen=True)
class ClassLed:
    """A selector that starts with a tagless class compound, evaluated from the elements
    that carry the class."""

    class_name: str
    from_leader: etree.XPath  # self::*[class...]/...
    stays_inside: bool


@dataclass(frozen=True)
class Plan:
    """How a `Page` evaluates a selector group: its class-led selectors one by one, the
    others in one XPath union."""

    class_led: tuple[ClassLed, ...]
    others: etree.XPath | None  # from a context node: descendant-or-self::... | ...


@lru_cache(maxsize=1024)
def _plan(css: str) -> Plan:
    class_led, others = [], []
    for selector in cssselect.parse(css):
        leader = _leading_class(selector.parsed_tree)
        if leader is None:
            others.append(_TRANSLATOR.selector_to_xpath(selector, translate_pseudo_elements=True))
            continue
        xpath = _TRANSLATOR.selector_to_xpath(
            selector, prefix="self::", translate_pseudo_elements=True
        )
        class_led.append(
            ClassLed(
                leader,
                etree.XPath(xpath, smart_strings=False),
                _stays_inside(selector.parsed_tree),
            )
        )
    union = etree.XPath(" | ".join(others), smart_strings=False) if others else None
    return Plan(tuple(class_led), union)


def document_position(element: etree._Element) -> list[int]:
    """Sibling indexes from the root down to `element`: sorts elements in document order."""
    path = []
    parent = element.getparent()
    while parent is not None:
        path.append(parent.index(element))
        element, parent = parent, parent.getparent()
    return path[::-1]


def is_inside(element: etree._Element, container: etree._Element) -> bool:
    """True when `element` is `container` or one of its descendants."""
    return any(node is container for node in element.iterancestors()) or element is container


_CLASS_VALUES = etree.XPath("//@class", smart_strings=False)
_CLASS_OWNERS = etree.XPath("//@class/..")
_SEPARATOR = "\x00"  # never inside an attribute value


class ClassIndex:
    """The elements of a page that carry a class name. The page's class attributes, joined
    into one string, are searched for the name at C speed: only the names asked for cost."""

    def __init__(self, root: etree._Element) -> None:
        self.root = root
        self.joined = _SEPARATOR.join(_CLASS_VALUES(root))
        self._owners: list[etree._Element] | None = None
        self._found: dict[str, list[etree._Element]] = {}

    def __getitem__(self, name: str) -> list[etree._Element]:
        """The elements whose class attribute holds `name` (split on any whitespace, a
        superset of what a CSS class selector matches), in document order."""
        if name not in self._found:
            if self._owners is None:
                self._owners = _CLASS_OWNERS(self.root)  # one class attribute each: aligned
            owners = self._owners
            self._found[name] = [owners[index] for index in self._positions(name)]
        return self._found[name]

    def _positions(self, name: str) -> Iterator[int]:
        """Indexes of the class attributes holding `name` as a whole word."""
        joined, start, index, counted = self.joined, 0, 0, 0
        while (found := joined.find(name, start)) >= 0:
            start = found + len(name)
            before = joined[found - 1] if found else " "
            after = joined[start] if start < len(joined) else " "
            if (before == _SEPARATOR or before.isspace()) and (
                after == _SEPARATOR or after.isspace()
            ):
                index += joined.count(_SEPARATOR, counted, found)
                counted = found
                yield index


class Page:
    """A parsed page answering CSS selectors as `select` does, those that start with a class
    from the elements that carry it."""

    def __init__(self, root: etree._Element) -> None:
        self.root = root
        self._classes: ClassIndex | None = None

    @property
    def classes(self) -> ClassIndex:
        if self._classes is None:
            self._classes = ClassIndex(self.root)
        return self._classes

    def select(self, css: str, within: etree._Element | None = None) -> list[Node]:
        """Every match of `css` in the page, or in `within` (an element of the page) as
        `select(within, css)` finds them."""
        if not css:
            return []
        context = self.root if within is None else within
        plan = _plan(css)
        if not plan.class_led:
            return select(context, css)
        groups = [self._from_leaders(led, within) for led in plan.class_led]
        if plan.others is not None:
            groups.append(plan.others(context))
        found = [group for group in groups if group]
        if len(found) < 2:
            return found[0] if found else []
        if any(isinstance(node, str) for group in found for node in group):
            return select(context, css)  # strings carry no position to merge them by
        unique = {id(node): node for group in found for node in group}
        return sorted(unique.values(), key=document_position)  # type: ignore[arg-type]

    def select_first(self, css: str, within: etree._Element | None = None) -> Node | None:
        """The first match of `css` in document order, or None."""
        matches = self.select(css, within)
        return matches[0] if matches else None

    def _from_leaders(self, led: ClassLed, within: etree._Element | None) -> list[Node]:
        leaders = self.classes[led.class_name]
        if within is not None:
            leaders = [leader for leader in leaders if is_inside(leader, within)]
        results = [(leader, found) for leader in leaders if (found := led.from_leader(leader))]
        if len(results) > 1 and (
            not led.stays_inside or _nested([leader for leader, _ in results])
        ):
            # Results may interleave: let XPath order them.
            return compiled_xpath(
                led.from_leader.path.replace("self::", "descendant-or-self::", 1)
            )(self.root if within is None else within)
        return [node for _, found in results for node in found]


def _nested(elements: list[etree._Element]) -> bool:
    """True when one of `elements` lies inside another."""
    ids = {id(element) for element in elements}
    return any(id(node) in ids for element in elements for node in element.iterancestors())
