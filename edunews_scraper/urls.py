"""Only the web: which URLs a crawl may request or export.

A URL is a *web URL* when it parses, its scheme is `http` or `https`, it names a host and it
is no longer than a limit. Everything else (`file:`, `data:`, `javascript:`, `vbscript:`,
`ftp:`, a broken IPv6 literal such as `http://[::1`, a port out of range, a URL of
megabytes) is refused: it never reaches the downloader or the output.

URLs are matched in one form, `canonical_url`, and known by one fingerprint of it,
`url_fingerprint` (the crawl state, listing watermarks and the discovery record all use it).
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from functools import lru_cache
from urllib.parse import urljoin, urlsplit

from w3lib.url import canonicalize_url

WEB_SCHEMES = frozenset({"http", "https"})
#: Default longest URL accepted, in characters (browsers and CDNs cut off around 2-8 KB).
MAX_URL_CHARS = 2048


def canonical_url(url: str) -> str:
    """The form URLs are matched by (saved pages, archived pages, known articles, listing
    entries): canonical, query sorted, no fragment."""
    return canonicalize_url(url, keep_fragments=False)


@lru_cache(maxsize=1024)  # a listing entry, then its article, are looked up in a row
def url_fingerprint(url: str) -> int:
    """A 64-bit fingerprint of the canonical URL (collisions: ~1 in 3e7 at 1M URLs)."""
    digest = hashlib.sha1(canonical_url(url).encode()).digest()
    return int.from_bytes(digest[:8], "little")


class UnsafeURL(ValueError):
    """A URL that is not a web URL; `kind` names why in a word (for stats)."""

    def __init__(self, url: str, kind: str, detail: str) -> None:
        self.shown = url if len(url) <= 120 else url[:117] + "..."
        super().__init__(f"{detail}: {self.shown!r}")
        self.url = url
        self.kind = kind
        self.detail = detail


def web_url(url: str, max_chars: int = MAX_URL_CHARS) -> str:
    """`url` itself when it is a web URL, else `UnsafeURL`."""
    if len(url) > max_chars:
        raise UnsafeURL(url, "too_long", f"URL longer than {max_chars} characters")
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 - raises ValueError for a port out of range
    except ValueError as error:
        raise UnsafeURL(url, "malformed", f"malformed URL ({error})") from None
    scheme = parts.scheme.lower()
    if scheme not in WEB_SCHEMES:
        raise UnsafeURL(url, f"scheme/{scheme or 'none'}", f"not a web URL ({scheme or 'no'}:)")
    if not parts.hostname:
        raise UnsafeURL(url, "no_host", "URL without a host")
    return url


def join_web_url(base: str, href: str, max_chars: int = MAX_URL_CHARS) -> str:
    """`href` (as a page writes it) resolved against `base`, without its fragment, when that
    is a web URL; else `UnsafeURL`."""
    href = href.strip()
    try:
        joined = urljoin(base, href)
    except ValueError as error:
        raise UnsafeURL(href, "malformed", f"malformed URL ({error})") from None
    return web_url(joined.split("#", 1)[0], max_chars)


def web_url_or_none(base: str, href: str, max_chars: int = MAX_URL_CHARS) -> str | None:
    """`join_web_url`, or None for a link that is not a web URL (one the page shows, such as
    an image or its canonical URL, that is dropped rather than failing the page)."""
    try:
        return join_web_url(base, href, max_chars)
    except UnsafeURL:
        return None


def joined_as_shown(base: str, href: str) -> str:
    """`href` resolved against `base` as a browser would, or `href` itself when it cannot be
    (a malformed URL): a URL the page shows, passed on for the limits pipeline to judge."""
    href = href.strip()
    try:
        return urljoin(base, href)
    except ValueError:
        return href


def is_web_url(url: str, max_chars: int = MAX_URL_CHARS) -> bool:
    """True for a web URL (see `web_url`)."""
    try:
        web_url(url, max_chars)
    except UnsafeURL:
        return False
    return True


def on_domains(url: str, domains: Iterable[str]) -> bool:
    """True when `url`'s host is one of `domains` or under one of them."""
    host = (urlsplit(url).hostname or "").lower()
    return any(host == domain or host.endswith(f".{domain}") for domain in domains)
