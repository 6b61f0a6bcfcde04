"""VCCorp's CMS family (spiders/families/vccorp.py) in the tuoitre and thanhnien spiders, on
their real-structure fixtures: the family layout, bylines, and tuoitre's paging."""

from __future__ import annotations

import re

import pytest

from edunews_scraper.fixtures import Fixture, find_fixtures
from edunews_scraper.offline import OfflineRunner, spider_class
from edunews_scraper.spiders.families.vccorp import VCCORP_ARTICLE
from tests.conftest import FIXTURES


def fixture(spider: str, prefix: str) -> Fixture:
    return next(f for f in find_fixtures(FIXTURES, spider) if f.name.startswith(prefix))


@pytest.mark.parametrize("name", ["tuoitre", "thanhnien"])
def test_the_current_layout_is_the_familys(name: str) -> None:
    current = spider_class(name).layouts[0]
    assert current.name == "current"
    for field in ("marker", "headline", "lead", "time"):
        assert getattr(current, field) == getattr(VCCORP_ARTICLE, field)
    assert current.figure.startswith(VCCORP_ARTICLE.figure)
    assert set(VCCORP_ARTICLE.body_exclude) <= set(current.body_exclude)


def test_a_placeholder_author_alone_is_no_author() -> None:
    """Without a printed byline, the JSON-LD author "Tác giả" (a placeholder) is not a name."""
    page = fixture("thanhnien", "lu-quet-structure-hoc-bong-placeholder-author")
    assert page.expected()["authors"] == ["Ngọc Lan"]
    html = re.sub(
        r'<div class="detail-author" data-role="author">.*?<div class="detail-time">',
        '<div class="detail-author" data-role="author"></div><div class="detail-time">',
        page.response().text,
        count=1,
        flags=re.S,
    )
    output = OfflineRunner(spider_class("thanhnien")).output(
        page.response().replace(body=html.encode("utf-8"))
    )
    assert output["authors"] == []
    assert output["headline"] == page.expected()["headline"]


def test_tuoitre_pages_through_the_timeline_from_its_first_page() -> None:
    """The category page's stream is empty in the served HTML: the next page is the zone's
    timeline page 1, then 2, ...; a timeline page without teasers is the last."""
    spider = OfflineRunner(spider_class("tuoitre")).spider
    category = fixture("tuoitre", "giao-duc-real-structure")
    assert spider.next_page_url(category.response()) == (
        "https://tuoitre.vn/timeline/13/trang-1.htm"
    )
    timeline = fixture("tuoitre", "timeline-13-trang-1").response()
    assert spider.next_page_url(timeline) == "https://tuoitre.vn/timeline/13/trang-2.htm"
    assert spider.next_page_url(timeline.replace(body=b"")) is None
