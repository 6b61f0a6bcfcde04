"""Custom `scrapy` commands for QA: `extract` (one saved page) and `fixture` (save, check,
accept saved pages)."""
