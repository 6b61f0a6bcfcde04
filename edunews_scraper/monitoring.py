"""Monitoring on spidermon: checks that run when a spider closes, and their report.

`Monitoring` is a Scrapy add-on. It enables spidermon with

- `ArticleSchemaValidation`, spidermon's item validation pipeline, checking every exported
  article, as the feed writes it, against the shipped JSON Schema
  (`edunews_scraper/schema/article.schema.json`): a compiled validator (fastjsonschema) passes
  the valid ones, spidermon's own validator judges and counts the rest, and
- `EdunewsSpidermon`, spidermon's extension, which counts the field coverage of the exported
  articles and runs `SpiderCloseMonitorSuite` when the spider closes. Its monitors fail when:

  schema          more than EDUNEWS_MONITOR_MAX_INVALID_ARTICLES (0) articles break the schema;
  min_articles    fewer than EDUNEWS_MONITOR_MIN_ARTICLES (1) articles were exported, skipped
                  as known from earlier runs or as older than `since`, or fetched again and
                  found unchanged (a run with nothing new or nothing changed is healthy; not
                  judged for one worker of a shared crawl);
  field_coverage  the share of articles with a field non-empty is below its minimum in
                  EDUNEWS_MONITOR_FIELD_COVERAGE, a probable layout change (defaults:
                  `DEFAULT_FIELD_COVERAGE`; keys are spidermon's coverage paths in an article,
                  `images/_items/caption` is the share of images with a caption; a setting
                  is merged over the defaults, 0 switches a field off);
  error_rate      log ERRORs per page received exceed EDUNEWS_MONITOR_MAX_ERROR_RATE (0.05);
  reject_rate     more than EDUNEWS_MONITOR_MAX_REJECT_RATE (0.2) of the article pages read
                  became rejects `missing` or `extraction failed` (a `download failed` page
                  was never read: it says nothing about the layout).

  Coverage and reject rate are not judged below EDUNEWS_MONITOR_MIN_SAMPLE (5) articles
  (article pages): one article in two without an author says nothing. The defaults pass on
  every spider's saved pages, whose few articles include the odd ones on purpose (no author,
  no lead): a site whose articles all carry an author may set `{"authors": 0.9}`.

The results are logged (spidermon's summary, failures at ERROR, then one line), counted in the
stats (`edunews/monitors/passed|failed|skipped` and `edunews/monitors/<monitor>` = OK, FAIL,
SKIPPED or ERROR) and written to a JSON report: EDUNEWS_MONITOR_REPORT_URI (`%(name)s` and
`%(time)s` as in feed URIs), by default beside the run's articles file (`<feed>.monitors.json`,
e.g. `data/giaoducthoidai/<time>.monitors.json`, with every crawl counter under "stats"), and
to an HTML page beside it (`<feed>.report.html`, see report.py). `-s SPIDERMON_ENABLED=False`
switches all off.

spidermon 1.27 with Scrapy 2.19, fixed here by subclassing: its monitor runner logs through
`Spider.log()` (deprecated in Scrapy 2.19); its validation pipeline and field coverage read
items as Python objects, so our dataclasses' datetimes and nested `Image`s would be neither
valid JSON nor counted: both see the item as the feed writes it.
"""

from __future__ import annotations

import json
import logging
from collections import Counter
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import cache
from pathlib import Path
from typing import Any

import fastjsonschema
from scrapy import Spider
from scrapy.crawler import Crawler
from scrapy.extensions.feedexport import FeedExporter, FileFeedStorage
from scrapy.settings import BaseSettings
from spidermon import Monitor, MonitorSuite, monitors
from spidermon.contrib.scrapy.extensions import Spidermon
from spidermon.contrib.scrapy.pipelines import ItemValidationPipeline
from spidermon.contrib.scrapy.runners import (
    LOG_MESSAGE_HEADER,
    SpiderMonitorResult,
    SpiderMonitorRunner,
)
from spidermon.contrib.validation.jsonschema.validator import JSONSchemaValidator
from spidermon.core.actions import Action
from spidermon.results.items import MonitorResult

from edunews_scraper.discovery.monitor import DiscoveryMonitor
from edunews_scraper.exporters import per_item, to_jsonable
from edunews_scraper.feeds import ARTICLE, RUN_TIME
from edunews_scraper.items import Article
from edunews_scraper.loader import schema
from edunews_scraper.report import HtmlRunReport

DEFAULT_FIELD_COVERAGE: dict[str, float] = {
    "authors": 0.5,
    "lead": 0.5,
    "category": 0.5,
    "tags": 0.3,
    "images": 0.3,
    "images/_items/caption": 0.5,
}
DEFAULTS: dict[str, Any] = {
    "EDUNEWS_MONITOR_MIN_ARTICLES": 1,
    "EDUNEWS_MONITOR_MIN_SAMPLE": 5,
    "EDUNEWS_MONITOR_FIELD_COVERAGE": {},
    "EDUNEWS_MONITOR_MAX_ERROR_RATE": 0.05,
    "EDUNEWS_MONITOR_MAX_REJECT_RATE": 0.2,
    "EDUNEWS_MONITOR_MAX_INVALID_ARTICLES": 0,
    "EDUNEWS_MONITOR_REPORT_URI": "",
}
FALLBACK_REPORT_URI = "data/%(name)s/%(time)s.monitors.json"
COVERAGE_PREFIX = "spidermon_field_coverage/Article/"
COUNT_PREFIX = "spidermon_item_scraped_count/Article/"
VALIDATION_ERRORS = "spidermon/validation/fields/errors/"
#: Reject kinds that tell of a page we read but could not make an article of.
PARSE_REJECTS = ("missing", "extraction failed")


class Monitoring:
    """Add-on: spidermon's validation pipeline, extension and our close-time monitors.

    Everything is set at add-on priority, so settings.py and `-s` still override it."""

    def update_settings(self, settings: BaseSettings) -> None:
        for name, value in {
            **DEFAULTS,
            "SPIDERMON_ENABLED": True,
            "SPIDERMON_SPIDER_CLOSE_MONITORS": [f"{__name__}.SpiderCloseMonitorSuite"],
            # By object path: inside a deployed egg the schema file has no path of its own.
            "SPIDERMON_VALIDATION_SCHEMAS": {Article: f"{__name__}.ARTICLE_SCHEMA"},
            "SPIDERMON_ADD_FIELD_COVERAGE": True,
            "SPIDERMON_LIST_FIELDS_COVERAGE_LEVELS": 1,  # images/_items/caption
        }.items():
            settings.set(name, value, priority="addon")
        settings.setdefault_in_component_priority_dict("EXTENSIONS", EdunewsSpidermon, 500)
        # After every pipeline that may still turn an article into a reject or drop it.
        settings.setdefault_in_component_priority_dict(
            "ITEM_PIPELINES", ArticleSchemaValidation, 950
        )


def inline_refs(document: dict[str, Any]) -> dict[str, Any]:
    """`document` (a JSON Schema) with each `{"$ref": "#/$defs/<name>"}` replaced by that
    definition."""
    definitions = document.get("$defs", {})

    def inline(node: Any) -> Any:
        if isinstance(node, dict):
            ref = node.get("$ref", "")
            if len(node) == 1 and ref.startswith("#/$defs/"):
                return inline(definitions[ref.removeprefix("#/$defs/")])
            return {key: inline(value) for key, value in node.items() if key != "$defs"}
        if isinstance(node, list):
            return [inline(item) for item in node]
        return node

    return inline(document)


#: The JSON Schema of an articles feed line, as shipped in the package, `$ref`s inlined:
#: spidermon builds a validator per item, and resolving a `$ref` for each value cost as
#: much as checking the value (0.64 -> 0.31 ms an article).
ARTICLE_SCHEMA = inline_refs(schema())


@cache
def _dict_named(name: str) -> type[dict[str, Any]]:
    return type(name, (dict,), {})


@per_item
def as_exported(item: Any) -> dict[str, Any]:
    """The item as the feed writes it (plain JSON values), in a dict named like the item's
    class: spidermon finds validators and names coverage stats by that name. Read, never
    changed: the validation pipeline and the coverage count share it."""
    return _dict_named(type(item).__name__)(to_jsonable(item))


class FastFirstValidator(JSONSchemaValidator):
    """spidermon's JSON Schema validator behind a compiled one (fastjsonschema, ~13x faster):
    an item the compiled validator passes has no errors; any other item gets spidermon's own
    validation, so the errors and messages counted are spidermon's."""

    def __init__(self, schema: dict[str, Any]) -> None:
        super().__init__(schema)
        self._passes = fastjsonschema.compile(schema)

    def _validate(self, data: Any, strict: bool = False) -> None:
        try:
            self._passes(data)
        except fastjsonschema.JsonSchemaException:
            super()._validate(data, strict)


class ArticleSchemaValidation(ItemValidationPipeline):
    """spidermon's validation pipeline, run on each `Article` as the feed writes it.

    Counts `spidermon/validation/items`, `.../items/errors` and per field and message
    `.../fields/errors/...`; items are exported unchanged."""

    @classmethod
    def _load_jsonschema_validator(cls, schema: Any) -> FastFirstValidator:
        return FastFirstValidator(super()._load_jsonschema_validator(schema)._schema)

    def process_item(self, item: Any) -> Any:
        """spidermon's `process_item` on the exported dict, without its `ItemAdapter` copy
        (the dict is plain JSON already); errors are counted, never added to the item."""
        if not isinstance(item, Article):
            return item
        exported = as_exported(item)
        validators = self.find_validators(exported)
        if not validators:
            return item
        self.stats.add_item()
        self.stats.add_fields(len(exported))
        for validator in validators:
            valid, errors = validator.validate(exported)
            if not valid:
                self._add_error_stats(errors)
                if self.drop_items_with_errors:
                    self._drop_item(item, errors)
        return item


class _LoggerResult(SpiderMonitorResult):
    """spidermon's result log, through the spider's logger instead of `Spider.log()`; its
    INFO lines (~25 a run) at DEBUG: the run's summary tells the outcome, failures stay
    ERRORs."""

    def log(self, msg: Any, level: int = logging.DEBUG) -> None:
        level = logging.DEBUG if level == logging.INFO else level
        self.spider.logger.log(level, "[%s] %s", LOG_MESSAGE_HEADER, msg)


class _LoggerRunner(SpiderMonitorRunner):
    def create_result(self) -> SpiderMonitorResult:
        return _LoggerResult(self.spider)


class _Tally:
    """Stands in for the stats collector while spidermon counts an item's fields: its
    `inc_value` calls (one per field and per list element: ~60 an article) are summed, then
    applied once per stat."""

    def __init__(self) -> None:
        self.counts: Counter[str] = Counter()

    def inc_value(self, key: str, count: int = 1, start: int = 0) -> None:
        self.counts[key] += count


class EdunewsSpidermon(Spidermon):
    """spidermon's extension: field coverage of exported articles as the feed writes them
    (so `images/_items/caption` is counted), results logged through the spider's logger."""

    def item_scraped(self, item: Any, response: Any, spider: Spider) -> None:
        if not isinstance(item, Article):
            return
        stats, tally = self.crawler.stats, _Tally()
        self.crawler.stats = tally  # type: ignore[assignment]
        try:
            super().item_scraped(as_exported(item), response, spider)
        finally:
            self.crawler.stats = stats
        for key, count in tally.counts.items():
            stats.inc_value(key, count)

    def _run_suites(self, spider: Spider, suites: list[MonitorSuite]) -> None:
        data = self._generate_data_for_spider(spider)
        for suite in suites:
            _LoggerRunner(spider=spider).run(suite, **data)


# Measurements ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Measurements:
    """What the monitors judge, read from the crawl stats."""

    articles: int  # exported: unchanged ones are dropped before they are counted
    unchanged: int
    known: int
    older: int  # listed, older than `since`: not followed
    parse_rejects: int
    download_failures: int
    pages: int
    errors: int
    coverage: dict[str, float | None]

    @classmethod
    def from_stats(cls, stats: dict[str, Any], fields: list[str]) -> Measurements:
        return cls(
            articles=stats.get("edunews/articles", 0),
            unchanged=stats.get("edunews/unchanged", 0),
            known=stats.get("edunews/listing/known_skipped", 0),
            older=stats.get("edunews/listing/older_skipped", 0),
            parse_rejects=sum(stats.get(f"edunews/rejects/{kind}", 0) for kind in PARSE_REJECTS),
            download_failures=stats.get("edunews/rejects/download failed", 0),
            pages=stats.get("response_received_count", 0),
            errors=stats.get("log_count/ERROR", 0),
            coverage={field: _coverage(stats, field) for field in fields},
        )

    @property
    def parsed(self) -> int:
        """Article pages read and parsed: articles (exported or unchanged since an earlier
        run) and the rejects of their parsing."""
        return self.articles + self.unchanged + self.parse_rejects

    @property
    def error_rate(self) -> float:
        return self.errors / max(self.pages, 1)

    @property
    def reject_rate(self) -> float:
        return self.parse_rejects / max(self.parsed, 1)

    def as_dict(self) -> dict[str, Any]:
        return {
            **{name: getattr(self, name) for name in self.__dataclass_fields__},
            "error_rate": round(self.error_rate, 4),
            "reject_rate": round(self.reject_rate, 4),
        }


def _coverage(stats: dict[str, Any], field: str) -> float | None:
    """The share of exported articles with `field` non-empty (of images with a caption for
    `images/_items/caption`); None when there is nothing to measure it on."""
    if "/_items/" in field:
        parent = field.rsplit("/_items/", 1)[0]
        if not stats.get(f"{COUNT_PREFIX}{parent}/_items"):
            return None
    elif not stats.get("spidermon_item_scraped_count/Article"):
        return None
    return round(stats.get(f"{COVERAGE_PREFIX}{field}", 0.0), 4)


def field_coverage_rules(settings: BaseSettings) -> dict[str, float]:
    """`DEFAULT_FIELD_COVERAGE` updated with EDUNEWS_MONITOR_FIELD_COVERAGE; 0 rules dropped."""
    rules = {**DEFAULT_FIELD_COVERAGE, **settings.getdict("EDUNEWS_MONITOR_FIELD_COVERAGE")}
    return {field: float(minimum) for field, minimum in rules.items() if float(minimum) > 0}


def thresholds(settings: BaseSettings) -> dict[str, Any]:
    """Every EDUNEWS_MONITOR_* threshold in force, coverage rules merged."""
    values = {name: settings.get(name) for name in DEFAULTS if name != "EDUNEWS_MONITOR_REPORT_URI"}
    values["EDUNEWS_MONITOR_FIELD_COVERAGE"] = field_coverage_rules(settings)
    return values


# Monitors ----------------------------------------------------------------------------------


class EdunewsMonitor(Monitor):
    """A close-time monitor; `key` names it in the stats and the report."""

    key = ""
    longMessage = False  # our messages say it all

    @property
    def settings(self) -> BaseSettings:
        return self.data.crawler.settings

    @property
    def measured(self) -> Measurements:
        return Measurements.from_stats(self.data.stats, list(field_coverage_rules(self.settings)))

    def require_sample(self, count: int, what: str) -> None:
        """Skip the test when `count` is too small a sample to judge shares of."""
        minimum = self.settings.getint("EDUNEWS_MONITOR_MIN_SAMPLE")
        if count < minimum:
            self.skipTest(f"{count} {what}, fewer than EDUNEWS_MONITOR_MIN_SAMPLE={minimum}")


@monitors.name("Schema validation")
class SchemaMonitor(EdunewsMonitor):
    """Exported articles that break the JSON Schema of the articles feed, as counted by
    spidermon's validation pipeline (`ArticleSchemaValidation`)."""

    key = "schema"

    @monitors.name("Articles valid")
    def test_articles_valid(self) -> None:
        stats = self.data.stats
        if not self.measured.articles:
            self.skipTest("no article exported")
        self.assertIn(
            "spidermon/validation/items", stats, msg="ArticleSchemaValidation did not run"
        )
        maximum = self.settings.getint("EDUNEWS_MONITOR_MAX_INVALID_ARTICLES")
        invalid = stats.get("spidermon/validation/items/errors", 0)
        self.assertLessEqual(
            invalid,
            maximum,
            msg=f"{invalid} of {stats['spidermon/validation/items']} articles break the "
            f"JSON Schema, more than EDUNEWS_MONITOR_MAX_INVALID_ARTICLES={maximum}",
        )


@monitors.name("Minimum articles")
class MinimumArticlesMonitor(EdunewsMonitor):
    """Articles exported, listed and known from earlier runs, or fetched again unchanged,
    reach the minimum."""

    key = "min_articles"

    @monitors.name("Enough articles")
    def test_enough_articles(self) -> None:
        if self.settings.get("REDIS_URL"):
            self.skipTest("one worker of a shared crawl (REDIS_URL): its share is no measure")
        minimum = self.settings.getint("EDUNEWS_MONITOR_MIN_ARTICLES")
        measured = self.measured
        seen = measured.articles + measured.known + measured.unchanged + measured.older
        self.assertGreaterEqual(
            seen,
            minimum,
            msg=f"{seen} article(s) exported, known, unchanged or older than `since`, fewer than "
            f"EDUNEWS_MONITOR_MIN_ARTICLES={minimum}",
        )


@monitors.name("Field coverage")
class FieldCoverageMonitor(EdunewsMonitor):
    """Each field is non-empty in at least its minimum share of articles."""

    key = "field_coverage"

    @monitors.name("Fields filled")
    def test_fields_filled(self) -> None:
        measured = self.measured
        self.require_sample(measured.articles, "article(s) exported")
        failures = [
            f"{field}: {measured.coverage[field]:.0%} (minimum {minimum:.0%})"
            for field, minimum in field_coverage_rules(self.settings).items()
            if measured.coverage[field] is not None and measured.coverage[field] < minimum
        ]
        self.assertFalse(
            failures,
            msg=f"coverage below EDUNEWS_MONITOR_FIELD_COVERAGE over {measured.articles} "
            "articles, a probable layout change: " + "; ".join(failures),
        )


@monitors.name("Error rate")
class ErrorRateMonitor(EdunewsMonitor):
    """Log ERRORs per page received stay within the maximum."""

    key = "error_rate"

    @monitors.name("Few errors")
    def test_few_errors(self) -> None:
        maximum = self.settings.getfloat("EDUNEWS_MONITOR_MAX_ERROR_RATE")
        measured = self.measured
        self.assertLessEqual(
            measured.error_rate,
            maximum,
            msg=f"{measured.errors} ERROR(s) in the log for {measured.pages} page(s): "
            f"{measured.error_rate:.0%}, more than EDUNEWS_MONITOR_MAX_ERROR_RATE={maximum}",
        )


@monitors.name("Reject rate")
class RejectRateMonitor(EdunewsMonitor):
    """Article pages that could not become an article stay within the maximum share."""

    key = "reject_rate"

    @monitors.name("Few rejects")
    def test_few_rejects(self) -> None:
        measured = self.measured
        self.require_sample(measured.parsed, "article page(s) parsed")
        maximum = self.settings.getfloat("EDUNEWS_MONITOR_MAX_REJECT_RATE")
        self.assertLessEqual(
            measured.reject_rate,
            maximum,
            msg=f"{measured.parse_rejects} of {measured.parsed} article pages rejected "
            f"({' or '.join(PARSE_REJECTS)}): {measured.reject_rate:.0%}, more than "
            f"EDUNEWS_MONITOR_MAX_REJECT_RATE={maximum}",
        )


# Report ------------------------------------------------------------------------------------


def report_path(crawler: Crawler) -> Path:
    """EDUNEWS_MONITOR_REPORT_URI, else beside the first local articles file, else
    `data/<spider>/<time>.monitors.json`."""
    assert crawler.spider is not None and crawler.stats is not None
    template = crawler.settings.get("EDUNEWS_MONITOR_REPORT_URI")
    if not template:
        exporter = crawler.get_extension(FeedExporter)
        for slot in getattr(exporter, "slots", []):
            takes_articles = ARTICLE in slot.feed_options.get("item_classes", [])
            if takes_articles and isinstance(slot.storage, FileFeedStorage):
                return Path(slot.storage.path).with_suffix(".monitors.json")
        template = FALLBACK_REPORT_URI
    started = crawler.stats.get_value("start_time") or datetime.now(UTC)
    time = crawler.stats.get_value(RUN_TIME) or started.replace(microsecond=0).isoformat().replace(
        ":", "-"
    )
    return Path(template % {"name": crawler.spider.name, "time": time})


def _message(result: MonitorResult) -> str:
    if result.reason:
        return str(result.reason)
    return result.error.strip().splitlines()[-1] if result.error else ""


class MonitorReport(Action):
    """Record the results: stats `edunews/monitors/...`, a JSON report, a summary line."""

    def run_action(self) -> None:
        crawler: Crawler = self.data.crawler
        stats = crawler.stats
        assert stats is not None
        results = {
            getattr(result.monitor, "key", "") or result.monitor.monitor_name: result
            for result in self.result.monitor_results
        }
        tally = {"passed": 0, "failed": 0, "skipped": 0}
        for key, result in results.items():
            stats.set_value(f"edunews/monitors/{key}", result.status)
            outcome = {"OK": "passed", "SKIPPED": "skipped"}.get(result.status, "failed")
            tally[outcome] += 1
        for outcome, count in tally.items():
            stats.set_value(f"edunews/monitors/{outcome}", count)

        path = report_path(crawler)
        report = {
            "spider": self.data.spider.name,
            "started": _iso(self.data.stats.get("start_time")),
            "closed": _iso(datetime.now(UTC)),
            "finish_reason": self.data.stats.get("finish_reason"),
            "passed": tally["failed"] == 0,
            "counts": tally,
            "monitors": {
                key: {
                    "name": result.monitor.monitor_name,
                    "status": result.status,
                    "message": _message(result),
                }
                for key, result in results.items()
            },
            "measurements": Measurements.from_stats(
                self.data.stats, list(field_coverage_rules(crawler.settings))
            ).as_dict(),
            "validation_errors": validation_errors(self.data.stats),
            "thresholds": thresholds(crawler.settings),
            "stats": {key: _plain_stat(value) for key, value in sorted(self.data.stats.items())},
        }
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(report, ensure_ascii=False, indent=2) + "\n", "utf-8")
        stats.set_value("edunews/monitors/report", str(path))
        failed = [key for key, result in results.items() if result.status not in ("OK", "SKIPPED")]
        self.data.spider.logger.log(
            logging.WARNING if failed else logging.INFO,
            "Monitors: %(passed)d passed, %(failed)d failed, %(skipped)d skipped%(which)s; "
            "report: %(path)s",
            {**tally, "which": f" ({', '.join(failed)})" if failed else "", "path": path},
        )


def validation_errors(stats: dict[str, Any]) -> dict[str, dict[str, int]]:
    """Schema errors by field and kind, from spidermon's stats `.../fields/errors/<kind>/<field>`:
    e.g. `{"published": {"regex_not_matched": 1}}`."""
    errors: dict[str, dict[str, int]] = {}
    for key, count in stats.items():
        kind, _, field = key.removeprefix(VALIDATION_ERRORS).partition("/")
        if key.startswith(VALIDATION_ERRORS) and field:
            errors.setdefault(field, {})[kind] = count
    return errors


def _plain_stat(value: Any) -> Any:
    """A crawl stat as a JSON value (datetimes in ISO 8601)."""
    if isinstance(value, datetime):
        return value.isoformat()
    return value if isinstance(value, int | float | str | bool | None) else str(value)


def _iso(moment: datetime | None) -> str | None:
    return moment.replace(microsecond=0).isoformat() if moment else None


class SpiderCloseMonitorSuite(MonitorSuite):
    """The monitors run when a spider closes; the report is written whatever their outcome."""

    monitors = [
        SchemaMonitor,
        MinimumArticlesMonitor,
        FieldCoverageMonitor,
        ErrorRateMonitor,
        RejectRateMonitor,
        DiscoveryMonitor,
    ]
    monitors_finished_actions = [MonitorReport, HtmlRunReport]
