"""The giaoducthoidai spider pointed at the synthetic site of bench/site.py
(`-a base=http://127.0.0.1:PORT`), for crawls in a process of their own."""

from bench.crawl import SiteSpider


class SyntheticSiteSpider(SiteSpider):
    name = "synthetic"
