"""JSON Lines export with datetimes as ISO 8601 (`2018-05-10T21:35:00+07:00`).

Scrapy's own encoder writes datetimes without their offset; ours keeps it. Registered for the
`jsonlines` format in settings.py, so `-O out.jsonl` uses it too.
"""

from __future__ import annotations

import json
from dataclasses import is_dataclass
from datetime import date, datetime
from typing import Any

from itemadapter import ItemAdapter
from scrapy.exporters import JsonLinesItemExporter
from scrapy.utils.serialize import ScrapyJSONEncoder


class IsoDateTimeEncoder(ScrapyJSONEncoder):
    """ScrapyJSONEncoder, with dates and datetimes in ISO 8601."""

    def default(self, o: Any) -> Any:
        if isinstance(o, datetime | date):
            return o.isoformat()
        return super().default(o)


def _plain(value: Any) -> Any:
    """What `json` cannot encode itself: dataclass items as their fields (one level: `json`
    recurses), other items through ItemAdapter, dates and datetimes in ISO 8601."""
    if isinstance(value, datetime | date):
        return value.isoformat()
    if is_dataclass(value) and not isinstance(value, type):
        return vars(value)
    return ItemAdapter(value).asdict()


def to_jsonable(item: Any) -> dict[str, Any]:
    """An item as the feed writes it, read back into plain JSON values. (Not through
    `ItemAdapter.asdict()`, which copies every nested value first: 5x slower.)"""
    return json.loads(json.dumps(item, default=_plain, ensure_ascii=False))


class JsonLinesExporter(JsonLinesItemExporter):
    """One item per line, UTF-8, Vietnamese unescaped, datetimes with their offset.

    Each line is flushed as soon as it is written: once `export_item` returns, the line is in
    the operating system's hands and survives the crawler being killed."""

    def __init__(self, file: Any, **kwargs: Any) -> None:
        kwargs.setdefault("ensure_ascii", False)
        super().__init__(file, **kwargs)
        self.encoder = IsoDateTimeEncoder(**self._kwargs)

    def export_item(self, item: Any) -> None:
        super().export_item(item)
        self.file.flush()
