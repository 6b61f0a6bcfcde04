"""The persistent crawl state of one spider: which articles are already in the output (with a
hash of their content), and how far the last complete pass over each category went.

Files in ``<EDUNEWS_STATE_DIR>/<spider>/``:

- ``articles.bin``: a header (``EDUS``, format 2, record count, how many entries of
  ``feeds.txt`` it holds, CRC-32 of the rest), then the sorted 64-bit URL fingerprints, then
  the 64-bit content hashes in the same order (16 bytes an article URL; 1M URLs = 16 MB,
  loaded with one read).
- ``feeds.txt``: every local articles file the spider ever wrote to, one a line with its
  CRC-32, in order: the journal.
- ``watermarks.json``: per category, what the last complete pass covered (watermark.py),
  with a CRC-32.
- ``lock``: locked (``flock``) by the crawl that uses the state; holds its pid.

The outputs are the journal: an article counts as done once its complete line is in an
output file. A file is listed in ``feeds.txt`` (fsynced) before its first line is written.
Opening the state reads ``articles.bin``, then every complete line of the files listed after
those it holds, and folds them in; so a run killed at any moment (SIGKILL included) loses
nothing: what it wrote is known, what it did not finish writing is fetched again. A run
that ends folds its articles in once its feeds are fsynced. Files are replaced whole
(written aside, fsynced, renamed over).

A damaged ``articles.bin`` (cut, emptied, garbled: its length or checksum is wrong) is
rebuilt from the files of ``feeds.txt`` when all of them are still there; otherwise the
crawl refuses to start and names the repair command (``python -m edunews_scraper.state
repair``), never exporting everything again. A damaged ``watermarks.json`` is set aside
(the next run pages further, nothing is lost).
"""

from __future__ import annotations

import argparse
import fcntl
import json
import logging
import os
import struct
import sys
import zlib
from array import array
from bisect import bisect_left
from collections.abc import Iterable, Iterator, Mapping
from datetime import date
from enum import StrEnum
from pathlib import Path
from typing import Protocol

from edunews_scraper.atomic_files import fsync_folder, write_atomically
from edunews_scraper.urls import url_fingerprint
from edunews_scraper.watermark import ListingPass, Watermark

logger = logging.getLogger(__name__)

_MAGIC = b"EDUS"
_VERSION = 2
_HEADER = struct.Struct("<4sHHQQI")  # magic, version, 0, count, feeds folded in, CRC-32
_COUNTS = struct.Struct("<QQ")
_LEGACY_HEADER = struct.Struct("<4sQ")  # format 1: magic, count (no checksum, no journal)
_WATERMARKS_FORMAT = 1
#: Room the state folder must have, beyond a copy of articles.bin, for a run to start.
FREE_SPACE_MARGIN = 1 << 20
REPAIR = "python -m edunews_scraper.state repair"


class StateError(Exception):
    """A crawl state that cannot be used; the message says why and what to do."""


class StateLocked(StateError):
    """The state is in use by another crawl."""


def content_fingerprint(content_hash: str) -> int:
    """The 64-bit form of an article's hex `content_hash`."""
    return int(content_hash[:16], 16)


def complete_lines(path: Path) -> Iterator[dict]:
    """The JSON objects of a JSON Lines file, skipping a final line cut off mid-write and
    lines that are not JSON objects."""
    with path.open("rb") as file:
        for line in file:
            if not line.endswith(b"\n"):
                return
            try:
                record = json.loads(line)
            except ValueError:
                continue
            if isinstance(record, dict):
                yield record


def cut_tail(path: Path) -> int:
    """Remove a last line cut off mid-write (by a run that was killed) from `path`; the
    number of bytes removed."""
    with path.open("r+b") as file:
        size = file.seek(0, os.SEEK_END)
        position = size
        while position > 0:
            step = min(position, 1 << 16)
            file.seek(position - step)
            block = file.read(step)
            newline = block.rfind(b"\n")
            if newline >= 0:
                position = position - step + newline + 1
                break
            position -= step
        if position < size:
            file.truncate(position)
            file.flush()
            os.fsync(file.fileno())
        return size - position


def _feed_line(path: Path) -> str:
    text = str(path)
    return f"{zlib.crc32(text.encode()):08x} {text}\n"


class Claim(StrEnum):
    """What a crawl may do with an article it is about to export (`CrawlStateStore.claim`)."""

    NEW = "new"  # never exported: export it
    CHANGED = "changed"  # exported before with other content: export it again
    UNCHANGED = "unchanged"  # exported before with this very content: drop it
    TAKEN = "taken"  # another worker of a shared crawl is exporting it: drop it


class CrawlStateStore(Protocol):
    """What a crawl needs of its state. `CrawlState` keeps it in local files; a state shared
    by distributed workers (Redis) implements the same."""

    def __contains__(self, url: str) -> bool:
        """True when the article at `url` was exported before."""

    def claim(self, url: str, content_hash: str) -> Claim:
        """Whether to export the article at `url` now; NEW and CHANGED reserve it for this
        crawl until `add` (or `release`)."""

    def release(self, url: str) -> None:
        """The claimed article was not written after all."""

    def add(self, urls: Iterable[str], content_hash: str) -> None:
        """Remember an article whose line is written (call it only then)."""

    def record_output(self, path: Path | str) -> None:
        """Note, durably and before anything is written to it, a file receiving articles."""

    def watermark(self, category: str) -> Watermark | None:
        """What the last complete pass over `category` covered, if any."""

    def listing_pass(
        self, category: str, previous: Watermark | None, since: date | None, max_pages: int | None
    ) -> ListingPass:
        """This run's pass over `category`'s listing (see watermark.py)."""

    def commit(self, watermarks: Mapping[str, Watermark]) -> None:
        """The run's feeds are durable: keep its articles, then these watermarks (of the
        passes it completed; none when it did not finish cleanly)."""

    def close(self) -> None:
        """Release the state (its lock)."""


class CrawlState:
    """Exported article URLs with their content hashes, and the categories' watermarks, in a
    folder of their own; cheap to hold and to load. Use `CrawlState.open`."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.keys = array("Q")
        self.hashes = array("Q")
        self.recent: dict[int, int] = {}
        #: Every articles file ever written (feeds.txt), and how many articles.bin holds.
        self.feeds: list[Path] = []
        self.folded = 0
        self.watermarks: dict[str, Watermark] = {}
        self._lock: int | None = None

    # Opening ---------------------------------------------------------------------------

    @classmethod
    def open(cls, folder: Path | str, *, lock: bool = True) -> CrawlState:
        """Load the state in `folder` (created if need be): lock it, check it, fold in the
        outputs of runs that did not end. `StateError` when it cannot be used."""
        state = cls(Path(folder))
        try:
            state.folder.mkdir(parents=True, exist_ok=True)
        except OSError as error:
            raise StateError(f"cannot create crawl state folder {folder}: {error}") from None
        if lock:
            state._take_lock()
        try:
            state._load()
        except BaseException:
            state.close()
            raise
        return state

    @property
    def _compacted_path(self) -> Path:
        return self.folder / "articles.bin"

    @property
    def _feeds_path(self) -> Path:
        return self.folder / "feeds.txt"

    @property
    def _watermarks_path(self) -> Path:
        return self.folder / "watermarks.json"

    def _take_lock(self) -> None:
        path = self.folder / "lock"
        try:
            descriptor = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
        except OSError as error:
            raise StateError(
                f"crawl state folder {self.folder} is not writable ({error.strerror})"
            ) from None
        try:
            fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            pid = os.pread(descriptor, 32, 0).decode("ascii", "replace").strip() or "?"
            os.close(descriptor)
            raise StateLocked(
                f"crawl state {self.folder} is in use: already running (pid {pid})"
            ) from None
        self._lock = descriptor
        try:
            os.ftruncate(descriptor, 0)
            os.pwrite(descriptor, f"{os.getpid()}\n".encode(), 0)
        except OSError as error:
            raise StateError(f"cannot write to crawl state folder {self.folder}: {error}") from None
        self._check_free_space()

    def _check_free_space(self) -> None:
        stats = os.statvfs(self.folder)
        free = stats.f_bavail * stats.f_frsize
        size = self._compacted_path.stat().st_size if self._compacted_path.exists() else 0
        needed = size + FREE_SPACE_MARGIN
        if free < needed:
            raise StateError(
                f"crawl state folder {self.folder} is full: {free} bytes free, saving the "
                f"state needs about {needed}"
            )

    def _load(self) -> None:
        self._read_feeds()
        problem = self._load_compacted()
        if problem:
            self._rebuild(problem)
        elif self.folded > len(self.feeds):
            raise self._refusal(
                f"{self._feeds_path.name} lists {len(self.feeds)} output files, "
                f"articles.bin holds {self.folded}"
            )
        self._load_watermarks()
        self._replay(self.feeds[self.folded :])
        self.compact()
        (self.folder / "outputs.txt").unlink(missing_ok=True)  # format 1's journal, now folded

    def _read_feeds(self) -> None:
        """feeds.txt, checked line by line; a last line cut off mid-write (nothing was
        written to its file yet) is dropped. Format 1's outputs.txt joins the journal."""
        if self._feeds_path.exists():
            data = self._feeds_path.read_bytes()
            lines = data.split(b"\n")
            if lines[-1]:
                logger.warning("%s: dropped a line cut off mid-write", self._feeds_path)
                write_atomically(self._feeds_path, data[: len(data) - len(lines[-1])])
            for number, line in enumerate(lines[:-1], 1):
                checksum, _, path = line.decode("utf-8", "replace").partition(" ")
                if f"{zlib.crc32(path.encode()):08x}" != checksum:
                    raise self._refusal(f"{self._feeds_path.name} line {number} is damaged")
                self.feeds.append(Path(path))
        legacy = self.folder / "outputs.txt"
        if legacy.exists():
            for line in legacy.read_text("utf-8", "replace").splitlines():
                if line:
                    self.record_output(line)

    def _load_compacted(self) -> str:
        """Read articles.bin; what is wrong with it ("" when nothing is)."""
        if not self._compacted_path.exists():
            return "articles.bin is missing" if self.feeds else ""
        data = self._compacted_path.read_bytes()
        if len(data) >= _HEADER.size:
            magic, version, _, count, folded, checksum = _HEADER.unpack_from(data)
            body = memoryview(data)[_HEADER.size :]
            if (
                magic == _MAGIC
                and version == _VERSION
                and len(body) == 16 * count
                and zlib.crc32(body, zlib.crc32(_COUNTS.pack(count, folded))) == checksum
            ):
                self._take_body(body, count)
                self.folded = folded
                return ""
        if len(data) >= _LEGACY_HEADER.size:
            magic, count = _LEGACY_HEADER.unpack_from(data)
            if magic == _MAGIC and len(data) == _LEGACY_HEADER.size + 16 * count:
                self._take_body(memoryview(data)[_LEGACY_HEADER.size :], count)
                return ""
        if not data:
            return "articles.bin is empty"
        return "articles.bin is damaged (its length or checksum is wrong)"

    def _take_body(self, body: memoryview, count: int) -> None:
        self.keys.frombytes(body[: 8 * count])
        self.hashes.frombytes(body[8 * count :])

    def _rebuild(self, problem: str) -> None:
        """Rebuild articles.bin from every output file, or refuse when some are gone."""
        files = list(dict.fromkeys(self.feeds))
        missing = [path for path in files if not path.exists()]
        if missing or not files:
            gone = (
                f"{len(missing)} of its {len(files)} output files are gone (first: {missing[0]})"
                if missing
                else "it lists no output files to rebuild it from"
            )
            raise self._refusal(f"{problem}, and {gone}")
        if self._compacted_path.exists():
            os.replace(self._compacted_path, self._compacted_path.with_suffix(".bin.damaged"))
            problem += " (kept as articles.bin.damaged)"
        self.keys, self.hashes, self.recent = array("Q"), array("Q"), {}
        self.folded = 0
        logger.warning(
            "Crawl state %s: %s; rebuilt from its %d output files",
            self.folder,
            problem,
            len(files),
        )

    def _refusal(self, problem: str) -> StateError:
        return StateError(
            f"crawl state {self.folder} cannot be trusted: {problem}. Nothing was crawled. "
            f"Rebuild it from the article files this spider wrote: {REPAIR} "
            f"{self.folder.absolute()} FILE_OR_FOLDER..."
        )

    def _replay(self, files: Iterable[Path]) -> None:
        """Fold in the complete lines of output files; cut off a line a killed run left
        unfinished (its writer is gone: the lock is ours)."""
        for path in dict.fromkeys(files):
            if not path.exists():
                continue  # a run killed before its first article
            try:
                removed = cut_tail(path) if self._lock is not None else 0
            except OSError as error:
                logger.warning("Could not cut an unfinished last line off %s: %s", path, error)
            else:
                if removed:
                    logger.warning(
                        "Removed a line cut off by an interrupted run from %s (%d bytes)",
                        path,
                        removed,
                    )
            self.add_records(complete_lines(path))

    def _load_watermarks(self) -> None:
        path = self._watermarks_path
        if not path.exists():
            return
        try:
            document = json.loads(path.read_bytes())
            categories = document["categories"]
            text = json.dumps(categories, sort_keys=True).encode()
            if document.get("format") != _WATERMARKS_FORMAT or zlib.crc32(text) != document.get(
                "crc32"
            ):
                raise ValueError("wrong format or checksum")
            self.watermarks = {
                category: Watermark.from_json(value) for category, value in categories.items()
            }
        except (ValueError, KeyError, TypeError, AttributeError) as error:
            aside = path.with_name("watermarks.json.damaged")
            os.replace(path, aside)
            self.watermarks = {}
            logger.warning(
                "Crawl state %s: watermarks.json is damaged (%s), kept as %s; the next runs "
                "page each category as far as their limits allow, skipping known articles",
                self.folder,
                error,
                aside.name,
            )

    # Articles --------------------------------------------------------------------------

    def outputs(self) -> list[Path]:
        """Output files written since articles.bin last folded the journal in."""
        return list(dict.fromkeys(self.feeds[self.folded :]))

    def record_output(self, path: Path | str) -> None:
        """Note, durably and before anything is written to it, that `path` receives articles."""
        resolved = Path(path).resolve()
        created = not self._feeds_path.exists()
        with self._feeds_path.open("a", encoding="utf-8") as file:
            file.write(_feed_line(resolved))
            file.flush()
            os.fsync(file.fileno())
        if created:
            fsync_folder(self.folder)
        self.feeds.append(resolved)

    def __len__(self) -> int:
        return len(self.keys) + sum(1 for key in self.recent if not self._in_compacted(key))

    def _in_compacted(self, key: int) -> bool:
        index = bisect_left(self.keys, key)
        return index < len(self.keys) and self.keys[index] == key

    def _hash_of(self, key: int) -> int | None:
        if key in self.recent:
            return self.recent[key]
        index = bisect_left(self.keys, key)
        if index < len(self.keys) and self.keys[index] == key:
            return self.hashes[index]
        return None

    def __contains__(self, url: str) -> bool:
        return self._hash_of(url_fingerprint(url)) is not None

    def is_unchanged(self, url: str, content_hash: str) -> bool:
        """True when `url` was exported before with this very content."""
        return self._hash_of(url_fingerprint(url)) == content_fingerprint(content_hash)

    def claim(self, url: str, content_hash: str) -> Claim:
        """NEW, CHANGED or UNCHANGED (one crawl holds the state: nothing is ever TAKEN)."""
        known = self._hash_of(url_fingerprint(url))
        if known is None:
            return Claim.NEW
        return Claim.UNCHANGED if known == content_fingerprint(content_hash) else Claim.CHANGED

    def release(self, url: str) -> None:
        """Nothing to release: claims matter only to a shared state."""

    def add(self, urls: Iterable[str], content_hash: str) -> None:
        """Remember an exported article under each of its URLs."""
        for url in urls:
            if url:
                self.recent[url_fingerprint(url)] = content_fingerprint(content_hash)

    def add_records(self, records: Iterable[dict]) -> int:
        """Remember the articles of output lines (those with a URL and a content hash); how
        many there were."""
        taken = 0
        for record in records:
            if isinstance(record.get("content_hash"), str):
                self.add(
                    (record.get("url", ""), record.get("canonical_url", "")), record["content_hash"]
                )
                taken += 1
        return taken

    def entries(self) -> Iterator[tuple[int, int]]:
        """Every (URL fingerprint, content hash) the state holds."""
        self.compact()
        return zip(self.keys, self.hashes, strict=True)

    def put_entries(self, entries: Iterable[tuple[int, int]]) -> None:
        """Remember (URL fingerprint, content hash) pairs, e.g. from a shared state."""
        for key, value in entries:
            self.recent[key] = value

    def compact(self) -> None:
        """Fold what was added, and every output file listed so far, into articles.bin."""
        if self.recent:
            self.keys, self.hashes = self._merged()
            self.recent = {}
        elif self.folded == len(self.feeds) and self._compacted_path.exists():
            return
        count, folded = len(self.keys), len(self.feeds)
        body = self.keys.tobytes() + self.hashes.tobytes()
        checksum = zlib.crc32(body, zlib.crc32(_COUNTS.pack(count, folded)))
        header = _HEADER.pack(_MAGIC, _VERSION, 0, count, folded, checksum)
        write_atomically(self._compacted_path, header + body)
        self.folded = folded

    def _merged(self) -> tuple[array, array]:
        keys, hashes = array("Q"), array("Q")
        start = 0
        for key in sorted(self.recent):
            index = bisect_left(self.keys, key, start)
            keys.extend(self.keys[start:index])
            hashes.extend(self.hashes[start:index])
            keys.append(key)
            hashes.append(self.recent[key])
            start = index + 1 if index < len(self.keys) and self.keys[index] == key else index
        keys.extend(self.keys[start:])
        hashes.extend(self.hashes[start:])
        return keys, hashes

    # Watermarks ------------------------------------------------------------------------

    def watermark(self, category: str) -> Watermark | None:
        """What the last complete pass over `category` covered, if any."""
        return self.watermarks.get(category)

    def listing_pass(
        self, category: str, previous: Watermark | None, since: date | None, max_pages: int | None
    ) -> ListingPass:
        return ListingPass(previous, since, max_pages)

    def commit(self, watermarks: Mapping[str, Watermark]) -> None:
        """Fold this run's articles in, then keep the watermarks of the passes it completed."""
        self.compact()
        if not watermarks:
            return
        self.watermarks.update(watermarks)
        categories = {name: mark.to_json() for name, mark in sorted(self.watermarks.items())}
        text = json.dumps(categories, sort_keys=True).encode()
        document = {
            "format": _WATERMARKS_FORMAT,
            "crc32": zlib.crc32(text),
            "categories": categories,
        }
        write_atomically(self._watermarks_path, json.dumps(document).encode())

    def close(self) -> None:
        """Release the lock (a process that dies releases it too)."""
        if self._lock is not None:
            os.close(self._lock)
            self._lock = None


def repair(folder: Path, outputs: Iterable[Path]) -> CrawlState:
    """Replace the state in `folder` by one rebuilt from the article lines of `outputs`
    (files, or folders searched for ``*.jsonl``/``*.jl``/``*.jsonlines``; the files that hold
    no article, such as rejects files, are left out of its journal); its watermarks are
    dropped, so the next run pages each category as far as its limits allow."""
    files: list[Path] = []
    for output in outputs:
        if output.is_dir():
            files += sorted(
                path
                for pattern in ("*.jsonl", "*.jl", "*.jsonlines")
                for path in output.rglob(pattern)
            )
        elif output.is_file():
            files.append(output)
        else:
            raise StateError(f"no such file or folder: {output}")
    folder.mkdir(parents=True, exist_ok=True)
    state = CrawlState(folder)
    state._take_lock()
    try:
        for path in dict.fromkeys(file.resolve() for file in files):
            if state.add_records(complete_lines(path)):
                state.feeds.append(path)
        for name in ("articles.bin", "watermarks.json", "outputs.txt"):
            (folder / name).unlink(missing_ok=True)
        write_atomically(state._feeds_path, "".join(map(_feed_line, state.feeds)).encode())
        state.compact()
    finally:
        state.close()
    return state


def main(argv: list[str] | None = None) -> int:
    """`python -m edunews_scraper.state repair STATE_FOLDER FILE_OR_FOLDER...`"""
    parser = argparse.ArgumentParser(
        prog="python -m edunews_scraper.state", description="Repair a spider's crawl state."
    )
    commands = parser.add_subparsers(dest="command", required=True)
    repairing = commands.add_parser(
        "repair",
        help="rebuild the state from the article files the spider wrote",
        description="Rebuild a spider's crawl state (e.g. data/state/giaoducthoidai) from the "
        "article files it wrote: files, or folders searched for *.jsonl, *.jl, *.jsonlines. "
        "Articles in files not given are exported again by the next run.",
    )
    repairing.add_argument("folder", type=Path, help="the spider's state folder")
    repairing.add_argument("outputs", type=Path, nargs="*", help="article files or folders")
    arguments = parser.parse_args(argv)
    try:
        state = repair(arguments.folder, arguments.outputs)
    except StateError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    print(f"{arguments.folder}: {len(state)} articles from {len(set(state.feeds))} file(s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
