"""Feed exporters with datetimes as ISO 8601 (`2018-05-10T21:35:00+07:00`), for every format a
data team asks for with `-o`/`-O` (registered in settings.py):

- `jsonlines` (`.jsonl`, `.jl`): one article per line, UTF-8, Vietnamese unescaped;
- `json`: one valid JSON array of the same objects;
- `csv`: one row per article; lists and images (`paragraphs`, `authors`, `tags`, `images`) as
  JSON in their cells, so they read back exactly (`json.loads(row["images"])`);
- `xml`: Scrapy's XML, datetimes with their offset.

Scrapy's own encoder writes datetimes without their offset; ours keeps it.
"""

from __future__ import annotations

import json
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import is_dataclass
from datetime import date, datetime
from typing import Any, TypeVar

from itemadapter import ItemAdapter
from scrapy.exporters import (
    CsvItemExporter,
    JsonItemExporter,
    JsonLinesItemExporter,
    XmlItemExporter,
)
from scrapy.utils.python import to_bytes
from scrapy.utils.serialize import ScrapyJSONEncoder

from edunews_scraper.items import Article, Reject

T = TypeVar("T")


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


def per_item(function: Callable[[Any], T], size: int = 64) -> Callable[[Any], T]:
    """`function` of an item, remembered for the last `size` items (by identity; they are
    held, so no other item takes their id): a crawl's validation pipeline, feed and coverage
    count each need the same item's JSON. Exported items are not changed afterwards."""
    recent: OrderedDict[int, tuple[Any, T]] = OrderedDict()

    def remembered(item: Any) -> T:
        known = recent.get(id(item))
        if known is not None and known[0] is item:
            return known[1]
        value = function(item)
        recent[id(item)] = (item, value)
        if len(recent) > size:
            recent.popitem(last=False)
        return value

    return remembered


@per_item
def json_text(item: Any) -> str:
    """An item as one JSON text, as the feed writes it. (Not through `ItemAdapter.asdict()`,
    which copies every nested value first: 5x slower.)"""
    return json.dumps(item, default=_plain, ensure_ascii=False)


def to_jsonable(item: Any) -> dict[str, Any]:
    """An item as the feed writes it, read back into plain JSON values."""
    return json.loads(json_text(item))


class JsonLinesExporter(JsonLinesItemExporter):
    """One item per line, UTF-8, Vietnamese unescaped, datetimes with their offset.

    Each line is flushed as soon as it is written: once `export_item` returns, the line is in
    the operating system's hands and survives the crawler being killed."""

    def __init__(self, file: Any, **kwargs: Any) -> None:
        kwargs.setdefault("ensure_ascii", False)
        super().__init__(file, **kwargs)
        self.encoder = IsoDateTimeEncoder(**self._kwargs)

    def export_item(self, item: Any) -> None:
        if self.fields_to_export is None and isinstance(item, Article | Reject):
            # Our items have no field serializers: their JSON as the encoder would write it.
            self.file.write(to_bytes(json_text(item) + "\n", self.encoding))
        else:
            super().export_item(item)
        self.file.flush()


class JsonExporter(JsonItemExporter):
    """One JSON array of items, UTF-8, Vietnamese unescaped, datetimes with their offset."""

    def __init__(self, file: Any, **kwargs: Any) -> None:
        kwargs.setdefault("ensure_ascii", False)
        super().__init__(file, **kwargs)
        self.encoder = IsoDateTimeEncoder(**self._kwargs)


class CsvExporter(CsvItemExporter):
    """One row per item; a list or an object in a cell is written as JSON (`["Ngọc Lan"]`,
    `[{"url": ..., "caption": ...}]`), a datetime in ISO 8601 with its offset."""

    def serialize_field(self, field: Any, name: str, value: Any) -> Any:
        if isinstance(value, datetime | date):
            return value.isoformat()
        if value is None:
            return ""
        if isinstance(value, list | tuple | dict) or is_dataclass(value):
            return json.dumps(value, default=_plain, ensure_ascii=False)
        return super().serialize_field(field, name, value)


class XmlExporter(XmlItemExporter):
    """Scrapy's XML, with datetimes in ISO 8601 with their offset."""

    def serialize_field(self, field: Any, name: str, value: Any) -> Any:
        if isinstance(value, datetime | date):
            return value.isoformat()
        return super().serialize_field(field, name, value)
