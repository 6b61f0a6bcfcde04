"""The crawl state of a spider shared by its distributed workers, in Redis (`REDIS_URL`): the
same `CrawlStateStore` as the local files of state.py, for every worker of every run.

Keys, under ``edunews:<spider>:``:

    known, known:<n>   the exported articles: URL fingerprint -> content hash (8 bytes each),
                       in small hashes (buckets), see `KnownArticles`
    claims             article fingerprint -> the worker exporting it right now
    claims:<worker>    the claims a worker holds
    watermarks         category -> what the last complete pass covered (JSON, watermark.py)

*Claims.* Before an article goes to the feed, the worker claims it (`claim`, one atomic step):
an article exported before with the same content is dropped (`unchanged`), one another live
worker is exporting is dropped (`taken`), otherwise the claim is this worker's. Once its line is
written to every local articles file and flushed to disk (fdatasync), the worker confirms it
(`add`): only then is the article known. A worker that dies before leaves its claim, which the
worker that reaps it releases (sharedrun.py), and its request, which goes back to the queue: the
article is fetched and exported again by another worker. A worker that was reaped can claim
nothing more.

*In doubt.* Claiming, writing and confirming an article is one stretch of code, without a
pause: a worker killed inside it may have written the line or not, and only its own disk
knows. Its claim is then *in doubt* (``doubt:<worker>``, at most one article per killed
worker in practice): the article is exported again by another worker, so it is never lost,
and it may be in two files until a worker uses the dead worker's state folder again, which
takes the dead worker's copy out of its file (see the journal, below).

*Watermarks.* The pass over a category is shared: each worker reading one of its listing pages
adds the page's entries and whether it lay inside the last complete pass (`SharedListingPass`,
keys ``run:<run>:pass:<category>`` and ``run:<run>:entries:<category>``), and whoever reads its
last page records where paging stopped. The passes of a run count as complete when the run
ended (every request finished by some worker, see sharedrun.py) and no worker met an error in a
callback or pipeline; the first worker to close after that saves their watermarks.

*A worker's journal.* Each worker notes the articles files it writes in a journal in its own
state folder (``EDUNEWS_STATE_DIR/<spider>/redis-worker-<n>.journal``, one per worker process
using the folder, locked), emptied when it ends cleanly. The next worker to take a journal
that is not empty settles the files of the killed worker that wrote it: it cuts off a last
line left half-written, takes out a last line written for an article in doubt that another
worker has exported since, and confirms the complete lines Redis does not know yet (the
whole run may have died with them).

*Compact.* `KnownArticles` keeps about 40 articles per bucket (linear hashing: buckets are
split one at a time as articles are added), so that Redis stores each bucket as a listpack
(``hash-max-listpack-entries``, 128 by default): 8-byte field and value, about 25 bytes an
article in all (measured with MEMORY USAGE: `memory_usage`, bench/redis_state.py).
"""

from __future__ import annotations

import fcntl
import json
import logging
import os
from collections.abc import Callable, Iterable, Iterator, Mapping
from datetime import date
from pathlib import Path
from typing import Any

from redis import Redis
from redis.exceptions import RedisError, ResponseError

from edunews_scraper.sharedrun import LeaseLost, SharedRun, now
from edunews_scraper.state import (
    Claim,
    CrawlState,
    StateError,
    complete_lines,
    content_fingerprint,
    cut_tail,
    url_fingerprint,
)
from edunews_scraper.watermark import ENTRIES_KEPT, Floor, ListingPass, Watermark

logger = logging.getLogger(__name__)

#: Articles per bucket on average: buckets split before they outgrow Redis's compact
#: encoding (128 entries by default; an unsplit bucket holds up to twice the average).
LOAD = 40
JOURNAL = "redis-worker-{}.journal"
IMPORT = "scrapy redis import"

_BUCKETS = """
local function hash32(fp)
  local b1, b2, b3, b4 = string.byte(fp, 1, 4)
  return ((b1 * 256 + b2) * 256 + b3) * 256 + b4
end
local function shape(meta)
  local m = redis.call('HMGET', meta, 'level', 'split')
  return tonumber(m[1]) or 0, tonumber(m[2]) or 0
end
local function slot(meta, fp)
  local level, split = shape(meta)
  local size = 2 ^ level
  local h = hash32(fp)
  local i = h % size
  if i < split then i = h % (size * 2) end
  return i
end
local function split_one(meta, prefix)
  local level, split = shape(meta)
  local size = 2 ^ level
  local old, new = prefix .. split, prefix .. (split + size)
  local entries = redis.call('HGETALL', old)
  redis.call('DEL', old)
  local keep, move = {}, {}
  for j = 1, #entries, 2 do
    local target = move
    if hash32(entries[j]) % (size * 2) == split then target = keep end
    target[#target + 1] = entries[j]
    target[#target + 1] = entries[j + 1]
  end
  if #keep > 0 then redis.call('HSET', old, unpack(keep)) end
  if #move > 0 then redis.call('HSET', new, unpack(move)) end
  split = split + 1
  if split == size then level, split = level + 1, 0 end
  redis.call('HSET', meta, 'level', level, 'split', split)
end
local function put(meta, prefix, fp, value, only_new, load)
  local bucket = prefix .. slot(meta, fp)
  local added
  if only_new then
    added = redis.call('HSETNX', bucket, fp, value)
  else
    added = redis.call('HSET', bucket, fp, value)
  end
  if added == 1 then
    local count = redis.call('HINCRBY', meta, 'count', 1)
    local level, split = shape(meta)
    if count > load * (2 ^ level + split) then split_one(meta, prefix) end
  end
  return added
end
"""

# KEYS: meta ; ARGV: bucket prefix, fingerprint
_LOOKUP = _BUCKETS + "return redis.call('HGET', ARGV[1] .. slot(KEYS[1], ARGV[2]), ARGV[2])"

# KEYS: meta ; ARGV: bucket prefix, load, only new ("1"/"0"), fingerprint, hash, ...
_PUT_MANY = (
    _BUCKETS
    + """
local added = 0
for i = 4, #ARGV, 2 do
  added = added + put(KEYS[1], ARGV[1], ARGV[i], ARGV[i + 1], ARGV[3] == '1', tonumber(ARGV[2]))
end
return added
"""
)

# KEYS: meta, claims, mine, run workers ; ARGV: bucket prefix, fingerprint, hash, worker,
# lease key prefix
_CLAIM = (
    _BUCKETS
    + """
local status = redis.call('HGET', KEYS[4], ARGV[4])
if not status then return 'gone' end
if status ~= 'running' then return 'lost' end
local known = redis.call('HGET', ARGV[1] .. slot(KEYS[1], ARGV[2]), ARGV[2])
if known == ARGV[3] then return 'unchanged' end
local owner = redis.call('HGET', KEYS[2], ARGV[2])
if owner and owner ~= ARGV[4] and redis.call('EXISTS', ARGV[5] .. owner) == 1 then
  return 'taken'
end
redis.call('HSET', KEYS[2], ARGV[2], ARGV[4])
redis.call('SADD', KEYS[3], ARGV[2])
if known then return 'changed' end
return 'new'
"""
)

# KEYS: meta, claims, mine ; ARGV: bucket prefix, hash, worker, load, fingerprints...
_CONFIRM = (
    _BUCKETS
    + """
for i = 5, #ARGV do
  put(KEYS[1], ARGV[1], ARGV[i], ARGV[2], false, tonumber(ARGV[4]))
  if redis.call('HGET', KEYS[2], ARGV[i]) == ARGV[3] then redis.call('HDEL', KEYS[2], ARGV[i]) end
  redis.call('SREM', KEYS[3], ARGV[i])
end
return 1
"""
)

# KEYS: claims, mine ; ARGV: worker, fingerprints...
_RELEASE = """
for i = 2, #ARGV do
  if redis.call('HGET', KEYS[1], ARGV[i]) == ARGV[1] then redis.call('HDEL', KEYS[1], ARGV[i]) end
  redis.call('SREM', KEYS[2], ARGV[i])
end
return 1
"""

# KEYS: info, watermarks ; ARGV: now, category, watermark JSON, ...
_COMMIT = """
if redis.call('HEXISTS', KEYS[1], 'ended') == 0 then return 'running' end
local why = redis.call('HGET', KEYS[1], 'incomplete')
if why then return why end
if redis.call('HSETNX', KEYS[1], 'committed', ARGV[1]) == 0 then return 'saved before' end
if #ARGV > 1 then redis.call('HSET', KEYS[2], unpack(ARGV, 2)) end
return 'saved'
"""

# KEYS: pass, entries ; ARGV: entries kept, inside ("1"/"0"), fingerprints...
_READ_PAGE = """
if ARGV[2] == '1' then redis.call('HSET', KEYS[1], 'met_last', '1') end
local kept = tonumber(ARGV[1])
for i = 3, #ARGV do
  if redis.call('SCARD', KEYS[2]) >= kept then break end
  redis.call('SADD', KEYS[2], ARGV[i])
end
return 1
"""


def fingerprint_bytes(value: int) -> bytes:
    """A 64-bit fingerprint (of a URL or of a content hash) as Redis keeps it."""
    return value.to_bytes(8, "big")


class KnownArticles:
    """The exported articles of a spider in Redis: URL fingerprint -> content hash, 8 bytes
    each, in buckets `known:0` ... `known:<N-1>` of about `LOAD` articles, grown by linear
    hashing (`known` holds level, split and count: N = 2**level + split)."""

    def __init__(self, client: Redis, base: str) -> None:
        self.client = client
        self.meta = f"{base}:known"
        self.bucket_prefix = f"{base}:known:"
        self._lookup = client.register_script(_LOOKUP)
        self._put_many = client.register_script(_PUT_MANY)

    def count(self) -> int:
        return int(self.client.hget(self.meta, "count") or 0)

    def buckets(self) -> int:
        level, split = (int(v or 0) for v in self.client.hmget(self.meta, "level", "split"))
        return 2**level + split

    def lookup(self, fingerprint: int) -> int | None:
        """The content hash an article URL was exported with, or None."""
        value = self._lookup(
            keys=[self.meta], args=[self.bucket_prefix, fingerprint_bytes(fingerprint)]
        )
        return int.from_bytes(value, "big") if value is not None else None

    def put_many(
        self, entries: Iterable[tuple[int, int]], *, only_new: bool, batch: int = 500
    ) -> int:
        """Add (URL fingerprint, content hash) pairs, in batches; `only_new` keeps the hash
        Redis already has. How many articles were new."""
        added = 0
        chunk: list[bytes] = []
        for key, value in entries:
            chunk += [fingerprint_bytes(key), fingerprint_bytes(value)]
            if len(chunk) >= 2 * batch:
                added += self._put(chunk, only_new)
                chunk = []
        if chunk:
            added += self._put(chunk, only_new)
        return added

    def _put(self, chunk: list[bytes], only_new: bool) -> int:
        return int(
            self._put_many(
                keys=[self.meta], args=[self.bucket_prefix, LOAD, "1" if only_new else "0", *chunk]
            )
        )

    def entries(self, batch: int = 256) -> Iterator[tuple[int, int]]:
        """Every (URL fingerprint, content hash), bucket by bucket."""
        total = self.buckets()
        for start in range(0, total, batch):
            with self.client.pipeline(transaction=False) as pipe:
                for index in range(start, min(total, start + batch)):
                    pipe.hgetall(f"{self.bucket_prefix}{index}")
                for bucket in pipe.execute():
                    for key, value in bucket.items():
                        yield int.from_bytes(key, "big"), int.from_bytes(value, "big")

    def memory_usage(self) -> int:
        """Bytes of Redis memory the known articles take, as Redis's MEMORY USAGE counts them
        (each key with its value and overhead, exactly: SAMPLES 0)."""
        total = self.buckets()
        used = 0
        for start in range(0, total, 512):
            with self.client.pipeline(transaction=False) as pipe:
                pipe.memory_usage(self.meta, samples=0)
                for index in range(start, min(total, start + 512)):
                    pipe.memory_usage(f"{self.bucket_prefix}{index}", samples=0)
                sizes = pipe.execute()
            used += sum(sizes[1:]) + (sizes[0] or 0 if start == 0 else 0)
        return used

    def compact_encoding_limit(self) -> int | None:
        """Redis's `hash-max-listpack-entries` (the most entries a hash keeps compact), or
        None when the server does not say (CONFIG may be disabled)."""
        for name in ("hash-max-listpack-entries", "hash-max-ziplist-entries"):
            try:
                value = self.client.config_get(name)
            except ResponseError:
                return None
            if value:
                return int(next(iter(value.values())))
        return None


class WorkerJournal:
    """The articles files a worker process writes: one of the locked
    `redis-worker-<n>.journal` files of its state folder, its first line `worker <id>`, then
    one file a line. A worker that ends cleanly empties it; the next worker to lock a journal
    that is not empty settles what the interrupted worker left (`RedisCrawlState`)."""

    def __init__(self, path: Path, descriptor: int) -> None:
        self.path = path
        self._descriptor: int | None = descriptor

    @classmethod
    def open(cls, folder: Path) -> WorkerJournal:
        """Lock the first free journal of `folder`."""
        try:
            folder.mkdir(parents=True, exist_ok=True)
        except OSError as error:
            raise StateError(f"cannot create crawl state folder {folder}: {error}") from None
        for number in range(1, 1000):
            path = folder / JOURNAL.format(number)
            try:
                descriptor = os.open(path, os.O_RDWR | os.O_CREAT | os.O_APPEND, 0o644)
            except OSError as error:
                raise StateError(f"crawl state folder {folder} is not writable: {error}") from None
            try:
                fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                os.close(descriptor)
                continue
            return cls(path, descriptor)
        raise StateError(f"crawl state folder {folder}: 999 workers use it already")

    def previous(self) -> tuple[str, list[Path]]:
        """The worker that wrote this journal and did not end cleanly ("" when none did),
        and the files it listed (a last line cut off mid-write is left out)."""
        lines = self.path.read_text("utf-8", "replace").split("\n")[:-1]
        worker = (
            lines[0].removeprefix("worker ") if lines[:1] and lines[0].startswith("worker ") else ""
        )
        files = [Path(line) for line in lines[1 if worker else 0 :] if line]
        return worker, list(dict.fromkeys(files))

    def start(self, worker: str) -> None:
        """Begin the journal of `worker`."""
        self.clear()
        self._append(f"worker {worker}\n")

    def record(self, path: Path) -> None:
        """Note a file, durably, before anything is written to it."""
        self._append(f"{path}\n")

    def _append(self, line: str) -> None:
        assert self._descriptor is not None
        os.write(self._descriptor, line.encode())
        os.fsync(self._descriptor)

    def clear(self) -> None:
        """Forget everything (the worker ended: its lines are all confirmed)."""
        assert self._descriptor is not None
        os.ftruncate(self._descriptor, 0)
        os.fsync(self._descriptor)

    def close(self) -> None:
        if self._descriptor is not None:
            os.close(self._descriptor)
            self._descriptor = None


class SharedListingPass(ListingPass):
    """A run's pass over one category, kept in Redis: the workers that read its pages (in
    order: each page is requested once the one before it is read) add to it in turn."""

    def __init__(
        self,
        client: Redis,
        key: str,
        previous: Watermark | None,
        since: date | None,
        max_pages: int | None,
    ) -> None:
        super().__init__(previous, since, max_pages)
        self.client = client
        self.key = key
        self.entries_key = key.replace(":pass:", ":entries:", 1)
        self._read_page = client.register_script(_READ_PAGE)

    @property
    def keys(self) -> tuple[str, str]:
        return self.key, self.entries_key

    def note_page(self, fingerprints: list[str], inside: bool) -> None:
        self._read_page(
            keys=list(self.keys), args=[ENTRIES_KEPT, "1" if inside else "0", *fingerprints]
        )

    @property
    def gap(self) -> bool:
        return self.last is not None and not self.client.hexists(self.key, "met_last")

    def end(self, floor: Floor) -> None:
        self.client.hsetnx(self.key, "floor", json.dumps(floor.to_json()))

    def fail(self, why: str) -> None:
        self.client.hsetnx(self.key, "broken", why)

    @property
    def watermark(self) -> Watermark | None:
        fields = self.client.hgetall(self.key)
        if b"floor" not in fields or b"broken" in fields:
            return None
        entries = frozenset(entry.decode() for entry in self.client.smembers(self.entries_key))
        return Watermark(Floor.from_json(json.loads(fields[b"floor"])), entries)


class RedisCrawlState:
    """A spider's crawl state in Redis, shared by the workers of its runs (see the module's
    docstring); `run` is this worker's view of the run it works on. Use `open`."""

    def __init__(self, run: SharedRun, journal: WorkerJournal | None) -> None:
        self.run = run
        self.client = run.client
        self.known = KnownArticles(run.client, run.base)
        self.journal = journal
        self.watermarks_key = f"{run.base}:watermarks"
        self.watermarks: dict[str, Watermark] = {}
        #: Called when this worker must stop: it was reaped (`LeaseLost`) or Redis failed.
        self.on_failure: Callable[[Exception], None] = lambda error: None
        #: Fingerprints this worker claimed and has not confirmed.
        self.claimed: set[int] = set()
        #: True when a written line could not be confirmed: the journal keeps its file.
        self.unconfirmed = False
        self._claim = run.client.register_script(_CLAIM)
        self._confirm = run.client.register_script(_CONFIRM)
        self._release = run.client.register_script(_RELEASE)
        self._commit = run.client.register_script(_COMMIT)

    @classmethod
    def open(cls, run: SharedRun, folder: Path) -> RedisCrawlState:
        """The shared state, with this worker's journal in `folder` (its local state
        folder): lines a killed worker left unconfirmed there are confirmed first.
        `StateError` when a local state there was never moved into Redis."""
        state = cls(run, None)
        local = folder / "articles.bin"
        if local.exists() and state.known.count() == 0:
            raise StateError(
                f"the crawl state in Redis is empty, and {folder} holds a local one: move it "
                f"into Redis first ({IMPORT} {run.spider}), or the articles it knows would "
                f"be exported again. Nothing was crawled."
            )
        limit = state.known.compact_encoding_limit()
        if limit is not None and limit < 3 * LOAD:
            logger.warning(
                "Redis keeps hashes compact up to hash-max-listpack-entries=%d entries: the "
                "known articles take about 3 times more memory than with the default 128",
                limit,
            )
        state.journal = WorkerJournal.open(folder)
        try:
            state._settle_journal()
            state._load_watermarks()
        except BaseException:
            state.journal.close()
            raise
        return state

    def _settle_journal(self) -> None:
        """Settle what the worker that used this journal before left when it was
        interrupted: cut off a line it left half-written; take out a last line it wrote for an
        article in doubt (it died before confirming it) that another worker exported since;
        confirm the other lines Redis does not know; then begin this worker's journal."""
        assert self.journal is not None
        worker, files = self.journal.previous()
        doubt = f"{self.run.base}:doubt:{worker}"
        doubts = {int.from_bytes(key, "big") for key in self.client.smembers(doubt)}
        confirmed = 0
        for path in files:
            if not path.exists():
                continue
            removed = cut_tail(path)
            if removed:
                logger.warning(
                    "Removed a line cut off by an interrupted worker from %s (%d bytes)",
                    path,
                    removed,
                )
            self._drop_exported_again(path, worker, doubts)
            confirmed += self.known.put_many(_entries(complete_lines(path)), only_new=True)
        if files:
            logger.info(
                "Journal %s: %d file(s) of interrupted worker %s read back, %d article(s) it "
                "had not confirmed",
                self.journal.path,
                len(files),
                worker or "?",
                confirmed,
            )
        self.client.delete(doubt)
        self.journal.start(self.run.worker)

    def _drop_exported_again(self, path: Path, worker: str, doubts: set[int]) -> None:
        """Take the last line out of `path` when it is an article `worker` was writing when it
        died (in doubt) and another worker has exported since (Redis knows it)."""
        if not doubts:
            return
        data = path.read_bytes()
        start = data.rfind(b"\n", 0, max(0, len(data) - 1)) + 1
        try:
            record = json.loads(data[start:])
        except ValueError:
            return
        keys = {key for key, _ in _entries([record])} if isinstance(record, dict) else set()
        if not any(key in doubts and self.known.lookup(key) is not None for key in keys):
            return
        with path.open("r+b") as file:
            file.truncate(start)
            os.fsync(file.fileno())
        logger.warning(
            "Took the last line out of %s: worker %s died while writing %s, and another worker "
            "exported it again",
            path,
            worker,
            record.get("url"),
        )

    def _load_watermarks(self) -> None:
        for category, text in self.client.hgetall(self.watermarks_key).items():
            try:
                self.watermarks[category.decode()] = Watermark.from_json(json.loads(text))
            except (ValueError, TypeError, AttributeError) as error:
                logger.warning(
                    "Watermark of %s in Redis is damaged (%s): its category is paged as far "
                    "as its limits allow",
                    category.decode(),
                    error,
                )

    # Articles --------------------------------------------------------------------------

    def __len__(self) -> int:
        return self.known.count()

    def __contains__(self, url: str) -> bool:
        """True when the article was exported (also when Redis fails: the worker stops, and
        the listing page goes back to the queue)."""
        try:
            return self.known.lookup(url_fingerprint(url)) is not None
        except RedisError as error:
            self.on_failure(error)
            return True

    def claim(self, url: str, content_hash: str) -> Claim:
        """Claim the article for this worker's feed (see the module's docstring); TAKEN when
        this worker may export nothing (it was reaped, or Redis failed)."""
        key = url_fingerprint(url)
        try:
            outcome = self._claim(
                keys=[
                    self.known.meta,
                    self.run.claims,
                    self.run.claims_key(),
                    self.run.workers_key,
                ],
                args=[
                    self.known.bucket_prefix,
                    fingerprint_bytes(key),
                    fingerprint_bytes(content_fingerprint(content_hash)),
                    self.run.worker,
                    f"{self.run.base}:alive:",
                ],
            ).decode()
        except RedisError as error:
            self.on_failure(error)
            return Claim.TAKEN
        if outcome == "gone":
            self.on_failure(LeaseLost(self.run.gone()))
            return Claim.TAKEN
        if outcome == "lost":
            self.on_failure(
                LeaseLost(f"worker {self.run.worker} was reaped from run {self.run.run}")
            )
            return Claim.TAKEN
        if outcome in (Claim.NEW, Claim.CHANGED):
            self.claimed.add(key)
        return Claim(outcome)

    def release(self, url: str) -> None:
        """Give up this worker's claim on an article it did not write."""
        key = url_fingerprint(url)
        if key in self.claimed:
            self.claimed.discard(key)
            self._release_claims([key])

    def _release_claims(self, keys: list[int]) -> None:
        try:
            self._release(
                keys=[self.run.claims, self.run.claims_key()],
                args=[self.run.worker, *map(fingerprint_bytes, keys)],
            )
        except RedisError as error:  # the claims go when this worker's lease expires
            self.on_failure(error)

    def add(self, urls: Iterable[str], content_hash: str) -> None:
        """The article's line is written and flushed: it is known, the claim is done."""
        keys = list(dict.fromkeys(url_fingerprint(url) for url in urls if url))
        try:
            self._confirm(
                keys=[self.known.meta, self.run.claims, self.run.claims_key()],
                args=[
                    self.known.bucket_prefix,
                    fingerprint_bytes(content_fingerprint(content_hash)),
                    self.run.worker,
                    LOAD,
                    *map(fingerprint_bytes, keys),
                ],
            )
        except RedisError as error:  # the next worker using this folder confirms it
            self.unconfirmed = True
            self.on_failure(error)
            return
        self.claimed.difference_update(keys)

    def record_output(self, path: Path | str) -> None:
        resolved = Path(path).resolve()
        assert self.journal is not None
        self.journal.record(resolved)
        self.run.note_file(str(resolved))

    # Watermarks ------------------------------------------------------------------------

    def watermark(self, category: str) -> Watermark | None:
        return self.watermarks.get(category)

    def listing_pass(
        self, category: str, previous: Watermark | None, since: date | None, max_pages: int | None
    ) -> ListingPass:
        return SharedListingPass(
            self.client, f"{self.run.prefix}:pass:{category}", previous, since, max_pages
        )

    def commit(self, watermarks: Mapping[str, Watermark]) -> None:
        """This worker's lines are all confirmed: forget its journal; and once the run has
        ended complete, save the watermarks of its passes (the first worker to get here)."""
        if self.journal is not None and not self.unconfirmed:
            self.journal.clear()
        if not watermarks:
            return
        pairs = [
            item
            for category, mark in sorted(watermarks.items())
            for item in (category, json.dumps(mark.to_json()))
        ]
        try:
            outcome = self._commit(
                keys=[self.run.info, self.watermarks_key], args=[now(), *pairs]
            ).decode()
        except RedisError as error:
            logger.error("Watermarks of run %s not saved: Redis failed (%s)", self.run.run, error)
            return
        if outcome == "saved":
            logger.info(
                "Watermarks of run %s saved for %d categories", self.run.run, len(watermarks)
            )
        elif outcome not in ("saved before", "running"):
            logger.info("Watermarks not updated: %s", outcome)

    def close(self) -> None:
        """Release the claims this worker still holds, and its journal."""
        if self.claimed:
            self._release_claims(list(self.claimed))
        self.claimed.clear()
        if self.journal is not None:
            self.journal.close()
            self.journal = None


def _entries(records: Iterable[dict[str, Any]]) -> Iterator[tuple[int, int]]:
    """(URL fingerprint, content hash) for each URL of each article line."""
    for record in records:
        content_hash = record.get("content_hash")
        if not isinstance(content_hash, str):
            continue
        for url in dict.fromkeys((record.get("url", ""), record.get("canonical_url", ""))):
            if url:
                yield url_fingerprint(url), content_fingerprint(content_hash)


def import_state(client: Redis, base: str, folder: Path) -> tuple[int, int]:
    """Copy a local crawl state (`folder`, locked while it is read) into Redis: its articles
    (those Redis knows already keep their hash) and its watermarks (Redis's stay where it has
    one). (articles read, articles new to Redis)."""
    local = CrawlState.open(folder)
    try:
        known = KnownArticles(client, base)
        added = known.put_many(local.entries(), only_new=True)
        for category, mark in local.watermarks.items():
            client.hsetnx(f"{base}:watermarks", category, json.dumps(mark.to_json()))
        return len(local), added
    finally:
        local.close()


def export_state(client: Redis, base: str, folder: Path) -> int:
    """Copy the state in Redis into a local crawl state (`folder`, created or merged into:
    Redis's hash wins for an article both know; Redis's watermarks replace the local ones).
    How many articles the local state holds afterwards."""
    local = CrawlState.open(folder)
    try:
        known = KnownArticles(client, base)
        local.put_entries(known.entries())
        watermarks = {}
        for category, text in client.hgetall(f"{base}:watermarks").items():
            watermarks[category.decode()] = Watermark.from_json(json.loads(text))
        local.commit(watermarks)
        return len(local)
    finally:
        local.close()
