"""Pure parsing functions (no Scrapy): dates, text, authors, bylines, boilerplate, metadata."""
