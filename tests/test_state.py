"""The persistent crawl state: remembered articles, durable across clean and killed runs,
checked when opened, rebuilt from the outputs or refused when damaged, locked per spider."""

from __future__ import annotations

import json
import struct
from datetime import date
from pathlib import Path

import pytest

from edunews_scraper.state import (
    CrawlState,
    StateError,
    StateLocked,
    complete_lines,
    main,
    url_fingerprint,
)
from edunews_scraper.watermark import END, Floor, ListingPass, Watermark, entry_fingerprint

A = "https://giaoducthoidai.vn/a-post100001.html"
B = "https://giaoducthoidai.vn/b-post100002.html"
C = "https://giaoducthoidai.vn/c-post100003.html"


def line(url: str, content_hash: str, canonical: str = "") -> str:
    return (
        json.dumps({"url": url, "canonical_url": canonical or url, "content_hash": content_hash})
        + "\n"
    )


def reopen(folder: Path) -> CrawlState:
    state = CrawlState.open(folder)
    state.close()
    return state


def written_state(tmp_path: Path) -> tuple[Path, list[Path]]:
    """A state whose two runs wrote A and B, then C (run files in tmp_path/out)."""
    folder, out = tmp_path / "state", tmp_path / "out"
    out.mkdir()
    files = []
    for number, urls in enumerate(([A, B], [C]), 1):
        state = CrawlState.open(folder)
        path = out / f"run{number}.jsonl"
        state.record_output(path)
        path.write_text("".join(line(url, f"{number:016x}") for url in urls), "utf-8")
        state.add_records(complete_lines(path))
        state.commit({})
        state.close()
        files.append(path)
    return folder, files


def test_remembers_and_compacts(tmp_path: Path) -> None:
    state = CrawlState.open(tmp_path)
    assert A not in state and len(state) == 0
    state.add((A, A + "#top"), "00000000000000aa")
    assert A in state
    assert state.is_unchanged(A, "00000000000000aa")
    assert not state.is_unchanged(A, "00000000000000bb")
    state.commit({})
    state.close()
    again = CrawlState.open(tmp_path)
    assert A in again and B not in again
    assert len(again) == 1  # the two spellings of A canonicalise to one URL
    again.add((B,), "00000000000000cc")
    again.add((A,), "00000000000000dd")  # A changed
    again.commit({})
    again.close()
    third = reopen(tmp_path)
    assert third.is_unchanged(A, "00000000000000dd") and third.is_unchanged(B, "00000000000000cc")
    assert list(third.keys) == sorted(third.keys)


def test_a_killed_run_is_recovered_from_its_output(tmp_path: Path) -> None:
    output = tmp_path / "run.jsonl"
    state = CrawlState.open(tmp_path / "state")
    state.record_output(output)
    # The run was killed: two complete lines, then a line cut off mid-write, no compaction.
    output.write_text(line(A, "00000000000000aa") + line(B, "00000000000000bb")[:30], "utf-8")
    state.close()
    recovered = CrawlState.open(tmp_path / "state")
    assert A in recovered
    assert B not in recovered  # its line is incomplete: fetched again next time
    assert output.read_text("utf-8") == line(A, "00000000000000aa")  # the cut line is gone
    assert recovered.outputs() == []  # folded in when opened
    recovered.close()
    assert A in reopen(tmp_path / "state")


def test_complete_lines_skip_garbage_and_partial_tail(tmp_path: Path) -> None:
    path = tmp_path / "x.jsonl"
    path.write_bytes(b'{"url": "a"}\nnot json\n[1, 2]\n{"url": "b"}\n{"url": "c"')
    assert [r["url"] for r in complete_lines(path)] == ["a", "b"]


@pytest.mark.parametrize(
    "damage",
    [
        lambda data: data[: len(data) // 2],  # truncated
        lambda data: b"",  # emptied
        lambda data: data[:40] + bytes(b ^ 0xFF for b in data[40:48]) + data[48:],  # garbled
    ],
    ids=["truncated", "empty", "garbled"],
)
def test_a_damaged_state_is_rebuilt_from_the_outputs(tmp_path: Path, damage) -> None:
    folder, _ = written_state(tmp_path)
    compacted = folder / "articles.bin"
    compacted.write_bytes(damage(compacted.read_bytes()))
    state = reopen(folder)
    assert all(url in state for url in (A, B, C))
    assert state.is_unchanged(C, f"{2:016x}")
    assert (folder / "articles.bin.damaged").exists()
    assert len(reopen(folder)) == 3  # and written back whole


def test_a_damaged_state_whose_outputs_are_gone_is_refused_with_the_repair(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder, files = written_state(tmp_path)
    (folder / "articles.bin").write_bytes(b"EDUS garbage")
    files[0].rename(tmp_path / "archived.jsonl")
    with pytest.raises(StateError) as refused:
        CrawlState.open(folder)
    message = str(refused.value)
    assert "cannot be trusted" in message and "1 of its 2 output files are gone" in message
    assert f"python -m edunews_scraper.state repair {folder}" in message
    # The repair command, given where the outputs are now.
    assert main(["repair", str(folder), str(tmp_path / "archived.jsonl"), str(files[1])]) == 0
    assert "3 articles from 2 file(s)" in capsys.readouterr().out
    state = reopen(folder)
    assert all(url in state for url in (A, B, C))
    assert state.watermarks == {}


def test_a_damaged_journal_is_refused(tmp_path: Path) -> None:
    folder, _ = written_state(tmp_path)
    feeds = folder / "feeds.txt"
    feeds.write_bytes(feeds.read_bytes().replace(b"run1", b"runX"))
    with pytest.raises(StateError, match=r"feeds\.txt line 1 is damaged"):
        CrawlState.open(folder)


def test_a_journal_line_cut_off_by_a_kill_is_dropped(tmp_path: Path) -> None:
    folder, _ = written_state(tmp_path)
    with (folder / "feeds.txt").open("ab") as feeds:
        feeds.write(b"0123abcd /data/run3.js")
    state = reopen(folder)
    assert len(state.feeds) == 2 and len(state) == 3


def test_damaged_watermarks_are_set_aside(tmp_path: Path) -> None:
    state = CrawlState.open(tmp_path)
    state.commit({"giao-duc": Watermark(END, frozenset({entry_fingerprint(A)}))})
    state.close()
    assert reopen(tmp_path).watermark("giao-duc") == Watermark(
        END, frozenset({entry_fingerprint(A)})
    )
    path = tmp_path / "watermarks.json"
    path.write_text(path.read_text().replace('"end"', '"END"'))
    assert reopen(tmp_path).watermarks == {}
    assert (tmp_path / "watermarks.json.damaged").exists()


def test_format_1_states_are_read_and_upgraded(tmp_path: Path) -> None:
    """A state written before checksums and the journal (articles.bin + outputs.txt)."""
    older = CrawlState(tmp_path)
    older.add((A,), "00000000000000aa")
    keys, hashes = older._merged()
    (tmp_path / "articles.bin").write_bytes(
        struct.pack("<4sQ", b"EDUS", len(keys)) + keys.tobytes() + hashes.tobytes()
    )
    unfinished = tmp_path / "killed.jsonl"
    unfinished.write_text(line(B, "00000000000000bb"), "utf-8")
    (tmp_path / "outputs.txt").write_text(f"{unfinished}\n", "utf-8")
    state = reopen(tmp_path)
    assert A in state and B in state
    assert not (tmp_path / "outputs.txt").exists()
    assert (tmp_path / "articles.bin").read_bytes()[4:6] == b"\x02\x00"  # format 2 now


def test_one_crawl_at_a_time(tmp_path: Path) -> None:
    first = CrawlState.open(tmp_path)
    with pytest.raises(StateLocked, match=r"already running \(pid \d+\)"):
        CrawlState.open(tmp_path)
    first.close()
    reopen(tmp_path)


def test_fingerprints_ignore_fragments_and_parameter_order() -> None:
    assert url_fingerprint("https://x.vn/a.html?b=2&a=1#c") == url_fingerprint(
        "https://x.vn/a.html?a=1&b=2"
    )
    assert url_fingerprint("https://x.vn/a.html") != url_fingerprint("https://x.vn/b.html")


# Watermarks ---------------------------------------------------------------------------


def test_a_floor_covers_only_runs_that_ask_no_more() -> None:
    since = Floor(since=date(2026, 11, 1))
    assert END.covers(None, 5) and END.covers(date(2026, 11, 1), None)
    assert since.covers(date(2026, 11, 2), 5) and not since.covers(None, 5)
    assert not since.covers(date(2026, 10, 1), 5)
    assert Floor(max_pages=5).covers(None, 5) and not Floor(max_pages=5).covers(None, 6)
    for floor in (END, since, Floor(max_pages=3)):
        assert Floor.from_json(json.loads(json.dumps(floor.to_json()))) == floor


def test_a_pass_stops_only_inside_the_last_complete_pass() -> None:
    previous = Watermark(END, frozenset(map(entry_fingerprint, [B, C])))
    listing_pass = ListingPass(previous, since=None, max_pages=5)
    assert not listing_pass.read_page([A, B])  # A is new: what lies below may be too
    assert listing_pass.read_page([B, C])
    listing_pass.stop_inside_previous()
    assert listing_pass.watermark == Watermark(END, frozenset(map(entry_fingerprint, [A, B, C])))
    # Known pages are not covered pages: without a complete pass, paging goes on.
    assert not ListingPass(None, None, 5).read_page([B, C])
    # A pass that went less deep than this run asks for does not stop it.
    shallow = Watermark(Floor(max_pages=2), previous.entries)
    deeper = ListingPass(shallow, since=None, max_pages=5)
    assert not deeper.read_page([B, C]) and not deeper.gap
    deeper.end(Floor(max_pages=5))
    assert deeper.watermark is not None and deeper.watermark.floor == Floor(max_pages=5)
    # A failed listing page leaves no watermark.
    broken = ListingPass(previous, None, 5)
    broken.fail("page 2 failed")
    broken.end(END)
    assert broken.watermark is None
