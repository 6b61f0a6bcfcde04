"""Time and peak memory of each hostile page of issue 11, one fresh process per page.

    python -m bench.hostile [KIND ...]

Each page goes the way a crawl takes it once downloaded: decompressed within
`DOWNLOAD_MAXSIZE` (Scrapy's gunzip), scanned by `PageLimitsMiddleware`, then the spider and
every pipeline (`OfflineRunner`). Prints one line per page: its size, its outcome (an
article, or a reject and its reason), CPU seconds and the process's peak RSS, the page it
made included (baseline: the `plain` page). The pages are made from the synthetic site's
article (bench/site.py). `tests/test_faults.py` serves the same pages to a real crawl.
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
import zlib
from collections.abc import Callable
from pathlib import Path

from scrapy.http import HtmlResponse, Request
from scrapy.utils._compression import _DecompressionMaxSizeExceeded
from scrapy.utils.gz import gunzip
from scrapy.utils.project import get_project_settings

from bench.site import SiteContent
from edunews_scraper.items import Article
from edunews_scraper.limits import PageLimits
from edunews_scraper.offline import OfflineRunner
from edunews_scraper.spiders.giaoducthoidai import GiaoducthoidaiSpider

ROOT = Path(__file__).resolve().parents[1]


def _base() -> tuple[str, str]:
    site = SiteContent(1, base="https://giaoducthoidai.vn")
    return site.base + site.article_path(0), site.article(0)


def _first_paragraph(page: str, text: str) -> str:
    start = page.index("\n<p>", page.index('class="article__body')) + len("\n<p>")
    return page[:start] + text + page[start:]


def _gzip_bomb(page: str) -> bytes:
    packer = zlib.compressobj(9, zlib.DEFLATED, 31)
    parts = [packer.compress(page.encode()[:2000])]
    parts += [packer.compress(b" " * (1 << 20)) for _ in range(300)]
    return b"".join([*parts, packer.flush()])


PAGES: dict[str, Callable[[str], bytes | str]] = {
    "plain": lambda page: page,
    "attribute-bomb": lambda page: page.replace(
        "<p>", "<p " + " ".join(f"a{i}=1" for i in range(200_000)) + ">", 1
    ),
    "gzip-bomb": _gzip_bomb,
    "many-tags": lambda page: page.replace("</body>", "<p>a</p>" * 200_000 + "</body>"),
    "just-under-the-tag-limit": lambda page: page.replace(
        "</body>", "<p>a</p>" * 49_000 + "</body>"
    ),
    "long-paragraph": lambda page: _first_paragraph(page, "Giáo dục thời đại. " * 10_000),
    "deep-json-ld": lambda page: page.replace(
        "</head>",
        '<script type="application/ld+json">' + "[" * 100_000 + "]" * 100_000 + "</script></head>",
    ),
    "deep-nesting": lambda page: page.replace("</p>", "</p>" + "<span>" * 90_000 + "x", 1),
    "4-mb-script": lambda page: page.replace(
        "</body>", "<script>var s = '" + "x" * 4_100_000 + "';</script></body>"
    ),
    "4-mb-paragraph": lambda page: _first_paragraph(page, "Giáo dục. " * 320_000),
    "5-mb-page": lambda page: _first_paragraph(page, "Giáo dục. " * 400_000),
}


def peak_rss_kb() -> int:
    """This process's peak RSS since it started (VmHWM: unlike `ru_maxrss`, it leaves out
    the process it was forked from)."""
    status = Path("/proc/self/status").read_text()
    return int(next(line.split()[1] for line in status.splitlines() if line.startswith("VmHWM")))


def measure(kind: str) -> dict:
    """One page of `kind` the way a crawl takes it; its outcome, CPU seconds and size."""
    settings = get_project_settings()
    url, page = _base()
    made = PAGES[kind](page)
    body = made.encode() if isinstance(made, str) else made
    started = time.process_time()
    if kind == "gzip-bomb":
        try:
            body = gunzip(body, max_size=settings.getint("DOWNLOAD_MAXSIZE"))
        except _DecompressionMaxSizeExceeded:
            body = b""
            outcome = "refused: larger than DOWNLOAD_MAXSIZE once decompressed"
    if len(body) > settings.getint("DOWNLOAD_MAXSIZE"):
        outcome = "refused: larger than DOWNLOAD_MAXSIZE"
    elif body:
        problem = PageLimits.from_settings(settings).scan(body)
        if problem:
            outcome = f"refused: {problem}"
        else:
            runner = OfflineRunner(GiaoducthoidaiSpider, settings)
            response = HtmlResponse(url, body=body, encoding="utf-8", request=Request(url))
            item = runner.article(response)
            outcome = "article" if isinstance(item, Article) else item.reason
    return {
        "kind": kind,
        "bytes": len(made) if isinstance(made, bytes) else len(made.encode()),
        "outcome": outcome,
        "cpu_seconds": round(time.process_time() - started, 2),
    }


def main(arguments: list[str]) -> None:
    if arguments[:1] == ["--measure"]:  # in the process of its own
        result = measure(arguments[1])
        result["peak_rss_mb"] = round(peak_rss_kb() / 1024)
        print(json.dumps(result))
        return
    for kind in arguments or list(PAGES):
        done = subprocess.run(
            [sys.executable, "-m", "bench.hostile", "--measure", kind],
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=True,
        )
        result = json.loads(done.stdout.strip().splitlines()[-1])
        print(
            f"{result['kind']:<26} {result['bytes'] / 1e6:6.1f} MB {result['cpu_seconds']:6.2f} s"
            f" {result['peak_rss_mb']:5d} MB  {result['outcome'][:90]}"
        )


if __name__ == "__main__":
    main(sys.argv[1:])
