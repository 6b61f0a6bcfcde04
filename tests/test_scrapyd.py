"""Scheduling on a real scrapyd: deploy the project with scrapyd-deploy as an operator would,
schedule offline replay crawls through the HTTP API and read the finished jobs' output.

scrapyd runs with the operator's template (deploy/scrapyd.conf), its folders moved to a
temporary directory, bound to 127.0.0.1 on a free port; the jobs get the settings README tells
operators to pass (absolute paths: every job runs in scrapyd's working directory).
"""

from __future__ import annotations

import json
import os
import re
import shutil
import socket
import subprocess
import sys
import time
import zipfile
from collections.abc import Iterator
from configparser import ConfigParser
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlencode
from urllib.request import urlopen

import pytest

from tests.conftest import FIXTURES, ROOT, reachable, read_jsonl

PROJECT = "edunews_scraper"
SPIDER = "giaoducthoidai"
VERSION = "1"
JOB_TIMEOUT = 60
# What a build of the project does not read: left out of the copy scrapyd-deploy builds in.
NOT_BUILT = (".git", ".venv", "data", "fixtures", "tests", "bench", "build", "dist")
CACHES = shutil.ignore_patterns("__pycache__", "*.egg-info", ".*_cache", ".scrapy", ".hypothesis")


@dataclass
class Scrapyd:
    """A running scrapyd: its API address and its folders."""

    url: str
    home: Path

    def api(self, endpoint: str, data: list[tuple[str, str]] | None = None) -> dict:
        """GET (or POST `data` to) a JSON endpoint; fail on an error status."""
        body = urlencode(data).encode() if data is not None else None
        with urlopen(self.url + endpoint, body, timeout=30) as response:
            answer = json.load(response)
        assert answer["status"] == "ok", answer
        return answer

    def folder(self, kind: str) -> Path:
        """The spider's folder in scrapyd's `items` or `logs` directory."""
        return self.home / kind / PROJECT / SPIDER


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def scrapyd_env(home: Path) -> dict[str, str]:
    """The environment of a scrapyd process: no project settings, no ~/.scrapyd.conf."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SCRAPY_", "SCRAPYD_"))}
    return {**env, "HOME": str(home)}


@pytest.fixture(scope="module")
def scrapyd(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Scrapyd]:
    """scrapyd started from the template's configuration, with the project deployed."""
    home = tmp_path_factory.mktemp("scrapyd")
    config = ConfigParser()
    config.read(ROOT / "deploy" / "scrapyd.conf", encoding="utf-8")
    options = config["scrapyd"]
    for kind in ("eggs", "logs", "items", "dbs"):
        assert Path(options[f"{kind}_dir"]).is_absolute()
        options[f"{kind}_dir"] = str(home / kind)
    port = free_port()
    options.update(bind_address="127.0.0.1", http_port=str(port), poll_interval="0.2")
    with (home / "scrapyd.conf").open("w", encoding="utf-8") as file:
        config.write(file)

    log = home / "scrapyd.log"
    with log.open("wb") as output:
        server = subprocess.Popen(
            [sys.executable, "-m", "scrapyd"],
            cwd=home,
            env=scrapyd_env(home),
            stdout=output,
            stderr=subprocess.STDOUT,
        )
    try:
        daemon = Scrapyd(f"http://127.0.0.1:{port}/", home)
        deadline = time.monotonic() + 30
        while True:
            assert server.poll() is None, log.read_text("utf-8")
            assert time.monotonic() < deadline, log.read_text("utf-8")
            try:
                daemon.api("daemonstatus.json")
                break
            except OSError:
                time.sleep(0.2)
        deploy(daemon)
        yield daemon
    finally:
        server.terminate()
        try:
            server.wait(timeout=15)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()


def deploy(daemon: Scrapyd) -> None:
    """`scrapyd-deploy` from a copy of the project whose [deploy] target is this scrapyd.

    A copy, because scrapyd-deploy builds in the project folder (setup.py, build/)."""
    project = daemon.home / "project"
    shutil.copytree(
        ROOT,
        project,
        ignore=lambda folder, names: [
            *CACHES(folder, names),
            *(name for name in names if Path(folder) == ROOT and name in NOT_BUILT),
        ],
    )
    config = ConfigParser()
    config.read(project / "scrapy.cfg", encoding="utf-8")
    assert config["deploy"]["project"] == PROJECT
    config["deploy"]["url"] = daemon.url
    with (project / "scrapy.cfg").open("w", encoding="utf-8") as file:
        config.write(file)
    result = subprocess.run(
        [sys.executable, "-m", "scrapyd_client.deploy", "--version", VERSION],
        cwd=project,
        env=scrapyd_env(daemon.home),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    # scrapyd-deploy exits with 0 even when scrapyd refuses the egg: read its answer.
    assert result.returncode == 0, result.stdout + result.stderr
    answer = json.loads(result.stdout)
    assert answer["status"] == "ok", answer.get("message", answer)


def schedule(daemon: Scrapyd, *settings: str) -> str:
    """Schedule a replay crawl of the fixtures with `settings` (NAME=value); its job id."""
    data = [("project", PROJECT), ("spider", SPIDER), ("replay", str(FIXTURES))]
    data += [("setting", setting) for setting in settings]
    return daemon.api("schedule.json", data)["jobid"]


def wait_finished(daemon: Scrapyd, job: str) -> dict:
    """The listjobs.json entry of `job` once finished (a bounded wait)."""
    deadline = time.monotonic() + JOB_TIMEOUT
    while time.monotonic() < deadline:
        jobs = daemon.api(f"listjobs.json?project={PROJECT}")
        finished = [entry for entry in jobs["finished"] if entry["id"] == job]
        if finished:
            return finished[0]
        time.sleep(0.3)
    raise AssertionError(f"job {job} not finished after {JOB_TIMEOUT} s")


def read_url(daemon: Scrapyd, path: str) -> str:
    """The text scrapyd serves at `path`."""
    with urlopen(daemon.url + path.lstrip("/"), timeout=30) as response:
        return response.read().decode("utf-8")


def parse_jsonl(text: str) -> list[dict]:
    return [json.loads(line) for line in text.splitlines() if line.strip()]


def operator_settings(daemon: Scrapyd) -> list[str]:
    """The settings README has operators pass with every job."""
    return [
        f"EDUNEWS_STATE_DIR={daemon.home / 'state'}",
    ]


def job_log(daemon: Scrapyd, job: str) -> str:
    log = (daemon.folder("logs") / f"{job}.log").read_text("utf-8")
    assert f"Summary of {SPIDER} (replay of " in log and "): finished in" in log, log[-3000:]
    assert log.rstrip().endswith("Run OK."), log[-3000:]
    assert " ERROR: " not in log and "Traceback" not in log, log[-3000:]
    return log


def test_the_deployed_egg_carries_the_project(scrapyd: Scrapyd) -> None:
    egg = zipfile.ZipFile(scrapyd.home / "eggs" / PROJECT / f"{VERSION}.egg")
    assert "edunews_scraper/schema/article.schema.json" in egg.namelist()
    assert "settings = edunews_scraper.settings" in egg.read("EGG-INFO/entry_points.txt").decode()
    spiders = scrapyd.api(f"listspiders.json?project={PROJECT}")["spiders"]
    assert SPIDER in spiders


def test_scheduled_replay_exports_the_articles_and_keeps_rejects_apart(scrapyd: Scrapyd) -> None:
    job = schedule(scrapyd, *operator_settings(scrapyd))
    finished = wait_finished(scrapyd, job)
    log = job_log(scrapyd, job)

    expected_articles, expected_rejects = reachable(SPIDER)
    assert finished["items_url"] == f"/items/{PROJECT}/{SPIDER}/{job}.jl"
    text = read_url(scrapyd, finished["items_url"])
    assert "\\u" not in text  # scrapyd's feed in UTF-8 too (FEED_EXPORT_ENCODING)
    articles = parse_jsonl(text)
    assert sorted(a["url"] for a in articles) == sorted(expected_articles)
    for article in articles:
        assert article == expected_articles[article["url"]]
    assert f"\n  {len(articles)} articles -> " in log

    # Rejects: their own feed, in a folder beside the job's items (so also served by scrapyd).
    rejects = parse_jsonl(read_url(scrapyd, f"/items/{PROJECT}/{SPIDER}/rejects/{job}.jsonl"))
    assert {r["url"] for r in rejects} == expected_rejects
    assert all(r["reason"] for r in rejects)
    assert f"\n  {len(rejects)} rejects" in log
    # Nothing written relative to scrapyd's working directory.
    assert not (scrapyd.home / "data").exists()


def test_scheduled_runs_share_the_crawl_state(scrapyd: Scrapyd) -> None:
    settings = [*operator_settings(scrapyd), "EDUNEWS_STATE_ENABLED=True"]
    first = schedule(scrapyd, *settings)
    wait_finished(scrapyd, first)
    second = schedule(scrapyd, *settings)
    wait_finished(scrapyd, second)
    job_log(scrapyd, second)

    expected_articles, _ = reachable(SPIDER)
    items = scrapyd.folder("items")
    assert sorted(a["url"] for a in read_jsonl(items / f"{first}.jl")) == sorted(expected_articles)
    assert (items / f"{second}.jl").read_bytes() == b""
    assert (scrapyd.home / "state" / SPIDER / "articles.bin").is_file()
    assert not (scrapyd.home / "data").exists()


def test_scrapyd_records_each_failed_job_for_the_operator(scrapyd: Scrapyd, tmp_path: Path) -> None:
    """A job refused for a bad argument, and a job whose run fails (a replay folder with no
    listing page): scrapyd's own log names each with its exit status, the line README tells
    operators to watch; the failed run's log ends with its verdict."""
    empty = tmp_path / "no-pages"
    empty.mkdir()
    base = [("project", PROJECT), ("spider", SPIDER)]
    refused = scrapyd.api("schedule.json", [*base, ("since", "yesterday")])["jobid"]
    failed = scrapyd.api(
        "schedule.json",
        [*base, ("replay", str(empty)), *(("setting", s) for s in operator_settings(scrapyd))],
    )["jobid"]
    wait_finished(scrapyd, refused)
    wait_finished(scrapyd, failed)
    log = (scrapyd.home / "scrapyd.log").read_text("utf-8")
    for job, status in ((refused, 2), (failed, 1)):
        assert re.search(
            rf"Process died: exitstatus={status} project='{PROJECT}' spider='{SPIDER}' "
            rf"job='{job}'",
            log,
        ), log[-3000:]
    assert "scrapy crawl: error: -a since='yesterday': not a date" in log
    run_log = (scrapyd.folder("logs") / f"{failed}.log").read_text("utf-8")
    assert run_log.splitlines()[-1].startswith(
        f"Run FAILED: no listing page of {SPIDER} is saved in the replay folder {empty};"
    ), run_log[-2000:]
