"""Faults and bad input, over real HTTP on loopback: every page ends as an exported article,
a reject record with its URL and reason, or a logged and counted error; the crawl finishes."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.conftest import FIXTURES, read_jsonl
from tests.faultsite.server import FaultSite, Page, minimal_article, real_article, to_cp1258

SPIDER = Path(__file__).parent / "faultsite" / "spider.py"
TEMPLATE = FIXTURES / "giaoducthoidai/articles/current-2026-stem-tieu-hoc-soc-son.expected.json"
GOOD = json.loads(TEMPLATE.read_text("utf-8"))

ARTICLES = [
    "ok",
    "missing",
    "flaky",
    "slow",
    "moved",
    "offsite",
    "loop",
    "cp1258",
    "mislabelled",
    "truncated",
    "malformed",
    "empty",
    "huge",
    "no-headline",
    "no-date",
    "no-body",
]


def path(name: str) -> str:
    return f"/{name}-post{ARTICLES.index(name) + 1}.html"


def listing(base: str, names: list[str], next_page: str = "") -> bytes:
    teasers = "".join(
        f'<article class="story"><h3 class="story__heading"><a class="cms-link" '
        f'href="{base}{path(name)}">Bài {name}</a></h3><div class="story__meta">'
        f'<time class="time">20/11/2026 08:{i:02d}</time></div></article>'
        for i, name in enumerate(names)
    )
    pager = f'<a rel="next" href="{next_page}">Trang sau</a>' if next_page else ""
    return (
        f'<html><head><meta charset="utf-8"></head><body><div class="category-timeline">'
        f"{teasers}</div>{pager}</body></html>"
    ).encode()


def html(text: str, charset: str = "utf-8", **kwargs) -> Page:
    return Page(
        body=text.encode(charset) if charset != "windows-1258" else to_cp1258(text),
        headers={"Content-Type": f"text/html; charset={charset}"},
        **kwargs,
    )


def redirect(location: str, status: int = 301) -> Page:
    return Page(status=status, headers={"Location": location})


HUGE_SCRIPT = "<script>var cache = '" + "x" * 20_000_000 + "';</script></body>"  # 20 MB


def mangle(page: str) -> str:
    """Unclosed and stray tags, a broken attribute, a stray '<' in the text."""
    page = page.replace("</p>", "").replace("</div>", "<td></span>", 5)
    return page.replace('class="article__sapo', 'class="article__sapo" "broken=').replace(
        "giờ học", "giờ < học", 1
    )


ROUTES: dict[str, Callable[[str, int], Page]] = {
    path("ok"): lambda url, hit: html(real_article(url)),
    path("flaky"): lambda url, hit: Page(status=500) if hit == 1 else html(real_article(url)),
    path("slow"): lambda url, hit: html(real_article(url), delay=6),
    path("moved"): lambda url, hit: redirect(url.replace("moved", "target")),
    "/target-post5.html": lambda url, hit: html(real_article(url)),
    path("offsite"): lambda url, hit: redirect("https://offsite.example.com/a-post1.html", 302),
    path("loop"): lambda url, hit: redirect(url, 302),
    path("cp1258"): lambda url, hit: html(
        real_article(url).replace('charset="utf-8"', 'charset="windows-1258"'), "windows-1258"
    ),
    path("mislabelled"): lambda url, hit: Page(
        body=real_article(url).encode(), headers={"Content-Type": "text/html; charset=iso-8859-1"}
    ),
    path("truncated"): lambda url, hit: Page(body=real_article(url).encode()[:17000]),
    path("malformed"): lambda url, hit: html(mangle(real_article(url))),
    path("empty"): lambda url, hit: Page(body=b""),
    path("huge"): lambda url, hit: html(
        real_article(url).replace(
            "</body>", "<script>var cache = '" + "x" * 20_000_000 + "';</script></body>"
        )
    ),
    path("no-headline"): lambda url, hit: html(minimal_article(headline="")),
    path("no-date"): lambda url, hit: html(minimal_article(published="")),
    path("no-body"): lambda url, hit: html(minimal_article(body="")),
}


@pytest.fixture(scope="module")
def crawl(tmp_path_factory: pytest.TempPathFactory) -> tuple[FaultSite, list, list, str]:
    from tests.conftest import STATS_DUMP, rejects_of, run_scrapy

    folder = tmp_path_factory.mktemp("faults")
    routes = dict(ROUTES)
    with FaultSite(routes) as site:
        routes["/giao-duc/"] = lambda url, hit: Page(
            body=listing(site.base, ARTICLES, f"{site.base}/giao-duc/?page=2")
        )
        routes["/giao-duc/?page=2"] = lambda url, hit: Page(body=listing(site.base, []))
        result = run_scrapy(
            [
                "runspider",
                str(SPIDER),
                "-a",
                f"base={site.base}",
                "-O",
                "out.jsonl",
                "-s",
                "DOWNLOAD_TIMEOUT=3",
                "-s",
                "RETRY_TIMES=2",
                "-s",
                "AUTOTHROTTLE_ENABLED=0",
                "-s",
                "DOWNLOAD_DELAY=0",
                "-s",
                "EDUNEWS_STATE_ENABLED=0",
                *STATS_DUMP,
            ],
            folder,
            timeout=240,
        )
        assert result.returncode == 0, result.stderr[-4000:]
        (folder / "crawl.log").write_text(result.stderr)
        rejects = read_jsonl(rejects_of(folder / "out.jsonl"))
        return site, read_jsonl(folder / "out.jsonl"), rejects, result.stderr


def by_path(records: list[dict], site: FaultSite) -> dict[str, dict]:
    return {r["url"].removeprefix(site.base): r for r in records}


def test_every_page_has_an_outcome(crawl: tuple) -> None:
    site, articles, rejects, log = crawl
    exported, rejected = by_path(articles, site), by_path(rejects, site)
    assert set(exported) == {
        path(n) for n in ("ok", "flaky", "cp1258", "mislabelled", "truncated", "malformed", "huge")
    } | {"/target-post5.html"}
    assert {p: r["reason"] for p, r in rejected.items()} == {
        path("missing"): "download failed: HTTP 404",
        path("slow"): rejected[path("slow")]["reason"],
        path("offsite"): rejected[path("offsite")]["reason"],
        path("loop"): rejected[path("loop")]["reason"],
        path("empty"): "empty page: HTTP 200 with no content",
        path("no-headline"): "missing: headline",
        path("no-date"): "missing: published",
        path("no-body"): "missing: paragraphs",
    }
    assert re.match(r"download failed: .*(Timeout|took longer)", rejected[path("slow")]["reason"])
    assert "offsite" in rejected[path("offsite")]["reason"].lower() or (
        "IgnoreRequest" in rejected[path("offsite")]["reason"]
    )
    assert "redirect" in rejected[path("loop")]["reason"].lower()
    assert "'finish_reason': 'finished'" in log
    assert f"'edunews/articles': {len(articles)}" in log
    assert f"'edunews/rejects': {len(rejects)}" in log


def test_retry_redirect_and_encodings_give_whole_articles(crawl: tuple) -> None:
    site, articles, _, _ = crawl
    exported = by_path(articles, site)
    for name in (
        path("ok"),
        path("flaky"),
        "/target-post5.html",
        path("cp1258"),
        path("mislabelled"),
        path("huge"),
    ):
        article = exported[name]
        assert article["headline"] == GOOD["headline"], name
        assert article["paragraphs"] == GOOD["paragraphs"], name
        assert article["authors"] == GOOD["authors"], name
    assert site.hits[path("flaky")] == 2  # a 500, then the page
    assert site.hits[path("slow")] == 3  # asked once and retried twice


def test_broken_html_loses_nothing_it_holds(crawl: tuple) -> None:
    site, articles, _, _ = crawl
    exported = by_path(articles, site)
    truncated = exported[path("truncated")]["paragraphs"]
    assert truncated and GOOD["paragraphs"][: len(truncated) - 1] == truncated[:-1]
    malformed = exported[path("malformed")]
    assert malformed["headline"] == GOOD["headline"]
    assert len(malformed["paragraphs"]) >= len(GOOD["paragraphs"]) // 2
