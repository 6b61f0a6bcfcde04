"""Reading the output back: typed `Article`s from one or many JSON Lines files.

    import edunews_scraper
    articles = list(edunews_scraper.load("data/giaoducthoidai/*.jsonl"))

Every line is checked against the JSON Schema shipped in the package
(`edunews_scraper/schema/article.schema.json`); a bad line or a last line cut off mid-write
(a killed crawl) is reported through `on_problem` (default: a logged warning) and skipped.
Articles are de-duplicated by `id`; when an article was exported again because its content
changed, the most recently fetched version wins.
"""

from __future__ import annotations

import glob
import json
import logging
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime
from functools import cache
from importlib.resources import files
from pathlib import Path
from typing import Any

import jsonlines
from jsonschema import Draft202012Validator

from edunews_scraper.items import Article, Image

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Problem:
    """A line that is not a valid article."""

    path: Path
    line: int
    reason: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.reason}"


@cache
def schema() -> dict[str, Any]:
    """The JSON Schema of an articles feed line."""
    return json.loads(files("edunews_scraper").joinpath("schema/article.schema.json").read_text())


@cache
def _validator() -> Draft202012Validator:
    return Draft202012Validator(schema())


def _paths(sources: str | Path | Iterable[str | Path]) -> list[Path]:
    items = [sources] if isinstance(sources, str | Path) else list(sources)
    paths: list[Path] = []
    for item in items:
        matches = sorted(glob.glob(str(item))) if glob.has_magic(str(item)) else [str(item)]
        paths += [Path(match) for match in matches]
    return paths


def _truncated_tail(path: Path) -> bool:
    with path.open("rb") as file:
        file.seek(0, 2)
        if file.tell() == 0:
            return False
        file.seek(-1, 2)
        return file.read(1) != b"\n"


def check_file(path: Path) -> Iterator[tuple[int, dict[str, Any] | Problem]]:
    """(line number, valid record or `Problem`) for every non-blank line of `path`."""
    truncated = _truncated_tail(path)
    with path.open("rb") as file:
        lines = file.read().split(b"\n")
    if lines and not lines[-1]:
        lines.pop()
    reader = jsonlines.Reader(lines)
    for number in range(1, len(lines) + 1):
        try:
            record = reader.read(type=dict, allow_none=True)
        except jsonlines.InvalidLineError as error:
            cut = truncated and number == len(lines)
            reason = "last line cut off mid-write" if cut else f"not a JSON object: {error}"
            yield number, Problem(path, number, reason)
            continue
        if record is None:
            continue
        error = next(iter(sorted(_validator().iter_errors(record), key=str)), None)
        if error is not None:
            where = "/".join(map(str, error.absolute_path)) or "line"
            yield number, Problem(path, number, f"{where}: {error.message}")
        else:
            yield number, record


def to_article(record: dict[str, Any]) -> Article:
    """A schema-valid record as a typed `Article`."""
    values = dict(record)
    for name in ("published", "fetched_at"):
        values[name] = datetime.fromisoformat(values[name])
    values["updated"] = datetime.fromisoformat(values["updated"]) if values["updated"] else None
    values["images"] = [Image(**image) for image in values["images"]]
    return Article(**values)


def _warn(problem: Problem) -> None:
    logger.warning("Skipped %s", problem)


def load(
    sources: str | Path | Iterable[str | Path],
    on_problem: Callable[[Problem], None] = _warn,
) -> Iterator[Article]:
    """Typed articles from files, folders' globs or lists of them, each `id` once."""
    latest: dict[str, Article] = {}
    for path in _paths(sources):
        if not path.is_file():
            on_problem(Problem(path, 0, "no such file"))
            continue
        for _, result in check_file(path):
            if isinstance(result, Problem):
                on_problem(result)
                continue
            article = to_article(result)
            known = latest.get(article.id)
            if known is None or article.fetched_at >= known.fetched_at:
                latest[article.id] = article
    yield from latest.values()
