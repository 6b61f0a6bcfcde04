"""One distributed run of one spider, kept in Redis: the shared request queue with
acknowledgements, the workers and their leases, and how the run ends.

A *run* is the work of every worker given the same run id (`EDUNEWS_REDIS_RUN`, or the spider's
current run, see `current_run`). Its keys live under ``edunews:<spider>:run:<run>:``:

    info            hash: started, args (the spider arguments every worker must share),
                    requests (the id counter), requeued, in_doubt, listing_pages,
                    incomplete, ended, committed (its watermarks saved)
    queue           sorted set of requests waiting, by priority then order (`<id><pickle>`)
    seen            set of the 20-byte fingerprints of every request ever queued (the
                    duplicate filter; dropped when the run ends)
    workers         hash: worker id -> running, finished, stopped (<why>) or dead
    worker:<id>     hash: host, pid, joined, beat (its last heartbeat), taken, done,
                    articles, rejects, requeued, in_doubt
    inflight:<id>   hash: the requests the worker took and has not finished -> their score
    files           set: the articles files of the workers, as `host:path`
    pass:<category>, entries:<category>   the run's pass over a category (redis_state.py)

and each worker's lease is ``edunews:<spider>:alive:<id>``, a key that expires `lease`
seconds after the worker's last heartbeat; ``edunews:<spider>:latest`` names the run a worker
last joined, ``edunews:<spider>:current`` the run workers without a run id join.

*Acknowledged requests.* Taking a request moves it from the queue into the worker's
`inflight` hash in one step (`take`); the worker removes it once the engine is done with it
(`ack`: downloaded, its callback's requests queued, its items written). A worker whose lease
expired (killed, crashed, cut off from Redis, frozen) is *reaped* by any other worker
(`reap`): its in-flight requests go back to the queue, its unconfirmed article claims are
released and kept as its articles in doubt (``edunews:<spider>:doubt:<id>``, see
redis_state.py), and it is marked dead: it may take nothing more and claim nothing more. A
worker that stops on its own (or fails) puts back what it has not finished (`requeue`).

*The run ends* when its queue is empty and no worker has anything in flight (`try_end`): every
request ever queued was then finished by someone. Queueing a request (`enqueue`) is one step
with marking it seen, and a request's own requests are queued before it is acknowledged, so
nothing can still be on its way. Once ended, the run takes no request, and a worker that joins
it has nothing to do. Its keys expire `ttl` seconds after the last heartbeat of any worker.

Scripts run in Redis (Lua) so that each step is atomic; they name keys they build from the
run's prefix, which a single Redis server (not Redis Cluster) allows.
"""

from __future__ import annotations

import json
import os
import socket
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from redis import Redis

KEY_PREFIX = "edunews"
#: How long the articles a dead worker was writing are remembered (30 days): until a worker
#: uses its state folder again and settles them.
DOUBT_TTL = 30 * 86400

# KEYS: current ; ARGV: new run id, run prefix, run suffix ("" ":info")
_CURRENT = """
local current = redis.call('GET', KEYS[1])
if current then
  local info = ARGV[2] .. current .. ARGV[3]
  if redis.call('EXISTS', info) == 1 and redis.call('HEXISTS', info, 'ended') == 0 then
    return current
  end
end
redis.call('SET', KEYS[1], ARGV[1])
return ARGV[1]
"""

# KEYS: info, workers, alive, worker, latest ; ARGV: worker, args, now, lease ms, host, pid,
# run
_JOIN = """
local ended = redis.call('HGET', KEYS[1], 'ended')
if ended then return {'ended', ended} end
local args = redis.call('HGET', KEYS[1], 'args')
if args and args ~= ARGV[2] then return {'args', args} end
if not args then redis.call('HSET', KEYS[1], 'args', ARGV[2], 'started', ARGV[3]) end
redis.call('SET', KEYS[5], ARGV[7])
redis.call('HSET', KEYS[2], ARGV[1], 'running')
redis.call('SET', KEYS[3], '1', 'PX', ARGV[4])
redis.call('HSET', KEYS[4], 'host', ARGV[5], 'pid', ARGV[6], 'joined', ARGV[3], 'beat', ARGV[3])
return {args and 'joined' or 'started', ''}
"""

# KEYS: info, seen, queue ; ARGV: fingerprint ("" for a request that is never filtered),
# score, payload
_ENQUEUE = """
if redis.call('HEXISTS', KEYS[1], 'ended') == 1 then return -1 end
if ARGV[1] ~= '' and redis.call('SADD', KEYS[2], ARGV[1]) == 0 then return 0 end
local id = redis.call('HINCRBY', KEYS[1], 'requests', 1)
redis.call('ZADD', KEYS[3], ARGV[2], string.format('%012d', id) .. ARGV[3])
return 1
"""

# KEYS: queue, inflight, workers, worker ; ARGV: worker
_TAKE = """
local status = redis.call('HGET', KEYS[3], ARGV[1])
if not status then return -2 end
if status ~= 'running' then return -1 end
local top = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
if #top == 0 then return 0 end
redis.call('ZREM', KEYS[1], top[1])
redis.call('HSET', KEYS[2], top[1], top[2])
redis.call('HINCRBY', KEYS[4], 'taken', 1)
return top[1]
"""

# KEYS: inflight, worker ; ARGV: member
_ACK = """
if redis.call('HDEL', KEYS[1], ARGV[1]) == 1 then
  redis.call('HINCRBY', KEYS[2], 'done', 1)
  return 1
end
return 0
"""

# KEYS: inflight, queue, worker, info ; ARGV: members
_REQUEUE = """
local moved = 0
for i = 1, #ARGV do
  local score = redis.call('HGET', KEYS[1], ARGV[i])
  if score then
    redis.call('HDEL', KEYS[1], ARGV[i])
    redis.call('ZADD', KEYS[2], score, ARGV[i])
    moved = moved + 1
  end
end
if moved > 0 then
  redis.call('HINCRBY', KEYS[3], 'requeued', moved)
  redis.call('HINCRBY', KEYS[4], 'requeued', moved)
end
return moved
"""

# KEYS: workers, queue, info, claims ; ARGV: spider prefix, run prefix, doubt ttl s
# A dead worker's claims are articles it may have written and not confirmed: they are
# released (another worker exports them) and kept as its articles in doubt.
_REAP = """
local reaped = {}
local all = redis.call('HGETALL', KEYS[1])
for i = 1, #all, 2 do
  local worker, status = all[i], all[i + 1]
  if status == 'running' and redis.call('EXISTS', ARGV[1] .. ':alive:' .. worker) == 0 then
    local inflight = ARGV[2] .. ':inflight:' .. worker
    local items = redis.call('HGETALL', inflight)
    for j = 1, #items, 2 do redis.call('ZADD', KEYS[2], items[j + 1], items[j]) end
    redis.call('DEL', inflight)
    local mine = ARGV[1] .. ':claims:' .. worker
    local doubt = ARGV[1] .. ':doubt:' .. worker
    local doubts = 0
    for _, fp in ipairs(redis.call('SMEMBERS', mine)) do
      if redis.call('HGET', KEYS[4], fp) == worker then redis.call('HDEL', KEYS[4], fp) end
      redis.call('SADD', doubt, fp)
      doubts = doubts + 1
    end
    redis.call('DEL', mine)
    if doubts > 0 then redis.call('EXPIRE', doubt, ARGV[3]) end
    redis.call('HSET', KEYS[1], worker, 'dead')
    local moved = #items / 2
    local counts = ARGV[2] .. ':worker:' .. worker
    redis.call('HINCRBY', counts, 'requeued', moved)
    redis.call('HINCRBY', counts, 'in_doubt', doubts)
    redis.call('HINCRBY', KEYS[3], 'requeued', moved)
    redis.call('HINCRBY', KEYS[3], 'in_doubt', doubts)
    table.insert(reaped, worker)
    table.insert(reaped, moved)
    table.insert(reaped, doubts)
  end
end
return reaped
"""

# KEYS: info, queue, workers, seen ; ARGV: run prefix, now
_TRY_END = """
if redis.call('HEXISTS', KEYS[1], 'ended') == 1 then return 1 end
if redis.call('ZCARD', KEYS[2]) > 0 then return 0 end
for _, worker in ipairs(redis.call('HKEYS', KEYS[3])) do
  if redis.call('EXISTS', ARGV[1] .. ':inflight:' .. worker) == 1 then return 0 end
end
redis.call('HSET', KEYS[1], 'ended', ARGV[2])
redis.call('DEL', KEYS[4])
return 2
"""

# KEYS: workers, alive, worker ; ARGV: worker, lease ms, now, ttl s, keys to keep alive...
_HEARTBEAT = """
local status = redis.call('HGET', KEYS[1], ARGV[1])
if not status then return -2 end
if status ~= 'running' then return -1 end
redis.call('SET', KEYS[2], '1', 'PX', ARGV[2])
redis.call('HSET', KEYS[3], 'beat', ARGV[3])
for i = 5, #ARGV do redis.call('EXPIRE', ARGV[i], ARGV[4]) end
return 1
"""

# KEYS: workers, alive, claims, mine ; ARGV: worker, status
# A worker that leaves releases the article claims it holds (see redis_state.py: the claims
# hash maps an article's fingerprint to the worker exporting it, each worker's set lists its
# own): it knows it did not write them.
_LEAVE = """
for _, fp in ipairs(redis.call('SMEMBERS', KEYS[4])) do
  if redis.call('HGET', KEYS[3], fp) == ARGV[1] then redis.call('HDEL', KEYS[3], fp) end
end
redis.call('DEL', KEYS[4])
redis.call('DEL', KEYS[2])
if redis.call('HGET', KEYS[1], ARGV[1]) == 'running' then
  redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
end
return 1
"""


class LeaseLost(Exception):
    """This worker was reaped (its lease expired): it must take and claim nothing more."""


class RunOver(Exception):
    """The run ended before this worker joined it."""


class ArgumentsDiffer(Exception):
    """The run crawls with other spider arguments than this worker's."""


def worker_id() -> str:
    """This process's id among the workers: `host:pid`."""
    return f"{socket.gethostname()}:{os.getpid()}"


def now() -> str:
    return f"{time.time():.3f}"


def spider_prefix(spider: str, prefix: str = KEY_PREFIX) -> str:
    return f"{prefix}:{spider}"


def latest_run(client: Redis, spider: str, prefix: str = KEY_PREFIX) -> str | None:
    """The run a worker of the spider last joined, if any."""
    run = client.get(f"{spider_prefix(spider, prefix)}:latest")
    return run.decode() if run is not None else None


def current_run(client: Redis, spider: str, prefix: str = KEY_PREFIX) -> str:
    """The spider's run in progress (not ended), or a new one named by the time (UTC) when
    there is none: the run a worker joins when it is given no run id."""
    base = spider_prefix(spider, prefix)
    fresh = time.strftime("%Y%m%dT%H%M%SZ", time.gmtime())
    run = client.eval(_CURRENT, 1, f"{base}:current", fresh, f"{base}:run:", ":info")
    return run.decode() if isinstance(run, bytes) else str(run)


@dataclass
class WorkerView:
    """One worker of a run as `SharedRun.workers` reports it."""

    worker: str
    status: str
    in_flight: int
    counts: dict[str, str] = field(default_factory=dict)

    def count(self, name: str) -> int:
        return int(self.counts.get(name, 0) or 0)


class SharedRun:
    """The Redis side of one run, seen from one worker (`worker`)."""

    def __init__(
        self,
        client: Redis,
        spider: str,
        run: str,
        *,
        worker: str = "",
        lease: float = 60.0,
        ttl: int = 86400,
        prefix: str = KEY_PREFIX,
    ) -> None:
        self.client = client
        self.spider = spider
        self.run = run
        self.worker = worker or worker_id()
        self.lease = lease
        self.ttl = ttl
        self.base = spider_prefix(spider, prefix)
        self.prefix = f"{self.base}:run:{run}"
        self.info = f"{self.prefix}:info"
        self.queue = f"{self.prefix}:queue"
        self.seen = f"{self.prefix}:seen"
        self.workers_key = f"{self.prefix}:workers"
        self.files = f"{self.prefix}:files"
        self.claims = f"{self.base}:claims"
        self._scripts = {
            name: client.register_script(text)
            for name, text in {
                "join": _JOIN,
                "enqueue": _ENQUEUE,
                "take": _TAKE,
                "ack": _ACK,
                "requeue": _REQUEUE,
                "reap": _REAP,
                "try_end": _TRY_END,
                "heartbeat": _HEARTBEAT,
                "leave": _LEAVE,
            }.items()
        }

    # Keys of one worker ------------------------------------------------------------------

    def alive_key(self, worker: str = "") -> str:
        return f"{self.base}:alive:{worker or self.worker}"

    def worker_key(self, worker: str = "") -> str:
        return f"{self.prefix}:worker:{worker or self.worker}"

    def inflight_key(self, worker: str = "") -> str:
        return f"{self.prefix}:inflight:{worker or self.worker}"

    def claims_key(self, worker: str = "") -> str:
        """The set of the article claims `worker` holds (see redis_state.py)."""
        return f"{self.base}:claims:{worker or self.worker}"

    def doubt_key(self, worker: str = "") -> str:
        """The articles a dead `worker` had claimed and not confirmed: it may have written
        them (see redis_state.py), kept for `DOUBT_TTL` seconds."""
        return f"{self.base}:doubt:{worker or self.worker}"

    @property
    def lease_ms(self) -> int:
        return max(1, round(self.lease * 1000))

    # Joining and leaving -----------------------------------------------------------------

    def join(self, args: dict[str, Any]) -> bool:
        """Join the run (starting it when nobody has): True when this worker started it.
        `RunOver` when it already ended, `ArgumentsDiffer` when it crawls with other
        `args`."""
        text = json.dumps(args, sort_keys=True)
        outcome, detail = self._scripts["join"](
            keys=[
                self.info,
                self.workers_key,
                self.alive_key(),
                self.worker_key(),
                f"{self.base}:latest",
            ],
            args=[
                self.worker,
                text,
                now(),
                self.lease_ms,
                socket.gethostname(),
                os.getpid(),
                self.run,
            ],
        )
        outcome = outcome.decode()
        if outcome == "ended":
            raise RunOver(time.strftime("%Y-%m-%d %H:%M:%S UTC", time.gmtime(float(detail))))
        if outcome == "args":
            raise ArgumentsDiffer(detail.decode())
        self.heartbeat()
        return outcome == "started"

    def heartbeat(self, extra_keys: Iterable[str] = ()) -> None:
        """Renew this worker's lease and the run's expiry; `LeaseLost` when it was reaped."""
        keys = [self.info, self.queue, self.seen, self.workers_key, self.files]
        keys += [self.worker_key(), self.inflight_key(), *extra_keys]
        renewed = self._scripts["heartbeat"](
            keys=[self.workers_key, self.alive_key(), self.worker_key()],
            args=[self.worker, self.lease_ms, now(), self.ttl, *keys],
        )
        if renewed == -2:
            raise LeaseLost(self.gone())
        if renewed != 1:
            raise LeaseLost(
                f"worker {self.worker} lost its lease on run {self.run}: no heartbeat for more "
                f"than {self.lease:g} s, its requests went back to the queue"
            )

    def gone(self) -> str:
        """Why a worker that Redis does not know must stop."""
        return (
            f"run {self.run} is gone from Redis, with this worker's requests (was Redis "
            "restarted without persistence?)"
        )

    def leave(self, status: str) -> None:
        """Stop working on the run: release the claims this worker holds, drop its lease and
        record `status` (unless it was reaped)."""
        self._scripts["leave"](
            keys=[self.workers_key, self.alive_key(), self.claims, self.claims_key()],
            args=[self.worker, status],
        )

    # The queue ---------------------------------------------------------------------------

    def enqueue(self, fingerprint: bytes | None, priority: int, payload: bytes) -> int:
        """Queue a request unless its fingerprint was seen in this run (`None`: never
        filtered): 1 queued, 0 seen before, -1 the run has ended."""
        return int(
            self._scripts["enqueue"](
                keys=[self.info, self.seen, self.queue],
                args=[fingerprint or b"", -priority, payload],
            )
        )

    def take(self) -> bytes | None:
        """The next request (`<id><payload>`), now in flight on this worker; None when the
        queue is empty; `LeaseLost` when this worker was reaped."""
        member = self._scripts["take"](
            keys=[self.queue, self.inflight_key(), self.workers_key, self.worker_key()],
            args=[self.worker],
        )
        if member == -2:
            raise LeaseLost(self.gone())
        if member == -1:
            raise LeaseLost(f"worker {self.worker} was reaped from run {self.run}")
        return member or None

    def ack(self, member: bytes) -> bool:
        """The request is finished: False when it was no longer in flight here (reaped)."""
        return bool(
            self._scripts["ack"](keys=[self.inflight_key(), self.worker_key()], args=[member])
        )

    def requeue(self, members: Iterable[bytes]) -> int:
        """Put requests this worker took and did not finish back in the queue."""
        members = list(members)
        if not members:
            return 0
        return int(
            self._scripts["requeue"](
                keys=[self.inflight_key(), self.queue, self.worker_key(), self.info],
                args=members,
            )
        )

    def in_flight_here(self) -> set[bytes]:
        """The requests Redis holds in flight on this worker."""
        return set(self.client.hkeys(self.inflight_key()))

    def reap(self) -> dict[str, tuple[int, int]]:
        """Reap the workers whose lease expired: worker -> (requests put back in the queue,
        articles in doubt: claimed and not confirmed, see `doubt_key`)."""
        reaped = self._scripts["reap"](
            keys=[self.workers_key, self.queue, self.info, self.claims],
            args=[self.base, self.prefix, DOUBT_TTL],
        )
        return {
            reaped[i].decode(): (int(reaped[i + 1]), int(reaped[i + 2]))
            for i in range(0, len(reaped), 3)
        }

    def try_end(self) -> bool:
        """End the run if the queue is empty and nothing is in flight; True when it has
        ended (now or before)."""
        return bool(
            self._scripts["try_end"](
                keys=[self.info, self.queue, self.workers_key, self.seen],
                args=[self.prefix, now()],
            )
        )

    # What the run did ---------------------------------------------------------------------

    def count(self, name: str, amount: int = 1, *, run: bool = False) -> None:
        """Add to a counter of this worker (or of the run)."""
        self.client.hincrby(self.info if run else self.worker_key(), name, amount)

    def mark_incomplete(self, why: str) -> None:
        """The run's listing passes cannot count as complete (the first reason stays)."""
        self.client.hsetnx(self.info, "incomplete", why)

    def note_file(self, path: str) -> None:
        """Remember an articles file a worker writes, as `host:path`."""
        self.client.sadd(self.files, f"{socket.gethostname()}:{path}")

    def info_fields(self) -> dict[str, str]:
        return {k.decode(): v.decode() for k, v in self.client.hgetall(self.info).items()}

    def queued(self) -> int:
        return int(self.client.zcard(self.queue))

    def workers(self) -> list[WorkerView]:
        """Every worker that joined the run, with its status, requests in flight and counts."""
        statuses = self.client.hgetall(self.workers_key)
        views = []
        for worker, status in sorted(statuses.items()):
            name = worker.decode()
            with self.client.pipeline(transaction=False) as pipe:
                pipe.hlen(self.inflight_key(name))
                pipe.hgetall(self.worker_key(name))
                in_flight, counts = pipe.execute()
            views.append(
                WorkerView(
                    name,
                    status.decode(),
                    int(in_flight),
                    {k.decode(): v.decode() for k, v in counts.items()},
                )
            )
        return views

    def file_list(self) -> list[str]:
        return sorted(member.decode() for member in self.client.smembers(self.files))
