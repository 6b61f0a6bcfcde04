"""Every command tells the truth and fails loudly: each row of issue 12's table (and the QA-files
rows of issue 11), run as a user would, checked by its exit status and the line it ends with
(the first line of stderr for a refused command, the verdict for a crawl)."""

from __future__ import annotations

import json
import os
import re
import resource
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from scrapy import cmdline

from edunews_scraper.feeds import claim_run_time
from tests.conftest import FIXTURES, ROOT, not_saved, read_jsonl, rejects_of, run_scrapy

SPIDER = "giaoducthoidai"
SEED = FIXTURES / SPIDER / "articles" / "legacy-2018-truyen-thong-giao-duc"
SEED_URL = (
    "http://giaoducthoidai.vn/thoi-su/tiep-tuc-day-manh-cong-tac-truyen-thong-giao-duc-3917426.html"
)
FAST = ("-s", "DOWNLOAD_DELAY=0", "-s", "AUTOTHROTTLE_ENABLED=0", "-s", "RETRY_TIMES=0")


@pytest.fixture
def in_process(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> Callable[..., subprocess.CompletedProcess]:
    """`scrapy ARGS` from a folder, in this process (faster than a new one), for commands that
    start no crawl: its exit status and output."""

    def run(args: list[str], cwd: Path) -> subprocess.CompletedProcess:
        monkeypatch.chdir(cwd)
        monkeypatch.setenv("SCRAPY_SETTINGS_MODULE", "edunews_scraper.settings")
        capsys.readouterr()
        with pytest.raises(SystemExit) as exit:
            cmdline.execute(["scrapy", *args])
        output = capsys.readouterr()
        return subprocess.CompletedProcess(args, exit.value.code, output.out, output.err)

    return run


def first_line(result: subprocess.CompletedProcess) -> str:
    return (result.stderr.splitlines() or [""])[0]


def last_line(result: subprocess.CompletedProcess) -> str:
    return (result.stderr.splitlines() or [""])[-1]


def articles_files(folder: Path) -> list[Path]:
    return sorted((folder / "data" / SPIDER).glob("*.jsonl"))


# The first run --------------------------------------------------------------------------------


def test_readmes_first_command_shows_a_clean_run(tmp_path: Path) -> None:
    (tmp_path / "fixtures").symlink_to(FIXTURES)
    result = run_scrapy(["crawl", SPIDER, "-a", "replay=fixtures"], tmp_path)
    assert result.returncode == 0, result.stderr[-3000:]
    assert last_line(result) == "Run OK."
    (articles,) = articles_files(tmp_path)
    assert len(read_jsonl(articles)) == 7
    assert read_jsonl(rejects_of(articles)) == []  # pages not saved are no failed downloads
    summary = result.stderr[result.stderr.index("Summary of giaoducthoidai") :]
    assert f"{len(not_saved(SPIDER))} linked pages not in the replay folder" in summary
    assert f"7 articles -> {articles.relative_to(tmp_path)}" in summary
    assert "Dumping Scrapy stats" not in result.stderr and "spidermon_field_coverage" not in (
        result.stderr
    )
    assert "ERROR" not in result.stderr and "Traceback" not in result.stderr
    # README shows this summary as a newcomer sees it (times aside).
    readme = (ROOT / "README.md").read_text("utf-8")
    shown = readme.split("<!-- first-run-summary -->\n```text\n")[1].split("```")[0]
    times = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}-\d{2}-\d{2}\+00-00|\d+\.\d s")
    assert times.sub("T", shown.strip()) == times.sub("T", summary.strip())


# Arguments checked up front -------------------------------------------------------------------

ACCEPTED_DATE = "accepted: a date YYYY-MM-DD, e.g. 2026-11-01"
ARGUMENT_ROWS = {
    "since=yesterday": f"-a since='yesterday': not a date; {ACCEPTED_DATE}",
    "since=2026-13-45": (
        f"-a since='2026-13-45': no such date (month must be in 1..12); {ACCEPTED_DATE}"
    ),
    "max_pages=abc": "-a max_pages='abc': not a whole number; accepted: a whole number from 1 up",
    "max_page=1": (
        "-a max_page: giaoducthoidai takes no such argument (did you mean max_pages?); "
        "known: backfill, categories, discover, full, max_pages, replay, since"
    ),
    "full=maybe": (
        "-a full='maybe': neither on nor off; accepted: 1, true, yes, on (or 0, false, no, off)"
    ),
    "replay=no-such-folder": "-a replay='no-such-folder': no such folder or .warc.gz file (from "
    "{cwd}); accepted: an existing folder of saved pages (e.g. fixtures), a .warc.gz web archive "
    "or a folder of them",
}


@pytest.mark.parametrize("argument", ARGUMENT_ROWS)
def test_a_bad_spider_argument_is_one_line_and_exit_2(
    argument: str, in_process: Callable, tmp_path: Path
) -> None:
    result = in_process(["crawl", SPIDER, "-a", argument], tmp_path)
    assert result.returncode == 2
    assert result.stderr.splitlines() == [
        "scrapy crawl: error: " + ARGUMENT_ROWS[argument].format(cwd=tmp_path)
    ]
    assert not (tmp_path / "data").exists()  # nothing started, nothing written


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ["crawl", "news", "-a", "replay=fixtures"],
            "news: nothing to crawl: no listing page to start from "
            "(name them with -a start_urls=URL[,URL...])",
        ),
        (
            ["crawl", "nope"],
            "no spider called 'nope'; known: dantri, giaoducthoidai, news, thanhnien, tuoitre, "
            "vietnamnet, vnexpress",
        ),
        (
            ["crawl", SPIDER, "-s", "EDUNEWS_MAX_PAGES=abc"],
            "-s EDUNEWS_MAX_PAGES='abc': cannot be used; accepted: a whole number from 1 up",
        ),
        (["crawl", SPIDER, "-a", "max_pages"], "-a max_pages: not NAME=VALUE"),
    ],
)
def test_a_crawl_that_cannot_start_says_why(
    args: list[str], message: str, in_process: Callable, tmp_path: Path
) -> None:
    (tmp_path / "fixtures").symlink_to(FIXTURES)
    result = in_process(args, tmp_path)
    assert result.returncode == 2
    assert result.stderr.splitlines() == [f"scrapy crawl: error: {message}"]


# Exit codes that mean something ---------------------------------------------------------------


def test_a_live_crawl_that_cannot_reach_its_site_fails_and_says_so(tmp_path: Path) -> None:
    """Every request goes through a proxy nobody answers on (as with no network at all)."""
    env = {"http_proxy": "http://127.0.0.1:9", "https_proxy": "http://127.0.0.1:9"}
    result = subprocess.run(
        [sys.executable, "-m", "scrapy", "crawl", SPIDER, *FAST],
        cwd=tmp_path,
        env={**os.environ, "SCRAPY_SETTINGS_MODULE": "edunews_scraper.settings", **env},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 1, result.stderr[-3000:]
    assert last_line(result).startswith(
        "Run FAILED: could not reach giaoducthoidai.vn: 3 of 3 first listing page(s) failed "
        "(DownloadConnectionRefusedError)"
    )
    (articles,) = articles_files(tmp_path)
    rejects = read_jsonl(rejects_of(articles))
    assert sorted(r["url"] for r in rejects) == [
        "https://giaoducthoidai.vn/giao-duc/",
        "https://giaoducthoidai.vn/thoi-su/",
        "https://giaoducthoidai.vn/tuyen-sinh/",
    ]
    assert all(r["reason"].startswith("listing failed: DownloadConnectionRefused") for r in rejects)


def test_a_recrawl_where_nothing_changed_is_a_healthy_run(tmp_path: Path) -> None:
    crawl = ["crawl", SPIDER, "-a", f"replay={FIXTURES}", "-s", "EDUNEWS_STATE_ENABLED=True"]
    assert run_scrapy(crawl, tmp_path).returncode == 0
    nothing_new = run_scrapy(crawl, tmp_path)
    assert nothing_new.returncode == 0, nothing_new.stderr[-3000:]
    # It stops paging inside the first run's complete passes: page 1 of each category (6 of
    # the 7 articles); the category's feed lists the seventh.
    assert "already exported by earlier runs: 7 listed (not fetched)" in nothing_new.stderr
    full = run_scrapy([*crawl, "-a", "full=1"], tmp_path)
    assert full.returncode == 0, full.stderr[-3000:]
    assert "0 listed (not fetched), 7 fetched again and unchanged" in full.stderr
    assert last_line(full) == "Run OK."
    assert sorted(len(read_jsonl(path)) for path in articles_files(tmp_path)) == [0, 0, 7]


def test_runs_started_in_the_same_second_write_files_of_their_own(tmp_path: Path) -> None:
    now = datetime(2026, 11, 30, 8, 0, 0, 250_000, tzinfo=UTC)
    template = f"{tmp_path}/data/%(name)s/%(time)s.jsonl"
    feeds = {template: {"item_classes": ["edunews_scraper.items.Article"]}}
    stamps = [claim_run_time(feeds, SPIDER, now + timedelta(microseconds=n)) for n in range(3)]
    first = "2026-11-30T08-00-00+00-00"
    assert stamps == [first, f"{first}-2", f"{first}-3"]
    assert sorted(p.name for p in (tmp_path / "data" / SPIDER).iterdir()) == [
        f"{first}-2.jsonl",
        f"{first}-3.jsonl",
        f"{first}.jsonl",
    ]
    # A real run, while the files of runs started this second and the next minute exist.
    folder = tmp_path / "run"
    data = folder / "data" / SPIDER
    data.mkdir(parents=True)
    start = datetime.now(UTC).replace(microsecond=0)
    taken = [
        data / f"{(start + timedelta(seconds=s)).isoformat().replace(':', '-')}.jsonl"
        for s in range(60)
    ]
    for path in taken:
        path.write_text('{"other": "run"}\n')
    result = run_scrapy(["crawl", SPIDER, "-a", f"replay={FIXTURES}"], folder)
    assert result.returncode == 0, result.stderr[-3000:]
    assert all(path.read_text() == '{"other": "run"}\n' for path in taken)
    (ours,) = set(articles_files(folder)) - set(taken)
    assert ours.name.endswith("-2.jsonl") and len(read_jsonl(ours)) == 7


# QA tools that never pass on nothing ----------------------------------------------------------


@pytest.fixture
def qa(in_process: Callable, tmp_path: Path) -> Callable[..., subprocess.CompletedProcess]:
    """`scrapy fixture|extract ...` on a copy of giaoducthoidai's fixtures (in tmp/fixtures)."""
    shutil.copytree(FIXTURES / SPIDER, tmp_path / "fixtures" / SPIDER)
    return lambda *args: in_process(
        [*args[:2], "-s", f"EDUNEWS_FIXTURES_DIR={tmp_path / 'fixtures'}", *args[2:]], tmp_path
    )


@pytest.mark.parametrize(
    ("args", "exitcode", "message"),
    [
        (["fixture", "check", "--spider", "nope"], 2, "--spider 'nope': no such spider; known: "),
        (
            ["fixture", "check", "-s", "EDUNEWS_FIXTURES_DIR=/no/such/folder"],
            2,
            "no fixtures folder /no/such/folder (set one with -s EDUNEWS_FIXTURES_DIR=PATH)",
        ),
        (["fixture", "check", "-s", "EDUNEWS_FIXTURES_DIR=."], 1, "no fixtures to check in {tmp}"),
        (
            ["extract", f"{SEED}.html", "--fetched-at", "yesterday"],
            2,
            "--fetched-at 'yesterday': not an ISO 8601 time; accepted: e.g. "
            "2026-11-30T08:00:00+07:00 or 2026-11-30",
        ),
        (
            ["fixture", "add", f"{SEED}.html", "--url", "https://example.org/a-1.html"],
            2,
            "no spider covers 'example.org'; name one with --spider",
        ),
        (
            ["fixture", "add", f"{SEED}.html", "--name", "../../x"],
            2,
            "--name '../../x': a fixture name is one file name (letters, digits, _ - .), no folder",
        ),
        (
            ["fixture", "add", f"{SEED}.html", "--name", "/abs"],
            2,
            "--name '/abs': a fixture name is one file name (letters, digits, _ - .), no folder",
        ),
        (["fixture", "accept"], 2, "name the fixtures to accept, or --all"),
    ],
)
def test_qa_mistakes_are_one_line(
    args: list[str], exitcode: int, message: str, in_process: Callable, tmp_path: Path
) -> None:
    result = in_process(args, tmp_path)
    command = args[0]
    assert result.returncode == exitcode, result.stderr[-3000:]
    message = message.format(tmp=tmp_path)
    assert first_line(result).startswith(f"scrapy {command}: error: {message}")
    assert len(result.stderr.splitlines()) == 1
    assert not list(tmp_path.rglob("*.html"))  # nothing written, least of all outside


def test_fixture_check_from_a_subfolder_checks_the_projects_fixtures() -> None:
    result = run_scrapy(["fixture", "check", "--spider", "tuoitre"], ROOT / "tests")
    assert result.returncode == 0, result.stdout + result.stderr
    count = sum(1 for _ in (FIXTURES / "tuoitre").glob("*/*.html"))
    assert f"{count} fixtures in {FIXTURES} for spider tuoitre: {count} as expected" in (
        result.stdout
    )


def test_fixture_check_shows_exactly_which_caption_changed(qa: Callable, tmp_path: Path) -> None:
    """`figcaption` renamed on one saved page: the diff names each image whose caption
    changed and shows both captions in full; -s after the action is honoured."""
    name = "current-2026-stem-tieu-hoc-soc-son"
    page = tmp_path / "fixtures" / SPIDER / "articles" / f"{name}.html"
    html = page.read_text("utf-8")
    renamed = re.sub(r"<(/?)figcaption", r"<\1div", html)
    assert renamed != html
    page.write_text(renamed, "utf-8")
    expected = json.loads(page.with_name(f"{name}.expected.json").read_text("utf-8"))
    # -s after the action, in a process of its own, as a user types it
    result = run_scrapy(
        ["fixture", "check", "-s", f"EDUNEWS_FIXTURES_DIR={tmp_path / 'fixtures'}"], tmp_path
    )
    assert result.returncode == 1
    out = result.stdout
    assert f"DIFF {SPIDER}/articles/{name}\n" in out
    shown = re.findall(r"  images\[(\d+)\]\.caption:\n    expected (.*)\n    actual   (.*)\n", out)
    assert shown, out
    for index, want, got in shown:
        assert json.loads(want) == expected["images"][int(index)]["caption"] != ""  # in full
        assert got == '""'
    count = sum(1 for _ in (tmp_path / "fixtures").rglob("*.html"))
    assert out.splitlines()[-1] == (
        f"{count} fixtures in {tmp_path / 'fixtures'}: {count - 1} as expected, 1 to review"
    )
    # README shows this output.
    readme = (ROOT / "README.md").read_text("utf-8")
    shown = readme.split("<!-- fixture-check-diff -->\n```text\n")[1].split("```")[0]
    assert out == shown.replace("/srv/edunews_scraper/fixtures", str(tmp_path / "fixtures"))


def test_a_reject_is_not_accepted_without_allow_reject(qa: Callable, tmp_path: Path) -> None:
    empty, binary = tmp_path / "empty.html", tmp_path / "binary.html"
    empty.write_bytes(b"")
    binary.write_bytes(b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR" + bytes(range(256)))
    for page, slug in ((empty, "trang-rong-post111111"), (binary, "anh-post222222")):
        url = f"https://giaoducthoidai.vn/{slug}.html"
        added = qa("fixture", "add", str(page), "--url", url)
        assert added.returncode == 0, added.stderr
        assert f"warning: {SPIDER}/articles/{slug}: the page " in added.stderr
        assert "its output is a reject (" in added.stderr
    accepted = qa("fixture", "accept", "--all")
    assert accepted.returncode == 1
    assert accepted.stdout.count("NOT accepted ") == 2
    assert not list((tmp_path / "fixtures").rglob("*post*.expected.json"))
    allowed = qa("fixture", "accept", "--all", "--allow-reject")
    assert allowed.returncode == 0, allowed.stdout + allowed.stderr
    assert len(list((tmp_path / "fixtures").rglob("*post*.expected.json"))) == 2


def test_a_url_over_255_bytes_gets_a_name_that_fits(qa: Callable, tmp_path: Path) -> None:
    url = f"https://giaoducthoidai.vn/{'bai-viet-rat-dai-' * 20}post333333.html"
    added = qa("fixture", "add", f"{SEED}.html", "--url", url)
    assert added.returncode == 0, added.stderr
    (page,) = (tmp_path / "fixtures" / SPIDER / "articles").glob("bai-viet-rat-dai-*.html")
    assert len(page.name.encode()) <= 210 and (page.parent / f"{page.stem}.meta.json").is_file()


def _limited(size: int) -> Callable[[], None]:
    """A pre-exec hook: no file bigger than `size` bytes (the process dies writing one)."""
    return lambda: resource.setrlimit(resource.RLIMIT_FSIZE, (size, size))


#: A whole article page of the current layout in 259 bytes: its output (~600 bytes) is bigger
#: than the page and its meta file.
TINY_ARTICLE = (
    '<html><body><h1 class="article__title">Tiêu đề</h1><div class="article__meta"><time '
    'class="time" datetime="2026-11-30T08:00:00+07:00">30/11/2026 08:00</time></div><div '
    'class="article__body"><p>Một đoạn văn ngắn của bài.</p></div></body></html>'
)


def test_a_killed_fixture_add_leaves_no_half_fixture(qa: Callable, tmp_path: Path) -> None:
    """`fixture add` SIGKILLed while it writes the page, then failing (file size limit, as on
    a full disk) while it writes its output: never a page without its meta, never a cut JSON
    file; `check` and `accept` go on."""
    articles = tmp_path / "fixtures" / SPIDER / "articles"
    env = {**os.environ, "SCRAPY_SETTINGS_MODULE": "edunews_scraper.settings"}

    def add(page: Path, slug: str, **options: object) -> subprocess.Popen:
        return subprocess.Popen(
            [sys.executable, "-m", "scrapy", "fixture", "-s",
             f"EDUNEWS_FIXTURES_DIR={tmp_path / 'fixtures'}", "add", str(page), "--url",
             f"https://giaoducthoidai.vn/{slug}.html"],
            cwd=tmp_path, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
            **options,
        )  # fmt: skip

    big = tmp_path / "big.html"
    big.write_bytes(Path(f"{SEED}.html").read_bytes() * 1500)  # 14 MB
    writer = add(big, "to-post444444")
    deadline = time.monotonic() + 60
    while not list(articles.glob(".to-post444444.html.*")) and writer.poll() is None:
        assert time.monotonic() < deadline
        time.sleep(0.001)
    writer.send_signal(signal.SIGKILL)  # the page is being written
    writer.communicate()
    assert writer.returncode == -signal.SIGKILL
    assert not list(articles.glob("to-post444444.*"))  # no page, no meta: no fixture

    small = tmp_path / "small.html"
    small.write_text(TINY_ARTICLE, "utf-8")
    limited = add(small, "nho-post555555", preexec_fn=_limited(400))
    _, stderr = limited.communicate(timeout=120)
    assert limited.returncode == 1
    assert stderr.splitlines() == ["scrapy fixture: error: [Errno 27] File too large"]
    assert (articles / "nho-post555555.meta.json").is_file()  # page and meta whole...
    assert not list(articles.glob("*nho-post555555.actual.json*"))  # ...the output not cut
    check = qa("fixture", "check")
    assert check.returncode == 1, check.stderr
    assert f"NEW  {SPIDER}/articles/nho-post555555" in check.stdout
    assert "Traceback" not in check.stderr and "BROKEN" not in check.stdout

    # An output cut off by a writer of old (as a killed one left it) is never promoted.
    cut = articles / "nho-post555555.actual.json"
    cut.write_text(cut.read_text("utf-8")[:40], "utf-8")
    accept = qa("fixture", "accept", f"{SPIDER}/articles/nho-post555555")
    assert accept.returncode == 1
    assert first_line(accept).startswith(f"scrapy fixture: error: {cut}: not valid JSON")
    assert not (articles / "nho-post555555.expected.json").exists()


def test_readmes_cron_line_mails_one_line_only_when_a_run_failed(tmp_path: Path) -> None:
    """README's cron line, run by a shell for a healthy, a failed and a refused run: it prints
    (cron mails) nothing, then the verdict, then the refusal."""
    readme = (ROOT / "README.md").read_text("utf-8")
    line = readme.split("<!-- cron-recipe -->\n```cron\n")[1].split("```")[0].splitlines()[-1]
    command = line.split("*    ", 1)[1]
    assert command.startswith("cd /srv/edunews_scraper && mkdir -p data && .venv/bin/scrapy crawl ")
    empty = tmp_path / "no-pages"
    empty.mkdir()
    outcomes = {}
    for case, arguments in {
        "healthy": f"-a replay={FIXTURES}",
        "failed": f"-a replay={empty}",
        "refused": "-a since=yesterday",
    }.items():
        shell = command.replace("cd /srv/edunews_scraper", f"cd {tmp_path}").replace(
            ".venv/bin/scrapy crawl giaoducthoidai",
            f"{sys.executable} -m scrapy crawl giaoducthoidai {arguments}",
        )
        result = subprocess.run(
            ["sh", "-c", shell],
            env={**os.environ, "SCRAPY_SETTINGS_MODULE": "edunews_scraper.settings"},
            capture_output=True, text=True, timeout=300, check=False,
        )  # fmt: skip
        outcomes[case] = result.stdout + result.stderr
    assert outcomes["healthy"] == ""
    assert outcomes["failed"] == (
        "giaoducthoidai failed (exit 1): Run FAILED: no listing page of giaoducthoidai is "
        f"saved in the replay folder {empty}; monitors failed: min_articles.\n"
    )
    assert outcomes["refused"] == (
        "giaoducthoidai failed (exit 2): scrapy crawl: error: -a since='yesterday': not a date; "
        f"{ACCEPTED_DATE}\n"
    )
