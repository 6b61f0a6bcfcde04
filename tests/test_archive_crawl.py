"""Web archives of real crawls, end to end: a replay crawl archives every response; replaying
the archive, or re-extracting it, gives the crawl's articles again; a live crawl archives
beside its feed; a crawl killed at any moment leaves a readable archive."""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import pty
import random
import re
import signal
import struct
import subprocess
import sys
import termios
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from fastwarc import ArchiveIterator

from bench.site import SyntheticSite
from edunews_scraper.archive import read_responses
from edunews_scraper.fixtures import find_fixtures
from edunews_scraper.state import complete_lines
from tests.conftest import FIXTURES, ROOT, STATS_DUMP, read_jsonl, rejects_of, run_scrapy

SPIDER = ROOT / "tests" / "faultsite" / "spider.py"
LIVE = (
    "-s",
    "AUTOTHROTTLE_ENABLED=0",
    "-s",
    "DOWNLOAD_DELAY=0",
    "-s",
    "EDUNEWS_STATE_ENABLED=0",
    *STATS_DUMP,
)
KILLED = ("-O", "out.jsonl", "-s", "CONCURRENT_REQUESTS=2", "-s", "EDUNEWS_ARCHIVE=a.warc.gz")


def stat(log: str, name: str) -> int:
    match = re.search(rf"'{re.escape(name)}': (\d+)", log)
    return int(match.group(1)) if match else 0


def validated(path: Path, killed: bool = False) -> list[tuple[str, str]]:
    """(type, URI) of every record of the archive, each checked whole by fastwarc's reader
    (block and payload digests); fails on any record it leaves out, but for the last one of
    an archive `killed` mid-write."""
    checked = [
        (str(record.record_type), record.headers.get("WARC-Target-URI") or "")
        for record in ArchiveIterator(str(path), verify_digests=True)
    ]
    found = [
        (str(record.record_type), record.headers.get("WARC-Target-URI") or "")
        for record in ArchiveIterator(str(path), parse_http=False)
    ]
    assert checked == found[: len(checked)], path
    assert len(found) - len(checked) in ({0, 1} if killed else {0}), path
    return checked


def lines(path: Path) -> list[str]:
    return sorted(path.read_text("utf-8").splitlines())


@pytest.fixture(scope="module")
def crawled(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, str]:
    """A replay crawl of giaoducthoidai with the archive switched on: (folder, archive, log)."""
    folder = tmp_path_factory.mktemp("archived")
    result = run_scrapy(
        [
            "crawl",
            "giaoducthoidai",
            "-a",
            f"replay={FIXTURES}",
            "-s",
            "EDUNEWS_ARCHIVE=archives/%(name)s-%(time)s.warc.gz",
            "-O",
            "crawl.jsonl",
            *STATS_DUMP,
        ],
        folder,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    (archive,) = (folder / "archives").glob("giaoducthoidai-*.warc.gz")
    return folder, archive, result.stderr


def test_the_archive_holds_every_response_with_its_request(crawled: tuple) -> None:
    folder, archive, log = crawled
    records = validated(archive)
    assert records[0][0] == "warcinfo"
    responses = [uri for kind, uri in records if kind == "response"]
    requests = [uri for kind, uri in records if kind == "request"]
    assert responses == requests
    assert (
        len(responses)
        == stat(log, "downloader/response_count")
        == stat(log, "edunews/archive/responses")
    )
    assert set(responses) == set(re.findall(r"Crawled \(\d+\) <GET (\S+)>", log))
    assert {a["url"] for a in read_jsonl(folder / "crawl.jsonl")} <= set(responses)
    callbacks = {r.url: r.callback for r in read_responses(archive)}
    assert callbacks["https://giaoducthoidai.vn/giao-duc/"] == "parse_listing"
    assert {callbacks[a["url"]] for a in read_jsonl(folder / "crawl.jsonl")} == {"parse_article"}


def test_replaying_the_archive_gives_the_crawl_field_for_field(
    crawled: tuple, scrapy_cli: Callable, tmp_path: Path
) -> None:
    folder, archive, _ = crawled
    out = tmp_path / "replayed.jsonl"
    result = scrapy_cli("crawl", "giaoducthoidai", "-a", f"replay={archive}", "-O", str(out))
    assert result.returncode == 0, result.stderr[-3000:]
    assert lines(out) == lines(folder / "crawl.jsonl")
    replayed_rejects = read_jsonl(rejects_of(tmp_path / "replayed.jsonl"))
    crawl_rejects = read_jsonl(rejects_of(folder / "crawl.jsonl"))
    assert sorted(r["url"] for r in replayed_rejects) == sorted(r["url"] for r in crawl_rejects)
    assert "edunews/archive" not in result.stderr  # no archive of a replay unless asked
    assert list(archive.parent.iterdir()) == [archive]


def test_reextracting_the_archive_gives_the_crawl_lines(
    crawled: tuple, scrapy_cli: Callable, tmp_path: Path
) -> None:
    folder, archive, _ = crawled
    result = scrapy_cli("reextract", "giaoducthoidai", str(archive.parent), "-O", "again.jsonl")
    assert result.returncode == 0, result.stderr[-3000:]
    assert lines(tmp_path / "again.jsonl") == lines(folder / "crawl.jsonl")
    articles = len(read_jsonl(folder / "crawl.jsonl"))
    assert f"{articles} articles -> again.jsonl" in result.stderr
    # The category pages and, beside them, the categories' feeds and the news sitemap.
    assert "left aside: 3 feed pages, 4 listing pages, 1 news sitemap pages" in result.stderr


def test_reextract_says_what_is_wrong(scrapy_cli: Callable, tmp_path: Path) -> None:
    result = scrapy_cli("reextract", "giaoducthoidai", "nowhere.warc.gz", "-O", "x.jsonl")
    assert result.returncode != 0 and "no such archive or folder: nowhere.warc.gz" in result.stderr
    result = scrapy_cli("reextract", "nospider", str(tmp_path), "-O", "x.jsonl")
    assert result.returncode != 0 and "unknown spider 'nospider'" in result.stderr
    assert not (tmp_path / "x.jsonl").exists()


def test_a_live_crawl_archives_beside_its_feed(scrapy_cli: Callable, tmp_path: Path) -> None:
    with SyntheticSite(articles=60, lifetime=120) as site:
        result = scrapy_cli("runspider", str(SPIDER), "-a", f"base={site.base}", *LIVE)
    assert result.returncode == 0, result.stderr[-3000:]
    folder = tmp_path / "data" / "faultsite"
    (feed,) = folder.glob("*[0-9].jsonl")
    archive = feed.with_name(feed.name.removesuffix(".jsonl") + ".warc.gz")
    assert archive.exists(), sorted(folder.iterdir())
    responses = [uri for kind, uri in validated(archive) if kind == "response"]
    assert len(responses) == stat(result.stderr, "downloader/response_count")
    assert f"{site.base}/robots.txt" in responses  # every response, the 404 of robots.txt too
    assert {a["url"] for a in read_jsonl(feed)} <= set(responses)


def test_a_killed_crawl_leaves_a_readable_archive(tmp_path: Path) -> None:
    """SIGKILL at random moments: every record of the archive reads whole (at worst the last
    one is left out), and every article in the feed has its page in the archive."""
    seed = random.randrange(10**6)
    chooser = random.Random(seed)
    env = {**os.environ, "SCRAPY_SETTINGS_MODULE": "edunews_scraper.settings"}
    killed_mid_crawl = 0
    with SyntheticSite(articles=300, lifetime=300) as site:
        for run in range(3):
            folder = tmp_path / f"run{run}"
            folder.mkdir()
            process = subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "scrapy",
                    "runspider",
                    str(SPIDER),
                    "-a",
                    f"base={site.base}",
                    *LIVE,
                    *KILLED,
                ],
                cwd=folder,
                env=env,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
            target, deadline = chooser.randrange(1, 30), time.monotonic() + 60
            feed = folder / "out.jsonl"
            while process.poll() is None and time.monotonic() < deadline:
                if feed.exists() and len(list(complete_lines(feed))) >= target:
                    break
                time.sleep(0.01)
            time.sleep(chooser.uniform(0, 0.2))
            killed_mid_crawl += process.poll() is None
            process.send_signal(signal.SIGKILL)
            process.wait()

            records = validated(folder / "a.warc.gz", killed=True)
            archived = {r.url for r in read_responses(folder / "a.warc.gz")}
            assert archived == {uri for kind, uri in records if kind == "response"}, seed
            exported = {a["url"] for a in complete_lines(feed)}
            assert exported and exported <= archived, f"random seed {seed}"
    assert killed_mid_crawl, f"no kill landed mid-crawl (seed {seed})"


def test_a_fixture_added_from_the_archive_is_the_page_the_crawl_read(
    crawled: tuple, scrapy_cli: Callable, tmp_path: Path
) -> None:
    _, archive, _ = crawled
    original = next(f for f in find_fixtures(FIXTURES, "giaoducthoidai") if f.kind == "articles")
    result = scrapy_cli(
        "fixture",
        "-s",
        f"EDUNEWS_FIXTURES_DIR={tmp_path / 'qa'}",
        "add",
        "--from-archive",
        str(archive),
        "--url",
        original.url,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    (saved,) = find_fixtures(tmp_path / "qa")
    assert saved.html_path.read_bytes() == original.html_path.read_bytes()
    assert saved.headers == original.headers | {"Date": saved.headers["Date"]}
    assert saved.response().headers["Date"] == original.response().headers["Date"]
    assert json.loads(saved.sibling("actual").read_text("utf-8")) == original.expected()


def test_an_archive_that_cannot_be_written_fails_the_run_but_loses_no_article(
    scrapy_cli: Callable, tmp_path: Path
) -> None:
    (tmp_path / "taken").write_text("a file, not a folder")
    result = scrapy_cli(
        "crawl",
        "giaoducthoidai",
        "-a",
        f"replay={FIXTURES}",
        "-s",
        "EDUNEWS_ARCHIVE=taken/a.warc.gz",
        "-O",
        "out.jsonl",
        *STATS_DUMP,
    )
    assert result.returncode == 1, result.stderr[-3000:]
    assert "ERROR: No web archive this run: taken/a.warc.gz cannot be written" in result.stderr
    assert "Run FAILED: no web archive: taken/a.warc.gz cannot be written" in result.stderr
    assert read_jsonl(tmp_path / "out.jsonl")
    responses = stat(result.stderr, "downloader/response_count")
    assert stat(result.stderr, "edunews/archive/write_errors") == responses > 0


def test_reextract_shows_its_progress_on_a_terminal_only(crawled: tuple, tmp_path: Path) -> None:
    _, archive, _ = crawled
    main, terminal = pty.openpty()
    fcntl.ioctl(terminal, termios.TIOCSWINSZ, struct.pack("HHHH", 40, 120, 0, 0))
    command = [sys.executable, "-m", "scrapy", "reextract", "giaoducthoidai", str(archive)]
    process = subprocess.Popen(
        [*command, "-O", "out.jsonl"],
        cwd=tmp_path,
        env={**os.environ, "SCRAPY_SETTINGS_MODULE": "edunews_scraper.settings"},
        stdout=terminal,
        stderr=terminal,
    )
    os.close(terminal)
    shown = b""
    with contextlib.suppress(OSError):  # EIO once the command is done
        while chunk := os.read(main, 4096):
            shown += chunk
    assert process.wait(timeout=120) == 0, shown[-3000:]
    assert re.search(r"reextract giaoducthoidai: 100%\|[^|]+\| [\d.]+k/[\d.]+k", shown.decode())
    logged = run_scrapy([*command[3:], "-O", "logged.jsonl"], tmp_path)
    assert logged.returncode == 0 and "%|" not in logged.stderr
