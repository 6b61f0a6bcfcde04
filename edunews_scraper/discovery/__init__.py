"""Discovery beside the category pages: RSS feeds, news sitemaps and the article sitemaps of a
backfill (`spider.py`), the documents' formats (`documents.py`, `times.py`), what each source
showed in a run (`record.py`), which source broke (`verdict.py`, `monitor.py`)."""
