"""A web archive of N real-size synthetic article pages, to time re-extraction on a fresh clone.

    python -m bench.archive OUT_DIR [--pages N]     # writes OUT_DIR/<spider>.warc.gz

Pages are made from every article fixture of every site spider whose reviewed output is an
article (fixtures added later are picked up as they come), taken in turn: page n is its
fixture's markup with the last segment of the URL prefixed `b<n>-` wherever it appears (URL,
canonical, og:url, JSON-LD), so every page has an id of its own. A fixture lighter than real
pages gets the weight real pages carry outside the article, up to a size drawn from 200-300
KB: real served pages of these sites weigh 65-500 KB, mostly inline style sheets (up to 75%)
and inline SVG (up to 53%), with inline scripts, and hold 450-1,750 elements (2-4 a KB); the
padding is style sheets (55%), an SVG sprite of long paths (30%), scripts (10%) and
navigation links (5%) of our own making, which keeps a page near 3 elements a KB. Fixtures
that are heavier already (real-structure pages of sites that serve 450 KB) are used as they
are (`ArchiveBuild.above_range` counts their pages). Each page is archived as the crawl
archives it: gzip-encoded as news sites serve it, with its request, fetched for
`parse_article`. Each fixture's padded markup is checked to read as the fixture's reviewed
article before any page is written.
"""

from __future__ import annotations

import argparse
import gzip
import os
import random
from collections import defaultdict
from dataclasses import dataclass, field
from email.utils import format_datetime
from pathlib import Path
from urllib.parse import urlsplit

from scrapy import Request
from scrapy.http import HtmlResponse

from edunews_scraper.archive import ArchiveWriter
from edunews_scraper.exporters import to_jsonable
from edunews_scraper.fixtures import Fixture, find_fixtures
from edunews_scraper.items import Article
from edunews_scraper.offline import OfflineRunner, site_spiders, spider_class

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
SIZES = (200_000, 300_000)  # bytes: the real-size range pages are padded into
CHECKED = ("headline", "lead", "authors", "published", "paragraphs", "tags")


@dataclass
class ArchiveBuild:
    """The archives written and what went into them."""

    archives: dict[str, Path] = field(default_factory=dict)  # spider -> archive
    pages: dict[str, int] = field(default_factory=dict)  # spider -> pages
    page_bytes: int = 0  # decoded HTML, all pages
    above_range: int = 0  # pages of fixtures heavier than the size range, used as they are

    @property
    def total_pages(self) -> int:
        return sum(self.pages.values())

    @property
    def mean_page_kb(self) -> float:
        return self.page_bytes / self.total_pages / 1000 if self.total_pages else 0.0


def _style(rng: random.Random, size: int) -> str:
    rules, length = [], 0
    while length < size:
        rule = (
            f".c{rng.randrange(10**6):x}-{rng.choice(('hd', 'nav', 'box', 'tt', 'ic'))}"
            f"{{display:flex;margin:{rng.randrange(40)}px {rng.randrange(40)}px;"
            f"color:#{rng.randrange(1 << 24):06x};font-size:{rng.randrange(10, 30)}px}}"
        )
        rules.append(rule)
        length += len(rule)
    return "".join(
        f"<style>{''.join(rules[i : i + 120])}</style>" for i in range(0, len(rules), 120)
    )


def _svg(rng: random.Random, size: int) -> str:
    symbols, length = [], 0
    while length < size:
        points = " ".join(f"{rng.uniform(0, 24):.2f} {rng.uniform(0, 24):.2f}" for _ in range(90))
        symbol = f'<symbol id="i{len(symbols)}" viewBox="0 0 24 24"><path d="M{points}Z"/></symbol>'
        symbols.append(symbol)
        length += len(symbol)
    return f'<svg xmlns="http://www.w3.org/2000/svg" style="display:none">{"".join(symbols)}</svg>'


def _navigation(rng: random.Random, size: int) -> str:
    items, length = [], 0
    while length < size:
        n = rng.randrange(10**5)
        link = f'<a href="/chuyen-muc-{n}/" title="Mục {n}">Chuyên mục {n}</a>'
        item = f'<li class="nav-item">{link}</li>'
        items.append(item)
        length += len(item)
    return f'<div class="site-links"><ul>{"".join(items)}</ul></div>'


def _scripts(rng: random.Random, size: int) -> str:
    values = ",".join(f'"k{i}":"{rng.randrange(1 << 40):x}"' for i in range(size // 18))
    return f"<script>window.__site={{{values}}};</script>"


def _insert(html: str, closing: str, markup: str) -> str:
    found = html.lower().rfind(closing)
    return html + markup if found == -1 else html[:found] + markup + html[found:]


def padded(html: str, target: int, rng: random.Random) -> str:
    """`html` with weight of our own outside the article, up to about `target` bytes."""
    missing = target - len(html.encode("utf-8"))
    if missing <= 0:
        return html
    head = _style(rng, missing * 55 // 100) + _scripts(rng, missing // 10)
    body = _svg(rng, missing * 30 // 100) + _navigation(rng, missing // 20)
    return _insert(_insert(html, "</head>", head), "</body>", body)


def eligible(root: Path = FIXTURES) -> dict[str, list[Fixture]]:
    """Site spider -> its article fixtures whose reviewed output is an article."""
    spiders = set(site_spiders())
    chosen: dict[str, list[Fixture]] = defaultdict(list)
    for fixture in find_fixtures(root):
        expected = fixture.expected() or {}
        if fixture.kind == "articles" and fixture.spider in spiders and "reason" not in expected:
            chosen[fixture.spider].append(fixture)
    return dict(chosen)


def _template(fixture: Fixture, runner: OfflineRunner, rng: random.Random) -> str:
    """The fixture's padded markup, checked to read as its reviewed article."""
    html = fixture.html_path.read_bytes().decode(fixture.response().encoding)
    page = padded(html, rng.randrange(*SIZES), rng)
    item = runner.article(fixture.response().replace(body=page.encode("utf-8"), encoding="utf-8"))
    actual, expected = to_jsonable(item), fixture.expected() or {}
    if not isinstance(item, Article) or any(actual[n] != expected.get(n) for n in CHECKED):
        raise RuntimeError(f"{fixture.id}: the padded page no longer reads as its article")
    return page


def _variant(url: str, n: int) -> tuple[str, str, str]:
    """(the URL's last path segment, that segment prefixed for page n, page n's URL)."""
    last = urlsplit(url).path.rstrip("/").rsplit("/", 1)[-1]
    varied = f"b{n}-{last}"
    return last, varied, url.replace(last, varied)


def build(out: Path, pages: int, root: Path = FIXTURES, seed: int = 14) -> ArchiveBuild:
    """Write `pages` pages, spread over the eligible fixtures in turn, one archive per spider."""
    rng = random.Random(seed)
    fixtures = [f for group in eligible(root).values() for f in group]
    result = ArchiveBuild()
    templates: dict[str, str] = {}
    runners: dict[str, OfflineRunner] = {}
    for fixture in fixtures[:pages]:  # the ones pages are made of
        if fixture.spider not in runners:
            runners[fixture.spider] = OfflineRunner(spider_class(fixture.spider))
        templates[fixture.id] = _template(fixture, runners[fixture.spider], rng)
    if not fixtures:
        raise RuntimeError(f"no article fixture under {root}")
    writers: dict[str, ArchiveWriter] = {}
    out.mkdir(parents=True, exist_ok=True)
    for n in range(pages):
        fixture = fixtures[n % len(fixtures)]
        last, varied, url = _variant(fixture.url, n)
        html = templates[fixture.id].replace(last, varied).encode("utf-8")
        body = gzip.compress(html, compresslevel=6, mtime=0)
        headers = {
            **fixture.headers,
            "Date": format_datetime(fixture.fetched_at),
            "Content-Type": "text/html; charset=utf-8",
            "Content-Encoding": "gzip",
            "Content-Length": str(len(body)),
        }
        if fixture.spider not in writers:
            path = out / f"{fixture.spider}.warc.gz"
            path.unlink(missing_ok=True)
            writers[fixture.spider] = ArchiveWriter(path, {"software": "bench/archive.py"})
            result.archives[fixture.spider] = path
        response = HtmlResponse(url, headers=headers, body=body)
        writers[fixture.spider].write(Request(url), response, fixture.fetched_at, "parse_article")
        result.pages[fixture.spider] = result.pages.get(fixture.spider, 0) + 1
        result.page_bytes += len(html)
        result.above_range += len(html) > SIZES[1]
    for writer in writers.values():
        writer.close()
    return result


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("out", type=Path, help="folder for the archives")
    parser.add_argument("--pages", type=int, default=1000)
    args = parser.parse_args(argv)
    os.environ.setdefault("SCRAPY_SETTINGS_MODULE", "edunews_scraper.settings")
    built = build(args.out, args.pages)
    for spider, path in built.archives.items():
        print(f"{path}: {built.pages[spider]} pages")
    print(f"mean page {built.mean_page_kb:.0f} KB; {built.above_range} pages above 300 KB")


if __name__ == "__main__":
    main()
