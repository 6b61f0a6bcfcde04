"""What a crawl writes survives full disks, read-only folders, damaged state and a second
crawl on the same state, against the synthetic site on loopback.

Full and read-only disks are real: a small tmpfs mounted in a private mount namespace
(`unshare -m`, or `unshare -rm` for a user that is not root), so writes fail with ENOSPC and
EROFS as they do in production. Where namespaces are not permitted, a full disk is
simulated with RLIMIT_FSIZE (`ulimit -f`: EFBIG), and the read-only case is skipped.
"""

from __future__ import annotations

import re
import shlex
import shutil
import signal
import subprocess
import sys
import time
from functools import cache
from pathlib import Path

import pytest

from bench.site import SyntheticSite
from edunews_scraper.state import CrawlState
from tests.synthetic import SLOW, articles, command, environment, listed, run

CATEGORY = ("-a", "categories=giao-duc", "-s", "LOG_LEVEL=INFO")
LINE_BYTES = 6700  # an article line of the synthetic site: 6.7 KB on average (3.2 to 15 KB)


@cache
def private_mounts() -> list[str]:
    """The `unshare` command that gives a private mount namespace here, or []."""
    if not shutil.which("unshare"):
        return []
    for prefix in (["unshare", "-m"], ["unshare", "-rm"]):
        probe = subprocess.run(
            [*prefix, "sh", "-c", "mount -t tmpfs -o size=64k tmpfs /mnt"],
            capture_output=True,
            check=False,
        )
        if probe.returncode == 0:
            return prefix
    return []


def in_private_mounts(script: str, cwd: Path) -> subprocess.CompletedProcess:
    """Run a shell script in a mount namespace of its own (its mounts vanish with it)."""
    return subprocess.run(
        [*private_mounts(), "bash", "-eu", "-c", script],
        cwd=cwd,
        env=environment(),
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def crawl_line(base: str, output: Path, log: Path, *args: str) -> str:
    """A shell line running one crawl, its exit status saved beside its log."""
    crawl = shlex.join(command(base, str(output), *CATEGORY, *args))
    return f"{crawl} 2> {log} && code=0 || code=$?; echo $code > {log}.status"


def status(log: Path) -> int:
    return int(Path(f"{log}.status").read_text())


def test_feeds_on_a_full_disk_lose_nothing_once_it_is_freed(tmp_path: Path) -> None:
    """The disk fills up half-way through a run: the run stops with a clear error and exit
    status 1, its file holds only whole lines, and the state counts only those; the run after
    the disk is freed exports the rest, each article once."""
    disk, runs = tmp_path / "disk", tmp_path / "runs"
    disk.mkdir()
    runs.mkdir()
    state = ("-s", f"EDUNEWS_STATE_DIR={tmp_path / 'state'}")
    first_log, second_log = tmp_path / "1.log", tmp_path / "2.log"
    with SyntheticSite(300) as site:
        if private_mounts():
            how = "a 1 MB tmpfs, 55 articles' room left"
            script = f"""
mount -t tmpfs -o size=1m tmpfs {disk}
head -c {1024 * 1024 - 55 * LINE_BYTES} /dev/zero > {disk}/ballast
{crawl_line(site.base, disk / "1.jsonl", first_log, *state)}
cp {disk}/1.jsonl {runs}/full.jsonl
rm {disk}/ballast  # the disk is freed
{crawl_line(site.base, disk / "2.jsonl", second_log, *state)}
cp {disk}/*.jsonl {runs}/
"""
            done = in_private_mounts(script, tmp_path)
            assert done.returncode == 0, done.stderr
        else:
            how = "RLIMIT_FSIZE"
            limit = 55 * LINE_BYTES
            first_crawl = crawl_line(site.base, runs / "1.jsonl", first_log, *state)
            script = f"ulimit -f {limit // 1024}; {first_crawl}"
            subprocess.run(["bash", "-c", script], cwd=tmp_path, env=environment(), check=False)
            shutil.copy(runs / "1.jsonl", runs / "full.jsonl")
            subprocess.run(
                ["bash", "-c", crawl_line(site.base, runs / "2.jsonl", second_log, *state)],
                cwd=tmp_path,
                env=environment(),
                check=False,
            )
        expected = listed(site)
    first = first_log.read_text()
    assert status(first_log) == 1, (how, first[-3000:])
    assert re.search(r"ERROR: Cannot write to feed \S+1\.jsonl \(\[Errno \d+\]", first)
    assert "'finish_reason': 'feed_write_failed'" in first
    assert re.search(r"Run FAILED: feed \S+1\.jsonl could not be written \(", first)
    written = (runs / "full.jsonl").read_bytes()
    assert written.endswith(b"\n"), "a half-written line was left behind"
    lines = written.count(b"\n")
    assert 30 < lines < 100
    assert f"'edunews/state/recorded': {lines}," in first
    second = second_log.read_text()
    assert status(second_log) == 0, second[-3000:]
    assert f"'edunews/state/known_at_start': {lines}," in second
    exported = articles(tmp_path, "runs/[0-9].jsonl")
    assert set(exported) == expected and set(exported.values()) == {1}


@pytest.mark.skipif(not private_mounts(), reason="needs a private mount namespace (unshare)")
def test_a_full_or_read_only_state_folder_is_an_error(tmp_path: Path) -> None:
    """The crawl refuses to start, says why and exits 1; once the folder is writable again
    the state is whole."""
    disk = tmp_path / "disk"
    disk.mkdir()
    state = ("-s", f"EDUNEWS_STATE_DIR={disk}")
    logs = [tmp_path / f"{n}.log" for n in range(3)]
    with SyntheticSite(300) as site:
        script = f"""
mount -t tmpfs -o size=4m tmpfs {disk}
head -c 5000000 /dev/zero > {disk}/ballast || true  # the disk is full
{crawl_line(site.base, tmp_path / "runs/0.jsonl", logs[0], *state)}
rm {disk}/ballast
{crawl_line(site.base, tmp_path / "runs/1.jsonl", logs[1], *state)}
mount -o remount,ro {disk}
{crawl_line(site.base, tmp_path / "runs/2.jsonl", logs[2], *state)}
"""
        done = in_private_mounts(script, tmp_path)
        assert done.returncode == 0, done.stderr
        expected = listed(site)
    full, normal, read_only = (log.read_text() for log in logs)
    assert status(logs[0]) == 1
    assert re.search(r"ERROR: (crawl state folder \S+ is full|cannot write to crawl state)", full)
    assert "'finish_reason': 'state_refused'" in full
    assert re.search(r"Run FAILED: (crawl state folder \S+ is full|cannot write)", full)
    assert status(logs[1]) == 0, normal[-3000:]
    assert status(logs[2]) == 1
    assert re.search(r"ERROR: crawl state folder \S+ is not writable \(Read-only", read_only)
    assert "Crawled (200)" not in full + read_only  # nothing was fetched
    exported = articles(tmp_path)
    assert set(exported) == expected and set(exported.values()) == {1}


def test_a_second_crawl_on_the_same_state_exits_already_running(tmp_path: Path) -> None:
    with SyntheticSite(300) as site:
        first = subprocess.Popen(  # 20 s long, unless stopped
            command(site.base, "runs/1.jsonl", *CATEGORY, *SLOW, "-s", "DOWNLOAD_DELAY=0.2"),
            cwd=tmp_path,
            env=environment(),
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 60
        while not articles(tmp_path) and time.monotonic() < deadline:
            time.sleep(0.05)
        second = run(tmp_path, site.base, "runs/2.jsonl", *CATEGORY)
        running = first.poll() is None
        first.send_signal(signal.SIGTERM)
        assert first.wait(timeout=60) == 0
    assert running, "the first crawl ended before the second started"
    assert second.returncode == 1
    assert f"already running (pid {first.pid})" in second.stderr
    assert "'finish_reason': 'state_refused'" in second.stderr
    assert "Run FAILED: crawl state" in second.stderr
    assert "Crawled (200)" not in second.stderr
    exported = articles(tmp_path)
    assert exported and set(exported.values()) == {1}
    assert not articles(tmp_path, "runs/2.jsonl")


def test_a_damaged_state_is_rebuilt_or_refused_never_exported_again(tmp_path: Path) -> None:
    """Truncated: rebuilt from the outputs, nothing exported twice. Garbled with an output
    gone: the run refuses with the repair command, which rebuilds it from where the outputs
    are now."""
    compacted = tmp_path / "data/state/synthetic/articles.bin"
    with SyntheticSite(300) as site:
        first = run(tmp_path, site.base, "runs/1.jsonl", *CATEGORY)
        assert first.returncode == 0, first.stderr[-3000:]
        compacted.write_bytes(compacted.read_bytes()[:100])
        rebuilt = run(tmp_path, site.base, "runs/2.jsonl", *CATEGORY)
        compacted.write_bytes(b"\0" * compacted.stat().st_size)
        (tmp_path / "runs/1.jsonl").rename(tmp_path / "archived.jsonl")
        refused = run(tmp_path, site.base, "runs/3.jsonl", *CATEGORY)
        outputs = [str(tmp_path / "archived.jsonl"), str(tmp_path / "runs")]
        repaired = subprocess.run(
            [
                sys.executable,
                "-m",
                "edunews_scraper.state",
                "repair",
                str(compacted.parent),
                *outputs,
            ],
            capture_output=True,
            text=True,
            check=False,
        )
        expected = listed(site)
    assert rebuilt.returncode == 0, rebuilt.stderr[-3000:]
    assert "articles.bin is damaged (its length or checksum is wrong)" in rebuilt.stderr
    assert "'edunews/state/known_at_start': 100," in rebuilt.stderr
    assert refused.returncode == 1
    assert "cannot be trusted" in refused.stderr
    assert f"python -m edunews_scraper.state repair {compacted.parent}" in refused.stderr
    assert "Crawled (200)" not in refused.stderr
    assert repaired.returncode == 0, repaired.stderr
    # The archived first run holds them all; the other runs' files hold none and stay out.
    assert f"{compacted.parent}: 100 articles from 1 file(s)" in repaired.stdout
    state = CrawlState.open(compacted.parent)
    state.close()
    assert all(url in state for url in expected) and len(state) == 100
    exported = articles(tmp_path) + articles(tmp_path, "archived.jsonl")
    assert set(exported) == expected and set(exported.values()) == {1}
