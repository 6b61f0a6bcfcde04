"""Local feed files that never pretend: every write goes straight to the operating system,
a failed write stops the crawl, and the files are fsynced before the run counts as done.

`DurableFeedStorage` is the storage of local feeds (`FEED_STORAGES` for plain paths and
`file://`). It opens a `DurableFile`: unbuffered, so a line is in the operating system's
hands (and survives the crawler being killed) once written. When a write fails (disk full,
`ulimit -f`, an I/O error) the file cuts itself back to its last complete line, writes
nothing more, and the `FeedDurability` extension logs one clear error and stops the run with
exit status 1 (see failure.py); the crawl state records only articles whose line was
written, so the next run fetches the others again. Closing the feed fsyncs the file and its
folder (a power cut cannot take back what the state counts as done).

Before a file receives its first line, `FeedDurability` tells its listeners (the crawl
state's journal, see incremental.py); a listener that fails fails the run the same way.
"""

from __future__ import annotations

import contextlib
import io
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

from scrapy import Spider
from scrapy.crawler import Crawler
from scrapy.extensions.feedexport import FileFeedStorage

from edunews_scraper.atomic_files import fsync_folder
from edunews_scraper.failure import fail_run

#: Called with a file's path and its feed options before the file is written to.
OpenListener = Callable[[Path, dict[str, Any]], None]


class DurableFile(io.RawIOBase):
    """A feed file written with one unbuffered write per call; after a failed write it is
    cut back to its last complete write and takes nothing more (`error` says why)."""

    def __init__(self, path: Path, append: bool, on_error: Callable[[DurableFile], None]) -> None:
        super().__init__()
        self.path = path
        flags = os.O_WRONLY | os.O_CREAT | os.O_CLOEXEC | (os.O_APPEND if append else os.O_TRUNC)
        self._descriptor = os.open(path, flags, 0o666)
        self.size = os.lseek(self._descriptor, 0, os.SEEK_END)
        #: Writes that reached the operating system whole.
        self.writes = 0
        #: Writes refused after the failure.
        self.dropped = 0
        self.error: OSError | None = None
        self._on_error = on_error

    def writable(self) -> bool:
        return True

    def fileno(self) -> int:
        return self._descriptor

    def write(self, data: Any) -> int:
        view = memoryview(data).cast("B")
        if self.error is not None:
            self.dropped += 1
            return len(view)
        done = 0
        try:
            while done < len(view):
                done += os.write(self._descriptor, view[done:])
        except OSError as error:
            self._fail(error)
            return len(view)
        self.size += done
        self.writes += 1
        return done

    def _fail(self, error: OSError) -> None:
        self.error = error
        with contextlib.suppress(OSError):  # readers skip a cut last line anyway
            os.ftruncate(self._descriptor, self.size)  # no half-written line stays behind
        self._on_error(self)

    def sync(self) -> None:
        """Flush the file and its folder entry to disk."""
        if self.error is not None or self.closed:
            return
        try:
            os.fsync(self._descriptor)
            fsync_folder(self.path.parent)
        except OSError as error:
            self.error = error
            self._on_error(self)

    def close(self) -> None:
        if not self.closed:
            os.close(self._descriptor)
        super().close()


class DurableFeedStorage(FileFeedStorage):
    """Scrapy's local file storage, writing through a `DurableFile`."""

    def __init__(
        self, uri: str, *, feed_options: dict[str, Any] | None = None, crawler: Crawler
    ) -> None:
        super().__init__(uri, feed_options=feed_options)
        self.feed_options = feed_options or {}
        self.crawler = crawler
        self.file: DurableFile | None = None

    @classmethod
    def from_crawler(
        cls, crawler: Crawler, uri: str, *, feed_options: dict[str, Any] | None = None
    ) -> DurableFeedStorage:
        return cls(uri, feed_options=feed_options, crawler=crawler)

    def open(self, spider: Spider) -> DurableFile:
        path = Path(self.path)
        path.parent.mkdir(parents=True, exist_ok=True)
        guard = self.crawler.get_extension(FeedDurability) or FeedDurability(self.crawler)
        guard.opening(path, self.feed_options)
        self.file = DurableFile(path, self.write_mode == "ab", guard.write_failed)
        if guard.failed:  # a listener could not note the file: it must take no line
            self.file.error = OSError(f"{path} was not opened: {guard.failed}")
        return self.file

    def store(self, file: Any) -> None:
        if isinstance(file, DurableFile):
            file.sync()
        file.close()


class FeedDurability:
    """Knows the durable feed files of a run, tells listeners before each is written to, and
    fails the run on the first write error."""

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        self.listeners: list[OpenListener] = []
        self.failed = ""

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> FeedDurability:
        return cls(crawler)

    def opening(self, path: Path, feed_options: dict[str, Any]) -> None:
        """A feed file is about to be opened: tell the listeners first."""
        for listener in self.listeners:
            try:
                listener(path, feed_options)
            except OSError as error:
                self._fail(
                    "state_write_failed",
                    f"Cannot note feed {path} in the crawl state ({error}): stopping the crawl "
                    "before anything is written to it",
                    f"the crawl state could not be written ({error.strerror})",
                )
                return

    def write_failed(self, file: DurableFile) -> None:
        error = file.error
        self._fail(
            "feed_write_failed",
            f"Cannot write to feed {file.path} ({error}): stopping the crawl. What is in "
            "the file is whole; the articles that are not are not recorded as done, and the "
            "next run fetches them again",
            f"feed {file.path} could not be written "
            f"({getattr(error, 'strerror', None) or error}); the next run fetches what is missing",
        )

    def _fail(self, reason: str, message: str, verdict: str) -> None:
        if not self.failed:
            self.failed = reason
            fail_run(self.crawler, reason, message, verdict)
