"""The CMS families' layouts (spiders/families/) on saved pages of their sites."""

from __future__ import annotations

import re

from edunews_scraper.fixtures import Fixture, find_fixtures
from edunews_scraper.offline import OfflineRunner, spider_class
from edunews_scraper.spiders.families.epi import EPI_ARTICLE
from tests.conftest import FIXTURES


def saved(prefix: str) -> Fixture:
    return next(f for f in find_fixtures(FIXTURES, "giaoducthoidai") if f.name.startswith(prefix))


def test_a_caption_covering_two_images_is_each_ones_whether_beside_or_inside_the_figures() -> None:
    """The real photo story prints each caption beside the two figures of a
    `div.layout-image-2`; the same caption inside one figure holding both images must give
    the same images and text."""
    photo = saved("current-2026-photo-ngay")
    pair = re.compile(
        r"<figure> (<img [^>]*>) </figure> <figure> (<img [^>]*>) </figure> "
        r"(<figcaption>.*?</figcaption>)\n",
        re.S,
    )
    html = photo.response().text
    inside, count = pair.subn(r"<figure> \1 \2 \3 </figure>\n", html)
    assert count == 11
    runner = OfflineRunner(spider_class("giaoducthoidai"))
    output = runner.output(photo.response().replace(body=inside.encode("utf-8")))
    assert output["images"] == photo.expected()["images"]
    assert output["paragraphs"] == photo.expected()["paragraphs"]


def test_giaoducthoidai_reads_its_current_pages_with_the_family_layout() -> None:
    current = spider_class("giaoducthoidai").layouts[0]
    assert current.name == "current"
    assert current.selectors() == EPI_ARTICLE.selectors()


def test_a_sapo_printed_as_h2_is_the_lead() -> None:
    """The team's markup notes report `h2.article__sapo` on some pages of the family."""
    report = saved("current-2026-stem")
    html = report.response().text
    as_h2, count = re.subn(
        r'<div class="article__sapo cms-desc"> <p>(.*?)</p> </div>',
        r'<h2 class="article__sapo cms-desc">\1</h2>',
        html,
    )
    assert count == 1
    runner = OfflineRunner(spider_class("giaoducthoidai"))
    page = report.response().replace(body=as_h2.encode("utf-8"))
    assert runner.spider.extract_article(page).lead.startswith("GD&TĐ - ")  # printed, not meta
    assert runner.output(page)["lead"] == report.expected()["lead"]
