"""Distributed crawls end to end: three `scrapy crawl` worker processes, each in a folder of
its own (as on three machines), one real redis-server, the loopback synthetic site of
bench/site.py. A clean run, a run with a worker SIGKILLed mid-run, and the next scheduled
run on the unchanged site; then the Redis memory each known article takes. (The add-on's
settings are checked in-process; the Redis scripts in tests/test_redis_state.py.)"""

from __future__ import annotations

import json
import re
import shutil
import signal
import socket
import subprocess
import time
from collections import Counter
from pathlib import Path

import pytest
from scrapy.settings import Settings

import edunews_scraper
from bench.redis_server import RedisServer, free_port
from bench.site import SyntheticSite
from edunews_scraper.distributed import RedisCrawl, RedisScheduler
from edunews_scraper.redis_state import KnownArticles
from edunews_scraper.sharedrun import SharedRun
from edunews_scraper.state import complete_lines, url_fingerprint
from edunews_scraper.validate import main as validate
from tests.redisserver import redis_server  # noqa: F401 (fixture)
from tests.synthetic import command, environment

SPIDER = "synthetic"
LEASE = 6  # seconds: a killed worker's requests go back to the queue after this
#: 90 articles on the site at first (30 per category), 90 more published before run 2.
ARTICLES, LATER = 180, 90
#: Each worker: two requests at a time, a small delay, so that all three get work.
WORKER = ("-s", "DOWNLOAD_DELAY=0.03", "-s", "CONCURRENT_REQUESTS=2", "-s", "EDUNEWS_ARCHIVE=")


def test_addon_changes_nothing_without_redis_url(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("REDIS_URL", raising=False)
    settings = Settings()
    before = settings.copy_to_dict()
    RedisCrawl().update_settings(settings)
    assert settings.copy_to_dict() == before


def test_addon_runs_workers_on_the_shared_run(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("REDIS_URL", "redis://127.0.0.1:1/0")
    settings = Settings()
    RedisCrawl().update_settings(settings)
    assert settings["REDIS_URL"] == "redis://127.0.0.1:1/0"
    assert settings["SCHEDULER"] == f"{RedisScheduler.__module__}.RedisScheduler"
    assert "edunews_scraper.distributed.DistributedRun" in str(settings.getdict("EXTENSIONS"))
    settings = Settings({"REDIS_URL": "redis://other:6379/1"})
    RedisCrawl().update_settings(settings)
    assert settings["REDIS_URL"] == "redis://other:6379/1"  # the setting wins over the env
    monkeypatch.setenv("EDUNEWS_REDIS_RUN", "a b%c")
    with pytest.raises(ValueError, match="EDUNEWS_REDIS_RUN"):
        RedisCrawl().update_settings(Settings())


def start(folder: Path, base: str, redis_url: str, run: str) -> subprocess.Popen:
    """One worker of `run`: `scrapy crawl` in `folder`, its articles in `folder/data/`."""
    folder.mkdir(exist_ok=True)
    settings = ("-s", f"EDUNEWS_REDIS_LEASE={LEASE}", "-s", f"EDUNEWS_REDIS_RUN={run}")
    args = command(base, "x", *WORKER, *settings)
    args = args[: args.index("-o")] + args[args.index("-o") + 2 :]  # the default feed
    with (folder / f"{run}.log").open("w") as log:
        return subprocess.Popen(
            args,
            cwd=folder,
            env={**environment(), "REDIS_URL": redis_url},
            stdout=subprocess.DEVNULL,
            stderr=log,
        )


def finish(workers: dict[Path, subprocess.Popen], run: str) -> dict[Path, str]:
    """Wait for the workers of `run` to stop by themselves; their logs."""
    logs = {}
    for folder, process in workers.items():
        try:
            process.wait(120)
        except subprocess.TimeoutExpired:
            process.kill()
            pytest.fail(
                f"{folder.name} did not stop:\n{(folder / f'{run}.log').read_text()[-3000:]}"
            )
        logs[folder] = (folder / f"{run}.log").read_text()
    return logs


def exported(folders: list[Path]) -> Counter[str]:
    """How many times each article URL is in the complete lines of the workers' files."""
    return Counter(
        record["url"]
        for folder in folders
        for path in sorted((folder / "data" / SPIDER).glob("*.jsonl"))
        for record in complete_lines(path)
    )


def crawled(log: str) -> list[str]:
    return re.findall(r"Crawled \(\d+\) <GET (\S+)>", log)


def test_three_workers_one_killed_export_every_article_once(
    redis_server: RedisServer,  # noqa: F811
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    folders = [tmp_path / f"machine-{n}" for n in (1, 2, 3)]
    client = redis_server.client()
    with SyntheticSite(ARTICLES, unpublished=LATER) as site:
        content = site.content
        everything = lambda: {site.base + content.article_path(n) for n in content.visible}  # noqa: E731

        # (1) A clean run: the first worker seeds it, the others join (one of them late).
        workers = {
            folder: start(folder, site.base, redis_server.url, "run-1") for folder in folders[:2]
        }
        time.sleep(1.0)
        workers[folders[2]] = start(folders[2], site.base, redis_server.url, "run-1")
        logs = finish(workers, "run-1")
        for folder, process in workers.items():
            assert process.returncode == 0, logs[folder][-3000:]
            assert "ERROR" not in logs[folder], logs[folder][-3000:]
        first = exported(folders)
        assert set(first) == everything() and set(first.values()) == {1}
        assert sum(1 for log in logs.values() if "Scraped from" in log) >= 2  # work was shared

        # (2) 90 new articles; a worker SIGKILLed mid-run while it has requests in flight.
        content.publish(LATER)
        before = sum(exported(folders[1:2]).values())
        workers = {
            folder: start(folder, site.base, redis_server.url, "run-2") for folder in folders
        }
        victim = workers[folders[1]]
        killed_worker = f"{socket.gethostname()}:{victim.pid}"
        run = SharedRun(client, SPIDER, "run-2", worker=killed_worker)
        deadline = time.monotonic() + 60
        while True:
            assert time.monotonic() < deadline and victim.poll() is None, "no moment to kill"
            if sum(exported(folders[1:2]).values()) >= before + 5:
                victim.send_signal(signal.SIGSTOP)
                if client.hlen(run.inflight_key()):
                    break
                victim.send_signal(signal.SIGCONT)
            time.sleep(0.02)
        victim.send_signal(signal.SIGKILL)
        victim.wait()
        survivors = {folder: workers[folder] for folder in (folders[0], folders[2])}
        logs = finish(survivors, "run-2")
        for folder, process in survivors.items():
            assert process.returncode == 0, logs[folder][-3000:]
        assert any(
            f"Worker {killed_worker} stopped renewing its lease" in log for log in logs.values()
        )
        # Every article once, but one the victim may have been writing when it was killed
        # (in doubt): another worker exported it again, and the next worker to use the
        # victim's folder takes it out of the victim's file (run 3 below).
        second = exported(folders)
        assert set(second) == everything() and len(second) == ARTICLES
        twice = {url for url, count in second.items() if count > 1}
        doubt = {int.from_bytes(key, "big") for key in client.smembers(run.doubt_key())}
        assert len(twice) <= len(doubt) <= 1 and set(second.values()) <= {1, 2}
        assert {url_fingerprint(url) for url in twice} <= doubt
        with capsys.disabled():
            print(f"\nRun 2: {len(twice)} article(s) in two files, {len(doubt)} in doubt")
        info = run.info_fields()
        assert "ended" in info and int(info["requeued"]) >= 1
        statuses = {worker.worker: worker.status for worker in run.workers()}
        assert statuses.pop(killed_worker) == "dead"
        assert set(statuses.values()) == {"finished"}

        watch = subprocess.run(
            [*command(site.base, "x")[:3], "redis", "watch", SPIDER, "--run", "run-2", "--once"],
            cwd=folders[0],
            env={**environment(), "REDIS_URL": redis_server.url},
            capture_output=True,
            text=True,
            check=True,
        )
        assert "Run run-2 of synthetic: ended" in watch.stdout
        assert re.search(rf"{re.escape(killed_worker)}\s+dead", watch.stdout), watch.stdout

        # (3) The next scheduled run, the site unchanged: nothing exported, and nothing
        # fetched but the first listing page of each category (each lies inside the last
        # complete pass, which survived the killed worker).
        workers = {
            folder: start(folder, site.base, redis_server.url, "run-3") for folder in folders
        }
        logs = finish(workers, "run-3")
        for folder, process in workers.items():
            assert process.returncode == 0, logs[folder][-3000:]
        assert exported(folders) == dict.fromkeys(second, 1)  # now exactly once
        assert not client.exists(run.doubt_key())
        fetched = sorted(url for log in logs.values() for url in crawled(log))
        assert fetched == sorted(content.category_urls().values())

    # (4) Redis's own measure of the memory the known articles take.
    known = KnownArticles(client, f"edunews:{SPIDER}")
    assert known.count() == ARTICLES
    per_article = known.memory_usage() / known.count()
    with capsys.disabled():
        print(f"\nRedis memory per known article (MEMORY USAGE, {ARTICLES}): {per_article:.1f} B")
    assert per_article < 32

    # The files of every worker read as one: each article once; a file copied twice into the
    # sources shows as duplicates.
    sources = [folder / "data" / SPIDER for folder in folders]
    loaded = list(edunews_scraper.load(sources))
    assert sorted(article.url for article in loaded) == sorted(second)
    capsys.readouterr()
    assert validate([str(source) for source in sources]) == 0
    assert capsys.readouterr().err.endswith(f"{ARTICLES} valid article line(s), 0 bad\n")
    again = tmp_path / "copy.jsonl"
    shutil.copy(sorted(sources[0].glob("*.jsonl"))[0], again)
    copied = len(list(complete_lines(again)))
    assert validate([*map(str, sources), str(again)]) == 0
    output = capsys.readouterr()
    assert f"{ARTICLES} distinct article(s), {copied} duplicate line(s)" in output.err
    assert output.out.count("duplicate of") == copied
    assert json.loads(client.hget(f"edunews:{SPIDER}:watermarks", "giao-duc"))["floor"] == "end"


def test_every_worker_fails_a_run_that_reached_no_listing_page(
    redis_server: RedisServer,  # noqa: F811
    tmp_path: Path,
) -> None:
    nowhere = f"http://127.0.0.1:{free_port()}"  # nothing listens there
    folders = [tmp_path / "machine-1", tmp_path / "machine-2"]
    workers = {
        folder: start(folder, nowhere, redis_server.url, "unreachable") for folder in folders
    }
    logs = finish(workers, "unreachable")
    for folder, process in workers.items():
        assert process.returncode == 1, logs[folder][-3000:]
        assert re.search(
            r"Run FAILED: could not reach \S+: no worker of run unreachable fetched a listing "
            r"page, feed or sitemap",
            logs[folder],
        ), logs[folder][-3000:]
