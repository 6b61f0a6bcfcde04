"""Discovery beside the category pages: every site's saved RSS feeds and sitemaps read as
their ground truth, crawled through the engine, a broken source reported as such, and the
backfill from the sites' dated article sitemaps."""

from __future__ import annotations

import gzip
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from scrapy.http import HtmlResponse, Request, XmlResponse
from scrapy.utils.project import get_project_settings

from edunews_scraper.arguments import ArgumentError
from edunews_scraper.discovery.archive import MonthRange, sitemap_period
from edunews_scraper.discovery.documents import NotAFeed, rss_entries, sitemap_document
from edunews_scraper.discovery.record import LISTING, RSS, SITEMAP, DiscoveryRecord
from edunews_scraper.discovery.times import parse_feed_time
from edunews_scraper.discovery.verdict import Thresholds, judge
from edunews_scraper.fixtures import Fixture, find_fixtures, find_saved_feeds
from edunews_scraper.offline import OfflineRunner, spider_class
from edunews_scraper.parsing.vn_datetime import VN_TZ
from edunews_scraper.state import complete_lines
from edunews_scraper.watermark import END, ListingPass, Watermark, entry_fingerprint
from tests.conftest import FIXTURES, read_jsonl, run_scrapy

FEEDS = find_saved_feeds(FIXTURES)
REPLAY = ("-a", f"replay={FIXTURES}", "-s", "STATS_DUMP=True")


def saved_articles(spider: str) -> set[str]:
    """URLs of the spider's saved article pages that make an article (not a reject)."""
    return {
        f.url
        for f in find_fixtures(FIXTURES, spider)
        if f.kind == "articles" and "reason" not in (f.expected() or {})
    }


def followed(spider: str, *prefixes: str) -> set[str]:
    """What the crawl follows from the spider's saved feeds whose names start so."""
    return {
        url
        for feed in find_saved_feeds(FIXTURES, spider)
        if feed.name.startswith(prefixes)
        for url in feed.expected()["followed"]
    }


def stat(log: str, name: str) -> int | str | None:
    match = re.search(rf"'{re.escape(name)}': ('[^']*'|\d+)", log)
    return None if match is None else match.group(1).strip("'")


# Times and documents ---------------------------------------------------------------------

#: (as the site writes it, as we read it): the forms of the sites' feeds and sitemaps.
FEED_TIMES = [
    ("Sun, 12 Jul 2026 07:14:25 +0700", "2026-07-12T07:14:25+07:00"),  # vnexpress, vietnamnet
    ("Mon, 05 Oct 26 14:10:00 +0700", "2026-10-05T14:10:00+07:00"),  # thanhnien: 2-digit year
    ("Mon, 05 Oct 2026 11:07:00 +07", "2026-10-05T11:07:00+07:00"),  # its CMS family: +07
    ("Mon, 12 Jun 2017 10:50:00 GMT+7", "2017-06-12T10:50:00+07:00"),  # dantri
    ("10/2/2026 9:25:00 AM", "2026-10-02T09:25:00+07:00"),  # tuoitre: month first
    ("3/7/2026 7:55:19 PM", "2026-03-07T19:55:19+07:00"),
    ("12/31/2025 12:05:00 AM", "2025-12-31T00:05:00+07:00"),
    ("2026-07-15T23:23+07:00", "2026-07-15T23:23:00+07:00"),  # tuoitre sitemap lastmod
    ("2026-07-18T10:10:11+07:00", "2026-07-18T10:10:11+07:00"),  # news:publication_date
    ("2026-07-18T03:10:11Z", "2026-07-18T10:10:11+07:00"),
    ("2026-07-20", "2026-07-20T00:00:00+07:00"),
    ("Sat, 11 Jul 2026 13:12:39 GMT", "2026-07-11T20:12:39+07:00"),
    ("  Sat, 11 Jul 2026\n 20:12:39 +0700 ", "2026-07-11T20:12:39+07:00"),
    ("", None),
    ("hôm qua", None),
]


@pytest.mark.parametrize(("text", "expected"), FEED_TIMES)
def test_feed_times_of_every_site(text: str, expected: str | None) -> None:
    moment = parse_feed_time(text)
    assert (moment.isoformat() if moment else None) == expected


def backfill_month(feed: Fixture) -> str:
    """The month of the saved article sitemap beside `feed` (`articles-YYYY-MM-DD.xml`)."""
    shard = next(f for f in find_saved_feeds(FIXTURES, feed.spider) if f.name.startswith("art"))
    return shard.name.removeprefix("articles-")[:7]


def follows(requests: list, callback: Callable) -> list[str]:
    return [r.url for r in requests if isinstance(r, Request) and r.callback == callback]


@pytest.mark.parametrize("feed", FEEDS, ids=lambda feed: f"{feed.spider}/{feed.name}")
def test_saved_feeds_read_as_their_ground_truth(feed: Fixture) -> None:
    """Each saved feed and sitemap gives its entries with their times, and the crawl
    follows what it should from it."""
    truth = feed.expected()
    response = feed.response()
    entries = rss_entries(response) if feed.name.startswith("rss") else None
    if entries is None:
        document = sitemap_document(response)
        assert document.index == feed.name.startswith("sitemap-index")
        entries = document.entries
    assert [(e.link, e.published.isoformat() if e.published else None) for e in entries] == [
        (entry["url"], entry["published"]) for entry in truth["entries"]
    ]

    month = backfill_month(feed)
    runner = OfflineRunner(spider_class(feed.spider), backfill=month)
    spider = runner.spider
    if feed.name.startswith("rss"):
        requests = list(spider.parse_feed(response, feed.name.removeprefix("rss-")))
    elif feed.name == "news-sitemap":
        requests = list(spider.parse_news_sitemap(response, ""))
    else:
        requests = list(spider.parse_archive_sitemap(response, ""))
    assert sorted(follows(requests, spider.parse_article)) == sorted(truth["followed"])
    if feed.name.startswith("sitemap-index"):  # the index leads to the month's sitemaps only
        children = follows(requests, spider.parse_archive_sitemap)
        assert children and all(
            MonthRange.parse(month).covers(*sitemap_period(url, spider.archive_sitemap_pattern))
            for url in children
        )
        assert len(children) < len(truth["entries"])


# Argument checks, placement, backfill months ----------------------------------------------


def test_discover_and_backfill_arguments_are_checked() -> None:
    spider = spider_class("dantri")
    assert spider().sources == (LISTING, RSS, SITEMAP)
    assert spider(discover="rss, listing").sources == (LISTING, RSS)
    assert spider(categories="du-hoc").sources == (LISTING, SITEMAP)  # no feed of du-hoc
    assert str(spider(backfill="2024-01..2024-06").backfill) == "2024-01..2024-06"
    for arguments, message in [
        (
            {"discover": "atom"},
            "-a discover='atom': no such source 'atom'; accepted: comma-separated sources from "
            "listing, rss, sitemap",
        ),
        (
            {"categories": "du-hoc", "discover": "rss"},
            "-a discover='rss': rss not available for the categories chosen; accepted: listing, "
            "sitemap",
        ),
        (
            {"backfill": "2024-13"},
            "-a backfill='2024-13': '2024-13' is not a month; accepted: months YYYY-MM..YYYY-MM "
            "(e.g. 2024-01..2024-06)",
        ),
        ({"backfill": "2024-06..2024-01"}, "-a backfill='2024-06..2024-01': the range ends"),
    ]:
        with pytest.raises(ArgumentError) as error:
            spider(**arguments)
        assert str(error.value).startswith(message)


def test_months_and_the_sites_dated_sitemaps() -> None:
    months = MonthRange.parse("2024-11..2025-02")
    assert [months.covers(y, m) for y, m in [(2024, 10), (2024, 11), (2025, 2), (2025, 3)]] == [
        False,
        True,
        True,
        False,
    ]
    assert months.covers(2025, None) and not months.covers(2023, None)
    forms = {
        "dantri": "https://dantri.com.vn/sitemaps/Article-2024-12-01.xml",
        "vnexpress": "https://vnexpress.net/articles-2024-sitemap.xml?m=12&d=5",
        "vietnamnet": "https://vietnamnet.vn/sitemap-article-12-2024-01.xml",
        "tuoitre": "https://tuoitre.vn/StaticSitemaps/sitemaps-2024-12-6-10.xml",
        "thanhnien": "https://thanhnien.vn/sitemaps/sitemaps-2024-12-26-31.xml",
        "giaoducthoidai": "https://giaoducthoidai.vn/sitemaps/news-2024-12.xml",
    }
    for name, url in forms.items():
        pattern = spider_class(name).archive_sitemap_pattern
        assert sitemap_period(url, pattern) == (2024, 12), name
    vnexpress = spider_class("vnexpress").archive_sitemap_pattern
    assert sitemap_period("https://vnexpress.net/articles-2024-sitemap.xml", vnexpress) == (
        2024,
        None,
    )
    assert sitemap_period("https://dantri.com.vn/sitemaps/categories.xml", vnexpress) is None


def test_sitemap_articles_are_placed_by_the_section_their_url_names() -> None:
    dantri = spider_class("dantri")(categories="giao-duc,tuyen-sinh")
    assert dantri.sitemap_category("https://dantri.com.vn/giao-duc/a-20260310160211477.htm") == (
        "giao-duc"
    )
    assert dantri.sitemap_category("https://dantri.com.vn/kinh-doanh/a-2026031016021.htm") is None
    only_sub = spider_class("dantri")(categories="tuyen-sinh")
    assert only_sub.sitemap_category("https://dantri.com.vn/giao-duc/a-20260310160211.htm") == ""
    vnexpress = spider_class("vnexpress")()
    assert vnexpress.sitemap_category("https://vnexpress.net/a-5047371.html") == ""


# Which source broke ------------------------------------------------------------------------

FETCHED = datetime(2026, 3, 13, 9, 0, tzinfo=VN_TZ)


def articles(name: str, count: int, age: timedelta) -> list[tuple[str, datetime]]:
    """`count` articles, the newest published `age` before FETCHED, then one an hour."""
    return [
        (f"https://vnexpress.net/{name}-{n}.html", FETCHED - age - timedelta(hours=n))
        for n in range(count)
    ]


ARTICLES = articles("a", 12, timedelta(hours=1))


def record_of(**sources: list[tuple[str, datetime | None]] | str) -> DiscoveryRecord:
    """A run's record: per `source_category`, its entries, or the reason it failed."""
    record = DiscoveryRecord(None)
    for name, entries in sources.items():
        source, _, category = name.partition("_")
        category = category.replace("_", "-")
        if isinstance(entries, str):
            record.document_failed(source, category, f"https://x/{source}", entries)
            continue
        record.document_read(source, category, FETCHED)
        for url, published in entries:
            record.listed(source, category, url, published)
    return record


def verdicts(record: DiscoveryRecord) -> list[str]:
    thresholds = Thresholds(min_entries=3, max_missing=0.5, grace=timedelta(minutes=30))
    return [str(breakage) for breakage in judge(record, thresholds).breakages]


def test_sources_that_agree_raise_nothing() -> None:
    # The feed lists the newest 8; the listing shows 10, the oldest of them beyond the feed.
    record = record_of(listing_giao_duc=ARTICLES[:10], rss_giao_duc=ARTICLES[:8])
    assert verdicts(record) == []
    assert judge(record, Thresholds(3, 0.5, timedelta(minutes=30))).compared == 2


def test_a_listing_that_shows_none_of_the_feeds_articles_broke() -> None:
    record = record_of(listing_giao_duc=[], rss_giao_duc=ARTICLES)
    assert verdicts(record) == [
        "listing broke (category giao-duc): it shows 0 of the 12 articles that rss lists over "
        "the same time"
    ]


def test_a_stale_or_unreadable_feed_broke() -> None:
    # The feed stopped a month ago: it lists that time's articles.
    stale = articles("c", 6, timedelta(days=30))
    record = record_of(listing_giao_duc=ARTICLES[:10], rss_giao_duc=stale)
    assert verdicts(record) == [
        "rss broke (category giao-duc): it shows 0 of the 10 articles that listing lists over "
        "the same time"
    ]
    record = record_of(listing_giao_duc=ARTICLES[:10], rss_giao_duc="HTTP 404")
    assert verdicts(record) == [
        "rss broke (category giao-duc): it shows 0 of the 10 articles that listing lists over "
        "the same time; its documents could not be read (https://x/rss: HTTP 404)"
    ]


def test_a_news_sitemap_that_stopped_updating_broke() -> None:
    old = articles("b", 9, timedelta(days=3))
    record = record_of(listing_giao_duc=ARTICLES, rss_giao_duc=ARTICLES, sitemap=old + ARTICLES[8:])
    assert verdicts(record) == [
        "sitemap broke (the whole site): it shows 4 of the 12 articles that listing or rss lists "
        "over the same time"
    ]


def test_too_few_or_too_fresh_articles_are_no_evidence() -> None:
    assert verdicts(record_of(listing_giao_duc=[], rss_giao_duc=ARTICLES[:2])) == []
    fresh = [(url, FETCHED - timedelta(minutes=10)) for url, _ in ARTICLES]
    assert verdicts(record_of(listing_giao_duc=[], rss_giao_duc=fresh)) == []
    # A listing that prints no times is expected to show the feed's newest as many.
    undated = [(url, None) for url, _ in ARTICLES[:5]]
    assert verdicts(record_of(listing_giao_duc=undated, rss_giao_duc=ARTICLES)) == []
    shifted = [(url, None) for url, _ in ARTICLES[6:11]]
    assert verdicts(record_of(listing_giao_duc=shifted, rss_giao_duc=ARTICLES)) == [
        "listing broke (category giao-duc): it shows 0 of the 5 articles that rss lists over "
        "the same time"
    ]


def test_one_worker_of_a_shared_crawl_judges_no_source() -> None:
    settings = get_project_settings().copy()
    settings.set("REDIS_URL", "redis://127.0.0.1:6379")
    spider = OfflineRunner(spider_class("dantri"), settings).spider
    spider.discovery = record_of(listing_giao_duc=[], rss_giao_duc=ARTICLES)
    assert spider.discovery_verdict().compared == 0  # its sources are a share of the crawl's


# Through the engine ------------------------------------------------------------------------


#: A site whose URLs name their section (its sitemap's articles are followed) and one whose do
#: not; every site's feeds are read in process above, and in every site's replay crawl
#: (tests/test_replay_crawl.py) beside its category pages.
ENGINE_SITES = ("dantri", "vnexpress")


@pytest.mark.parametrize("spider", ENGINE_SITES)
def test_rss_and_sitemap_discovery_without_the_category_pages(
    spider: str, scrapy_cli: Callable, tmp_path: Path
) -> None:
    """Without the category pages, a site's feeds and news sitemap still bring its articles,
    each once, with the articles each source found counted."""
    result = scrapy_cli("crawl", spider, *REPLAY, "-a", "discover=rss,sitemap", "-O", "out.jsonl")
    assert result.returncode == 0, result.stderr[-3000:]
    log = result.stderr
    exported = [a["url"] for a in read_jsonl(tmp_path / "out.jsonl")]
    assert len(exported) == len(set(exported))
    assert set(exported) == followed(spider, "rss", "news-sitemap") & saved_articles(spider)
    assert exported
    rss_found = {
        u
        for f in find_saved_feeds(FIXTURES, spider)
        if f.name.startswith("rss")
        for u in f.expected()["followed"]
    }
    assert stat(log, "edunews/discovery/rss/found") == str(len(rss_found))
    news = next(f for f in find_saved_feeds(FIXTURES, spider) if f.name == "news-sitemap")
    assert stat(log, "edunews/discovery/sitemap/found") == str(len(news.expected()["entries"]))
    assert stat(log, "edunews/discovery/listing/found") is None
    assert stat(log, "edunews/discovery/compared") == "1"  # the sitemap against the feeds
    assert stat(log, "edunews/monitors/discovery") == "OK"
    assert "ERROR" not in log


def broken_listing(folder: Path) -> Path:
    """The saved pages, giaoducthoidai's category pages redesigned: the teasers' class renamed."""
    shutil.copytree(FIXTURES, folder)
    for page in (folder / "giaoducthoidai" / "listings").glob("giao-duc-*.html"):
        text, count = re.subn(
            '<article class="story"', '<article class="story-card"', page.read_text("utf-8")
        )
        assert count
        page.write_text(text, "utf-8")
    return folder


def test_a_renamed_teaser_class_is_an_alarm_while_rss_brings_the_articles(
    scrapy_cli: Callable, tmp_path: Path
) -> None:
    fixtures = broken_listing(tmp_path / "redesigned")
    result = scrapy_cli(
        "crawl",
        "giaoducthoidai",
        "-s",
        "STATS_DUMP=True",
        "-a",
        f"replay={fixtures}",
        "-a",
        "categories=giao-duc",
        "-O",
        "out.jsonl",
    )
    log = result.stderr
    assert result.returncode == 1  # the operator's cron or CI sees a failed run
    assert log.rstrip().endswith("Run FAILED: monitors failed: discovery.")
    feed = next(f for f in FEEDS if f.spider == "giaoducthoidai" and f.name == "rss-giao-duc")
    alarm = re.search(
        r"WARNING: Discovery: (listing broke \(category giao-duc\): it shows 0 of the (\d+) "
        r"articles that rss lists over the same time)",
        log,
    )
    assert alarm, log[-3000:]
    # Every article of the feed but those published in the grace period before it was read.
    assert 3 <= int(alarm.group(2)) <= len(feed.expected()["entries"])
    assert stat(log, "edunews/discovery/broken/listing") == "1"
    assert stat(log, "edunews/discovery/listing/found") is None  # not one teaser found
    assert stat(log, "edunews/monitors/discovery") == "FAIL"
    report = json.loads((tmp_path / "out.monitors.json").read_text("utf-8"))
    assert report["passed"] is False
    assert report["monitors"]["discovery"]["status"] == "FAIL"
    assert alarm.group(1) in report["monitors"]["discovery"]["message"]
    # ...and the crawl still gets the category's articles, from its feed.
    exported = {a["url"] for a in read_jsonl(tmp_path / "out.jsonl")}
    assert exported == set(feed.expected()["followed"]) & saved_articles("giaoducthoidai")
    assert exported


# Backfill ----------------------------------------------------------------------------------

STATEFUL = ("-s", "EDUNEWS_STATE_ENABLED=True")


def runs_output(folder: Path, spider: str) -> list[dict]:
    return [
        r for p in sorted(folder.glob(f"data/{spider}/*[0-9].jsonl")) for r in complete_lines(p)
    ]


def test_backfill_of_a_site_whose_urls_name_no_section(
    scrapy_cli: Callable, tmp_path: Path
) -> None:
    shard = next(f for f in FEEDS if f.spider == "tuoitre" and f.name.startswith("articles"))
    month = shard.name.removeprefix("articles-")[:7]
    result = scrapy_cli("crawl", "tuoitre", *REPLAY, "-a", f"backfill={month}", "-O", "out.jsonl")
    assert result.returncode == 0, result.stderr[-3000:]
    exported = {a["url"] for a in read_jsonl(tmp_path / "out.jsonl")}
    assert exported == set(shard.expected()["followed"]) & saved_articles("tuoitre")
    assert exported
    assert stat(result.stderr, "edunews/discovery/sitemap/not_articles") == "1"  # a `.htm.rss`


def test_a_backfill_killed_and_run_again_exports_each_article_once(tmp_path: Path) -> None:
    """A backfill is a crawl like any other: killed (SIGKILL) half-way, the same command
    exports what is left, and once more it exports nothing (all known)."""
    shard = next(f for f in FEEDS if f.spider == "vietnamnet" and f.name.startswith("articles"))
    month = shard.name.removeprefix("articles-")[:7]
    year, number = MonthRange.parse(month).first
    before = (year, number - 1) if number > 1 else (year - 1, 12)
    months = f"{before[0]}-{before[1]:02d}..{month}"  # the month before too (not saved)
    args = ["crawl", "vietnamnet", *REPLAY, "-a", f"backfill={months}", *STATEFUL]
    slowly = ["-s", "DOWNLOAD_DELAY=0.1", "-s", "RANDOMIZE_DOWNLOAD_DELAY=False"]
    command = [sys.executable, "-m", "scrapy", *args, *slowly]
    env = {**os.environ, "SCRAPY_SETTINGS_MODULE": "edunews_scraper.settings"}
    process = subprocess.Popen(command, cwd=tmp_path, env=env, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 60
    while not runs_output(tmp_path, "vietnamnet") and time.monotonic() < deadline:
        time.sleep(0.05)
    process.send_signal(signal.SIGKILL)
    process.wait()
    expected = set(shard.expected()["followed"]) & saved_articles("vietnamnet")
    assert 0 < len(runs_output(tmp_path, "vietnamnet")) < len(expected)

    again = run_scrapy(args, tmp_path)
    assert again.returncode == 0, again.stderr[-3000:]
    assert f"Backfill of {months} from https://vietnamnet.vn/sitemap.xml" in again.stderr
    previous = f"https://vietnamnet.vn/sitemap-article-{before[1]:02d}-{before[0]}-01.xml"
    assert f"sitemap {previous} not read" in again.stderr  # asked for, not saved
    assert "sitemap-categories.xml" not in again.stderr  # not an article sitemap
    urls = [r["url"] for r in runs_output(tmp_path, "vietnamnet")]
    assert sorted(urls) == sorted(expected)

    last = run_scrapy(args, tmp_path)
    assert last.returncode == 0, last.stderr[-3000:]
    assert stat(last.stderr, "edunews/articles") is None
    assert stat(last.stderr, "edunews/listing/known_skipped") == str(len(expected))


def test_feeds_that_are_not_feeds_or_are_gzipped() -> None:
    """An HTML error page where a feed should be is no feed; a gzipped sitemap is read; a
    feed with a stray `&` (broken XML) still gives its items."""
    page = HtmlResponse("https://x.vn/rss/a.rss", body=b"<html><body>404</body></html>")
    with pytest.raises(NotAFeed, match="root: html"):
        rss_entries(page)
    with pytest.raises(NotAFeed, match="root: html"):
        sitemap_document(page)
    with pytest.raises(NotAFeed, match="not a sitemap"):
        sitemap_document(XmlResponse("https://x.vn/s.xml", body=b""))
    sitemap = (
        b'<?xml version="1.0"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
        b"<url><loc>https://x.vn/a-1.html</loc><lastmod>2026-03-01</lastmod></url></urlset>"
    )
    document = sitemap_document(XmlResponse("https://x.vn/s.xml.gz", body=gzip.compress(sitemap)))
    assert [e.link for e in document.entries] == ["https://x.vn/a-1.html"]
    broken = (
        b'<rss version="2.0"><channel><item><title>A & B</title><link>https://x.vn/a-1.html'
        b"</link><pubDate>Sun, 01 Mar 2026 07:00:00 +0700</pubDate></item></channel></rss>"
    )
    assert [e.link for e in rss_entries(XmlResponse("https://x.vn/f.rss", body=broken))] == [
        "https://x.vn/a-1.html"
    ]


def test_the_watermark_sees_a_pages_articles_whatever_source_took_them() -> None:
    """In a scheduled run the feed may take a category's articles before its page is read:
    the page is still what the last complete pass covered, and paging stops there."""
    page = next(
        f
        for f in find_fixtures(FIXTURES, "giaoducthoidai")
        if f.url == "https://giaoducthoidai.vn/giao-duc/"
    )
    spider = OfflineRunner(spider_class("giaoducthoidai")).spider
    urls = [url for url, _ in spider.listing_entries(page.response())]
    previous = Watermark(END, frozenset(entry_fingerprint(url) for url in urls))
    spider.listing_passes["giao-duc"] = ListingPass(previous, None, 5)
    for url in urls:  # the feed takes them first
        assert spider.judge_entry(RSS, "giao-duc", url, None) == "followed"
    requests = list(spider.parse_listing(page.response(), page=1, category="giao-duc"))
    assert requests == []  # no article twice, no next page: inside the last complete pass
    assert spider.listing_passes["giao-duc"].floor == END


def test_a_feeds_links_are_checked_as_the_category_pages_are() -> None:
    spider = OfflineRunner(spider_class("vnexpress")).spider
    links = [
        "javascript:alert(1)",
        "https://other.example/a-5047371.html",
        "https://video.vnexpress.net/a-5047372.html",
        " /a-5047373.html ",
    ]
    items = "".join(f"<item><link>{link}</link></item>" for link in links)
    feed = XmlResponse(
        "https://vnexpress.net/rss/giao-duc.rss",
        body=f'<rss version="2.0"><channel>{items}</channel></rss>'.encode(),
    )
    requests = list(spider.parse_feed(feed, "giao-duc"))
    assert follows(requests, spider.parse_article) == ["https://vnexpress.net/a-5047373.html"]
    stats = spider.crawler.stats.get_stats()
    refused = {k: v for k, v in stats.items() if k.startswith("edunews/listing/refused/")}
    assert sum(refused.values()) == 2  # not a web URL; another site
    assert stats["edunews/discovery/rss/not_articles"] == 1  # a video page
