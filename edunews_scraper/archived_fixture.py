"""A fixture from a web archive: the page a crawl received, for `scrapy fixture add
--from-archive`.

The fixture keeps the page as the spider saw it after content decoding (Scrapy's own
HttpCompressionMiddleware undoes gzip, deflate, br and zstd) and, in its meta file, the
archived status, fetch time and headers, less those that described the encoded body
(`Content-Encoding`, `Content-Length`): replayed, the saved page goes through the downloader
middlewares again and must not be decoded twice.
"""

from __future__ import annotations

from pathlib import Path

from scrapy import Request, Spider
from scrapy.crawler import Crawler
from scrapy.downloadermiddlewares.httpcompression import HttpCompressionMiddleware
from scrapy.settings import Settings
from scrapy.statscollectors import MemoryStatsCollector

from edunews_scraper.archive import archive_files, newest_pages
from edunews_scraper.fixtures import Fixture
from edunews_scraper.parsing.vn_datetime import VN_TZ
from edunews_scraper.urls import canonical_url

_ENCODED_BODY = frozenset({"content-encoding", "content-length"})


def archived_fixture(source: Path, url: str, folder: Path, settings: Settings) -> Fixture:
    """The newest response for `url` in the archives of `source` (a file or a folder), its
    decoded page written to `folder`. LookupError when the archives hold none."""
    files = archive_files(source)
    if not files:
        raise LookupError(f"no web archive (.warc.gz, .warc) at {source}")
    page = newest_pages(files, canonical_url).get(canonical_url(url))
    if page is None:
        raise LookupError(f"{url} is not in {source} ({len(files)} archive(s))")
    request = Request(url)
    crawler = Crawler(Spider, settings)
    crawler.stats = MemoryStatsCollector(crawler)
    decoder = HttpCompressionMiddleware.from_crawler(crawler)
    response = decoder.process_response(request, page.response(request))
    headers = {
        name.decode("latin-1"): b", ".join(values).decode("latin-1")
        for name, values in response.headers.items()
        if name.decode("latin-1").lower() not in _ENCODED_BODY
    }
    html_path = folder / "page.html"
    html_path.write_bytes(response.body)
    return Fixture(
        html_path=html_path,
        url=response.url,
        fetched_at=page.fetched_at.astimezone(VN_TZ).replace(microsecond=0),
        status=response.status,
        headers=headers,
    )
