"""CSS selectors on lxml trees (edunews_scraper/parsing/css.py): `Page`, which leaves out the
selectors that need a class the page does not carry, finds exactly what parsel's XPath
translation finds, on every selector and saved page of every spider and on a hand-made page
built to trip it."""

from __future__ import annotations

import pytest
from lxml import etree
from parsel.selector import create_root_node

from edunews_scraper.fixtures import find_fixtures
from edunews_scraper.offline import spider_class
from edunews_scraper.parsing.css import Page, select
from tests.conftest import FIXTURES

LISTING_FIELDS = ("listing_item_css", "next_page_css")


def tree(html: str) -> etree._Element:
    return create_root_node(html, etree.HTMLParser)


def spider_selectors(name: str) -> list[str]:
    """Every listing selector of the spider and every selector of each of its layouts."""
    cls = spider_class(name)
    listing = [getattr(cls, field) for field in LISTING_FIELDS]
    return [css for css in listing if css] + [
        css for layout in cls.layouts for css in layout.selectors()
    ]


@pytest.mark.parametrize("fixture", find_fixtures(FIXTURES), ids=str)
def test_page_finds_what_xpath_finds_on_every_saved_page(fixture) -> None:
    root = create_root_node(fixture.response().text, etree.HTMLParser)
    page = Page(root)
    layouts = spider_class(fixture.spider).layouts
    bodies = [body for layout in layouts for body in select(root, layout.body)[:1]]
    for css in spider_selectors(fixture.spider):
        assert page.select(css) == select(root, css), css
        for body in bodies:
            assert page.select(css, within=body) == select(body, css), css


HANDMADE = """<html><body>
<div class="box" id="outer"><p class="x">1</p>
  <div class="box inner"><p class="x">2</p><a href="/a">A</a></div>
  <p class="x">3</p><a href="/b">B</a>
</div>
<ul class="crumbs"><li>Home</li><li class="x">Sub</li><li>Leaf <a href="/c">C</a></li></ul>
<div class="item-x xitem">not an item</div>
<div class="	item
">tabbed item</div>
<div class="other"><span class="x">4</span></div>
<p class="x">5</p>
</body></html>"""


@pytest.mark.parametrize(
    "css",
    [
        ".box .x",  # nested leaders: results interleave, XPath orders them
        ".box > .x",
        ".box a::attr(href)",
        ".box p::text",
        ".crumbs li + li a",
        ".crumbs .x ~ li",
        ".item",
        ".x",
        ".other .x, .box .x, p.x",  # alternatives merged in document order
        ".box a::attr(href), .crumbs a::attr(href)",  # strings: merged by XPath
        ".crumbs li:last-child",
        ".box :not(.inner)",
        ".missing .x, .box .inner a",
    ],
)
def test_page_finds_what_xpath_finds_on_tricky_markup(css: str) -> None:
    root = tree(HANDMADE)
    page = Page(root)
    assert page.select(css) == select(root, css)
    outer = root.xpath("//*[@id='outer']")[0]
    assert page.select(css, within=outer) == select(outer, css)


def test_a_selector_needing_a_missing_class_is_left_out() -> None:
    page = Page(tree(HANDMADE))
    assert "crumbs" in page.classes and "breadcrumbs" not in page.classes
    assert page.select(".breadcrumbs li, .crumbs .x") == select(page.root, ".crumbs .x")
    assert page.select(".breadcrumbs li, .nav a:not(.x)") == []
