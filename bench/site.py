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
_FIRST_TEXT = re.compile(r"<(?:p|figcaption)(?:\s[^>]*)?>")


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
        # The first text of the body: a paragraph, or a photo story's first caption.
        first = _FIRST_TEXT.search(text, text.index('class="article__body'))
        assert first, path
        text = text[: first.end()] + _slot("lead_in") + text[first.end() :]
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
    """Every page of a site of `articles` articles. Article n is published 7 minutes before
    article n - 1 and belongs to category (n // `PER_PAGE`) % 3; each category lists its
    articles newest first, `PER_PAGE` teasers a page (so page k of the whole site is page
    k // 3 + 1 of category k % 3). The newest `unpublished` articles are not on the site yet:
    `publish` puts them on top of their listings, as a news site grows between two runs."""

    def __init__(self, articles: int, base: str = "", unpublished: int = 0) -> None:
        self.articles = articles
        self.base = base
        self.unpublished = unpublished
        self.templates = _article_templates()
        self.listing, self.teaser = _listing_templates()

    def publish(self, count: int) -> None:
        """Put the next `count` unpublished articles on the site."""
        self.unpublished = max(0, self.unpublished - count)

    @property
    def visible(self) -> range:
        """The articles on the site."""
        return range(self.unpublished, self.articles)

    @property
    def listing_pages(self) -> int:
        """Listing pages on the site (every category has a first page, be it empty)."""
        return sum(
            max(1, math.ceil(self.category_size(c) / PER_PAGE)) for c in range(len(CATEGORIES))
        )

    @property
    def pages(self) -> int:
        return len(self.visible) + self.listing_pages

    def category_urls(self) -> dict[str, str]:
        return {slug: f"{self.base}/{slug}/" for slug in CATEGORIES}

    def article_path(self, n: int) -> str:
        return f"/{self.templates[n % len(self.templates)].slug}-post{FIRST_ID + n}.html"

    def category_of(self, n: int) -> int:
        return (n // PER_PAGE) % len(CATEGORIES)

    def article(self, n: int) -> str:
        template = self.templates[n % len(self.templates)]
        return template.page.render(
            url=self.base + self.article_path(n),
            base=self.base,
            id=str(FIRST_ID + n),
            kicker=f" (kỳ {n + 1})",
            lead_in=f"Kỳ {n + 1}: ",
        )

    def category_size(self, category: int) -> int:
        """How many articles category `category` lists."""
        return sum(
            1
            for block in range(category, math.ceil(self.articles / PER_PAGE), len(CATEGORIES))
            for n in range(block * PER_PAGE, min(self.articles, (block + 1) * PER_PAGE))
            if n >= self.unpublished
        )

    def listed(self, category: int, position: int) -> int | None:
        """The article at `position` (0: the newest) of a category's listing, if any."""
        first_block = max(category, self.unpublished // PER_PAGE)
        first_block += (category - first_block) % len(CATEGORIES)
        first = max(first_block * PER_PAGE, self.unpublished)
        in_first = (first_block + 1) * PER_PAGE - first
        if position < in_first:
            n = first + position
        else:
            later, offset = divmod(position - in_first, PER_PAGE)
            n = (first_block + len(CATEGORIES) * (later + 1)) * PER_PAGE + offset
        return n if n < self.articles else None

    def _listing_path(self, category: int, page: int) -> str:
        slug = CATEGORIES[category]
        return f"/{slug}/" if page == 1 else f"/{slug}/?page={page}"

    def listing_page(self, category: int, page: int) -> str:
        """Page `page` (from 1) of a category's listing."""
        teasers = []
        for position in range((page - 1) * PER_PAGE, page * PER_PAGE):
            n = self.listed(category, position)
            if n is None:
                break
            published = NEWEST - timedelta(minutes=7 * n)
            teasers.append(
                self.teaser.render(
                    url=self.base + self.article_path(n),
                    title=self.templates[n % len(self.templates)].headline + f" (kỳ {n + 1})",
                    iso=published.strftime("%Y-%m-%dT%H:%M:%S+0700"),
                    printed=published.strftime("%d/%m/%Y %H:%M"),
                )
            )
        more = self.listed(category, page * PER_PAGE) is not None
        next_url = self.base + self._listing_path(category, page + 1) if more else ""
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
            if n in self.visible and self.article_path(n) == parts.path:
                return self.article(n)
            return None
        slug = parts.path.strip("/")
        if slug not in CATEGORIES:
            return None
        try:
            page = int(parse_qs(parts.query).get("page", ["1"])[0])
        except ValueError:
            return None
        category = CATEGORIES.index(slug)
        if page < 1 or (page > 1 and self.listed(category, (page - 1) * PER_PAGE) is None):
            return None
        return self.listing_page(category, page)


class SyntheticSite:
    """Serves a `SiteContent` on 127.0.0.1 until the `with` block ends or `lifetime`
    seconds have passed, whichever comes first."""

    def __init__(self, articles: int, lifetime: float = 3600, unpublished: int = 0) -> None:
        self.content = SiteContent(articles, unpublished=unpublished)
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
