"""Run the benchmarks of issue 5 and print a table of figures and goals.

    python bench/run.py [--quick] [--json PATH] [-s NAME=VALUE ...] [--profile DIR]

1. Extraction: fixture articles through spider + pipelines, against lxml and trafilatura.
2. Crawl: a synthetic site over HTTP on 127.0.0.1, the full spider against a bare one, and
   `scrapy bench` on the same machine in the same run.
3. Dates: the fast path against dateparser.
4. Memory: peak RSS of full crawls of growing size, where a crawl's memory grows (the crawl
   state, or anything else: bench/growth.py); opening a 1M-URL crawl state.
5. Re-extraction: `scrapy reextract` with both cores over an archive of real-size synthetic
   article pages (bench/archive.py), against trafilatura in one process (bench/reextract.py).

`-s` overrides a setting of the benchmark crawls (to measure a proposed setting);
`--profile DIR` writes cProfile stats of the full and the bare crawl there.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

if __package__ in (None, ""):  # run as a script: python bench/run.py
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench import dates, extraction, growth, reextract
from bench.crawls import CrawlResult, run_crawl, scrapy_bench
from edunews_scraper.state import CrawlState


@dataclass(frozen=True)
class Preset:
    """How much work each benchmark does."""

    extraction_passes: int
    date_passes: int
    ratio_articles: int  # site size of the full-against-bare crawls
    ratio_repeats: int  # pairs of crawls; the fastest of each kind counts
    memory_articles: tuple[int, ...]  # site sizes of the peak-RSS crawls
    # Site sizes of the two crawls whose held memory is traced (None: not measured; below a few
    # thousand articles bounded caches and the peak number of tasks still grow with the crawl).
    traced_articles: tuple[int, int] | None
    bench_seconds: int  # scrapy bench's CLOSESPIDER_TIMEOUT
    state_urls: int  # size of the crawl state whose opening is timed
    archive_pages: int  # real-size pages in the re-extraction archive


PRESETS = {
    "full": Preset(
        30, 50, 10_000, 2, (1_000, 10_000, 100_000), (2_500, 10_000), 10, 1_000_000, 3_000
    ),
    "quick": Preset(6, 20, 1_000, 1, (1_000,), None, 3, 1_000_000, 300),
    "tiny": Preset(1, 1, 40, 1, (40,), (20, 40), 2, 1_000, 12),  # tests/test_bench.py
}

GOALS = {
    "extract_over_lxml": 2.5,  # at most
    "trafilatura_over_extract": 10,  # at least
    "crawl_over_bare": 1.3,  # at most
    "dateparser_over_fastpath": 50,  # at least
    "peak_rss_mb": 300,  # at most, at the largest crawl
    # Flat apart from the state: at most this many bytes an article grown elsewhere (10 MB at
    # 100k articles).
    "other_growth_bytes_per_article": 100,
    "reextract_pages_per_s": 300,  # at least, with both cores
    "reextract_over_trafilatura": 6,  # at least
}


def state_open_seconds(urls: int) -> float:
    """Seconds to open a compacted crawl state of `urls` articles."""
    with tempfile.TemporaryDirectory() as folder:
        state = CrawlState.open(folder)
        rng = random.Random(5)
        state.recent = {rng.getrandbits(64): rng.getrandbits(64) for _ in range(urls)}
        state.compact()
        state.close()
        started = time.perf_counter()
        opened = CrawlState.open(folder)
        elapsed = time.perf_counter() - started
        opened.close()
        assert len(opened) == len(state.keys)
    return elapsed


def crawl_benchmarks(
    preset: Preset, work: Path, overrides: dict[str, str], profile: Path | None
) -> dict[str, Any]:
    """Full against bare crawls (alternating), the memory crawls, and scrapy bench."""
    runs: dict[str, list[CrawlResult]] = {"full": [], "bare": []}
    for repeat in range(preset.ratio_repeats):
        for mode in ("bare", "full"):
            folder = work / f"{mode}-{preset.ratio_articles}-{repeat}"
            profile_file = profile / f"{mode}.prof" if profile and repeat == 0 else None
            runs[mode].append(
                run_crawl(preset.ratio_articles, mode, folder, overrides, profile=profile_file)
            )
    full = min(runs["full"], key=lambda run: run.seconds)
    bare = min(runs["bare"], key=lambda run: run.seconds)
    by_size = {}
    for articles in preset.memory_articles:
        same = [run for run in runs["full"] if run.articles_on_site == articles]
        run = same[0] if same else run_crawl(articles, "full", work / f"full-{articles}", overrides)
        by_size[str(articles)] = {
            "peak_rss_mb": round(run.peak_rss_mb, 1),
            "seconds": round(run.seconds, 1),
            "pages_per_min": round(run.pages_per_minute),
        }
    memory_growth = None
    if preset.traced_articles:
        held = []
        for articles in preset.traced_articles:
            traced = run_crawl(
                articles, "full", work / f"traced-{articles}", overrides, trace_memory=True
            )
            assert traced.held_bytes is not None, "the traced crawl reported no memory"
            held.append(traced.held_bytes)
        small, large = preset.traced_articles
        memory_growth = {
            "crawls": [small, large],
            "held_bytes": held,
            "bytes_per_article": growth.growth_per_article(*held, large - small),
        }
    full_cpu = min(run.cpu_seconds for run in runs["full"])
    bare_cpu = min(run.cpu_seconds for run in runs["bare"])
    return {
        "articles": preset.ratio_articles,
        "full_seconds": round(full.seconds, 2),
        "bare_seconds": round(bare.seconds, 2),
        "full_cpu_seconds": round(full_cpu, 2),
        "bare_cpu_seconds": round(bare_cpu, 2),
        "full_pages_per_min": round(full.pages_per_minute),
        "bare_pages_per_min": round(bare.pages_per_minute),
        "pages": full.pages,
        "crawl_over_bare": round(full.seconds / bare.seconds, 3),
        "crawl_over_bare_cpu": round(full_cpu / bare_cpu, 3),
        "peak_rss_mb": {size: figures["peak_rss_mb"] for size, figures in by_size.items()},
        "full_crawls_by_size": by_size,
        "memory_growth": memory_growth,
        "scrapy_bench_pages_per_min": scrapy_bench(preset.bench_seconds),
    }


def run(
    preset: Preset, overrides: dict[str, str] | None = None, profile: Path | None = None
) -> dict[str, Any]:
    """Every benchmark; the figures as a JSON-ready dict."""
    os.environ.setdefault("SCRAPY_SETTINGS_MODULE", "edunews_scraper.settings")
    started = time.perf_counter()
    extracted = extraction.measure(preset.extraction_passes)
    parsed = dates.measure(preset.date_passes)
    with tempfile.TemporaryDirectory(prefix="edunews-bench-") as work:
        crawled = crawl_benchmarks(preset, Path(work), overrides or {}, profile)
        load_before = os.getloadavg()[0]
        again = reextract.measure(preset.archive_pages, Path(work) / "reextract")
    return {
        "extract_over_lxml": round(extracted.extract_over_lxml, 3),
        "trafilatura_over_extract": round(extracted.trafilatura_over_extract, 3),
        "crawl_over_bare": crawled.pop("crawl_over_bare"),
        "dateparser_over_fastpath": round(parsed.dateparser_over_fastpath, 1),
        "peak_rss_mb": crawled.pop("peak_rss_mb"),
        "reextract_pages_per_s": round(again.pages_per_second, 1),
        "reextract_over_trafilatura": round(again.over_trafilatura, 2),
        "reextract": {
            "pages": again.pages,
            "articles": again.articles,
            "mean_page_kb": round(again.mean_page_kb, 1),
            "pages_above_300_kb": again.above_300_kb,
            "jobs": again.jobs,
            "seconds": round(again.seconds, 2),
            "cpu_ms_per_page": round(1000 * again.cpu_seconds / again.pages, 2),
            "trafilatura_pages": again.trafilatura_pages,
            "trafilatura_pages_per_s": round(again.trafilatura_pages_per_second, 1),
            "trafilatura_cpu_ms_per_page": round(
                1000 * again.trafilatura_cpu_seconds / again.trafilatura_pages, 2
            ),
            # What both cores give with no other load: jobs x pages per CPU second.
            "cpu_bound_pages_per_s": round(again.jobs * again.pages / again.cpu_seconds, 1),
            "load_average_before": round(load_before, 2),
        },
        "extraction": {
            "pages": extracted.pages,
            "articles": extracted.articles,
            "articles_per_second": round(extracted.articles_per_second, 1),
            "spider_ms_per_page": round(1000 * extracted.spider_seconds / extracted.pages, 3),
            "lxml_ms_per_page": round(1000 * extracted.lxml_seconds / extracted.pages, 3),
            "trafilatura_ms_per_page": round(
                1000 * extracted.trafilatura_seconds / extracted.pages, 3
            ),
        },
        "crawl": crawled,
        "dates": {
            "forms": parsed.forms,
            "fast_path_forms": parsed.fast_forms,
            "both_parse_and_agree": parsed.both_forms,
            "fast_us_per_form": round(1e6 * parsed.fast_seconds / parsed.fast_forms, 2),
            "dateparser_us_per_form": round(1e6 * parsed.dateparser_seconds / parsed.fast_forms),
        },
        "state_open_seconds": {
            str(preset.state_urls): round(state_open_seconds(preset.state_urls), 4)
        },
        "overrides": overrides or {},
        "wall_seconds": round(time.perf_counter() - started, 1),
    }


def _verdict(met: bool, detail: str) -> str:
    return ("met" if met else "MISSED") + (f" ({detail})" if detail else "")


def reextract_rows(figures: dict[str, Any]) -> list[tuple[str, str, str, str]]:
    """The re-extraction rows of the table."""
    again, rate = figures["reextract"], figures["reextract_pages_per_s"]
    ratio = figures["reextract_over_trafilatura"]
    return [
        (
            f"Re-extraction, {again['pages']:,} pages of {again['mean_page_kb']:.0f} KB",
            f"{again['cpu_ms_per_page']:.2f} / {again['trafilatura_cpu_ms_per_page']:.2f} ms CPU",
            "",
            "ours / trafilatura a page",
        ),
        (
            f"  reextract_pages_per_s ({again['jobs']} jobs)",
            f"{rate:,.0f} pages/s",
            ">= 300",
            _verdict(
                rate >= GOALS["reextract_pages_per_s"],
                f"{again['cpu_bound_pages_per_s']:,.0f} CPU-bound; load "
                f"{again['load_average_before']:.1f} before",
            ),
        ),
        (
            "  reextract_over_trafilatura (1 process)",
            f"{ratio:.1f}x",
            ">= 6x",
            _verdict(
                ratio >= GOALS["reextract_over_trafilatura"],
                f"trafilatura {again['trafilatura_pages_per_s']:,.1f} pages/s",
            ),
        ),
    ]


def table(figures: dict[str, Any]) -> str:
    """The figures and goals as a plain-text table."""
    ex, crawl, dt = figures["extraction"], figures["crawl"], figures["dates"]
    rss = figures["peak_rss_mb"]
    grown = crawl["memory_growth"]
    other = grown["bytes_per_article"]["other"] if grown else None
    sizes = sorted(rss, key=int)
    largest = rss[sizes[-1]]
    ratio = figures["extract_over_lxml"]
    slower = figures["trafilatura_over_extract"]
    crawl_ratio = figures["crawl_over_bare"]
    date_ratio = figures["dateparser_over_fastpath"]
    rows = [
        ("Extraction (spider + pipelines)", f"{ex['articles_per_second']:.0f} articles/s", "", ""),
        (
            "  per page: ours / lxml / trafilatura",
            f"{ex['spider_ms_per_page']:.2f} / {ex['lxml_ms_per_page']:.2f} / "
            f"{ex['trafilatura_ms_per_page']:.2f} ms",
            "",
            "",
        ),
        (
            "  extract_over_lxml",
            f"{ratio:.2f}x",
            "<= 2.5x",
            _verdict(ratio <= GOALS["extract_over_lxml"], f"{ratio / 2.5:.1f}x the goal"),
        ),
        (
            "  trafilatura_over_extract",
            f"{slower:.2f}x",
            ">= 10x",
            _verdict(slower >= GOALS["trafilatura_over_extract"], f"{slower / 10:.0%} of it"),
        ),
        (f"Crawl, {crawl['articles']:,} articles ({crawl['pages']:,} pages)", "", "", ""),
        (
            "  full: pipelines, feed, state",
            f"{crawl['full_seconds']:.1f} s, {crawl['full_pages_per_min']:,} pages/min",
            "",
            "",
        ),
        (
            "  bare: callback yields nothing",
            f"{crawl['bare_seconds']:.1f} s, {crawl['bare_pages_per_min']:,} pages/min",
            "",
            "",
        ),
        (
            "  crawl_over_bare",
            f"{crawl_ratio:.2f}x",
            "<= 1.3x",
            _verdict(
                crawl_ratio <= GOALS["crawl_over_bare"],
                f"CPU time: {crawl['crawl_over_bare_cpu']:.2f}x",
            ),
        ),
        (
            "  scrapy bench (same machine, same run)",
            f"{crawl['scrapy_bench_pages_per_min']:,.0f} pages/min",
            "",
            "",
        ),
        (
            f"Dates ({dt['fast_path_forms']} fast-path forms, {dt['both_parse_and_agree']} agree)",
            f"{dt['fast_us_per_form']:.1f} / {dt['dateparser_us_per_form']:,} us",
            "",
            "",
        ),
        (
            "  dateparser_over_fastpath",
            f"{date_ratio:.0f}x",
            ">= 50x",
            _verdict(date_ratio >= GOALS["dateparser_over_fastpath"], ""),
        ),
        *[
            (
                f"Peak RSS, crawl of {int(size):,} articles",
                f"{rss[size]:.0f} MB ({crawl['full_crawls_by_size'][size]['pages_per_min']:,}"
                " pages/min)",
                "",
                "",
            )
            for size in sizes
        ],
        (
            "Memory held per article"
            + (" (crawls of {:,} and {:,})".format(*grown["crawls"]) if grown else ""),
            f"state {grown['bytes_per_article']['state']:,} B, other {other:,} B"
            if grown
            else "not measured (--quick)",
            "",
            "",
        ),
        (
            "  peak_rss_mb",
            f"{largest:.0f} MB at {int(sizes[-1]):,}",
            "< 300 MB, flat",
            _verdict(
                largest < GOALS["peak_rss_mb"]
                and (other is None or other <= GOALS["other_growth_bytes_per_article"]),
                "flatness not measured"
                if other is None
                else f"apart from the state {other * 100_000 / 2**20:+.1f} MB per 100k articles",
            ),
        ),
        *[
            (f"Opening a crawl state of {int(urls):,} URLs", f"{seconds * 1000:.0f} ms", "", "")
            for urls, seconds in figures["state_open_seconds"].items()
        ],
        *reextract_rows(figures),
        ("Wall time of this run", f"{figures['wall_seconds']:.0f} s", "", ""),
    ]
    widths = [max(len(row[i]) for row in rows) for i in range(4)]
    header = ("benchmark", "measured", "goal", "verdict")
    lines = [header, tuple("-" * width for width in widths), *rows]
    return "\n".join(
        "  ".join(cell.ljust(width) for cell, width in zip(line, widths, strict=True)).rstrip()
        for line in lines
    )


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="a small version, under a minute")
    parser.add_argument("--json", type=Path, metavar="PATH", help="write the figures here")
    parser.add_argument(
        "-s",
        "--set",
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="override a setting of the benchmark crawls",
    )
    parser.add_argument("--profile", type=Path, metavar="DIR", help="cProfile the crawls")
    args = parser.parse_args(argv)
    if args.profile:
        args.profile = args.profile.resolve()
        args.profile.mkdir(parents=True, exist_ok=True)
    overrides = dict(item.split("=", 1) for item in args.set)
    figures = run(PRESETS["quick" if args.quick else "full"], overrides, args.profile)
    figures["preset"] = "quick" if args.quick else "full"
    print(table(figures))
    if args.json:
        args.json.write_text(json.dumps(figures, indent=2) + "\n", "utf-8")


if __name__ == "__main__":
    main()
