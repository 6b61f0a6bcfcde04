"""The crawl state in Redis at scale: memory per known article, and what the Redis side of
one article costs a worker.

    python -m bench.redis_state [--articles N] [--json PATH]

Starts a throwaway redis-server (no persistence), adds N articles (random 64-bit URL
fingerprints and content hashes, as `scrapy redis import` adds a local state) and reports:
Redis's own measures of their memory, `MEMORY USAGE` (each key with its value and overhead,
SAMPLES 0) and the growth of `INFO memory` used_memory, per article; how many buckets lost
the compact encoding (listpack); the import rate; and, on that state, the time of a
listing's known-article check (one lookup) and of an export's claim and confirmation, each a
round trip to Redis on loopback.
"""

from __future__ import annotations

import argparse
import json
import random
import tempfile
import time
from pathlib import Path
from typing import Any

from bench.redis_server import RedisServer
from edunews_scraper.redis_state import KnownArticles, RedisCrawlState
from edunews_scraper.sharedrun import SharedRun

SPIDER = "bench"
GOAL_BYTES = 32


def used_memory(client: Any) -> int:
    return int(client.info("memory")["used_memory"])


def measure(articles: int, samples: int = 2000) -> dict[str, Any]:
    """The figures for a state of `articles` known articles."""
    rng = random.Random(5)
    with tempfile.TemporaryDirectory() as folder, RedisServer(Path(folder)) as server:
        client = server.client()
        known = KnownArticles(client, f"edunews:{SPIDER}")
        before = used_memory(client)
        pairs = ((rng.getrandbits(64), rng.getrandbits(64)) for _ in range(articles))
        started = time.perf_counter()
        known.put_many(pairs, only_new=True, batch=1000)
        imported = time.perf_counter() - started
        after = used_memory(client)
        usage = known.memory_usage()
        buckets = known.buckets()
        with client.pipeline(transaction=False) as pipe:
            for index in range(buckets):
                pipe.object("encoding", f"edunews:{SPIDER}:known:{index}")
            loose = sum(1 for encoding in pipe.execute() if encoding != b"listpack")

        lookups = [rng.getrandbits(64) for _ in range(samples)]
        started = time.perf_counter()
        for key in lookups:
            known.lookup(key)
        lookup = (time.perf_counter() - started) / samples

        run = SharedRun(client, SPIDER, "bench", worker="bench:1")
        run.join({})
        state = RedisCrawlState.open(run, Path(folder) / "state")
        urls = [f"https://example.org/article-{n}.html" for n in range(samples)]
        started = time.perf_counter()
        for url in urls:
            state.claim(url, "0123456789abcdef")
            state.add([url], "0123456789abcdef")
        export = (time.perf_counter() - started) / samples
        started = time.perf_counter()
        for _ in range(samples):
            client.ping()
        ping = (time.perf_counter() - started) / samples
        state.close()
        client.close()
    return {
        "articles": articles,
        "buckets": buckets,
        "buckets_not_listpack": loose,
        "memory_usage_bytes_per_article": round(usage / articles, 2),
        "used_memory_bytes_per_article": round((after - before) / articles, 2),
        "import_articles_per_s": round(articles / imported),
        "lookup_us": round(lookup * 1e6, 1),
        "claim_and_confirm_us": round(export * 1e6, 1),
        "ping_us": round(ping * 1e6, 1),
    }


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=1_000_000)
    parser.add_argument("--json", type=Path, help="write the figures there too")
    args = parser.parse_args(argv)
    figures = measure(args.articles)
    for name, value in figures.items():
        print(f"{name:32} {value}")
    worst = max(figures["memory_usage_bytes_per_article"], figures["used_memory_bytes_per_article"])
    verdict = "met" if worst <= GOAL_BYTES else "MISSED"
    print(f"{'goal':32} <= {GOAL_BYTES} bytes per article: {verdict}")
    if args.json:
        args.json.write_text(json.dumps(figures, indent=2))


if __name__ == "__main__":
    main()
