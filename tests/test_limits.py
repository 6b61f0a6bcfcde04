"""Only the web and bounded work, unit by unit: URL checks, the page scan that runs before
lxml, field limits, JSON-LD that cannot hurt, and the schema's URL rule."""

from __future__ import annotations

import json
import re

import pytest
from lxml import etree
from scrapy.http import HtmlResponse, Request

from edunews_scraper.exporters import to_jsonable
from edunews_scraper.fixtures import find_fixtures
from edunews_scraper.limits import FieldLimits, PageLimits, distinct_attributes
from edunews_scraper.loader import load
from edunews_scraper.offline import OfflineRunner, spider_class
from edunews_scraper.parsing.structured import json_ld_article
from edunews_scraper.spiders.generic import GenericNewsSpider
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


def _with_malformed_urls(html: str) -> str:
    """`html` with its canonical link and its first lazy image pointing at a broken IPv6
    literal, which `urllib.parse.urljoin` refuses with ValueError."""
    html = re.sub(
        r'<link rel="canonical" href="[^"]*"',
        '<link rel="canonical" href="http://[::1"',
        html,
        count=1,
    )
    return html.replace('data-src="https://', 'data-src="http://[::1/', 1)


@pytest.mark.parametrize("spider", ["vnexpress", "news"])
def test_a_malformed_image_or_canonical_url_is_dropped_not_fatal(spider: str) -> None:
    fixture = next(f for f in find_fixtures(FIXTURES, "vnexpress") if f.kind == "articles")
    expected = fixture.expected()
    response = fixture.response()
    broken = response.replace(body=_with_malformed_urls(response.text).encode("utf-8"))
    runner = (
        OfflineRunner(GenericNewsSpider, start_urls="https://vnexpress.net/giao-duc")
        if spider == "news"
        else OfflineRunner(spider_class(spider))
    )
    output = to_jsonable(runner.article(broken))
    assert "reason" not in output, output.get("reason")
    assert output["canonical_url"] == fixture.url  # the broken canonical is left out
    assert output["headline"] == expected["headline"]
    urls = [image["url"] for image in output["images"]]
    assert urls and all(url.startswith("https://") for url in urls)
    stats = runner.crawler.stats
    assert stats.get_value("edunews/refused/canonical") == 1
    assert stats.get_value("edunews/refused/images") == 1


def test_a_malformed_link_on_a_generic_listing_is_skipped_and_counted() -> None:
    runner = OfflineRunner(GenericNewsSpider, start_urls="https://example.vn/giao-duc")
    html = (
        '<html><body><a href="http://[::1">x</a>'
        '<article><a href="/giao-duc/hoc-sinh-vung-cao-den-truong-som-123456.html">A</a>'
        '</article><a rel="next" href="/giao-duc/trang-2.html">Trang sau</a></body></html>'
    )
    url = "https://example.vn/giao-duc"
    response = HtmlResponse(url, body=html.encode(), request=Request(url))
    assert runner.listing(response) == {
        "articles": ["https://example.vn/giao-duc/hoc-sinh-vung-cao-den-truong-som-123456.html"],
        "next_page": "https://example.vn/giao-duc/trang-2.html",
    }
    assert runner.crawler.stats.get_value("edunews/listing/refused/malformed") == 1


def test_scrapy_extract_refuses_a_page_too_costly_to_parse(scrapy_cli, tmp_path) -> None:
    page = tmp_path / "bomb.html"
    attributes = " ".join(f"a{i}=x" for i in range(5000))
    page.write_text(f"<html><body><p {attributes}>x</p></body></html>", "utf-8")
    url = "https://giaoducthoidai.vn/bom-thuoc-tinh-post123456.html"
    result = scrapy_cli("extract", str(page), "--url", url)
    assert result.returncode == 1
    assert json.loads(result.stdout)["reason"] == (
        "refused: a tag with 5,000 attributes (limit 100: EDUNEWS_MAX_ATTRIBUTES)"
    )
