"""Mangled HTML thrown at the extraction and the pipelines: no exception escapes, only an
Article or a Reject comes out."""

from __future__ import annotations

from datetime import datetime

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from scrapy.http import HtmlResponse

from edunews_scraper.fixtures import find_fixtures
from edunews_scraper.items import Article, Reject
from edunews_scraper.offline import OfflineRunner, spider_class
from edunews_scraper.parsing.authors import split_authors
from edunews_scraper.parsing.byline import parse_byline
from edunews_scraper.parsing.text import html_to_paragraphs
from edunews_scraper.parsing.vn_datetime import parse_vn_datetime
from tests.conftest import FIXTURES

PAGES = [f for f in find_fixtures(FIXTURES) if f.kind == "articles"]
RUNNERS: dict[str, OfflineRunner] = {}
FETCHED = datetime.fromisoformat("2026-11-20T10:00:00+07:00")
JUNK = st.sampled_from(
    [
        b"<",
        b">",
        b"</div>",
        b"<p>",
        b"<table><tr><td>",
        b"\x00",
        b"\xff\xfe",
        b"<script>",
        b"<!--",
        b"]]>",
        b"&#xD800;",
        b"\xe1\xbb",
        b"<br/>" * 50,
        "Ý kiến của bạn".encode(),
        b'<meta charset="x-unknown">',
    ]
)


@st.composite
def mangled_page(draw: st.DrawFn) -> tuple[str, str, bytes]:
    """A saved article page, cut, with spans deleted and junk inserted at random places."""
    fixture = draw(st.sampled_from(PAGES))
    body = fixture.html_path.read_bytes()
    for _ in range(draw(st.integers(0, 6))):
        start = draw(st.integers(0, len(body)))
        end = draw(st.integers(start, min(len(body), start + 5000)))
        action = draw(st.sampled_from(["delete", "insert", "cut"]))
        if action == "delete":
            body = body[:start] + body[end:]
        elif action == "insert":
            body = body[:start] + draw(JUNK) + body[start:]
        else:
            body = body[:end]
    return fixture.spider, fixture.url, body


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(mangled_page())
def test_mangled_pages_give_an_article_or_a_reject(page: tuple[str, str, bytes]) -> None:
    spider, url, body = page
    runner = RUNNERS.setdefault(spider, OfflineRunner(spider_class(spider)))
    response = HtmlResponse(url=url, body=body, headers={"Date": "Fri, 20 Nov 2026 03:00:00 GMT"})
    item = runner.article(response)
    assert isinstance(item, Article | Reject)
    if isinstance(item, Article):
        assert item.headline and item.paragraphs and item.published.utcoffset()


@settings(max_examples=300, deadline=None)
@given(st.text(), st.text(alphabet=st.sampled_from("<>/p divbr&;#0123456789ạ ")))
def test_parsing_functions_never_raise(text: str, markup: str) -> None:
    html_to_paragraphs(markup)
    html_to_paragraphs(text)
    parse_vn_datetime(text, FETCHED)
    split_authors([text])
    parse_byline(text)
