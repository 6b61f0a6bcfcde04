"""A large synthetic news site served over HTTP on 127.0.0.1.

Pages are made from the giaoducthoidai fixtures' markup (the current layout): listing pages
from `listings/giao-duc-page-1.html`, articles from every `articles/current-*.html`, with URL,
article id, headline and first paragraph varied per page. `SyntheticSite` serves them from a
small asyncio HTTP/1.1 server (keep-alive) in a background thread, and stops by itself once
its time is up.
"""

from __future__ import annotations

import asyncio
import contextlib
import math
import re
import threading
from dataclasses import dataclass
from datetime import datetime, timedelta
from email.utils import formatdate
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

from edunews_scraper.fixtures import load_fixture

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "giaoducthoidai"
ORIGIN = "https://giaoducthoidai.vn"
CATEGORIES = ("giao-duc", "tuyen-sinh", "thoi-su")
FIRST_ID = 900_000
PER_PAGE = 20
NEWEST = datetime.fromisoformat("2026-11-20T08:40:00+07:00")

_SLOT = re.compile("\x00(\\w+)\x00")
_TEASER = re.compile(r'<article class="story">.*?</article>', re.DOTALL)
_ARTICLE_PATH = re.compile(r"^/(?P<slug>[\w-]+)-post(?P<id>\d+)\.html$")


def _slot(name: str) -> str:
    return f"\x00{name}\x00"


def _replace(text: str, old: str, new: str, count: int = -1) -> str:
    """`text.replace`, failing loudly when the fixture no longer holds `old`."""
    if old not in text:
        raise ValueError(f"fixture markup changed: {old[:60]!r} not found")
    return text.replace(old, new, count)


class Template:
    """Markup with `\\x00name\\x00` slots."""

    def __init__(self, text: str) -> None:
        self.parts = _SLOT.split(text)

    def render(self, **values: str) -> str:
        parts = list(self.parts)
        parts[1::2] = [values[name] for name in parts[1::2]]
        return "".join(parts)


@dataclass(frozen=True)
class ArticleTemplate:
    slug: str
    headline: str
    page: Template


def _article_templates() -> list[ArticleTemplate]:
    templates = []
    for path in sorted((FIXTURES / "articles").glob("current-*.html")):
        fixture = load_fixture(path)
        headline = (fixture.expected() or {})["headline"]
        match = _ARTICLE_PATH.match(urlsplit(fixture.url).path)
        assert match, fixture.url
        text = path.read_text("utf-8")
        text = _replace(text, fixture.url, _slot("url"))
        text = _replace(text, ORIGIN, _slot("base"))
        text = _replace(text, match["id"], _slot("id"))
        text = _replace(text, headline, headline + _slot("kicker"))
        first_paragraph = text.index("\n<p>", text.index('class="article__body')) + len("\n<p>")
        text = text[:first_paragraph] + _slot("lead_in") + text[first_paragraph:]
        templates.append(ArticleTemplate(match["slug"], headline, Template(text)))
    return templates


def _listing_templates() -> tuple[Template, Template]:
    """The listing page (slots: base, next_link, featured, timeline, pagination) and one
    teaser (slots: url, title, iso, printed)."""
    text = (FIXTURES / "listings" / "giao-duc-page-1.html").read_text("utf-8")
    main, side = text.split('<div class="sub-column">', 1)
    teasers = _TEASER.findall(main)
    teaser = teasers[1]  # the first of the timeline
    url = re.search(r'href="([^"]+)"', teaser)[1]  # type: ignore[index]
    title = re.search(r'title="([^"]+)"', teaser)[1]  # type: ignore[index]
    iso = re.search(r'datetime="([^"]+)"', teaser)[1]  # type: ignore[index]
    printed = re.search(r"<time[^>]*>([^<]+)</time>", teaser)[1]  # type: ignore[index]
    for old, name in ((url, "url"), (title, "title"), (iso, "iso"), (printed, "printed")):
        teaser = _replace(teaser, old, _slot(name))
    main = _replace(main, teasers[0], _slot("featured"), 1)
    main = _replace(main, teasers[1], _slot("timeline"), 1)
    for other in teasers[2:]:
        main = _replace(main, other, "", 1)
    main = re.sub(r'<link rel="next"[^>]*>', _slot("next_link"), main)
    main = re.sub(r'<div class="pagination">.*?</div>', _slot("pagination"), main, flags=re.DOTALL)
    page = _replace(main + '<div class="sub-column">' + side, ORIGIN, _slot("base"))
    return Template(page), Template(teaser)


class SiteContent:
    """Every page of a site of `articles` articles, spread over the categories' listings
    (`PER_PAGE` teasers a page; page k of the whole site belongs to category k % 3)."""

    def __init__(self, articles: int, base: str = "") -> None:
        self.articles = articles
        self.base = base
        self.templates = _article_templates()
        self.listing, self.teaser = _listing_templates()
        # Every category has a first page, be it empty.
        self.listing_pages = max(len(CATEGORIES), math.ceil(articles / PER_PAGE))

    @property
    def pages(self) -> int:
        return self.articles + self.listing_pages

    def category_urls(self) -> dict[str, str]:
        return {slug: f"{self.base}/{slug}/" for slug in CATEGORIES}

    def article_path(self, n: int) -> str:
        return f"/{self.templates[n % len(self.templates)].slug}-post{FIRST_ID + n}.html"

    def article(self, n: int) -> str:
        template = self.templates[n % len(self.templates)]
        return template.page.render(
            url=self.base + self.article_path(n),
            base=self.base,
            id=str(FIRST_ID + n),
            kicker=f" (kỳ {n + 1})",
            lead_in=f"Kỳ {n + 1}: ",
        )

    def _listing_path(self, index: int) -> str:
        category, page = CATEGORIES[index % len(CATEGORIES)], index // len(CATEGORIES) + 1
        return f"/{category}/" if page == 1 else f"/{category}/?page={page}"

    def listing_page(self, index: int) -> str:
        teasers = []
        for n in range(index * PER_PAGE, min(self.articles, (index + 1) * PER_PAGE)):
            published = NEWEST - timedelta(minutes=7 * n)
            teasers.append(
                self.teaser.render(
                    url=self.base + self.article_path(n),
                    title=self.templates[n % len(self.templates)].headline + f" (kỳ {n + 1})",
                    iso=published.strftime("%Y-%m-%dT%H:%M:%S+0700"),
                    printed=published.strftime("%d/%m/%Y %H:%M"),
                )
            )
        following = index + len(CATEGORIES)
        next_url = (
            self.base + self._listing_path(following) if following < self.listing_pages else ""
        )
        return self.listing.render(
            base=self.base,
            next_link=f'<link rel="next" href="{next_url}">' if next_url else "",
            featured="\n".join(teasers[:1]),
            timeline="\n".join(teasers[1:]),
            pagination=(
                f'<div class="pagination"><a class="page-link next" rel="next" href="{next_url}" '
                'title="Trang sau">Trang sau</a></div>'
                if next_url
                else ""
            ),
        )

    def page(self, target: str) -> str | None:
        """The page at `target` (path and query), or None when there is none."""
        parts = urlsplit(target)
        if match := _ARTICLE_PATH.match(parts.path):
            n = int(match["id"]) - FIRST_ID
            if 0 <= n < self.articles and self.article_path(n) == parts.path:
                return self.article(n)
            return None
        category = parts.path.strip("/")
        if category not in CATEGORIES:
            return None
        page = int(parse_qs(parts.query).get("page", ["1"])[0])
        index = (page - 1) * len(CATEGORIES) + CATEGORIES.index(category)
        return self.listing_page(index) if page >= 1 and index < self.listing_pages else None


class SyntheticSite:
    """Serves a `SiteContent` on 127.0.0.1 until the `with` block ends or `lifetime`
    seconds have passed, whichever comes first."""

    def __init__(self, articles: int, lifetime: float = 3600) -> None:
        self.content = SiteContent(articles)
        self.lifetime = lifetime
        self._loop = asyncio.new_event_loop()
        self._stop: asyncio.Event | None = None
        self._ready = threading.Event()
        self._thread = threading.Thread(target=self._run, name="synthetic-site", daemon=True)

    @property
    def base(self) -> str:
        return self.content.base

    def __enter__(self) -> SyntheticSite:
        self._thread.start()
        if not self._ready.wait(30):
            raise RuntimeError("the synthetic site did not start")
        return self

    def __exit__(self, *exc: object) -> None:
        if self._stop is not None:
            self._loop.call_soon_threadsafe(self._stop.set)
        self._thread.join(30)

    def _run(self) -> None:
        self._loop.run_until_complete(self._serve())
        self._loop.close()

    async def _serve(self) -> None:
        self._stop = asyncio.Event()
        server = await asyncio.start_server(self._connection, "127.0.0.1", 0, backlog=1024)
        port = server.sockets[0].getsockname()[1]
        self.content.base = f"http://127.0.0.1:{port}"
        self._ready.set()
        async with server:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._stop.wait(), self.lifetime)

    async def _connection(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while True:
                head = await reader.readuntil(b"\r\n\r\n")
                target = head.split(b" ", 2)[1].decode("latin-1")
                page = self.content.page(target)
                body = page.encode("utf-8") if page is not None else b"Not found"
                status = b"200 OK" if page is not None else b"404 Not Found"
                writer.write(
                    b"HTTP/1.1 %s\r\nDate: %s\r\nContent-Type: text/html; charset=utf-8\r\n"
                    b"Content-Length: %d\r\n\r\n%s"
                    % (status, formatdate(usegmt=True).encode(), len(body), body)
                )
                await writer.drain()
        except (asyncio.IncompleteReadError, ConnectionError, IndexError):
            pass
        finally:
            # A client killed mid-connection leaves this open until the loop closes.
            with contextlib.suppress(RuntimeError):
                writer.close()
