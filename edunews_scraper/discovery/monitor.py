"""The close-time monitor of discovery: fails when a source broke (see verdict.py).

Registered in monitoring.py's `SpiderCloseMonitorSuite`, so its result is in the log, the
stats (`edunews/monitors/discovery`), the monitors' report and the run's exit status; the
spider itself logs each breakage and counts `edunews/discovery/broken/<source>`.
"""

from __future__ import annotations

from spidermon import Monitor, monitors

from edunews_scraper.discovery.verdict import Verdict


@monitors.name("Discovery sources")
class DiscoveryMonitor(Monitor):
    """Every source of articles (category pages, feeds, sitemaps) shows what the others list."""

    key = "discovery"
    longMessage = False

    @monitors.name("No source broke")
    def test_no_source_broke(self) -> None:
        verdict: Verdict | None = getattr(self.data.spider, "discovery_verdict", lambda: None)()
        if self.data.crawler.settings.get("REDIS_URL"):
            self.skipTest("one worker of a shared crawl (REDIS_URL): its sources are a share")
        if verdict is None or not verdict.compared:
            self.skipTest("fewer than two sources read: nothing to compare")
        self.assertFalse(
            verdict.breakages,
            msg="; ".join(str(breakage) for breakage in verdict.breakages)
            + " (the run's articles come from the sources that still work)",
        )
