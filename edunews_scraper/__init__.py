"""edunews_scraper: Vietnamese education news as typed JSON Lines (see README.md)."""

from edunews_scraper.frames import frame
from edunews_scraper.items import Article, Image
from edunews_scraper.loader import load

__all__ = ["Article", "Image", "frame", "load"]
