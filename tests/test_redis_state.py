"""The Redis side of distributed crawls, in-process against a real redis-server: the shared
queue with acknowledgements and leases (sharedrun.py), and the shared crawl state: claims,
known articles and their memory, watermarks, a killed worker's journal, moving a local state
into Redis and back (redis_state.py)."""

from __future__ import annotations

import json
import random
import time
from pathlib import Path

import pytest
import redis

from edunews_scraper.redis_state import (
    KnownArticles,
    RedisCrawlState,
    export_state,
    import_state,
)
from edunews_scraper.sharedrun import LeaseLost, RunOver, SharedRun, current_run
from edunews_scraper.state import Claim, CrawlState, StateError, url_fingerprint
from edunews_scraper.watermark import END, Watermark, entry_fingerprint
from tests.redisserver import redis_server, redis_url  # noqa: F401 (fixtures)

SPIDER = "giaoducthoidai"
ARGS = {"categories": ["giao-duc"], "max_pages": 5, "since": None, "full": False}
LEASE = 0.4


def worker(client: redis.Redis, name: str, run: str = "r1") -> SharedRun:
    return SharedRun(client, SPIDER, run, worker=name, lease=LEASE, ttl=60)


@pytest.fixture
def client(redis_url: str) -> redis.Redis:  # noqa: F811
    return redis.Redis.from_url(redis_url)


def test_requests_are_acknowledged_or_go_back_when_their_worker_dies(client: redis.Redis) -> None:
    a, b = worker(client, "a"), worker(client, "b")
    assert a.join(ARGS) is True  # a starts the run
    assert b.join(ARGS) is False  # b joins it
    assert [a.enqueue(f"fp{n}".encode(), 0, f"request {n}".encode()) for n in range(3)] == [1] * 3
    assert b.enqueue(b"fp1", 0, b"request 1 again") == 0  # seen in this run
    taken_by_a = [a.take(), a.take()]
    taken_by_b = b.take()
    assert taken_by_b is not None and taken_by_b.endswith(b"request 2")
    assert b.take() is None  # the queue is empty, two requests are in flight on a
    assert b.ack(taken_by_b)
    assert not b.try_end()  # a still has requests in flight

    time.sleep(LEASE + 0.2)  # a dies: no heartbeat
    b.heartbeat()
    assert b.reap() == {"a": (2, 0)}
    with pytest.raises(LeaseLost):
        a.take()
    with pytest.raises(LeaseLost):
        a.heartbeat()
    redone = [b.take(), b.take()]
    assert sorted(redone) == sorted(taken_by_a)  # the same requests, with their ids
    assert not a.ack(taken_by_a[0])  # a zombie's acknowledgement changes nothing
    assert not b.try_end()
    assert all(b.ack(member) for member in redone)
    assert b.try_end()
    assert b.enqueue(b"fp9", 0, b"too late") == -1
    assert {w.worker: w.status for w in b.workers()} == {"a": "dead", "b": "running"}
    assert b.info_fields()["requeued"] == "2"
    with pytest.raises(RunOver):
        worker(client, "c").join(ARGS)


def test_a_worker_with_other_arguments_is_refused_and_runs_without_id(client: redis.Redis) -> None:
    from edunews_scraper.sharedrun import ArgumentsDiffer

    worker(client, "a").join(ARGS)
    with pytest.raises(ArgumentsDiffer):
        worker(client, "b").join({**ARGS, "max_pages": 9})
    # Without a run id: the run in progress, then a new one once it ended.
    first = current_run(client, SPIDER)
    assert current_run(client, SPIDER) == first
    run = worker(client, "a", first)
    run.join(ARGS)
    assert current_run(client, SPIDER) == first
    assert run.try_end()
    time.sleep(1.1)  # run ids are named by the second
    assert current_run(client, SPIDER) != first


def open_state(run: SharedRun, folder: Path) -> RedisCrawlState:
    run.join(ARGS)
    return RedisCrawlState.open(run, folder)


def test_no_two_workers_export_one_article(client: redis.Redis, tmp_path: Path) -> None:
    a, b = worker(client, "a"), worker(client, "b")
    state_a, state_b = open_state(a, tmp_path / "a"), open_state(b, tmp_path / "b")
    url, other = "https://giaoducthoidai.vn/x-post1.html", "https://giaoducthoidai.vn/y-post2.html"
    assert state_a.claim(url, "1" * 16) is Claim.NEW
    assert state_b.claim(url, "1" * 16) is Claim.TAKEN  # a is exporting it
    assert url not in state_b  # known only once confirmed
    state_a.add([url, url + "?utm=x"], "1" * 16)
    assert url in state_b
    assert state_b.claim(url, "1" * 16) is Claim.UNCHANGED
    assert state_b.claim(url, "2" * 16) is Claim.CHANGED  # re-exported with new content
    state_b.release(url)
    assert state_a.claim(url, "2" * 16) is Claim.CHANGED

    # A claim whose worker died is taken over, and released when the worker is reaped.
    assert state_a.claim(other, "3" * 16) is Claim.NEW
    time.sleep(LEASE + 0.2)
    b.heartbeat()
    assert state_b.claim(other, "3" * 16) is Claim.NEW
    assert b.reap() == {"a": (0, 2)}  # its two unconfirmed claims are in doubt
    lost: list[Exception] = []
    state_a.on_failure = lost.append
    assert state_a.claim("https://giaoducthoidai.vn/z-post3.html", "4" * 16) is Claim.TAKEN
    assert isinstance(lost[0], LeaseLost)  # a reaped worker exports nothing more
    state_b.add([other], "3" * 16)
    assert not client.hlen(b.claims)
    assert len(state_b) == 3  # two URLs of the first article, and the second
    state_a.close()
    state_b.close()


def test_known_articles_take_under_32_bytes_each(client: redis.Redis) -> None:
    known = KnownArticles(client, f"edunews:{SPIDER}")
    rng = random.Random(13)
    pairs = {rng.getrandbits(64): rng.getrandbits(64) for _ in range(5000)}
    assert known.put_many(pairs.items(), only_new=True) == len(pairs)
    assert known.count() == len(pairs)
    per_article = known.memory_usage() / known.count()
    print(f"Redis memory per known article (MEMORY USAGE, 5,000 articles): {per_article:.1f} B")
    assert per_article < 32
    encodings = {
        client.object("encoding", f"edunews:{SPIDER}:known:{i}") for i in range(known.buckets())
    }
    assert encodings == {b"listpack"}
    assert dict(known.entries()) == pairs
    assert all(known.lookup(key) == value for key, value in list(pairs.items())[:200])
    assert known.lookup(rng.getrandbits(64)) is None


def test_a_local_state_moves_into_redis_and_back(client: redis.Redis, tmp_path: Path) -> None:
    local = CrawlState.open(tmp_path / "local")
    urls = [f"https://giaoducthoidai.vn/a-post{n}.html" for n in range(300)]
    for n, url in enumerate(urls):
        local.add([url], f"{n:016x}")
    mark = Watermark(END, frozenset({entry_fingerprint(urls[0])}))
    local.commit({"giao-duc": mark})
    local.close()

    # A worker refuses to start on an empty Redis beside a local state never moved there.
    run = worker(client, "a")
    with pytest.raises(StateError, match="scrapy redis import giaoducthoidai"):
        open_state(run, tmp_path / "local")

    assert import_state(client, f"edunews:{SPIDER}", tmp_path / "local") == (300, 300)
    state = open_state(run, tmp_path / "worker")
    assert all(url in state for url in urls) and len(state) == 300
    assert state.watermark("giao-duc") == mark
    state.add(["https://giaoducthoidai.vn/new-post9999.html"], "f" * 16)
    state.close()

    assert export_state(client, f"edunews:{SPIDER}", tmp_path / "back") == 301
    back = CrawlState.open(tmp_path / "back")
    assert all(url in back for url in urls) and back.is_unchanged(urls[7], f"{7:016x}")
    assert "https://giaoducthoidai.vn/new-post9999.html" in back
    assert back.watermark("giao-duc") == mark


def article_line(url: str, content_hash: str) -> str:
    return json.dumps({"url": url, "canonical_url": url, "content_hash": content_hash}) + "\n"


def test_the_next_worker_settles_what_a_killed_worker_left(
    client: redis.Redis, tmp_path: Path
) -> None:
    a, b = worker(client, "a"), worker(client, "b")
    state_a, state_b = open_state(a, tmp_path / "a"), open_state(b, tmp_path / "b")
    feed = tmp_path / "a-out.jsonl"
    state_a.record_output(feed)
    done, alone, again = (f"https://giaoducthoidai.vn/{n}-post{n}.html" for n in (1, 2, 3))
    for url in (done, alone, again):
        assert state_a.claim(url, "a" * 16) is Claim.NEW
        with feed.open("a") as file:
            file.write(article_line(url, "a" * 16))
        if url == done:
            state_a.add([url], "a" * 16)
    with feed.open("a") as file:  # killed mid-write
        file.write(article_line("https://giaoducthoidai.vn/4-post4.html", "a" * 16)[:30])

    # a is reaped: the two articles it wrote and did not confirm are in doubt; b exports the
    # last one again, nobody the other.
    time.sleep(LEASE + 0.2)
    b.heartbeat()
    assert b.reap() == {"a": (0, 2)}
    assert state_b.claim(again, "a" * 16) is Claim.NEW
    state_b.add([again], "a" * 16)
    state_a.journal.close()

    # The next worker on a's folder: the half line is cut, the article exported again taken
    # out of a's file, the one nobody exported again confirmed.
    state_c = open_state(worker(client, "c"), tmp_path / "a")
    assert feed.read_text() == article_line(done, "a" * 16) + article_line(alone, "a" * 16)
    assert alone in state_c and len(state_c) == 3
    assert not client.exists(a.doubt_key())
    assert state_c.journal.previous() == ("c", [])
    state_c.commit({})
    assert state_c.journal.previous() == ("", [])
    state_c.close()


def test_watermarks_are_saved_once_the_run_ended_complete(
    client: redis.Redis, tmp_path: Path
) -> None:
    a, b = worker(client, "a"), worker(client, "b")
    state_a, state_b = open_state(a, tmp_path / "a"), open_state(b, tmp_path / "b")
    first, second = (state.listing_pass("giao-duc", None, None, 5) for state in (state_a, state_b))
    page1 = [f"https://giaoducthoidai.vn/p-post{n}.html" for n in range(20)]
    assert first.read_page(page1) is False
    second.end(END)  # another worker read the last page
    mark = first.watermark
    assert mark == Watermark(END, frozenset(map(entry_fingerprint, page1)))
    state_a.commit({"giao-duc": mark})
    assert not client.hexists(f"edunews:{SPIDER}:watermarks", "giao-duc")  # the run goes on
    assert a.try_end()
    state_b.commit({"giao-duc": mark})
    saved = client.hget(f"edunews:{SPIDER}:watermarks", "giao-duc")
    assert Watermark.from_json(json.loads(saved)) == mark

    # A run with an error in some worker's callback saves none.
    c = worker(client, "c", "r2")
    state_c = open_state(c, tmp_path / "c")
    later = state_c.listing_pass("giao-duc", mark, None, 5)
    assert later.read_page(page1) is True  # inside the last complete pass
    later.stop_inside_previous()
    c.mark_incomplete("an error in a callback")
    assert c.try_end()
    client.hdel(f"edunews:{SPIDER}:watermarks", "giao-duc")
    state_c.commit({"giao-duc": later.watermark})
    assert not client.hexists(f"edunews:{SPIDER}:watermarks", "giao-duc")
    assert url_fingerprint(page1[0])  # (fingerprints are stable across processes)
