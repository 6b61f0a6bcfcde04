"""Custom `scrapy` commands: `crawl` (Scrapy's, checked up front and with a verdict), and for QA
`extract` (one saved page) and `fixture` (save, check, accept saved pages).

A user's mistake is one line on stderr and exit status 2 (see `edunews_scraper/cli.py`).
"""
