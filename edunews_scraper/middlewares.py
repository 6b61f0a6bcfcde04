"""Downloader middlewares: repair a wrongly declared charset; turn redirects that lead
nowhere (off-site, in a loop) into recorded failures."""

from __future__ import annotations

from urllib.parse import urljoin, urlsplit

from scrapy.crawler import Crawler
from scrapy.exceptions import IgnoreRequest
from scrapy.http import Request, Response, TextResponse
from w3lib.encoding import http_content_type_encoding, resolve_encoding
from w3lib.url import canonicalize_url

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
        target = urljoin(request.url, location.decode("latin-1").strip())
        chain = {
            canonicalize_url(url) for url in [*request.meta.get("redirect_urls", []), request.url]
        }
        if canonicalize_url(target) in chain:
            raise IgnoreRequest(f"redirect loop back to {target}")
        host = (urlsplit(target).hostname or "").lower()
        domains = getattr(self.crawler.spider, "allowed_domains", None) or []
        if domains and not any(host == d or host.endswith(f".{d}") for d in domains):
            raise IgnoreRequest(f"redirected off-site to {target}")
        return response
