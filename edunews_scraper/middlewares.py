"""Downloader middlewares: only web URLs are requested; pages too costly to parse are
refused; a wrongly declared charset is repaired; redirects that lead nowhere (off-site, in a
loop, to another scheme) become recorded failures."""

from __future__ import annotations

import logging

from scrapy.crawler import Crawler
from scrapy.exceptions import IgnoreRequest
from scrapy.http import Request, Response, TextResponse
from w3lib.encoding import http_content_type_encoding, resolve_encoding
from w3lib.url import canonicalize_url

from edunews_scraper.limits import PageLimits, PageRefused
from edunews_scraper.urls import UnsafeURL, join_web_url, on_domains, web_url

logger = logging.getLogger(__name__)

_REDIRECTS = frozenset({301, 302, 303, 307, 308})

# Charsets that a Vietnamese page never really is, but that servers send by default.
_WESTERN = frozenset({"cp1252", "latin_1", "iso8859_1", "ascii"})


def _is_multibyte_utf8(body: bytes) -> bool:
    """True for a body that is valid UTF-8 and uses characters beyond ASCII."""
    if body.isascii():
        return False
    try:
        body.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


class CharsetRepairMiddleware:
    """A page sent as `charset=iso-8859-1` (or windows-1252, ascii) whose body is valid UTF-8
    with non-ASCII characters is UTF-8: decoding it as Latin-1 would turn every Vietnamese
    letter into mojibake. Valid multi-byte UTF-8 is next to impossible by accident."""

    def process_response(self, request: Request, response: Response) -> Response:
        if not isinstance(response, TextResponse):
            return response
        content_type = response.headers.get(b"Content-Type", b"").decode("latin-1")
        declared = http_content_type_encoding(content_type)
        if (
            declared
            and resolve_encoding(declared) in _WESTERN
            and _is_multibyte_utf8(response.body)
        ):
            return response.replace(encoding="utf-8")
        return response


class RedirectGuardMiddleware:
    """Ends a redirect that leaves the spider's domains or comes back to a URL of its own
    chain with `IgnoreRequest`, so the article request's errback records why. (Left to
    themselves, such redirects vanish: filtered as off-site or as duplicates.)"""

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> RedirectGuardMiddleware:
        return cls(crawler)

    def process_response(self, request: Request, response: Response) -> Response:
        location = response.headers.get(b"Location")
        if response.status not in _REDIRECTS or not location:
            return response
        try:
            target = join_web_url(request.url, location.decode("latin-1"))
        except UnsafeURL as error:
            self.crawler.stats.inc_value("edunews/refused/redirect")
            raise PageRefused(f"refused: a redirect to {error.shown!r}: {error.detail}") from None
        chain = {
            canonicalize_url(url) for url in [*request.meta.get("redirect_urls", []), request.url]
        }
        if canonicalize_url(target) in chain:
            raise IgnoreRequest(f"redirect loop back to {target}")
        domains = getattr(self.crawler.spider, "allowed_domains", None) or []
        if domains and not on_domains(target, domains):
            raise IgnoreRequest(f"redirected off-site to {target}")
        return response


class WebOnlyMiddleware:
    """Refuses, before any download handler sees it, a request that is not a web URL
    (`file:`, `data:`, `ftp:`, ...; see urls.py) for a spider that names its domains: such a
    URL reads local files or nothing of the site. Counted in `edunews/refused/<kind>`."""

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> WebOnlyMiddleware:
        return cls(crawler)

    def process_request(self, request: Request) -> None:
        if not getattr(self.crawler.spider, "allowed_domains", None):
            return  # `scrapy shell page.html` and other ad-hoc use
        try:
            web_url(request.url, max_chars=len(request.url))
        except UnsafeURL as error:
            self.crawler.stats.inc_value(f"edunews/refused/{error.kind}")
            logger.warning("Refused a request: %s", error)
            raise PageRefused(f"refused: {error}") from None


class PageLimitsMiddleware:
    """Refuses a page whose structure would make parsing it take seconds or gigabytes (see
    limits.py) before anything parses it; it becomes a reject (`refused: ...`). Runs after
    the body is decompressed."""

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        self.limits = PageLimits.from_settings(crawler.settings)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> PageLimitsMiddleware:
        return cls(crawler)

    def process_response(self, request: Request, response: Response) -> Response:
        if not isinstance(response, TextResponse):
            return response
        problem = self.limits.scan(response.body)
        if problem:
            self.crawler.stats.inc_value("edunews/refused/pages")
            logger.warning("Refused %s: %s", response.url, problem)
            raise PageRefused(f"refused: {problem}")
        return response
