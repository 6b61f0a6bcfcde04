"""`scrapy redis ACTION SPIDER`: watch a distributed run, and move a crawl state between a
machine's folder and Redis (see distributed.py, sharedrun.py, redis_state.py).

    scrapy redis watch SPIDER [--run RUN] [--every SECONDS] [--once] [--files]
    scrapy redis import SPIDER [--state FOLDER]    local state -> Redis
    scrapy redis export SPIDER [--state FOLDER]    Redis -> local state
    scrapy redis memory SPIDER                     Redis memory of the known articles

Redis is `REDIS_URL` (setting or environment) or `--redis URL`; the local state folder is
`EDUNEWS_STATE_DIR/SPIDER` unless `--state` names another.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from redis import Redis
from redis.exceptions import RedisError
from scrapy.commands import ScrapyCommand
from scrapy.exceptions import UsageError

from edunews_scraper.distributed import connect, setting_or_env
from edunews_scraper.redis_state import KnownArticles, export_state, import_state
from edunews_scraper.sharedrun import KEY_PREFIX, SharedRun, latest_run, spider_prefix
from edunews_scraper.state import StateError

ACTIONS = ("watch", "import", "export", "memory")


def _age(seconds: float) -> str:
    if seconds < 60:
        return f"{seconds:.1f} s"
    if seconds < 3600:
        return f"{seconds / 60:.0f} min"
    return f"{seconds / 3600:.1f} h"


def run_report(run: SharedRun, known: KnownArticles, files: bool = False) -> tuple[str, bool]:
    """What the run is doing, as text, and whether it has ended."""
    info = run.info_fields()
    if not info:
        return f"No run {run.run} of {run.spider} in Redis (never started, or expired).", True
    now = time.time()
    started = float(info.get("started", now))
    ended = info.get("ended")
    workers = run.workers()
    state = (
        f"ended after {_age(float(ended) - started)}"
        if ended
        else f"running for {_age(now - started)}"
    )
    when = time.strftime("%Y-%m-%d %H:%M:%S UTC", time.gmtime(started))
    in_flight = sum(worker.in_flight for worker in workers)
    lines = [
        f"Run {run.run} of {run.spider}: {state} (started {when}; {len(workers)} worker(s))",
        f"  queue {run.queued()}, in flight {in_flight}; requests queued in all "
        f"{info.get('requests', 0)}, put back from dead workers {info.get('requeued', 0)}, "
        f"articles in doubt {info.get('in_doubt', 0)}",
        f"  listing pages {info.get('listing_pages', 0)}, articles "
        f"{sum(worker.count('articles') for worker in workers)}; known articles in Redis "
        f"{known.count()}",
    ]
    if info.get("incomplete"):
        lines.append(f"  its passes are not complete: {info['incomplete']}")
    header = ("worker", "status", "in flight", "taken", "done", "articles", "rejects", "requeued")
    rows = [(*header, "heartbeat")]
    for worker in workers:
        beat = float(worker.counts.get("beat", now))
        rows.append(
            (
                worker.worker,
                worker.status,
                str(worker.in_flight),
                *(str(worker.count(name)) for name in header[3:]),
                f"{_age(now - beat)} ago",
            )
        )
    widths = [max(len(row[column]) for row in rows) for column in range(len(rows[0]))]
    for row in rows:
        cells = [row[0].ljust(widths[0]), row[1].ljust(widths[1])]
        cells += [cell.rjust(width) for cell, width in zip(row[2:], widths[2:], strict=True)]
        lines.append("  " + "  ".join(cells))
    if files:
        lines.append("  articles files (host:path):")
        lines += [f"    {name}" for name in run.file_list()] or ["    (none yet)"]
    return "\n".join(lines), bool(ended)


class Command(ScrapyCommand):
    requires_project = True
    requires_crawler_process = False
    default_settings = {"LOG_LEVEL": "WARNING"}

    def syntax(self) -> str:
        return f"{{{','.join(ACTIONS)}}} SPIDER [options]"

    def short_desc(self) -> str:
        return "Watch a distributed run; move a crawl state into Redis and back"

    def long_desc(self) -> str:
        return __doc__ or ""

    def add_options(self, parser: argparse.ArgumentParser) -> None:
        super().add_options(parser)
        parser.add_argument("action", choices=ACTIONS)
        parser.add_argument("spider")
        parser.add_argument("--redis", metavar="URL", help="Redis (default: REDIS_URL)")
        parser.add_argument("--run", help="watch: the run id (default: the latest run)")
        parser.add_argument("--every", type=float, default=2.0, help="watch: seconds (2)")
        parser.add_argument("--once", action="store_true", help="watch: print once and stop")
        parser.add_argument("--files", action="store_true", help="watch: list articles files")
        parser.add_argument(
            "--state",
            type=Path,
            help="import/export: the local state folder (default: EDUNEWS_STATE_DIR/SPIDER)",
        )

    def run(self, args: list[str], opts: argparse.Namespace) -> None:
        url = opts.redis or setting_or_env(self.settings, "REDIS_URL")
        if not url:
            raise UsageError("no Redis: set REDIS_URL or give --redis URL")
        client = connect(url)
        base = spider_prefix(opts.spider, KEY_PREFIX)
        folder = opts.state or Path(self.settings["EDUNEWS_STATE_DIR"]) / opts.spider
        try:
            if opts.action == "watch":
                self.watch(client, opts)
            elif opts.action == "memory":
                known = KnownArticles(client, base)
                count, used = known.count(), known.memory_usage()
                each = f"{used / count:.1f} bytes each" if count else "none yet"
                print(
                    f"{opts.spider}: {count} known articles in {known.buckets()} buckets, "
                    f"{used} bytes of Redis memory (MEMORY USAGE): {each}"
                )
            elif opts.action == "import":
                read, added = import_state(client, base, folder)
                print(
                    f"{folder}: {read} articles read, {added} new to Redis ({url}); "
                    f"{KnownArticles(client, base).count()} known there now"
                )
            else:
                total = export_state(client, base, folder)
                print(f"{folder}: {total} articles known locally after the export from {url}")
        except StateError as error:
            print(f"error: {error}", file=sys.stderr)
            self.exitcode = 1
        except RedisError as error:
            print(f"error: Redis at {url}: {error}", file=sys.stderr)
            self.exitcode = 1

    def watch(self, client: Redis, opts: argparse.Namespace) -> None:
        run_id = opts.run or latest_run(client, opts.spider)
        if run_id is None:
            print(f"No run of {opts.spider} in Redis yet.")
            return
        run = SharedRun(client, opts.spider, run_id)
        known = KnownArticles(client, run.base)
        redraw = sys.stdout.isatty() and not opts.once
        while True:
            text, ended = run_report(run, known, opts.files)
            print(("\033[H\033[J" if redraw else "") + text, flush=True)
            if opts.once or ended:
                return
            try:
                time.sleep(opts.every)
            except KeyboardInterrupt:
                return
            if not redraw:
                print()
