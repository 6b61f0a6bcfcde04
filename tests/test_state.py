"""The persistent crawl state: remembered articles, durable across clean and killed runs."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from edunews_scraper.state import CrawlState, complete_lines, url_fingerprint

A = "https://giaoducthoidai.vn/a-post100001.html"
B = "https://giaoducthoidai.vn/b-post100002.html"


def line(url: str, content_hash: str, canonical: str = "") -> str:
    return (
        json.dumps({"url": url, "canonical_url": canonical or url, "content_hash": content_hash})
        + "\n"
    )


def test_remembers_and_compacts(tmp_path: Path) -> None:
    state = CrawlState.open(tmp_path)
    assert A not in state and len(state) == 0
    state.add((A, A + "#top"), "00000000000000aa")
    assert A in state
    assert state.is_unchanged(A, "00000000000000aa")
    assert not state.is_unchanged(A, "00000000000000bb")
    state.compact()
    again = CrawlState.open(tmp_path)
    assert A in again and B not in again
    assert len(again) == 1  # the two spellings of A canonicalise to one URL
    again.add((B,), "00000000000000cc")
    again.add((A,), "00000000000000dd")  # A changed
    again.compact()
    third = CrawlState.open(tmp_path)
    assert third.is_unchanged(A, "00000000000000dd") and third.is_unchanged(B, "00000000000000cc")
    assert list(third.keys) == sorted(third.keys)


def test_a_killed_run_is_recovered_from_its_output(tmp_path: Path) -> None:
    output = tmp_path / "run.jsonl"
    state = CrawlState.open(tmp_path / "state")
    state.record_output(output)
    # The run was killed: two complete lines, then a line cut off mid-write, no compaction.
    output.write_text(line(A, "00000000000000aa") + line(B, "00000000000000bb")[:30], "utf-8")
    recovered = CrawlState.open(tmp_path / "state")
    assert A in recovered
    assert B not in recovered  # its line is incomplete: fetched again next time
    recovered.compact()
    assert recovered.outputs() == []
    assert A in CrawlState.open(tmp_path / "state")


def test_complete_lines_skip_garbage_and_partial_tail(tmp_path: Path) -> None:
    path = tmp_path / "x.jsonl"
    path.write_bytes(b'{"url": "a"}\nnot json\n[1, 2]\n{"url": "b"}\n{"url": "c"')
    assert [r["url"] for r in complete_lines(path)] == ["a", "b"]


def test_corrupt_state_file_is_an_error_not_silence(tmp_path: Path) -> None:
    (tmp_path / "articles.bin").write_bytes(b"garbage")
    with pytest.raises(ValueError, match="not a crawl state file"):
        CrawlState.open(tmp_path)


def test_fingerprints_ignore_fragments_and_parameter_order() -> None:
    assert url_fingerprint("https://x.vn/a.html?b=2&a=1#c") == url_fingerprint(
        "https://x.vn/a.html?a=1&b=2"
    )
    assert url_fingerprint("https://x.vn/a.html") != url_fingerprint("https://x.vn/b.html")
