"""Reading the output back: typed `Article`s from one or many JSON Lines files.

    import edunews_scraper
    articles = list(edunews_scraper.load("data/giaoducthoidai/"))     # a folder, or
    articles = list(edunews_scraper.load("data/giaoducthoidai/*.jsonl"))  # a pattern

Sources are files, folders (their `*.jsonl`, `*.jl` and `*.jsonlines` files, not those of
sub-folders such as `rejects/`) and glob patterns, alone or in a list; one that names no file
raises `FileNotFoundError` (a typo never reads as "no articles"). Every line is checked
against the JSON Schema shipped in the package
(`edunews_scraper/schema/article.schema.json`); a bad line or a last line cut off mid-write
(a killed crawl) is reported through `on_problem` (default: a logged warning) and skipped.
A reject (a line with `url`, `site`, `reason` and `fetched_at` only, from a rejects feed) is
no bad article: it is passed over, and counted apart by `edunews-validate`.
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


@dataclass(frozen=True)
class RejectLine:
    """A line of a rejects feed: no article, and no bad one either."""

    path: Path
    line: int


@cache
def schema() -> dict[str, Any]:
    """The JSON Schema of an articles feed line."""
    return json.loads(files("edunews_scraper").joinpath("schema/article.schema.json").read_text())


@cache
def _validator() -> Draft202012Validator:
    return Draft202012Validator(schema())


#: What a feed file in a folder is called.
FEED_SUFFIXES = (".jsonl", ".jl", ".jsonlines")
#: The keys of a reject line (`Reject` in items.py).
REJECT_KEYS = frozenset({"url", "site", "reason", "fetched_at"})


def _feed_files(folder: Path) -> list[Path]:
    return sorted(p for p in folder.iterdir() if p.is_file() and p.name.endswith(FEED_SUFFIXES))


def feed_paths(sources: str | Path | Iterable[str | Path]) -> list[Path]:
    """The files `sources` name: files, folders (their feed files) and glob patterns, each
    once, in order. Raises `FileNotFoundError` for a source that names no file."""
    items = [sources] if isinstance(sources, str | Path) else list(sources)
    if not items:
        raise FileNotFoundError("no file named")
    paths: list[Path] = []
    for item in items:
        text = str(item)
        if glob.has_magic(text):
            matches = [Path(match) for match in sorted(glob.glob(text, recursive=True))]
            found = [f for m in matches for f in (_feed_files(m) if m.is_dir() else [m])]
            missing = f"{text}: the pattern matches no file"
        elif Path(text).is_dir():
            found = _feed_files(Path(text))
            missing = f"{text}: the folder holds no {'/'.join(FEED_SUFFIXES)} file"
        else:
            found = [Path(text)] if Path(text).is_file() else []
            missing = f"{text}: no such file"
        if not found:
            raise FileNotFoundError(missing)
        paths += [path for path in found if path not in paths]
    return paths


def is_reject(record: dict[str, Any]) -> bool:
    """True for a line of a rejects feed."""
    return record.keys() == REJECT_KEYS


def _truncated_tail(path: Path) -> bool:
    with path.open("rb") as file:
        file.seek(0, 2)
        if file.tell() == 0:
            return False
        file.seek(-1, 2)
        return file.read(1) != b"\n"


def check_file(path: Path) -> Iterator[tuple[int, dict[str, Any] | Problem | RejectLine]]:
    """(line number, valid record, `Problem` or `RejectLine`) for every non-blank line of
    `path`."""
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
        if is_reject(record):
            yield number, RejectLine(path, number)
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
    """Typed articles from files, folders, glob patterns or lists of them, each `id` once.
    Raises `FileNotFoundError` (at once, before reading anything) for a source that names no
    file."""
    return _load(feed_paths(sources), on_problem)


def _load(paths: list[Path], on_problem: Callable[[Problem], None]) -> Iterator[Article]:
    latest: dict[str, Article] = {}
    for path in paths:
        for _, result in check_file(path):
            if isinstance(result, RejectLine):
                continue
            if isinstance(result, Problem):
                on_problem(result)
                continue
            article = to_article(result)
            known = latest.get(article.id)
            if known is None or article.fetched_at >= known.fetched_at:
                latest[article.id] = article
    yield from latest.values()
