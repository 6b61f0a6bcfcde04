"""Faults, bad input and hostile pages, over real HTTP on loopback: every page ends as an
exported article, a reject record with its URL and reason, or a logged and counted error, in
bounded memory; only web URLs are ever requested or exported; the crawl finishes."""

from __future__ import annotations

import gzip
import json
import os
import re
import subprocess
import sys
import zlib
from collections.abc import Callable
from functools import cache
from pathlib import Path

import pytest

from edunews_scraper.loader import load
from tests.conftest import FIXTURES, STATS_DUMP, read_jsonl, rejects_of
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
    # Hostile pages (issue 11).
    "attribute-bomb",
    "gzip-bomb",
    "oversized",
    "many-tags",
    "long-paragraph",
    "script-urls",
    "deep-json-ld",
    "deep-nesting",
    "gzip-mislabelled",
    "to-file",
    "on-page-2",
]
#: Listed on page 2: the first page's bad links must not stop paging.
PAGE_2 = ["on-page-2"]


def path(name: str) -> str:
    return f"/{name}-post{ARTICLES.index(name) + 1}.html"


def teaser(href: str, minute: int = 0) -> str:
    return (
        f'<article class="story"><h3 class="story__heading"><a class="cms-link" '
        f'href="{href}">Bài</a></h3><div class="story__meta">'
        f'<time class="time">20/11/2026 08:{minute:02d}</time></div></article>'
    )


def listing(base: str, names: list[str], next_page: str = "", middle: str = "") -> bytes:
    teasers = [teaser(f"{base}{path(name)}", i) for i, name in enumerate(names)]
    teasers.insert(len(teasers) // 2, middle)
    teasers = "".join(teasers)
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


def hostile_links(base: str, secret: Path) -> str:
    """Teasers linking to local files (one of them a real article page) and a malformed URL,
    each matching the spider's article URL pattern."""
    host = base.removeprefix("http://")
    return "".join(
        teaser(href)
        for href in (
            f"file://{host}{secret}",
            f"file:///dev/zero?x-post{len(ARTICLES) + 1}.html",
            f"file://{secret.parent}/../{secret.parent.name}/{secret.name}",
            "http://[::1",
            "http://127.0.0.1:99999/z-post998.html",
        )
    )


@cache
def gzip_bomb() -> bytes:
    """305 KB of gzip that decompresses to 300 MB of HTML."""
    packer = zlib.compressobj(9, zlib.DEFLATED, 31)  # 31: a gzip stream
    parts = [packer.compress(b"<html><body><p>")]
    block = b" " * (1 << 20)
    parts += [packer.compress(block) for _ in range(300)]
    return b"".join([*parts, packer.flush()])


def with_script_urls(page: str) -> str:
    """The page's images and canonical URL as `javascript:`, `vbscript:` and `file:` URLs."""
    for n, bad in enumerate(("javascript:alert(1)", "vbscript:msgbox(1)", "file:///etc/passwd")):
        image = GOOD["images"][n]["url"]
        page = page.replace(f'data-src="{image}"', f'data-src="{bad}"')
    return re.sub(
        r'<link rel="canonical" href="[^"]*"\s*/?>',
        '<link rel="canonical" href="javascript:alert(document.cookie)">',
        page,
    )


def into_first_paragraph(page: str, text: str) -> str:
    """`text` at the start of the body's first paragraph."""
    first = re.compile(r"<p(?:\s[^>]*)?>").search(page, page.index('class="article__body'))
    assert first
    return page[: first.end()] + text + page[first.end() :]


def attribute_bomb(page: str) -> str:
    attributes = " ".join(f"a{i}=1" for i in range(200_000))
    return page.replace("<p>", f"<p {attributes}>", 1)  # 2.3 MB


def cut_in_body(page: str) -> bytes:
    """The page as a dropped connection leaves it: cut off inside its third paragraph."""
    data = page.encode()
    cut = data.index(b"<p", data.index(b'class="article__body'))
    for _ in range(2):
        cut = data.index(b"<p", cut + 1)
    return data[: cut + 80]


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
    path("truncated"): lambda url, hit: Page(body=cut_in_body(real_article(url))),
    path("malformed"): lambda url, hit: html(mangle(real_article(url))),
    path("empty"): lambda url, hit: Page(body=b""),
    path("huge"): lambda url, hit: html(  # 3.5 MB: under DOWNLOAD_MAXSIZE (4 MiB)
        real_article(url).replace(
            "</body>", "<script>var cache = '" + "x" * 3_500_000 + "';</script></body>"
        )
    ),
    path("no-headline"): lambda url, hit: html(minimal_article(headline="")),
    path("no-date"): lambda url, hit: html(minimal_article(published="")),
    path("no-body"): lambda url, hit: html(minimal_article(body="")),
    path("attribute-bomb"): lambda url, hit: html(attribute_bomb(real_article(url))),
    path("gzip-bomb"): lambda url, hit: Page(
        body=gzip_bomb(),
        headers={"Content-Type": "text/html; charset=utf-8", "Content-Encoding": "gzip"},
    ),
    path("oversized"): lambda url, hit: html(  # 50 MB
        real_article(url).replace("</body>", "<p>" + "Giáo dục. " * 4_500_000 + "</p></body>")
    ),
    path("many-tags"): lambda url, hit: html(
        real_article(url).replace("</body>", "<p>a</p>" * 200_000 + "</body>")
    ),
    path("long-paragraph"): lambda url, hit: html(
        into_first_paragraph(real_article(url), "Giáo dục thời đại. " * 10_000)
    ),
    path("script-urls"): lambda url, hit: html(with_script_urls(real_article(url))),
    path("deep-json-ld"): lambda url, hit: html(
        real_article(url).replace(
            "</head>",
            '<script type="application/ld+json">' + "[" * 100_000 + "]" * 100_000 + "</script>"
            "</head>",
        )
    ),
    path("deep-nesting"): lambda url, hit: html(
        real_article(url).replace("</p>", "</p>" + "<span>" * 90_000 + "x", 1)
    ),
    path("gzip-mislabelled"): lambda url, hit: Page(
        body=gzip.compress(real_article(url).encode()),
        headers={"Content-Type": "text/html; charset=iso-8859-1", "Content-Encoding": "gzip"},
    ),
    path("to-file"): lambda url, hit: redirect("file:///etc/passwd", 302),
    path("on-page-2"): lambda url, hit: html(real_article(url)),
}


class Crawl:
    """One crawl of the fault site: what it exported and rejected, its log, its peak RSS."""

    def __init__(self, site: FaultSite, folder: Path, log: str, peak_rss_mb: float) -> None:
        self.site = site
        self.folder = folder
        self.articles = read_jsonl(folder / "out.jsonl")
        self.rejects = read_jsonl(rejects_of(folder / "out.jsonl"))
        self.log = log
        self.peak_rss_mb = peak_rss_mb

    def __iter__(self):  # (site, articles, rejects, log), as the older tests take it
        return iter((self.site, self.articles, self.rejects, self.log))


#: `python -m scrapy` that writes its peak RSS (VmHWM: this process's own since its exec; a
#: forked child's rusage would count the pytest process it was forked from) to argv[1].
PEAK_RSS_SCRAPY = (
    "import atexit, re, runpy, sys\n"
    "def peak(path=sys.argv[1]):\n"
    "    status = open('/proc/self/status').read()\n"
    "    open(path, 'w').write(re.search(r'VmHWM:\\s+(\\d+)', status)[1])\n"
    "atexit.register(peak)\n"
    "sys.argv = ['scrapy', *sys.argv[2:]]\n"
    "runpy.run_module('scrapy', run_name='__main__')\n"
)


def run_measured(args: list[str], cwd: Path, timeout: int) -> tuple[int, str, float]:
    """`scrapy ARGS` in a process of its own: exit status, log, peak RSS in MB."""
    env = {**os.environ, "SCRAPY_SETTINGS_MODULE": "edunews_scraper.settings"}
    log, peak = cwd / "crawl.log", cwd / "peak-rss-kb"
    with log.open("w") as stderr:
        done = subprocess.run(
            [sys.executable, "-c", PEAK_RSS_SCRAPY, str(peak), *args],
            cwd=cwd,
            env=env,
            stderr=stderr,
            timeout=timeout,
            check=False,
        )
    return done.returncode, log.read_text(), int(peak.read_text()) / 1024


@pytest.fixture(scope="module")
def crawl(tmp_path_factory: pytest.TempPathFactory) -> Crawl:
    folder = tmp_path_factory.mktemp("faults")
    secret = folder / "secret" / f"local-post{len(ARTICLES) + 2}.html"
    secret.parent.mkdir()
    secret.write_text(real_article("http://127.0.0.1/local.html"), "utf-8")
    routes = dict(ROUTES)
    gzip_bomb()  # made before the crawl asks for it (it takes a second or two)
    with FaultSite(routes) as site:
        routes["/giao-duc/"] = lambda url, hit: Page(
            body=listing(
                site.base,
                [name for name in ARTICLES if name not in PAGE_2],
                f"{site.base}/giao-duc/?page=2",
                middle=hostile_links(site.base, secret),
            )
        )
        routes["/giao-duc/?page=2"] = lambda url, hit: Page(body=listing(site.base, PAGE_2))
        status, log, peak = run_measured(
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
        assert status == 0, log[-4000:]
        return Crawl(site, folder, log, peak)


def by_path(records: list[dict], site: FaultSite) -> dict[str, dict]:
    return {r["url"].removeprefix(site.base): r for r in records}


def test_every_page_has_an_outcome(crawl: Crawl) -> None:
    site, articles, rejects, log = crawl
    exported, rejected = by_path(articles, site), by_path(rejects, site)
    assert set(exported) == {
        path(n)
        for n in (
            "ok",
            "flaky",
            "cp1258",
            "mislabelled",
            "truncated",
            "malformed",
            "huge",
            "script-urls",
            "deep-json-ld",
            "gzip-mislabelled",
            "on-page-2",
        )
    } | {"/target-post5.html"}
    deep = rejected.pop(path("deep-nesting"))["reason"]  # 90,000 levels: too deep to walk
    assert deep.startswith("extraction failed: RecursionError"), deep
    assert {p: r["reason"] for p, r in rejected.items()} == {
        path("missing"): "download failed: HTTP 404",
        path("slow"): rejected[path("slow")]["reason"],
        path("offsite"): rejected[path("offsite")]["reason"],
        path("loop"): rejected[path("loop")]["reason"],
        path("empty"): "empty page: HTTP 200 with no content",
        path("no-headline"): "missing: headline",
        path("no-date"): "missing: published",
        path("no-body"): "missing: paragraphs",
        path("attribute-bomb"): "refused: a tag with 200,000 attributes (limit 100: "
        "EDUNEWS_MAX_ATTRIBUTES)",
        path("gzip-bomb"): "refused: larger than DOWNLOAD_MAXSIZE once decompressed",
        path("oversized"): "refused: larger than DOWNLOAD_MAXSIZE",
        path("many-tags"): rejected[path("many-tags")]["reason"],
        path("long-paragraph"): rejected[path("long-paragraph")]["reason"],
        path("to-file"): rejected[path("to-file")]["reason"],
    }
    assert re.fullmatch(
        r"refused: 40\d,\d{3} tags \(limit 100,000: EDUNEWS_MAX_TAGS\)",
        rejected[path("many-tags")]["reason"],
    )
    assert re.fullmatch(
        r"refused: paragraph 1 is 190,\d{3} characters long \(limit 20,000\) "
        r"\(EDUNEWS_FIELD_LIMITS\)",
        rejected[path("long-paragraph")]["reason"],
    )
    assert rejected[path("to-file")]["reason"] == (
        "refused: a redirect to 'file:///etc/passwd': not a web URL (file:)"
    )
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
        path("gzip-mislabelled"),
        path("deep-json-ld"),
        path("on-page-2"),
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


def test_only_web_urls_are_requested(crawl: Crawl) -> None:
    """Listing links to local files (also with a `?...-postN.html` query) and malformed URLs
    are skipped and counted; the rest of the page and the next page are still followed."""
    requested = re.findall(r"Crawled \(\d+\) <GET (\S+)>", crawl.log)
    assert requested and all(url.startswith(crawl.site.base) for url in requested)
    assert not any("local" in a["url"] or "local" in a["canonical_url"] for a in crawl.articles)
    assert "'edunews/listing/refused/scheme/file': 3" in crawl.log
    assert "'edunews/listing/refused/malformed': 2" in crawl.log
    assert "Skipped a link of" in crawl.log and "not a web URL (file:)" in crawl.log
    assert crawl.site.hits.get("/giao-duc/?page=2") == 1


def test_script_urls_never_reach_the_output(crawl: Crawl) -> None:
    article = by_path(crawl.articles, crawl.site)[path("script-urls")]
    assert [image["url"] for image in article["images"]] == [GOOD["images"][3]["url"]]
    assert article["canonical_url"] == article["url"]
    assert "'edunews/refused/images': 3" in crawl.log
    assert "'edunews/refused/canonical': 1" in crawl.log
    problems: list = []
    assert len(list(load(crawl.folder / "out.jsonl", on_problem=problems.append))) == len(
        crawl.articles
    )
    assert problems == []


def test_hostile_pages_stay_within_bounded_memory(crawl: Crawl) -> None:
    """The crawl read the attribute and gzip bombs, 50 MB, 200,000 tags, 90,000-deep
    nesting, 100,000-deep JSON-LD, a 190,000-character paragraph and a 3.5 MB page: its peak
    RSS (the crawl process's own high-water mark, VmHWM) stays under 300 MB."""
    print(f"peak RSS of the fault crawl: {crawl.peak_rss_mb:.0f} MB")
    assert 0 < crawl.peak_rss_mb < 300, crawl.peak_rss_mb
