"""Interrupted runs lose and duplicate nothing, against a live-like site on loopback: runs of
one category of 100 articles (of a 300-article synthetic site), stopped by real signals
half-way, then a normal run: every article is exported exactly once."""

from __future__ import annotations

import re
import signal
from pathlib import Path

import pytest

from bench.site import SyntheticSite
from tests.synthetic import articles, interrupt, listed, run

CATEGORY = ("-a", "categories=giao-duc")


def listing_pages_read(log: str) -> int:
    return len(re.findall(r"Crawled \(200\) <GET \S+/giao-duc/(?:\?page=\d+)?>", log))


@pytest.mark.parametrize("how", [signal.SIGKILL, signal.SIGTERM], ids=["SIGKILL", "SIGTERM"])
def test_two_interrupted_runs_then_a_normal_one_export_100_of_100(
    tmp_path: Path, how: signal.Signals
) -> None:
    with SyntheticSite(300) as site:
        expected = listed(site)
        assert len(expected) == 100
        first, first_log = interrupt(tmp_path, site.base, "runs/1.jsonl", 30, how, *CATEGORY)
        after_first = sum(articles(tmp_path).values())
        second, second_log = interrupt(tmp_path, site.base, "runs/2.jsonl", 8, how, *CATEGORY)
        after_second = sum(articles(tmp_path).values())
        final = run(tmp_path, site.base, "runs/3.jsonl", *CATEGORY)
    assert final.returncode == 0, final.stderr[-3000:]
    if how == signal.SIGTERM:
        assert first == second == 0
        assert "shutting down gracefully" in first_log
        assert "'finish_reason': 'shutdown'" in second_log
    assert 30 <= after_first < after_second < 100
    exported = articles(tmp_path)
    assert set(exported) == expected
    assert set(exported.values()) == {1}
    # Nothing half-written stays behind: every output ends with a whole line.
    for path in (tmp_path / "runs").glob("*.jsonl"):
        assert path.read_bytes().endswith(b"\n") or not path.stat().st_size, path
    # The earlier runs never finished a pass: the last one pages to the end of the listing.
    assert listing_pages_read(final.stderr) == 5
    assert "'edunews/state/watermarks_saved': 1" in final.stderr


def test_new_articles_and_interruptions_after_a_complete_pass(tmp_path: Path) -> None:
    """A complete pass, then the site grows while runs are killed and stopped with Ctrl-C:
    every article is exported once, and the last run stops paging inside the last complete
    pass instead of reading the whole listing."""
    # giao-duc lists articles 0-19, 60-79, 120-139...: 70 of them are on the site at first.
    with SyntheticSite(300, unpublished=70) as site:
        content = site.content
        first = run(tmp_path, site.base, "runs/1.jsonl", *CATEGORY)
        assert first.returncode == 0, first.stderr[-3000:]
        assert listing_pages_read(first.stderr) == 4
        content.publish(10)  # 10 new in giao-duc (60-69), on top of its listing
        interrupt(tmp_path, site.base, "runs/2.jsonl", 5, signal.SIGKILL, *CATEGORY)
        content.publish(60)  # 20 more (0-19)
        interrupt(tmp_path, site.base, "runs/3.jsonl", 5, signal.SIGINT, *CATEGORY)
        last = run(tmp_path, site.base, "runs/4.jsonl", *CATEGORY)
        expected = listed(site)
    assert last.returncode == 0, last.stderr[-3000:]
    exported = articles(tmp_path)
    assert set(exported) == expected and len(expected) == 100
    assert set(exported.values()) == {1}
    # Pages 1-2 hold the 30 new articles (and 10 old), page 3 lies inside the first pass.
    assert "the last complete pass covered this page" in last.stderr
    assert listing_pages_read(last.stderr) == 3
