"""The giaoducthoidai spider pointed at the local fault site (`-a base=http://127.0.0.1:PORT`)."""

import re
from typing import Any

from edunews_scraper.spiders.giaoducthoidai import GiaoducthoidaiSpider


class FaultSiteSpider(GiaoducthoidaiSpider):
    name = "faultsite"
    allowed_domains = ["127.0.0.1"]
    article_url_pattern = re.compile(r"/[\w-]+-post\d+\.html$")

    def __init__(self, base: str = "", **kwargs: Any) -> None:
        self.categories = {"giao-duc": f"{base}/giao-duc/"}
        super().__init__(**kwargs)
