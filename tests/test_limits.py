"""Only the web and bounded work, unit by unit: URL checks, the page scan that runs before
lxml, field limits, JSON-LD that cannot hurt, and the schema's URL rule."""

from __future__ import annotations

import json

import pytest
from lxml import etree

from edunews_scraper.limits import FieldLimits, PageLimits, distinct_attributes
from edunews_scraper.loader import load
from edunews_scraper.parsing.structured import json_ld_article
from edunews_scraper.urls import UnsafeURL, is_web_url, join_web_url, on_domains, web_url
from tests.conftest import FIXTURES

BASE = "https://giaoducthoidai.vn/giao-duc/"


@pytest.mark.parametrize(
    ("href", "kind"),
    [
        ("file://giaoducthoidai.vn/etc/passwd-post1.html", "scheme/file"),
        ("file:///dev/zero?x-post1.html", "scheme/file"),
        ("javascript:alert(1)", "scheme/javascript"),
        (" JavaScript:alert(1)", "scheme/javascript"),
        ("vbscript:msgbox(1)", "scheme/vbscript"),
        ("data:text/html,<p>x</p>", "scheme/data"),
        ("ftp://giaoducthoidai.vn/a-post1.html", "scheme/ftp"),
        ("http://[::1", "malformed"),
        ("http://giaoducthoidai.vn:99999/a-post1.html", "malformed"),
        ("http:///a-post1.html", "no_host"),
        ("https://giaoducthoidai.vn/" + "a" * 3000, "too_long"),
    ],
)
def test_what_is_not_a_web_url(href: str, kind: str) -> None:
    with pytest.raises(UnsafeURL) as refused:
        join_web_url(BASE, href)
    assert refused.value.kind == kind


def test_web_urls_are_joined_without_fragment() -> None:
    assert join_web_url(BASE, "../a-post1.html#top") == "https://giaoducthoidai.vn/a-post1.html"
    assert (
        join_web_url(BASE, "//img.giaoducthoidai.vn/x.jpg") == "https://img.giaoducthoidai.vn/x.jpg"
    )
    assert web_url("HTTP://GIAODUCTHOIDAI.VN/a") == "HTTP://GIAODUCTHOIDAI.VN/a"
    assert not is_web_url("https://giaoducthoidai.vn/a", max_chars=10)
    assert on_domains("https://img.giaoducthoidai.vn/x", ["giaoducthoidai.vn"])
    assert not on_domains("https://giaoducthoidai.vn.evil.example/x", ["giaoducthoidai.vn"])


def test_every_saved_page_passes_the_page_scan() -> None:
    limits = PageLimits()
    pages = sorted(FIXTURES.glob("*/*/*.html"))
    assert pages
    for page in pages:
        assert limits.scan(page.read_bytes()) == "", page


def test_the_page_scan_refuses_what_lxml_would_take_long_on() -> None:
    limits = PageLimits()
    bomb = b"<html><body><p " + b" ".join(b"a%d=1" % i for i in range(200_000)) + b">x</p>"
    assert "200,000 attributes" in limits.scan(bomb)
    assert "tags" in limits.scan(b"<p>a</p>" * 60_000)
    # Attributes written back to back, or as bare names, count; repeated names do not cost
    # libxml2 anything and do not count.
    assert distinct_attributes(b'<p a="1"b="2"c=3 d e/f') == 6
    assert distinct_attributes(b"<p " + b"a " * 500) == 1
    # Tags inside scripts, styles and comments are not tags.
    many = b" ".join(b"x%d" % i for i in range(500))
    for raw in (b"<script>var s = '<p %s';</script>", b"<!-- <p %s -->", b"<style><p %s</style>"):
        assert limits.scan(raw % many) == ""
    assert limits.scan(b"<div><p %s></div>" % many).startswith("a tag with 500 attributes")


def test_field_limits_come_from_one_setting() -> None:
    from scrapy.settings import Settings

    limits = FieldLimits.from_settings(Settings({"EDUNEWS_FIELD_LIMITS": {"paragraph": 50}}))
    assert limits.paragraph == 50 and limits.headline == FieldLimits().headline
    with pytest.raises(ValueError, match="unknown fields"):
        FieldLimits.from_settings(Settings({"EDUNEWS_FIELD_LIMITS": {"paragraphs": 50}}))


def page(*json_ld: str) -> etree._Element:
    scripts = "".join(f'<script type="application/ld+json">{block}</script>' for block in json_ld)
    return etree.fromstring(f"<html><head>{scripts}</head><body></body></html>", etree.HTMLParser())


def test_json_ld_that_cannot_be_read_is_ignored_never_fatal() -> None:
    article = '{"@type": "NewsArticle", "headline": "Tin"}'
    for hostile in (
        "[" * 100_000 + "]" * 100_000,  # RecursionError in json
        "[" * 900 + article + "]" * 900,  # readable, too deep to search
        '{"@type": [{"a": 1}], "headline": "x"}',  # unhashable types
        "not json",
    ):
        assert json_ld_article(page(hostile)) == {}
        assert json_ld_article(page(hostile, article))["headline"] == "Tin"


def test_the_schema_accepts_only_web_urls(tmp_path) -> None:
    saved = sorted((FIXTURES / "giaoducthoidai/articles").glob("*.expected.json"))
    good = json.loads(saved[0].read_text("utf-8"))
    assert "reason" not in good
    lines = [good]
    for field, bad in (
        ("url", "file:///etc/passwd"),
        ("canonical_url", "javascript:alert(1)"),
        ("images", [{"url": "vbscript:msgbox(1)", "caption": ""}]),
        ("images", [{"url": "data:image/gif;base64,R0lG", "caption": ""}]),
    ):
        lines.append({**good, field: bad})
    path = tmp_path / "a.jsonl"
    path.write_text("".join(json.dumps(line, ensure_ascii=False) + "\n" for line in lines))
    problems: list = []
    assert len(list(load(path, on_problem=problems.append))) == 1
    assert [problem.line for problem in problems] == [2, 3, 4, 5]
