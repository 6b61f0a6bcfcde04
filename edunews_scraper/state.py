"""The persistent crawl state of one spider: which articles are already in the output, and a
hash of their content.

Files in ``<EDUNEWS_STATE_DIR>/<spider>/``:

- ``articles.bin``: ``EDUS`` + record count, then the sorted 64-bit URL fingerprints, then
  the 64-bit content hashes in the same order (16 bytes an article URL; 1M URLs = 16 MB,
  loaded with one read).
- ``outputs.txt``: the feed files written since ``articles.bin`` was last compacted.

The output is the journal: an article counts as done once its complete line is in an output
file. Opening the state reads ``articles.bin`` and then every complete line of the files in
``outputs.txt``, so a run killed at any moment (SIGKILL included) loses nothing: what it wrote
is known, what it did not finish writing is fetched again. A clean close compacts the run into
``articles.bin`` (written aside, then renamed over) and empties ``outputs.txt``.
"""

from __future__ import annotations

import hashlib
import json
import os
import struct
from array import array
from bisect import bisect_left
from collections.abc import Iterable, Iterator
from functools import lru_cache
from pathlib import Path

from w3lib.url import canonicalize_url

_MAGIC = b"EDUS"
_HEADER = struct.Struct("<4sQ")


@lru_cache(maxsize=1024)  # an exported article's URL is checked, then recorded, in a row
def url_fingerprint(url: str) -> int:
    """A 64-bit fingerprint of the canonicalised URL (collisions: ~1 in 3e7 at 1M URLs)."""
    digest = hashlib.sha1(canonicalize_url(url, keep_fragments=False).encode()).digest()
    return int.from_bytes(digest[:8], "little")


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


def _fsync_write(path: Path, data: bytes) -> None:
    """Write `data` to `path` atomically: aside, flushed to disk, then renamed over."""
    temporary = path.with_name(path.name + ".tmp")
    with temporary.open("wb") as file:
        file.write(data)
        file.flush()
        os.fsync(file.fileno())
    os.replace(temporary, path)
    directory = os.open(path.parent, os.O_RDONLY)
    try:
        os.fsync(directory)
    finally:
        os.close(directory)


class CrawlState:
    """Exported article URLs with their content hashes; cheap to hold and to load."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.keys = array("Q")
        self.hashes = array("Q")
        self.recent: dict[int, int] = {}

    @classmethod
    def open(cls, folder: Path | str) -> CrawlState:
        """Load the state in `folder` (created if need be), outputs of unfinished runs included."""
        state = cls(Path(folder))
        state.folder.mkdir(parents=True, exist_ok=True)
        state._load_compacted()
        for output in state.outputs():
            if output.exists():
                state.add_records(complete_lines(output))
        return state

    @property
    def _compacted_path(self) -> Path:
        return self.folder / "articles.bin"

    @property
    def _outputs_path(self) -> Path:
        return self.folder / "outputs.txt"

    def _load_compacted(self) -> None:
        if not self._compacted_path.exists():
            return
        data = self._compacted_path.read_bytes()
        magic, count = _HEADER.unpack_from(data) if len(data) >= _HEADER.size else (b"", 0)
        if magic != _MAGIC or len(data) != _HEADER.size + 16 * count:
            raise ValueError(f"{self._compacted_path} is not a crawl state file")
        body = memoryview(data)[_HEADER.size :]
        self.keys.frombytes(body[: 8 * count])
        self.hashes.frombytes(body[8 * count :])

    def outputs(self) -> list[Path]:
        """Output files written since the last compaction."""
        if not self._outputs_path.exists():
            return []
        lines = self._outputs_path.read_text("utf-8").splitlines()
        return [Path(line) for line in dict.fromkeys(lines) if line]

    def record_output(self, path: Path | str) -> None:
        """Note, durably and before anything is written to it, that `path` receives articles."""
        with self._outputs_path.open("a", encoding="utf-8") as file:
            file.write(f"{Path(path).resolve()}\n")
            file.flush()
            os.fsync(file.fileno())

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

    def add(self, urls: Iterable[str], content_hash: str) -> None:
        """Remember an exported article under each of its URLs."""
        for url in urls:
            if url:
                self.recent[url_fingerprint(url)] = content_fingerprint(content_hash)

    def add_records(self, records: Iterable[dict]) -> None:
        """Remember the articles of output lines (those with a URL and a content hash)."""
        for record in records:
            if isinstance(record.get("content_hash"), str):
                self.add(
                    (record.get("url", ""), record.get("canonical_url", "")), record["content_hash"]
                )

    def compact(self) -> None:
        """Fold what was added into articles.bin, then forget the outputs it came from."""
        if self.recent:
            self.keys, self.hashes = self._merged()
            self.recent = {}
            header = _HEADER.pack(_MAGIC, len(self.keys))
            _fsync_write(self._compacted_path, header + self.keys.tobytes() + self.hashes.tobytes())
        self._outputs_path.unlink(missing_ok=True)

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
