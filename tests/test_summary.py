"""The verdict on a finished crawl (edunews_scraper/summary.py), from chosen stats: what makes
a run fail, and the one line that says why."""

from __future__ import annotations

from typing import Any

import pytest
from scrapy.crawler import Crawler
from scrapy.utils.test import get_crawler

from edunews_scraper.items import Reject
from edunews_scraper.offline import spider_class
from edunews_scraper.summary import RunRecord, judge, summary
from tests.conftest import FIXTURES

SPIDER = "giaoducthoidai"


def finished(
    stats: dict[str, Any], rejects: list[str] = (), replay: str | None = None, **settings: Any
) -> Crawler:
    """A crawler of giaoducthoidai (every category) that ended with `stats` and rejected
    its listing pages for `rejects`."""
    spidercls = spider_class(SPIDER)
    if replay:
        settings["EDUNEWS_REPLAY_DIR"] = replay
    crawler = get_crawler(spidercls, {"EXTENSIONS": {RunRecord: 510}, **settings})
    crawler._apply_settings()
    crawler.spider = spidercls(replay=replay)
    record = crawler.get_extension(RunRecord)
    for url, reason in zip(spidercls.categories.values(), rejects, strict=False):
        record.item_scraped(Reject(url=url, site="giaoducthoidai.vn", reason=reason, fetched_at=0))
    for name, value in {"finish_reason": "finished", **stats}.items():
        crawler.stats.set_value(name, value)
    return crawler


HEALTHY = {"edunews/listing/pages": 3, "edunews/articles": 0, "response_received_count": 3}


@pytest.mark.parametrize(
    ("stats", "rejects", "line"),
    [
        (HEALTHY, [], "Run OK."),
        (
            {"edunews/listing_failures": 3},
            ["listing failed: DNSLookupError: DNS lookup failed"] * 3,
            "Run FAILED: could not reach giaoducthoidai.vn: 3 of 3 first listing page(s) "
            "failed (DNSLookupError).",
        ),
        (
            {"edunews/listing_failures": 3, "response_received_count": 4},
            ["listing failed: HTTP 404"] * 3,
            "Run FAILED: no listing page of giaoducthoidai.vn could be fetched: 3 failed "
            "(HTTP 404).",
        ),
        (
            {**HEALTHY, "edunews/monitors/reject_rate": "FAIL", "edunews/monitors/schema": "OK"},
            [],
            "Run FAILED: monitors failed: reject_rate.",
        ),
        (
            {**HEALTHY, "feedexport/failed_count/FileFeedStorage": 1},
            [],
            "Run FAILED: 1 feed(s) could not be stored (see the log).",
        ),
        (
            {**HEALTHY, "edunews/run_failed": "the crawl state could not be written"},
            [],
            "Run FAILED: the crawl state could not be written.",
        ),
    ],
)
def test_the_verdict_says_why_a_run_failed(
    stats: dict[str, Any], rejects: list[str], line: str
) -> None:
    crawler = finished(stats, rejects)
    verdict = judge(crawler)
    assert verdict.line() == line
    assert verdict.exitcode == (0 if line == "Run OK." else 1)
    assert summary(crawler, verdict).splitlines()[-1] == line


def test_one_worker_of_a_shared_crawl_may_see_no_listing_page() -> None:
    assert judge(finished({}, REDIS_URL="redis://127.0.0.1:6379")).exitcode == 0


def test_a_replay_folder_without_listing_pages_fails() -> None:
    crawler = finished({}, replay=str(FIXTURES))
    assert judge(crawler).line() == (
        f"Run FAILED: no listing page of giaoducthoidai is saved in the replay folder {FIXTURES}."
    )
