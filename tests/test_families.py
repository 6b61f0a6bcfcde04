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


def test_a_gallery_with_no_paragraph_has_its_captions_as_text_not_related_news() -> None:
    """A gallery article of the family can have no `<p>` at all (captions only). It is an
    article whose text is its captions (the lead's decision: a photo story is an article),
    and the in-body related-news box is never taken for its text."""
    body = re.compile(r'(<div class="article__body[^"]*"[^>]*>)(.*?)(\n        </div>\n)', re.S)
    html = PHOTO.response().text
    gallery, count = body.subn(
        lambda m: m[1] + re.sub(r"\n<p>.*?</p>(?=\n)", "", m[2]) + m[3], html, count=1
    )
    assert count == 1 and "div.article-relate" not in gallery
    output = OfflineRunner(spider_class("giaoducthoidai")).output(
        PHOTO.response().replace(body=gallery.encode("utf-8"))
    )
    captions = list(dict.fromkeys(image["caption"] for image in PHOTO.expected()["images"]))
    assert output["paragraphs"] == [caption for caption in captions if caption]
    assert output["images"] == PHOTO.expected()["images"]
