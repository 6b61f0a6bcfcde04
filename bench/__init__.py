"""Benchmarks of edunews_scraper (issue 5): extraction, crawl, dates and memory.

`python bench/run.py` runs them all, `python bench/run.py --quick` a small version.
"""
