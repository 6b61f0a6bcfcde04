"""Scheduled crawls: a second run fetches only what is new, a full re-crawl exports only what
changed, and a paused crawl resumes. (Interrupted runs against a live-like site:
test_interrupted.py.)"""

from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path

from edunews_scraper.state import complete_lines
from tests.conftest import FIXTURES

STATEFUL = ("-s", "EDUNEWS_STATE_ENABLED=True", "-s", "STATS_DUMP=True")
REPLAY = ("crawl", "giaoducthoidai", "-a", f"replay={FIXTURES}", *STATEFUL)


def stat(log: str, name: str) -> int:
    match = re.search(rf"'{re.escape(name)}': (\d+)", log)
    return int(match.group(1)) if match else 0


def crawled_urls(log: str) -> set[str]:
    return set(re.findall(r"Crawled \(\d+\) <GET (\S+)>", log))


def exported(folder: Path) -> list[dict]:
    """Every complete article line of every run's output."""
    return [
        r
        for path in sorted(folder.glob("data/giaoducthoidai/*[0-9].jsonl"))
        for r in complete_lines(path)
    ]


def test_second_run_downloads_no_exported_article_again(
    scrapy_cli: Callable, tmp_path: Path
) -> None:
    first = scrapy_cli(*REPLAY)
    assert first.returncode == 0, first.stderr[-3000:]
    articles = exported(tmp_path)
    urls = {a["url"] for a in articles}
    assert len(articles) == stat(first.stderr, "edunews/articles") > 0
    assert urls <= crawled_urls(first.stderr)

    second = scrapy_cli(*REPLAY)
    assert second.returncode == 0, second.stderr[-3000:]
    assert stat(second.stderr, "edunews/articles") == 0
    assert not urls & crawled_urls(second.stderr)
    # The first run completed a pass over each category: the second stops at page 1 of each.
    assert second.stderr.count("the last complete pass covered this page") == 3
    assert stat(second.stderr, "downloader/request_count") <= (
        stat(first.stderr, "downloader/request_count") - len(articles)
    )
    assert len(exported(tmp_path)) == len(articles)


def test_full_recrawl_exports_only_changed_articles(scrapy_cli: Callable, tmp_path: Path) -> None:
    fixtures = tmp_path / "fixtures"
    shutil.copytree(FIXTURES, fixtures)
    replay = ("crawl", "giaoducthoidai", "-a", f"replay={fixtures}", *STATEFUL)
    assert scrapy_cli(*replay).returncode == 0
    before = {a["url"]: a for a in exported(tmp_path)}

    seed = fixtures / "giaoducthoidai/articles/legacy-2018-truyen-thong-giao-duc.html"
    seed.write_text(
        seed.read_text("utf-8").replace(
            "đổi mới công tác thi đua, khen thưởng.",
            "đổi mới công tác thi đua, khen thưởng năm 2019.",
        ),
        "utf-8",
    )
    time.sleep(1.1)  # a new per-run file name
    full = scrapy_cli(*replay, "-a", "full=1")
    assert full.returncode == 0, full.stderr[-3000:]
    assert stat(full.stderr, "edunews/listing/known_skipped") == 0
    assert stat(full.stderr, "edunews/unchanged") == len(before) - 1
    assert stat(full.stderr, "edunews/changed") == 1
    again = [a for a in exported(tmp_path) if a["url"].endswith("-3917426.html")]
    assert len(again) == 2
    old, new = again
    assert old["id"] == new["id"] and old["content_hash"] != new["content_hash"]
    assert new["paragraphs"][-1].endswith("khen thưởng năm 2019.")


def test_pause_and_resume_with_jobdir(tmp_path: Path) -> None:
    """Ctrl-C (SIGINT) stops the crawl cleanly; the same command resumes it from JOBDIR."""
    env = {**os.environ, "SCRAPY_SETTINGS_MODULE": "edunews_scraper.settings"}
    command = [
        sys.executable,
        "-m",
        "scrapy",
        *REPLAY,
        "-s",
        f"JOBDIR={tmp_path / 'job'}",
        "-s",
        "DOWNLOAD_DELAY=0.2",
        "-s",
        "RANDOMIZE_DOWNLOAD_DELAY=False",
        "-s",
        "CONCURRENT_REQUESTS=1",
    ]
    first = subprocess.Popen(
        command, cwd=tmp_path, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True
    )
    deadline = time.monotonic() + 60  # Ctrl-C once the first articles are out
    while not exported(tmp_path) and first.poll() is None and time.monotonic() < deadline:
        time.sleep(0.02)
    first.send_signal(signal.SIGINT)
    _, first_log = first.communicate(timeout=60)
    assert "Received SIGINT, shutting down gracefully" in first_log
    assert "'finish_reason': 'shutdown'" in first_log
    paused = Counter(a["id"] for a in exported(tmp_path))

    time.sleep(1.1)  # a new per-run file name
    second = subprocess.run(
        command, cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120, check=False
    )
    assert second.returncode == 0, second.stderr[-3000:]
    assert "Resuming crawl" in second.stderr
    assert "'finish_reason': 'finished'" in second.stderr

    clean = tmp_path / "clean"
    clean.mkdir()
    assert (
        subprocess.run(
            [sys.executable, "-m", "scrapy", *REPLAY],
            cwd=clean,
            env=env,
            capture_output=True,
            check=False,
        ).returncode
        == 0
    )
    total = Counter(a["id"] for a in exported(tmp_path))
    assert 0 < sum(paused.values()) < sum(total.values())
    assert total == Counter(a["id"] for a in exported(clean))
