"""`NewsSpider`: category page -> pagination -> article page, driven by class attributes.

A site's spider is a subclass that sets the URLs and CSS selectors of its markup (see
`giaoducthoidai.py`). Everything shared (spider arguments, listing rules, structured-data
preference, figure extraction, error records) lives here; normalising lives in the pipelines.
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator, Collection, Iterable, Iterator
from datetime import date, datetime
from email.utils import parsedate_to_datetime
from itertools import chain
from typing import Any, ClassVar

import scrapy
from lxml import etree
from parsel import Selector
from parsel.selector import create_root_node
from scrapy.crawler import Crawler
from scrapy.exceptions import IgnoreRequest
from scrapy.http import Response
from scrapy.utils.response import get_base_url
from twisted.python.failure import Failure

from edunews_scraper.arguments import (
    PASSED_THROUGH,
    SWITCH,
    Argument,
    calendar_date,
    check_arguments,
    one_of_list,
    subclass_parameters,
    switch,
    whole_number,
)
from edunews_scraper.discovery.record import LISTING
from edunews_scraper.discovery.spider import KNOWN, NEW, OLDER, DiscoveringSpider
from edunews_scraper.feeds import route_feeds
from edunews_scraper.items import RawArticle, RawImage, Reject
from edunews_scraper.limits import FieldLimits, refusal
from edunews_scraper.parsing.css import Node, Page, select
from edunews_scraper.parsing.structured import PageMetadata, page_kind, page_metadata
from edunews_scraper.parsing.text import clean_text, element_paragraphs
from edunews_scraper.parsing.vn_datetime import VN_TZ, parse_vn_datetime
from edunews_scraper.replay import enable_replay, not_in_replay, replay_folder
from edunews_scraper.spiders.layout import Layout, UnknownLayout
from edunews_scraper.state import CrawlStateStore
from edunews_scraper.urls import (
    MAX_URL_CHARS,
    UnsafeURL,
    join_web_url,
    joined_as_shown,
    on_domains,
)
from edunews_scraper.watermark import END, Floor, ListingPass, Watermark

LAZY_IMAGE_ATTRIBUTES = ("data-src", "data-original", "data-lazy-src", "data-srcset", "src")


def fetched_at(response: Response) -> datetime:
    """When the page was fetched: its HTTP `Date` header, else now (GMT+07)."""
    header = response.headers.get(b"Date")
    if header:
        try:
            return parsedate_to_datetime(header.decode("latin-1")).astimezone(VN_TZ)
        except (TypeError, ValueError):
            pass
    return datetime.now(VN_TZ).replace(microsecond=0)


def failure_reason(failure: Failure) -> str:
    """Why a request failed, in a few words: `HTTP 404`, `DNSLookupError: ...`."""
    response = getattr(failure.value, "response", None)
    if response is not None:
        return f"HTTP {response.status}"
    return f"{type(failure.value).__name__}: {failure.getErrorMessage()}"


def _texts(nodes: list[Node], hidden: Collection[etree._Element] = frozenset()) -> list[str]:
    """The visible text of each node (blocks and `<br>` joined by a space; none of what is
    `hidden`), or the value of an `::attr()`/`::text` selection, cleaned; empty ones dropped."""
    texts = (
        clean_text(node) if isinstance(node, str) else " ".join(element_paragraphs(node, hidden))
        for node in nodes
    )
    return [text for text in texts if text]


def is_hidden(
    node: etree._Element, hidden: Collection[etree._Element], top: etree._Element
) -> bool:
    """True when `node`, or one of its ancestors up to `top`, is `hidden`."""
    for element in chain([node], node.iterancestors()):
        if element in hidden:
            return True
        if element is top:
            return False
    return False


class NewsSpider(DiscoveringSpider):
    """Base spider of a news site's category pages and articles.

    Spider arguments (``-a name=value``):
      categories  comma-separated category slugs to crawl (default: all of `categories`)
      max_pages   listing pages to read per category (default: setting EDUNEWS_MAX_PAGES)
      since       YYYY-MM-DD; stop paging a category once its listing shows only older articles
      full        1 to re-crawl articles already exported (see incremental.py); unchanged ones
                  are still not exported twice
      replay      a fixtures folder: serve every request from saved pages, no network
      discover    comma-separated sources of articles: listing (category pages), rss, sitemap
                  (default: all the site has; see discovery/spider.py)
      backfill    YYYY-MM..YYYY-MM: read the site's article sitemaps of those months instead

    Each is declared in `spider_arguments` with what it accepts and checked when the spider is
    built (`scrapy crawl` builds it once before the crawl starts): a bad value or an unknown
    name raises `ArgumentError` with one line saying so (see arguments.py).
    """

    #: The site's domain, written into every item's `site`.
    site: ClassVar[str] = ""
    #: Category slug -> URL of its first listing page.
    categories: ClassVar[dict[str, str]] = {}

    # Listing pages.
    #: Each article teaser on a listing page.
    listing_item_css: ClassVar[str] = "article"
    #: The teaser's link, relative to the teaser.
    listing_link_css: ClassVar[str] = "a::attr(href)"
    #: The teaser's printed publication time, relative to the teaser ("" when not shown).
    listing_time_css: ClassVar[str] = ""
    #: URLs that are article pages; other links on a listing page are not followed.
    article_url_pattern: ClassVar[re.Pattern[str]] = re.compile(r"\.html?$")
    #: The next listing page's URL.
    next_page_css: ClassVar[str] = 'link[rel="next"]::attr(href), a[rel="next"]::attr(href)'

    # Article pages.
    #: The site's article layouts, newest first; a page is read with the first whose marker
    #: matches it (see layout.py).
    layouts: ClassVar[tuple[Layout, ...]] = ()

    def __init__(self, name: str | None = None, **arguments: Any) -> None:
        super().__init__(name, **{key: arguments[key] for key in PASSED_THROUGH & arguments.keys()})
        #: The persistent state of exported articles, set by the IncrementalState extension.
        self.crawl_state: CrawlStateStore | None = None
        #: This run's pass over each category's listing (see watermark.py).
        self.listing_passes: dict[str, ListingPass] = {}
        self.max_url_chars = MAX_URL_CHARS
        self._page: tuple[Response, Page] | None = None
        self._layout: tuple[Response, Layout] | None = None
        values = check_arguments(
            self.name,
            self.spider_arguments(),
            arguments,
            subclass_parameters(type(self), NewsSpider),
        )
        chosen = values.get("categories") or list(self.categories)
        self.selected_categories = {slug: self.categories[slug] for slug in chosen}
        self.max_pages: int | None = values.get("max_pages")
        self.since: date | None = values.get("since")
        self.full: bool = values.get("full", False)
        self.replay: str | None = values.get("replay")
        self.init_discovery(values.get("discover"), values.get("backfill"))

    def spider_arguments(self) -> tuple[Argument, ...]:
        """The `-a` arguments this spider takes, each with what it accepts."""
        slugs = ", ".join(sorted(self.categories)) or "the category slugs of the start pages"
        return (
            Argument("categories", f"comma-separated slugs from {slugs}", self._category_list),
            Argument("max_pages", "a whole number from 1 up", whole_number(1)),
            Argument("since", "a date YYYY-MM-DD, e.g. 2026-11-01", calendar_date),
            Argument("full", SWITCH, switch),
            Argument(
                "replay",
                "an existing folder of saved pages (e.g. fixtures), a .warc.gz web archive or a "
                "folder of them",
                replay_folder,
            ),
            *self.discovery_arguments(),
        )

    def _category_list(self, text: str) -> list[str]:
        return one_of_list(self.categories, "category")(text)

    @classmethod
    def from_crawler(cls, crawler: Crawler, *args: Any, **kwargs: Any) -> NewsSpider:
        spider = super().from_crawler(crawler, *args, **kwargs)
        # Here, not in update_settings: the crawler process re-applies its own settings
        # over the crawler's between the two, at the same priority.
        route_feeds(crawler.settings)
        if spider.replay:
            enable_replay(crawler.settings, spider.replay)
        if spider.max_pages is None:
            spider.max_pages = crawler.settings.getint("EDUNEWS_MAX_PAGES")
        spider.max_url_chars = FieldLimits.from_settings(crawler.settings).url
        return spider

    async def start(self) -> AsyncIterator[scrapy.Request]:
        for category, url in self.selected_categories.items():
            if LISTING not in self.sources or self.backfill:
                break
            self.listing_passes[category] = self.new_listing_pass(category)
            yield scrapy.Request(
                url,
                callback=self.parse_listing,
                errback=self.listing_failed,
                cb_kwargs={"page": 1, "category": category},
            )
        for request in self.discovery_requests():
            yield request

    def new_listing_pass(self, category: str) -> ListingPass:
        """This run's pass over `category` (kept by the crawl state: a shared state shares
        it with the other workers)."""
        previous = self.last_pass(category)
        if self.crawl_state is None:
            return ListingPass(previous, self.since, self.max_pages)
        return self.crawl_state.listing_pass(category, previous, self.since, self.max_pages)

    def last_pass(self, category: str) -> Watermark | None:
        """What the last complete pass over `category` covered (none for a full re-crawl)."""
        if self.full or self.crawl_state is None:
            return None
        return self.crawl_state.watermark(category)

    # Listing pages ---------------------------------------------------------------------

    def is_article_url(self, url: str) -> bool:
        """True for the URL of an article page (`article_url_pattern`)."""
        return bool(self.article_url_pattern.search(url))

    def site_of(self, url: str) -> str:
        """The `site` of an item from `url`: the spider's site."""
        return self.site

    def listing_entries(self, response: Response) -> Iterator[tuple[str, datetime | None]]:
        """(article URL, publication time or None) for each teaser of the listing page."""
        reference = fetched_at(response)
        for teaser in response.css(self.listing_item_css):
            href = teaser.css(self.listing_link_css).get()
            url = self.followable_url(response, href) if href else None
            if url and self.is_article_url(url):
                yield url, self.teaser_time(teaser, reference)

    def followable_url(self, response: Response, href: str) -> str | None:
        """`listing_url`, or None for a link that must not be followed (counted as
        `edunews/listing/refused/<why>`, and logged unless it only leads to another site)."""
        try:
            return self.listing_url(response, href)
        except UnsafeURL as error:
            self.crawler.stats.inc_value(f"edunews/listing/refused/{error.kind}")
            if error.kind != "offsite":
                self.logger.warning("Skipped a link of %s: %s", response.url, error)
            return None

    def listing_url(self, response: Response, href: str) -> str:
        """A link of a listing page as an absolute web URL on the spider's domains, without
        its fragment; `UnsafeURL` for a malformed, too long or non-web URL (`file:`,
        `javascript:`...) and for another site's."""
        url = join_web_url(response.url, href, self.max_url_chars)
        if self.allowed_domains and not on_domains(url, self.allowed_domains):
            raise UnsafeURL(url, "offsite", "a link to another site")
        return url

    def teaser_time(self, teaser: Selector, reference: datetime) -> datetime | None:
        """The teaser's publication time: `listing_time_css` (text or `::attr()`), parsed."""
        printed = _texts(select(teaser.root, self.listing_time_css))
        return parse_vn_datetime(printed[0], reference) if printed else None

    def next_page_url(self, response: Response) -> str | None:
        """The URL of the listing page after this one, or None on the last page."""
        href = response.css(self.next_page_css).get()
        return self.listing_url(response, href) if href else None

    def is_known(self, url: str) -> bool:
        """True when the article was exported by an earlier run (and this is no full crawl)."""
        return not self.full and self.crawl_state is not None and url in self.crawl_state

    def parse_listing(
        self, response: Response, page: int, category: str = ""
    ) -> Iterator[scrapy.Request]:
        """Follow each new, recent enough article on a listing page, then the next page.

        Paging stops at the last page or after `max_pages`; at a page whose dated articles are
        all older than `since` (undated teasers are followed but do not keep paging going);
        and at a page that lies entirely inside what the category's last complete pass
        covered (its watermark): knowing every article of a page is not enough, as an
        interrupted run leaves known pages above articles it never fetched."""
        listing_pass = self.listing_passes.get(category)
        known = old = dated_recent = 0
        in_scope = []
        self.discovery.document_read(LISTING, category, fetched_at(response))
        try:
            for url, printed in self.listing_entries(response):
                decision = self.judge_entry(LISTING, category, url, printed)
                if decision == OLDER:
                    old += 1
                    continue
                dated_recent += printed is not None
                in_scope.append(url)  # whichever source takes it: the pass covers it
                if decision == KNOWN:
                    known += 1
                elif decision == NEW:
                    yield response.follow(
                        url, callback=self.parse_article, errback=self.article_failed
                    )
            next_url = self.next_page_url(response)
        except UnsafeURL as error:
            self.logger.warning(
                "Stopped paging %s: its next page is refused: %s", response.url, error
            )
            self.crawler.stats.inc_value(f"edunews/listing/refused/{error.kind}")
            if listing_pass is not None:
                listing_pass.fail(f"the next page of {response.url} is refused")
            return
        except Exception:  # a listing we did not foresee: follow what it gave, then stop
            self.logger.exception("Reading listing page %s failed", response.url)
            self.crawler.stats.inc_value("edunews/listing_failures")
            if listing_pass is not None:
                listing_pass.fail(f"reading {response.url} failed")
            return
        self.crawler.stats.inc_value("edunews/listing/known_skipped", known)
        self.crawler.stats.inc_value("edunews/listing/older_skipped", old)
        inside = listing_pass.read_page(in_scope) if listing_pass is not None else False
        if old and not dated_recent:
            self.logger.info(
                "Stopped paging %s: every dated article is older than %s", response.url, self.since
            )
            self.end_pass(listing_pass, Floor(since=self.since))
        elif inside:
            self.logger.info(
                "Stopped paging %s: the last complete pass covered this page and all below it",
                response.url,
            )
            assert listing_pass is not None
            listing_pass.stop_inside_previous()
        elif not next_url:
            self.end_pass(listing_pass, END)
        elif self.max_pages is not None and page >= self.max_pages:
            self.end_pass(listing_pass, Floor(max_pages=self.max_pages))
        else:
            yield response.follow(
                next_url,
                callback=self.parse_listing,
                errback=self.listing_failed,
                cb_kwargs={"page": page + 1, "category": category},
            )

    def end_pass(self, listing_pass: ListingPass | None, floor: Floor) -> None:
        """Paging a category ended at `floor`; warn when that leaves a gap above the last
        complete pass (articles between the two are never fetched)."""
        if listing_pass is None:
            return
        listing_pass.end(floor)
        if listing_pass.gap and floor.max_pages is not None:
            self.crawler.stats.inc_value("edunews/listing/gaps")
            self.logger.warning(
                "Stopped paging at max_pages=%d before reaching what the last complete pass "
                "covered: articles between the two are not fetched (raise -a max_pages)",
                floor.max_pages,
            )

    # Article pages ---------------------------------------------------------------------

    def parse_article(self, response: Response) -> Iterator[RawArticle | Reject]:
        """Yield what the page shows as a `RawArticle`, or a `Reject` when the page is empty
        or extraction fails."""
        if not response.body.strip():
            yield Reject(
                url=response.url,
                site=self.site_of(response.url),
                fetched_at=fetched_at(response),
                reason=f"empty page: HTTP {response.status} with no content",
            )
            return
        try:
            yield self.extract_article(response)
        except Exception as exc:  # a layout we did not foresee: record it, never lose it
            if isinstance(exc, UnknownLayout):
                self.logger.warning("%s: %s", response.url, exc)
            else:
                self.logger.exception("Extraction failed on %s", response.url)
            yield Reject(
                url=response.url,
                site=self.site_of(response.url),
                fetched_at=fetched_at(response),
                reason=f"extraction failed: {type(exc).__name__}: {exc}",
            )

    def article_failed(self, failure: Failure) -> Iterable[Reject]:
        """Errback of article requests: record the page that could not be downloaded (a page
        left out of a replay is only counted)."""
        if not_in_replay(failure, self.crawler.stats):
            return
        request = failure.request  # type: ignore[attr-defined]
        yield Reject(
            url=request.url,
            site=self.site_of(request.url),
            reason=refusal(failure) or f"download failed: {failure_reason(failure)}",
            fetched_at=datetime.now(VN_TZ).replace(microsecond=0),
        )

    def listing_failed(self, failure: Failure) -> Iterable[Reject]:
        """Errback of listing requests: log, count and record the page that could not be
        read (`listing failed: ...`; a page left out of a replay is only counted); paging
        its category did not reach its end, so its pass is incomplete."""
        request = failure.request  # type: ignore[attr-defined]
        listing_pass = self.listing_passes.get(request.cb_kwargs.get("category", ""))
        if listing_pass is not None:
            listing_pass.fail(f"{request.url} failed")
        if not_in_replay(failure, self.crawler.stats):
            return
        url = request.url
        self.logger.warning("Listing page failed: %s (%s)", url, failure.getErrorMessage())
        self.crawler.stats.inc_value("edunews/listing_failures")
        if not failure.check(IgnoreRequest):
            category = request.cb_kwargs.get("category", "")
            self.discovery.document_failed(LISTING, category, url, failure_reason(failure))
        yield Reject(
            url=url,
            site=self.site_of(url),
            reason=f"listing failed: {refusal(failure) or failure_reason(failure)}",
            fetched_at=datetime.now(VN_TZ).replace(microsecond=0),
        )

    def response_time(self, response: Response) -> datetime:
        """When a document was fetched (see `fetched_at`)."""
        return fetched_at(response)

    def page(self, response: Response) -> Page:
        """The article page as plain lxml elements (parsed as parsel parses it, without the
        per-element class lookup of `lxml.html` trees that made queries 2-3 times and walks 6
        times dearer), ready for `Page.select`; built once per response."""
        if self._page is None or self._page[0] is not response:
            root = create_root_node(response.text, etree.HTMLParser, base_url=response.url)
            self._page = (response, Page(root))
        return self._page[1]

    def matching_layout(self, response: Response) -> Layout | None:
        """The first of the site's layouts whose marker matches the page, or None."""
        if self._layout is None or self._layout[0] is not response:
            page = self.page(response)
            found = next((lay for lay in self.layouts if page.select(lay.marker)), None)
            if found is None:
                return None
            self._layout = (response, found)
        return self._layout[1]

    def layout(self, response: Response) -> Layout:
        """The layout the article page is read with; `UnknownLayout` when none matches."""
        found = self.matching_layout(response)
        if found is None:
            tried = ", ".join(layout.name for layout in self.layouts) or "none declared"
            raise UnknownLayout(f"no {self.name} article layout matches the page (tried: {tried})")
        return found

    def article_evidence(self, response: Response) -> str:
        """Why the page is taken for an article page ("" when nothing says so): one of the
        site's layouts, the page's structured data, or its URL's form."""
        if found := self.matching_layout(response):
            return f"{self.name} layout {found.name!r}"
        if kind := page_kind(self.page(response).root):
            return kind
        if self.is_article_url(response.url):
            return "an article URL"
        return ""

    def first_text(self, response: Response, css: str, exclude: tuple[str, ...] = ()) -> str:
        """The visible text of the first node matching `css` ("" when none or `css` is ""),
        without the nodes inside it that match `exclude`."""
        page = self.page(response)
        nodes = page.select(css)[:1]
        hidden: list[Node] = []
        if exclude and nodes and isinstance(nodes[0], etree._Element):
            hidden = page.select(", ".join(exclude), within=nodes[0])
        texts = _texts(nodes, {node for node in hidden if node is not nodes[0]})
        return texts[0] if texts else ""

    def all_texts(self, response: Response, css: str) -> list[str]:
        """The visible text of every node matching `css`."""
        return _texts(self.page(response).select(css))

    def extract_article(self, response: Response) -> RawArticle:
        """Build the `RawArticle` with the page's layout. The printed headline is preferred
        (structured data may hold an SEO title); for the other fields structured data comes
        first, the visible markup second."""
        page = self.page(response)
        layout = self.layout(response)
        meta: PageMetadata = page_metadata(page.root)
        body = page.select_first(layout.body)
        if not isinstance(body, etree._Element):
            body = etree.Element("div")  # no body: nothing inside it
        hidden = self.excluded(page, body, layout)
        figures = [
            figure
            for figure in page.select(layout.figure, within=body)
            if isinstance(figure, etree._Element) and not is_hidden(figure, hidden, body)
        ]
        lead_figures = [
            figure
            for figure in page.select(layout.lead_figure)
            if isinstance(figure, etree._Element) and body not in figure.iterancestors()
        ]
        images = self.extract_images(
            [*lead_figures, *figures], hidden, response, layout.figure_caption
        )
        hidden.update(figures)  # captions are not text
        signed = self.take_sign_off(body, hidden)
        time = page.select(layout.time)[:1]
        printed_time = _texts(time)
        machine_time = time[0].get("datetime") if time and not isinstance(time[0], str) else ""
        return RawArticle(
            url=response.url,
            site=self.site_of(response.url),
            fetched_at=fetched_at(response),
            canonical_url=(
                joined_as_shown(get_base_url(response), meta.canonical_url)
                if meta.canonical_url
                else ""
            ),
            headline=self.first_text(response, layout.headline) or meta.headline or meta.title,
            lead=self.first_text(response, layout.lead, layout.lead_exclude) or meta.description,
            byline=self.first_text(response, layout.byline),
            authors=meta.authors or self.all_texts(response, layout.authors) or signed,
            published_raw=printed_time[0] if printed_time else meta.published,
            published_iso=meta.published or (machine_time or "").strip(),
            updated_raw=meta.modified or self.first_text(response, layout.updated),
            category=self.first_text(response, layout.category) or meta.section,
            images=images,
            paragraphs=element_paragraphs(body, hidden),
            tags=self.all_texts(response, layout.tags) or meta.tags,
        )

    def excluded(self, page: Page, body: etree._Element, layout: Layout) -> set[etree._Element]:
        """The nodes of the body that are not the article's (ads, related news, share bars,
        video posters): the layout's `body_exclude` and `body_exclude_xpath` (from the body)
        matches. Neither their text nor their images are taken."""
        nodes = [
            *page.select(", ".join(layout.body_exclude), within=body),
            *(node for xpath in layout.body_exclude_xpath for node in body.xpath(xpath)),
        ]
        return {node for node in nodes if isinstance(node, etree._Element) and node is not body}

    def extract_images(
        self,
        figures: list[etree._Element],
        hidden: set[etree._Element],
        response: Response,
        caption_css: str,
    ) -> list[RawImage]:
        """Each image of the figures: its real URL (lazy-loading aware), caption (the
        figure's first `caption_css` match) and alt text; none of what is `hidden`."""
        images = []
        for figure in figures:
            captions = [
                caption
                for caption in select(figure, caption_css)
                if not is_hidden(caption, hidden, figure)
            ]
            caption = next(iter(_texts(captions[:1], hidden)), "")
            for img in figure.iter("img"):
                if is_hidden(img, hidden, figure):
                    continue
                src = next(
                    (
                        value
                        for attr in LAZY_IMAGE_ATTRIBUTES
                        if (value := (img.get(attr) or "").strip())
                        and not value.startswith("data:")
                    ),
                    "",
                )
                if not src:
                    continue
                images.append(
                    RawImage(
                        src=joined_as_shown(get_base_url(response), src.split()[0]),
                        caption=caption,
                        alt=clean_text(img.get("alt") or img.get("title")),
                    )
                )
        return images

    def take_sign_off(self, body: etree._Element, hidden: set[etree._Element]) -> list[str]:
        """The authors' names of a sign-off closing the body (figures and exclusions are in
        `hidden`), added to `hidden`. The base reads none: sites that sign off override this."""
        return []
