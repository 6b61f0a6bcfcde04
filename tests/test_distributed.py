"""Distributed crawling (edunews_scraper/distributed.py): the add-on's settings, and two
scrapy-redis workers on a real `redis-server` splitting one offline replay crawl."""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import redis
from scrapy.settings import Settings

from edunews_scraper import settings as project_settings
from edunews_scraper.distributed import RedisCrawl
from tests.conftest import FIXTURES, read_jsonl

ADDON = "edunews_scraper.distributed.RedisCrawl"
SPIDER = "giaoducthoidai"
RUN = "test-run"
TTL = 300


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def redis_url(tmp_path: Path) -> Iterator[str]:
    """A throwaway redis-server on a free loopback port, without persistence."""
    server = shutil.which("redis-server")
    if server is None:
        pytest.skip("redis-server is not installed (Debian: apt-get install redis-server)")
    port = free_port()
    process = subprocess.Popen(
        [server, "--bind", "127.0.0.1", "--port", str(port), "--save", "", "--appendonly", "no"],
        cwd=tmp_path,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        client = redis.Redis(port=port)
        deadline = time.monotonic() + 10
        while True:
            try:
                client.ping()
                break
            except redis.ConnectionError:
                assert process.poll() is None, "redis-server exited"
                assert time.monotonic() < deadline, "redis-server did not answer"
                time.sleep(0.05)
        client.close()
        yield f"redis://127.0.0.1:{port}/0"
    finally:
        process.terminate()
        try:
            process.wait(10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def test_addon_changes_nothing_without_redis_url(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("REDIS_URL", raising=False)
    settings = Settings()
    before = settings.copy_to_dict()
    RedisCrawl().update_settings(settings)
    assert settings.copy_to_dict() == before


def test_addon_shares_queue_and_dupefilter_per_spider_and_run(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("REDIS_URL", "redis://127.0.0.1:1/0")
    monkeypatch.delenv("EDUNEWS_REDIS_RUN", raising=False)
    settings = Settings()
    RedisCrawl().update_settings(settings)
    assert settings["REDIS_URL"] == "redis://127.0.0.1:1/0"
    assert settings["SCHEDULER"] == "edunews_scraper.distributed.RedisScheduler"
    assert settings["DUPEFILTER_CLASS"] == "edunews_scraper.distributed.RedisDupeFilter"
    assert settings.getbool("SCHEDULER_PERSIST")
    assert settings["SCHEDULER_QUEUE_KEY"] == "edunews:%(spider)s:requests"
    assert settings["SCHEDULER_DUPEFILTER_KEY"] == "edunews:%(spider)s:dupefilter"

    settings = Settings({"REDIS_URL": "redis://other:6379/1", "EDUNEWS_REDIS_RUN": "2026-11-20"})
    RedisCrawl().update_settings(settings)
    assert settings["REDIS_URL"] == "redis://other:6379/1"  # the setting wins over the env
    assert settings["SCHEDULER_DUPEFILTER_KEY"] == "edunews:%(spider)s:2026-11-20:dupefilter"

    monkeypatch.setenv("EDUNEWS_REDIS_RUN", "a b%c")
    with pytest.raises(ValueError, match="EDUNEWS_REDIS_RUN"):
        RedisCrawl().update_settings(Settings())


def crawl(folder: Path, *args: str, env: dict[str, str] | None = None) -> subprocess.Popen:
    """`scrapy crawl` of a replay in `folder` (its default data/ output lands there)."""
    folder.mkdir()
    enabled = ADDON in getattr(project_settings, "ADDONS", {})
    addons = [] if enabled else [f"ADDONS={json.dumps({ADDON: 100})}"]
    settings = [*addons, *args]
    base = {k: v for k, v in os.environ.items() if k not in {"REDIS_URL", "EDUNEWS_REDIS_RUN"}}
    return subprocess.Popen(
        [sys.executable, "-m", "scrapy", "crawl", SPIDER, "-a", f"replay={FIXTURES}"]
        + [arg for setting in settings for arg in ("-s", setting)],
        cwd=folder,
        env={**base, "SCRAPY_SETTINGS_MODULE": "edunews_scraper.settings", **(env or {})},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )


def finish(process: subprocess.Popen, timeout: float = 90) -> str:
    """The log of a crawl that must stop by itself, successfully, within `timeout` s."""
    try:
        _, log = process.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        process.kill()
        _, log = process.communicate()
        pytest.fail(f"crawl did not stop by itself:\n{log[-3000:]}")
    assert process.returncode == 0, log[-3000:]
    assert "ERROR" not in log, log[-3000:]
    return log


def outputs(folder: Path) -> tuple[list[dict], list[dict]]:
    """(articles, rejects) a crawl in `folder` exported."""
    data = folder / "data" / SPIDER
    articles = [a for path in data.glob("*.jsonl") for a in read_jsonl(path)]
    rejects = [r for path in data.glob("rejects/*.jsonl") for r in read_jsonl(path)]
    return articles, rejects


def test_two_workers_export_every_article_once(redis_url: str, tmp_path: Path) -> None:
    # A small delay, one request at a time: each worker takes its share of the queue.
    worker = ["DOWNLOAD_DELAY=0.4", "CONCURRENT_REQUESTS=1", "EDUNEWS_REDIS_IDLE_TIMEOUT=1"]
    single = crawl(tmp_path / "single")
    # Redis and the run id from the environment for one worker, from settings for the other.
    first = crawl(
        tmp_path / "w1",
        *worker,
        f"EDUNEWS_REDIS_TTL={TTL}",
        env={"REDIS_URL": redis_url, "EDUNEWS_REDIS_RUN": RUN},
    )
    second = crawl(
        tmp_path / "w2",
        *worker,
        f"EDUNEWS_REDIS_TTL={TTL}",
        f"REDIS_URL={redis_url}",
        f"EDUNEWS_REDIS_RUN={RUN}",
    )
    logs = [finish(first), finish(second)]
    finish(single)

    expected_articles, expected_rejects = outputs(tmp_path / "single")
    assert expected_articles
    exported = [outputs(tmp_path / name) for name in ("w1", "w2")]
    for (articles, rejects), log in zip(exported, logs, strict=True):
        assert articles or rejects, "a worker got no work"
        assert "Shared queue empty for" in log  # it stopped by itself on an idle queue
    articles = [a for worker_articles, _ in exported for a in worker_articles]
    rejects = [r for _, worker_rejects in exported for r in worker_rejects]
    by_url = sorted(articles, key=lambda a: a["url"])
    assert by_url == sorted(expected_articles, key=lambda a: a["url"])
    assert len({a["url"] for a in articles}) == len(articles)
    assert sorted(r["url"] for r in rejects) == sorted(r["url"] for r in expected_rejects)

    client = redis.Redis.from_url(redis_url)
    dupefilter = f"edunews:{SPIDER}:{RUN}:dupefilter"
    assert client.scard(dupefilter) >= len(articles) + len(rejects)
    assert 0 < client.ttl(dupefilter) <= TTL  # expires once no worker renews it
    assert not client.exists(f"edunews:{SPIDER}:{RUN}:requests")

    # A worker joining the finished run finds every request seen: it exports nothing and
    # stops by itself.
    late = crawl(tmp_path / "late", *worker, f"REDIS_URL={redis_url}", f"EDUNEWS_REDIS_RUN={RUN}")
    log = finish(late)
    assert "Joining a run that has seen" in log
    assert "Shared queue empty for" in log
    assert outputs(tmp_path / "late") == ([], [])
    client.close()
