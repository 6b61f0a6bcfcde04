"""The run report a person can look at: an HTML page beside the run's articles file
(`<feed>.report.html`, e.g. `data/giaoducthoidai/<time>.report.html`).

`HtmlRunReport` is spidermon's own file report action (`CreateFileReport`) with its monitors'
template (`reports/email/monitors/result.jinja`: verdict, monitors, failures, every counter),
extended by `templates/edunews/run_report.jinja` with what a person asks of a news crawl: field
coverage against its minimum, rejects by reason with their URLs, and articles per category and
per day. The page is self-contained: spidermon's icons are inlined, nothing is fetched.
"""

from __future__ import annotations

import base64
from functools import cache
from importlib.resources import files
from pathlib import Path
from typing import Any

from jinja2 import Template
from scrapy.crawler import Crawler
from spidermon.contrib.actions.reports.files import CreateFileReport
from spidermon.templates import template_loader

from edunews_scraper.atomic_files import write_atomically
from edunews_scraper.summary import URLS_PER_REASON, RunRecord

TEMPLATE = "edunews/run_report.jinja"
HTML_REPORT = "edunews/monitors/html_report"


@cache
def spidermon_icons() -> dict[str, str]:
    """spidermon's report icons (`icon_ok_34.png`...) as data: URIs, by file stem."""
    folder = files("spidermon.contrib.actions.reports").joinpath(
        "templates/reports/email/monitors/img"
    )
    return {
        Path(icon.name).stem: "data:image/png;base64,"
        + base64.b64encode(icon.read_bytes()).decode("ascii")
        for icon in folder.iterdir()
        if icon.name.endswith(".png")
    }


def html_report_path(json_report: Path) -> Path:
    """The HTML report beside the JSON one: `X.monitors.json` -> `X.report.html`."""
    return json_report.with_name(json_report.name.removesuffix(".monitors.json") + ".report.html")


class HtmlRunReport(CreateFileReport):
    """spidermon's file report, rendered from our template beside the JSON report."""

    template = TEMPLATE

    @classmethod
    def from_crawler_kwargs(cls, crawler: Crawler) -> dict[str, Any]:
        kwargs = super().from_crawler_kwargs(crawler)
        kwargs["template"] = crawler.settings.get("EDUNEWS_REPORT_TEMPLATE") or TEMPLATE
        kwargs["filename"] = "-"  # the path is the JSON report's (see after_render_report)
        return kwargs

    def get_template(self, name: str) -> Template:
        """Our template read as a package resource (a deployed egg has no folder of it for
        spidermon's file loader), in spidermon's template environment; others as spidermon
        finds them."""
        if name != TEMPLATE:
            return super().get_template(name)
        text = files("edunews_scraper").joinpath("templates", TEMPLATE).read_text("utf-8")
        return template_loader.env.from_string(text)

    def get_template_context(self) -> dict[str, Any]:
        from edunews_scraper.monitoring import Measurements, field_coverage_rules

        crawler: Crawler = self.data.crawler
        stats = self.data.stats
        record = crawler.get_extension(RunRecord)
        rules = field_coverage_rules(crawler.settings)
        measured = Measurements.from_stats(stats, list(rules))
        spider = self.data.spider
        return {
            **super().get_template_context(),
            "report_title": f"{spider.name}: run of {stats.get('start_time'):%Y-%m-%d %H:%M} UTC",
            "icons": spidermon_icons(),
            "run": {
                "spider": spider.name,
                "replay": getattr(spider, "replay", None),
                "finish_reason": stats.get("finish_reason"),
                "articles": stats.get("edunews/articles", 0),
                "rejects": stats.get("edunews/rejects", 0),
                "articles_file": record.articles_file if record else None,
                "rejects_file": record.rejects_file if record else None,
            },
            "coverage": [
                (field, measured.coverage[field], minimum) for field, minimum in rules.items()
            ],
            "rejects": {
                kind: (record.reject_counts[kind], urls)
                for kind, urls in sorted((record.rejects if record else {}).items())
            },
            "urls_per_reason": URLS_PER_REASON,
            "per_category": (record.per_category.most_common() if record else []),
            "per_day": sorted((record.per_day if record else {}).items(), reverse=True),
        }

    def after_render_report(self) -> None:
        crawler: Crawler = self.data.crawler
        from edunews_scraper.monitoring import report_path

        path = html_report_path(report_path(crawler))
        path.parent.mkdir(parents=True, exist_ok=True)
        write_atomically(path, self.report.encode("utf-8"))
        crawler.stats.set_value(HTML_REPORT, str(path))
