"""spidermon monitors on spider close (edunews_scraper/monitoring.py): in process on chosen
stats and articles, then through real offline replay crawls, of the saved pages and of a copy
rewritten the way a layout change would."""

from __future__ import annotations

import dataclasses
import html
import json
import re
import shutil
import subprocess
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from scrapy import Spider
from scrapy.settings import Settings
from scrapy.utils.test import get_crawler
from spidermon.contrib.scrapy.extensions import Spidermon
from spidermon.contrib.validation.jsonschema.validator import JSONSchemaValidator

from edunews_scraper import settings as project_settings
from edunews_scraper.fixtures import find_fixtures
from edunews_scraper.items import Article
from edunews_scraper.loader import to_article
from edunews_scraper.monitoring import (
    ARTICLE_SCHEMA,
    ArticleSchemaValidation,
    EdunewsSpidermon,
    FastFirstValidator,
    Monitoring,
    as_exported,
)
from tests.conftest import FIXTURES

ADDON = "edunews_scraper.monitoring.Monitoring"
ADDONS = json.dumps({**getattr(project_settings, "ADDONS", {}), ADDON: 100})
MONITORS = {"schema", "min_articles", "field_coverage", "error_rate", "reject_rate"}
#: Replays read the saved feeds beside the category pages: the discovery monitor judges them
#: (tests/test_discovery.py); a bare spider reads no source and it skips.
REPLAYED = dict.fromkeys(MONITORS | {"discovery"}, "OK")
SPIDER = "giaoducthoidai"
SPIDERS = sorted({f.spider for f in find_fixtures(FIXTURES) if f.kind == "listings"})


def saved_articles(spider: str = SPIDER) -> list[Article]:
    """The reviewed articles of a spider's saved pages."""
    records = [f.expected() for f in find_fixtures(FIXTURES, spider) if f.kind == "articles"]
    return [to_article(record) for record in records if "reason" not in record]


def statuses(report: dict[str, Any]) -> dict[str, str]:
    return {key: monitor["status"] for key, monitor in report["monitors"].items()}


# In process: the monitors on chosen stats --------------------------------------------------


def close_spider(
    tmp_path: Path,
    articles: list[Article],
    stats: dict[str, Any] | None = None,
    **settings: Any,
) -> tuple[dict[str, Any], dict[str, Any]]:
    """Pass `articles` through the validation pipeline and spidermon's extension as a crawl
    would, set `stats`, close the spider: (the JSON report, the final stats)."""
    crawler = get_crawler(
        Spider,
        {
            "ADDONS": {Monitoring: 100},
            "EDUNEWS_MONITOR_REPORT_URI": str(tmp_path / "%(name)s.monitors.json"),
            **settings,
        },
    )
    spider = crawler.spider = Spider.from_crawler(crawler, name=SPIDER)
    pipeline = ArticleSchemaValidation.from_crawler(crawler)
    extension = EdunewsSpidermon.from_crawler(crawler)
    assert crawler.stats is not None
    base = {"edunews/articles": len(articles), "response_received_count": len(articles) + 4}
    for name, value in {**base, **(stats or {})}.items():
        crawler.stats.set_value(name, value)
    extension.spider_opened(spider)
    for article in articles:
        extension.item_scraped(pipeline.process_item(article), None, spider)
    extension.spider_closed(spider)
    report = json.loads((tmp_path / f"{SPIDER}.monitors.json").read_text("utf-8"))
    return report, crawler.stats.get_stats()


def test_the_addon_sets_spidermon_up_below_project_settings() -> None:
    settings = Settings({"EDUNEWS_MONITOR_MAX_ERROR_RATE": 0.5}, priority="project")
    Monitoring().update_settings(settings)
    assert settings.getbool("SPIDERMON_ENABLED")
    assert EdunewsSpidermon in settings.getdict("EXTENSIONS")
    assert settings.getdict("ITEM_PIPELINES")[ArticleSchemaValidation] == 950
    assert settings.getlist("SPIDERMON_SPIDER_CLOSE_MONITORS") == [
        "edunews_scraper.monitoring.SpiderCloseMonitorSuite"
    ]
    assert settings.getfloat("EDUNEWS_MONITOR_MAX_ERROR_RATE") == 0.5
    assert settings.getint("EDUNEWS_MONITOR_MIN_ARTICLES") == 1


def test_saved_articles_pass_every_monitor(tmp_path: Path) -> None:
    report, stats = close_spider(tmp_path, saved_articles())
    assert statuses(report) == {**dict.fromkeys(MONITORS, "OK"), "discovery": "SKIPPED"}
    assert report["passed"] is True
    assert report["counts"] == {"passed": 5, "failed": 0, "skipped": 1}
    assert stats["edunews/monitors/failed"] == 0
    assert stats["edunews/monitors/field_coverage"] == "OK"
    assert stats["spidermon/validation/items"] == len(saved_articles())
    images = [image for article in saved_articles() for image in article.images]
    captioned = sum(bool(image.caption) for image in images) / len(images)
    assert report["measurements"]["coverage"]["images/_items/caption"] == pytest.approx(captioned)


def test_field_counts_are_spidermons_own() -> None:
    """Our extension sums spidermon's per-field increments before they reach the stats: the
    counts are those of spidermon's extension counting each item itself."""
    articles = [article for spider in SPIDERS for article in saved_articles(spider)]
    counted = {}
    for extension_class, item_of in ((EdunewsSpidermon, lambda a: a), (Spidermon, as_exported)):
        crawler = get_crawler(Spider, {"ADDONS": {Monitoring: 100}})
        spider = crawler.spider = Spider.from_crawler(crawler, name=SPIDER)
        extension = extension_class.from_crawler(crawler)
        for article in articles:
            extension.item_scraped(item_of(article), None, spider)
        assert crawler.stats is not None
        counted[extension_class] = {
            key: value
            for key, value in crawler.stats.get_stats().items()
            if key.startswith("spidermon_item_scraped_count")
        }
    assert counted[EdunewsSpidermon] == counted[Spidermon]
    assert counted[Spidermon]["spidermon_item_scraped_count/Article/images/_items/caption"] > 0


def test_an_article_that_breaks_the_schema_fails_validation(tmp_path: Path) -> None:
    articles = saved_articles()
    naive = articles[0].published.replace(tzinfo=None)
    articles[0] = dataclasses.replace(articles[0], published=naive, headline="Tiêu đề ")
    report, stats = close_spider(tmp_path, articles)
    assert statuses(report)["schema"] == "FAIL"
    assert stats["edunews/monitors/schema"] == "FAIL"
    assert stats["spidermon/validation/items/errors"] == 1
    message = report["monitors"]["schema"]["message"]
    assert f"1 of {len(articles)} articles break the JSON Schema" in message
    assert report["validation_errors"] == {
        "published": {"regex_not_matched": 1},
        "headline": {"regex_not_matched": 1},
    }
    assert isinstance(articles[0].published, datetime)  # the article itself is untouched


def test_the_compiled_validator_judges_as_spidermons_own() -> None:
    """The compiled validator only short-cuts valid articles: on every saved article and on
    broken copies of them, the verdict and errors are those of spidermon's validator."""
    ours, spidermons = FastFirstValidator(ARTICLE_SCHEMA), JSONSchemaValidator(ARTICLE_SCHEMA)
    records = [dict(as_exported(article)) for s in SPIDERS for article in saved_articles(s)]
    broken = [
        change(record)
        for record in records[::4]
        for change in (
            lambda r: {**r, "published": "2024-01-01 08:00"},
            lambda r: {**r, "headline": ""},
            lambda r: {key: value for key, value in r.items() if key != "url"},
            lambda r: {**r, "images": [{"url": 5, "caption": ""}]},
            lambda r: {**r, "authors": "Ngọc Lan"},
            lambda r: {**r, "content_hash": "xyz"},
        )
    ]
    for record in records + broken:
        assert ours.validate(record) == spidermons.validate(record)
    assert all(ours.validate(record)[0] for record in records)
    assert not any(ours.validate(record)[0] for record in broken)


def test_errors_in_the_log_fail_the_error_rate_unless_allowed(tmp_path: Path) -> None:
    report, _ = close_spider(tmp_path, saved_articles(), {"log_count/ERROR": 2})
    assert statuses(report)["error_rate"] == "FAIL"
    pages = report["measurements"]["pages"]
    assert (
        f"2 ERROR(s) in the log for {pages} page(s)" in report["monitors"]["error_rate"]["message"]
    )
    report, _ = close_spider(
        tmp_path, saved_articles(), {"log_count/ERROR": 2}, EDUNEWS_MONITOR_MAX_ERROR_RATE=0.5
    )
    assert statuses(report)["error_rate"] == "OK"


def test_a_run_without_articles_fails_only_the_minimum(tmp_path: Path) -> None:
    report, stats = close_spider(tmp_path, [], {"edunews/rejects/download failed": 9})
    assert statuses(report) == {
        "schema": "SKIPPED",
        "min_articles": "FAIL",
        "field_coverage": "SKIPPED",
        "error_rate": "OK",
        "reject_rate": "SKIPPED",
        "discovery": "SKIPPED",
    }
    assert stats["edunews/monitors/failed"] == 1
    # Articles listed and known from earlier runs count: a scheduled run finds nothing new.
    report, _ = close_spider(tmp_path, [], {"edunews/listing/known_skipped": 12})
    assert statuses(report)["min_articles"] == "OK"
    # One worker of a shared crawl may get no article at all.
    report, _ = close_spider(tmp_path, [], REDIS_URL="redis://127.0.0.1:6379")
    assert statuses(report)["min_articles"] == "SKIPPED"


def test_shares_are_not_judged_on_a_small_sample(tmp_path: Path) -> None:
    few = [dataclasses.replace(a, authors=[]) for a in saved_articles()[:3]]
    report, _ = close_spider(tmp_path, few, {"edunews/rejects/missing": 1})
    assert statuses(report)["field_coverage"] == "SKIPPED"
    assert statuses(report)["reject_rate"] == "SKIPPED"
    assert report["measurements"]["coverage"]["authors"] == 0.0
    report, _ = close_spider(
        tmp_path, few, {"edunews/rejects/missing": 1}, EDUNEWS_MONITOR_MIN_SAMPLE=1
    )
    assert statuses(report)["field_coverage"] == "FAIL"
    assert statuses(report)["reject_rate"] == "FAIL"
    # A coverage rule set to 0 is off; the others keep their defaults.
    report, _ = close_spider(
        tmp_path,
        few,
        EDUNEWS_MONITOR_MIN_SAMPLE=1,
        EDUNEWS_MONITOR_FIELD_COVERAGE={"authors": 0},
    )
    assert statuses(report)["field_coverage"] == "OK"
    assert "authors" not in report["thresholds"]["EDUNEWS_MONITOR_FIELD_COVERAGE"]


# Offline replay crawls ---------------------------------------------------------------------


def replay(
    scrapy_cli: Callable, spider: str, folder: Path, *settings: str, exitcode: int = 0
) -> str:
    """A replay crawl of `folder` with monitoring on (and every counter in the log); its log,
    once it finished with `exitcode`."""
    settings = (f"ADDONS={ADDONS}", "STATS_DUMP=True", *settings)
    args = [arg for setting in settings for arg in ("-s", setting)]
    result = scrapy_cli("crawl", spider, "-a", f"replay={folder}", *args)
    assert result.returncode == exitcode, result.stderr[-3000:]
    assert "'finish_reason': 'finished'" in result.stderr, result.stderr[-3000:]
    return result.stderr


def only_report(folder: Path) -> tuple[Path, dict[str, Any]]:
    reports = sorted(folder.glob("*.monitors.json"))
    assert len(reports) == 1, reports
    return reports[0], json.loads(reports[0].read_text("utf-8"))


@pytest.mark.parametrize("spider", SPIDERS)
def test_replay_of_the_saved_pages_passes(
    spider: str, scrapy_cli: Callable, tmp_path: Path
) -> None:
    # Every share is judged (a fixture set has fewer articles than the default sample).
    log = replay(scrapy_cli, spider, FIXTURES, "EDUNEWS_MONITOR_MIN_SAMPLE=1")
    path, report = only_report(tmp_path / "data" / spider)
    feed = path.with_name(path.name.replace(".monitors.json", ".jsonl"))
    assert feed.is_file()  # beside the articles file of the run, same name
    assert statuses(report) == REPLAYED
    assert report["spider"] == spider and report["passed"] is True
    assert report["measurements"]["articles"] > 0
    assert "'edunews/monitors/passed': 6" in log
    assert "'edunews/monitors/failed': 0" in log
    assert "Monitors: 6 passed, 0 failed, 0 skipped" in log
    assert "ERROR" not in log and "Deprecat" not in log


def test_default_thresholds_and_report_beside_the_output_file(
    scrapy_cli: Callable, tmp_path: Path
) -> None:
    result = scrapy_cli(
        "crawl", SPIDER, "-a", f"replay={FIXTURES}", "-s", f"ADDONS={ADDONS}", "-O", "out.jsonl"
    )
    assert result.returncode == 0, result.stderr[-3000:]
    report = json.loads((tmp_path / "out.monitors.json").read_text("utf-8"))
    assert statuses(report) == REPLAYED  # 7 articles: every share judged


# A layout change: the site's new template renames the author, caption and body containers,
# and its JSON-LD names the newspaper instead of the writer.
NEW_TEMPLATE = [
    (
        r'"author":\s*(\{[^{}]*\}|\[[^\]]*\])',
        '"author":{"@type":"Organization","name":"Báo GD&TĐ"}',
    ),
    (r'class="article__author"', 'class="article-meta__writer"'),
    (r'<figcaption(?: class="caption")?>(.*?)</figcaption>', r'<div class="pic-desc">\1</div>'),
    (r'class="(?:caption|image_desc)"', 'class="pic-desc"'),
]
# ...and on part of the archive the body container too (those pages lose their text, as does
# the photo story, whose only text was its captions).
NEW_BODY = (r'class="detail-content"', 'class="detail-body"')
NEW_BODY_PAGES = ("legacy-2019-doi-ngu-nha-giao-vung-kho", "legacy-2020-hoc-sinh-mien-trung-sau-lu")
TEXTLESS_PAGES = (*NEW_BODY_PAGES, "current-2026-photo-ngay-hoi-doc-sach")
SMALL_SAMPLE = "EDUNEWS_MONITOR_MIN_SAMPLE=1"


def broken_copy(folder: Path) -> Path:
    """The saved pages, with giaoducthoidai's article pages in the new template."""
    shutil.copytree(FIXTURES, folder)
    applied = dict.fromkeys((pattern for pattern, _ in [*NEW_TEMPLATE, NEW_BODY]), 0)
    for page in (folder / SPIDER / "articles").glob("*.html"):
        text = original = page.read_text("utf-8")
        rules = NEW_TEMPLATE + ([NEW_BODY] if page.stem in NEW_BODY_PAGES else [])
        for pattern, replacement in rules:
            text, count = re.subn(pattern, replacement, text)
            applied[pattern] += count
        assert text != original, page.name
        page.write_text(text, "utf-8")
    assert all(applied.values()), applied
    return folder


def test_replay_after_a_layout_change_fails_coverage_and_rejects(
    scrapy_cli: Callable, tmp_path: Path
) -> None:
    # Every share is judged: four articles are left, fewer than the default sample.
    log = replay(scrapy_cli, SPIDER, broken_copy(tmp_path / "broken"), SMALL_SAMPLE, exitcode=1)
    # The run fails, and says why in its last line: cron and CI notice.
    assert log.splitlines()[-1] == "Run FAILED: monitors failed: field_coverage, reject_rate."
    for monitor, status in {
        "schema": "OK",
        "min_articles": "OK",
        "field_coverage": "FAIL",
        "error_rate": "OK",
        "reject_rate": "FAIL",
    }.items():
        assert f"'edunews/monitors/{monitor}': '{status}'" in log
    assert "'edunews/monitors/failed': 2" in log
    assert "[Spidermon] Field coverage/Fields filled... FAIL" in log
    assert "Monitors: 4 passed, 2 failed, 0 skipped (field_coverage, reject_rate)" in log

    _, report = only_report(tmp_path / "data" / SPIDER)
    assert report["passed"] is False
    assert statuses(report)["field_coverage"] == "FAIL"
    coverage = report["measurements"]["coverage"]
    assert coverage["authors"] < 0.5 and coverage["images/_items/caption"] == 0
    assert coverage["category"] == 1.0 and coverage["lead"] >= 0.5  # as before the change
    message = report["monitors"]["field_coverage"]["message"]
    assert "authors" in message and "images/_items/caption" in message and "lead" not in message
    assert report["measurements"]["parse_rejects"] == len(TEXTLESS_PAGES)
    parsed = report["measurements"]["articles"] + len(TEXTLESS_PAGES)
    message = report["monitors"]["reject_rate"]["message"]
    assert f"{len(TEXTLESS_PAGES)} of {parsed} article pages rejected" in message


# The HTML run report, as a browser shows it ------------------------------------------------

#: Appended to a copy of the report: writes what the page shows (each heading's position on
#: the rendered page, the visible text) into the DOM that Chromium dumps.
PROBE = """<script>
const headings = [...document.querySelectorAll("h1, h2, h3")].map(
    h => [Math.round(h.getBoundingClientRect().top), h.innerText]);
const probe = document.createElement("pre");
probe.id = "probe";
probe.textContent = JSON.stringify({headings, text: document.body.innerText});
document.body.appendChild(probe);
</script>"""


def rendered(report: Path, tmp_path: Path) -> dict[str, Any]:
    """What headless Chromium (Debian's `chromium`, installed by .ci/run) shows of `report`:
    {"headings": [[top, text], ...], "text": the visible text}."""
    chromium = shutil.which("chromium")
    assert chromium, "headless Chromium is needed: apt-get install chromium (see .ci/run)"
    page = tmp_path / "probe.html"
    page.write_text(report.read_text("utf-8") + PROBE, "utf-8")
    result = subprocess.run(
        [
            chromium,
            *"--headless --no-sandbox --disable-gpu --disable-quic --no-first-run".split(),
            *"--disable-background-networking --disable-component-update --disable-sync".split(),
            f"--user-data-dir={tmp_path / 'chromium-profile'}",
            "--dump-dom",
            page.as_uri(),
        ],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    probe = re.search(r'<pre id="probe">(.*?)</pre>', result.stdout, re.DOTALL)
    assert probe, result.stdout[-2000:]
    return json.loads(html.unescape(probe.group(1)))


def test_the_html_report_shows_verdicts_coverage_rejects_and_counts(
    scrapy_cli: Callable, tmp_path: Path
) -> None:
    """A run after a layout change, its report opened in a browser: the failed monitors,
    the coverage below its minimum, each reject's URL under its reason, articles per category
    and per day, all before spidermon's dump of every counter."""
    replay(scrapy_cli, SPIDER, broken_copy(tmp_path / "broken"), SMALL_SAMPLE, exitcode=1)
    reports = sorted((tmp_path / "data" / SPIDER).glob("*.report.html"))
    assert len(reports) == 1, reports
    html_report = reports[0]
    assert "http://" not in html_report.read_text("utf-8").split("<body")[0]  # nothing fetched
    shown = rendered(html_report, tmp_path)
    text = shown["text"]
    tops = {heading: top for top, heading in shown["headings"]}

    assert "2 failed!" in text  # spidermon's banner
    assert "Fields filled\tFAIL" in text and "Few rejects\tFAIL" in text
    assert "coverage below EDUNEWS_MONITOR_FIELD_COVERAGE" in text  # the failure's message
    coverage = text.split("Field coverage\nField")[1]
    assert re.search(r"\nauthors\t\d+%\t50%\n", coverage)
    assert "\nimages/_items/caption\t0%\t50%\n" in coverage
    rejected = [
        f.url
        for f in find_fixtures(tmp_path / "broken", SPIDER)
        if f.kind == "articles" and f.name in TEXTLESS_PAGES
    ]
    assert f"missing: {len(rejected)}" in text
    for url in rejected:
        assert f"{url}\tmissing: paragraphs" in text
    _, report = only_report(tmp_path / "data" / SPIDER)
    articles = report["measurements"]["articles"]
    per_category = text.split("Articles per category\n")[1].split("\nArticles per day")[0]
    assert sum(int(line.split("\t")[1]) for line in per_category.splitlines()) == articles
    assert "Thời sự\t" in per_category
    per_day = text.split("Articles per day published\n")[1].split("\nReport timestamp")[0]
    assert re.match(r"\d{4}-\d{2}-\d{2}\t\d+", per_day)
    assert sum(int(line.split("\t")[1]) for line in per_day.splitlines()) == articles
    assert tops["Monitors"] < tops["Rejects by reason"] < tops["Articles per day published"]
    assert tops["Articles per day published"] < tops["Stats"]
