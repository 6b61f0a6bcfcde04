"""The CMS families' layouts (spiders/families/) on saved pages of their sites."""

from __future__ import annotations

import re

from edunews_scraper.fixtures import find_fixtures
from edunews_scraper.offline import OfflineRunner, spider_class
from edunews_scraper.spiders.families.epi import EPI_ARTICLE
from tests.conftest import FIXTURES

PHOTO = next(
    fixture
    for fixture in find_fixtures(FIXTURES, "giaoducthoidai")
    if fixture.name.startswith("current-2026-photo-ngay")
)


def test_a_caption_covering_two_images_is_each_ones_whether_beside_or_inside_the_figures() -> None:
    """The saved page prints the caption beside two figures in a `div.layout-image-2`; the
    same caption inside one figure holding both images must give the same images."""
    expected = PHOTO.expected()
    pair = re.compile(
        r'<div class="layout-image-2">\n<figure class="image">(<img [^>]*>)</figure>\n'
        r'<figure class="image">(<img [^>]*>)</figure>\n(<figcaption.*?</figcaption>)\n</div>',
        re.S,
    )
    html = PHOTO.response().text
    inside, count = pair.subn(r"<figure class=\"image\">\1\2\3</figure>", html)
    assert count == 1
    runner = OfflineRunner(spider_class("giaoducthoidai"))
    for page in (html, inside):
        output = runner.output(PHOTO.response().replace(body=page.encode("utf-8")))
        assert output["images"] == expected["images"]
        assert output["paragraphs"] == expected["paragraphs"]
    assert expected["images"][0]["caption"] == expected["images"][1]["caption"] != ""


def test_giaoducthoidai_reads_its_current_pages_with_the_family_layout() -> None:
    current = spider_class("giaoducthoidai").layouts[0]
    assert current.name == "current"
    assert current.selectors() == EPI_ARTICLE.selectors()
