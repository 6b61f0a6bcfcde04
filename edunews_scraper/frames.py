"""Articles as a pandas DataFrame, ready for Parquet (needs the `data` extra:
`pip install -e ".[data]"`):

    import edunews_scraper
    frame = edunews_scraper.frame("data/giaoducthoidai/")      # files, folders or patterns
    frame.to_parquet("giaoducthoidai.parquet")

One row per article (de-duplicated as `load` does), the columns of the articles feed in its
order; `published`, `updated` and `fetched_at` are tz-aware datetimes in GMT+07; `authors`,
`paragraphs` and `tags` are lists of strings and `images` a list of `{url, caption}` dicts,
which Parquet stores as lists and structs.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import fields
from pathlib import Path
from typing import TYPE_CHECKING

from edunews_scraper.exporters import to_jsonable
from edunews_scraper.items import Article
from edunews_scraper.loader import Problem, _warn, load

if TYPE_CHECKING:
    import pandas as pd

COLUMNS = [field.name for field in fields(Article)]
DATETIMES = ("published", "updated", "fetched_at")


def frame(
    sources: str | Path | Iterable[str | Path],
    on_problem: Callable[[Problem], None] = _warn,
) -> pd.DataFrame:
    """The articles of `sources` (see `load`) as a DataFrame with tz-aware datetimes."""
    try:
        import pandas as pd
    except ImportError:  # pragma: no cover - depends on the installation
        raise ImportError('edunews_scraper.frame needs pandas: pip install -e ".[data]"') from None
    records = [to_jsonable(article) for article in load(sources, on_problem)]
    table = pd.DataFrame.from_records(records, columns=COLUMNS)
    for column in DATETIMES:
        table[column] = pd.to_datetime(table[column], format="ISO8601").dt.tz_convert("+07:00")
    return table
