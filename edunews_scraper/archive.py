"""Web archives (WARC 1.1, ISO 28500) of what a crawl fetched: written so that a killed run
leaves a readable file, read back as the responses the crawl received.

Writing: every exchange is a `response` record (status line, every header, the body as it came
off the wire: still gzip- or br-encoded when the server encoded it) and a `request` record
(method, path, `Host` and every header the crawl sent), each its own gzip member with its SHA-1
block and payload digests, both handed to the operating system in one `write` once complete.
A run killed at any moment, SIGKILL included, leaves whole records and at most a last one cut
off mid-write (the kernel may stop a large write part-way for a fatal signal); readers leave
such a record out (`read_responses` by its length, fastwarc's `verify_digests` by its digest).
Appending to an archive whose last record was cut off first cuts that record away.

Reading: `read_responses` yields the whole response records of an archive (or of a byte range
of it: `member_start` finds where the gzip member of a record begins) as `ArchivedResponse`s,
which make the `Response` Scrapy's HTTP download handler would have made.

Library: fastwarc (README: "Web archives" says why, with the measurements).
"""

from __future__ import annotations

import hashlib
import io
import logging
import os
import zlib
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from http import HTTPStatus
from pathlib import Path
from urllib.parse import urlsplit

from fastwarc import ArchiveIterator, GzipWriter, WarcRecord, WarcRecordType
from scrapy import Request
from scrapy.http import Headers, Response
from scrapy.responsetypes import responsetypes

logger = logging.getLogger(__name__)

#: File names of web archives: gzip-compressed per record, or plain.
SUFFIXES = (".warc.gz", ".warc")
#: A named field of our response records: the spider callback the page was fetched for
#: (`parse_article`, `parse_listing`), so re-extraction knows the article pages.
CALLBACK_FIELD = "Edunews-Callback"
#: Per-record gzip level: 3 costs 40% less CPU than 6 for 5% more bytes (README).
COMPRESSION_LEVEL = 3
#: Headers that describe how the body travelled, not what it is: Scrapy hands the body over
#: de-chunked, so a `Transfer-Encoding: chunked` kept in the record would make readers
#: de-chunk it again.
_TRANSPORT_ONLY = frozenset({b"transfer-encoding"})
_GZIP_MAGIC = b"\x1f\x8b\x08"


class ArchiveError(OSError):
    """An archive that cannot be written (the message says which and why)."""


def is_archive(path: Path) -> bool:
    return path.name.endswith(SUFFIXES)


def archive_files(source: Path | str) -> list[Path]:
    """The archive `source` names, or every archive in the folder `source` (and below it),
    in name order (runs' archives are named by their start time)."""
    path = Path(source)
    if path.is_dir():
        return sorted(p for p in path.rglob("*") if is_archive(p) and p.is_file())
    return [path] if path.is_file() and is_archive(path) else []


# Writing ---------------------------------------------------------------------------------


def _header_lines(headers: Headers, skip: frozenset[bytes] = frozenset()) -> bytes:
    return b"".join(
        b"%s: %s\r\n" % (name, value)
        for name, values in headers.items()
        if name.lower() not in skip
        for value in values
    )


def response_block(response: Response) -> tuple[bytes, bytes]:
    """The HTTP response as a WARC `response` record holds it, and its payload (the body)."""
    try:
        reason = HTTPStatus(response.status).phrase
    except ValueError:
        reason = ""
    protocol = response.protocol or "HTTP/1.1"
    head = f"{protocol} {response.status} {reason}".rstrip().encode("latin-1") + b"\r\n"
    return head + _header_lines(response.headers, _TRANSPORT_ONLY) + b"\r\n" + response.body, (
        response.body
    )


def request_block(request: Request) -> bytes:
    """The HTTP request as a WARC `request` record holds it."""
    parts = urlsplit(request.url)
    target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    head = f"{request.method} {target} HTTP/1.1\r\nHost: {parts.netloc}\r\n".encode("latin-1")
    return head + _header_lines(request.headers) + b"\r\n" + (request.body or b"")


def _member(
    record_type: WarcRecordType,
    fields: Mapping[str, str],
    date: datetime,
    block: bytes,
    payload: bytes | None = None,
) -> tuple[bytes, str]:
    """One record as a gzip member of its own, and its record id."""
    record = WarcRecord()
    record.init_headers(record_type)
    record.record_date = date
    for name, value in fields.items():
        record.headers[name] = value
    record.set_bytes_content(block)
    buffer = io.BytesIO()
    writer = GzipWriter(buffer, compression_level=COMPRESSION_LEVEL)
    digest = hashlib.sha1(payload).digest() if payload is not None else None
    record.write(writer, checksum_data=True, payload_digest=digest)
    writer.close()
    return buffer.getvalue(), record.record_id or ""


def exchange_records(
    request: Request,
    response: Response,
    fetched: datetime,
    callback: str = "",
    warcinfo_id: str = "",
) -> bytes:
    """The `response` and `request` records of one exchange, ready to append."""
    block, payload = response_block(response)
    fields = {"WARC-Target-URI": response.url, "Content-Type": "application/http; msgtype=response"}
    if response.ip_address is not None:
        fields["WARC-IP-Address"] = str(response.ip_address)
    if warcinfo_id:
        fields["WARC-Warcinfo-ID"] = warcinfo_id
    if callback:
        fields[CALLBACK_FIELD] = callback
    answered, response_id = _member(WarcRecordType.response, fields, fetched, block, payload)
    asked, _ = _member(
        WarcRecordType.request,
        {
            "WARC-Target-URI": request.url,
            "Content-Type": "application/http; msgtype=request",
            "WARC-Concurrent-To": response_id,
            **({"WARC-Warcinfo-ID": warcinfo_id} if warcinfo_id else {}),
        },
        fetched,
        request_block(request),
    )
    return answered + asked


def warcinfo_record(fields: Mapping[str, str], filename: str) -> tuple[bytes, str]:
    """The `warcinfo` record that opens an archive (software, format, crawl settings)."""
    text = "".join(f"{name}: {value}\r\n" for name, value in fields.items()).encode("utf-8")
    return _member(
        WarcRecordType.warcinfo,
        {"WARC-Filename": filename, "Content-Type": "application/warc-fields"},
        datetime.now(UTC),
        text,
    )


class ArchiveWriter:
    """Appends whole records to a `.warc.gz` file; each record reaches the file in one write
    (or is cut away again when a write fails), so a killed run leaves whole records."""

    def __init__(self, path: Path | str, info: Mapping[str, str]) -> None:
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.size = cut_partial_tail(self.path) if self.path.exists() else 0
        self.fd = os.open(self.path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)
        self.records = 0
        info_record, self.warcinfo_id = warcinfo_record(info, self.path.name)
        self._append(info_record)

    def write(self, request: Request, response: Response, fetched: datetime, callback: str) -> int:
        """Archive one exchange; the bytes it took. `ArchiveError` when the file cannot take
        it (a full disk): the file is left ending at its last whole record."""
        data = exchange_records(request, response, fetched, callback, self.warcinfo_id)
        self._append(data)
        self.records += 1
        return len(data)

    def _append(self, data: bytes) -> None:
        view = memoryview(data)
        try:
            while view:
                written = os.write(self.fd, view)
                view = view[written:]
        except OSError as error:
            os.ftruncate(self.fd, self.size)
            raise ArchiveError(f"{self.path}: {error.strerror or error}") from error
        self.size += len(data)

    def close(self) -> None:
        os.close(self.fd)


def member_end(file: io.BufferedIOBase, offset: int) -> int | None:
    """Where the gzip member starting at `offset` ends, or None when it is cut off."""
    file.seek(offset)
    inflater = zlib.decompressobj(zlib.MAX_WBITS | 16)
    consumed = 0
    while not inflater.eof:
        chunk = file.read(1 << 16)
        if not chunk:
            return None
        try:
            inflater.decompress(chunk)
        except zlib.error:
            return None
        consumed += len(chunk) - len(inflater.unused_data)
    return offset + consumed


def cut_partial_tail(path: Path) -> int:
    """Cut a record left half-written by a killed run off the end of the archive at `path`;
    its size after. `ArchiveError` for an archive damaged elsewhere: nothing is appended to
    it."""
    last = None
    try:
        for record in ArchiveIterator(str(path), parse_http=False):
            if record.reader.consume() != record.content_length:
                return _cut(path, record.stream_pos)
            last = record.stream_pos
    except OSError as error:
        raise ArchiveError(f"{path}: damaged ({error}); not appending to it") from error
    if last is None:
        return _cut(path, 0)
    with path.open("rb") as file:
        end = member_end(file, last)
    return _cut(path, last if end is None else end)


def _cut(path: Path, size: int) -> int:
    if path.stat().st_size != size:
        logger.warning("%s: cut off a record left half-written (from byte %d)", path, size)
        os.truncate(path, size)
    return size


# Reading ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class ArchivedResponse:
    """One archived response: what the download handler got, and where it is kept."""

    url: str
    status: int
    headers: dict[bytes, list[bytes]]
    body: bytes
    fetched_at: datetime
    callback: str  # the spider callback it was fetched for, "" when not recorded
    protocol: str | None
    path: Path
    offset: int

    def response(self, request: Request | None = None) -> Response:
        """The response as Scrapy's HTTP download handler builds it (the class chosen from
        the headers, the body still content-encoded for HttpCompressionMiddleware)."""
        headers = Headers(self.headers)
        cls = responsetypes.from_args(headers=headers, url=self.url, body=self.body)
        return cls(
            url=self.url,
            status=self.status,
            headers=headers,
            body=self.body,
            request=request or Request(self.url),
            protocol=self.protocol,
        )


def _archived(record: WarcRecord, path: Path, body: bytes) -> ArchivedResponse:
    headers: dict[bytes, list[bytes]] = {}
    for name, value in record.http_headers.items_bytes():
        headers.setdefault(name, []).append(value)
    status_line = record.http_headers.status_line or ""
    return ArchivedResponse(
        url=record.headers.get("WARC-Target-URI") or "",
        status=record.http_headers.status_code or 0,
        headers=headers,
        body=body,
        fetched_at=record.record_date,
        callback=record.headers.get(CALLBACK_FIELD) or "",
        protocol=status_line.split(" ", 1)[0] or None,
        path=path,
        offset=record.stream_pos,
    )


def read_responses(
    path: Path | str, start: int = 0, end: int | None = None, bodies: bool = True
) -> Iterator[ArchivedResponse]:
    """The whole HTTP response records of the archive at `path` that begin in bytes
    [`start`, `end`) (`start` must be where a record begins), in file order. A record cut
    off by a killed run, or a damaged stretch, ends the reading with a warning: nothing
    after it can be trusted. Without `bodies`, each `body` is b"" (an index pass)."""
    path = Path(path)
    with path.open("rb") as file:
        file.seek(start)
        records = ArchiveIterator(file, record_types=WarcRecordType.response)
        offset = start
        try:
            for record in records:
                offset = record.stream_pos
                if end is not None and offset >= end:
                    return
                if not record.is_http:
                    continue
                if bodies:
                    body = record.reader.read()
                    whole = len(body) == record.content_length
                else:
                    body = b""
                    whole = record.reader.consume() == record.content_length
                if not whole:
                    logger.warning(
                        "%s: the record at byte %d was cut off mid-write (a killed run): left out",
                        path,
                        offset,
                    )
                    return
                yield _archived(record, path, body)
        except OSError as error:
            logger.warning(
                "%s: damaged after the response at byte %d (%s): the rest is left out",
                path,
                offset,
                error,
            )


def read_response_at(path: Path | str, offset: int) -> ArchivedResponse:
    """The response record that begins at byte `offset` of the archive at `path`."""
    for archived in read_responses(path, offset):
        return archived
    raise ArchiveError(f"{path}: no whole response record at byte {offset}")


def member_start(file: io.BufferedIOBase, position: int, limit: int) -> int | None:
    """The first offset in [`position`, `limit`) where a gzip member holding a WARC record
    begins, or None. (Each record of our archives is its own member; a gzip magic number
    inside compressed data is told apart by inflating the start of what follows it.)"""
    while position < limit:
        file.seek(position)
        window = file.read(1 << 16)
        if not window:
            return None
        found = window.find(_GZIP_MAGIC)
        while found != -1 and position + found < limit:
            file.seek(position + found)
            head = file.read(1024)
            try:
                if zlib.decompressobj(zlib.MAX_WBITS | 16).decompress(head).startswith(b"WARC/"):
                    return position + found
            except zlib.error:
                pass
            found = window.find(_GZIP_MAGIC, found + 1)
        position += max(1, len(window) - len(_GZIP_MAGIC) + 1)
    return None


@dataclass(frozen=True)
class ArchivedPage:
    """Where one URL's newest archived response is kept; read when it is asked for."""

    path: Path
    offset: int
    fetched_at: datetime

    def response(self, request: Request | None = None) -> Response:
        return read_response_at(self.path, self.offset).response(request)


def newest_pages(files: list[Path], key: Callable[[str], str]) -> dict[str, ArchivedPage]:
    """`key(url)` -> the newest archived response of that URL over all `files` (an index
    pass: no body is kept)."""
    pages: dict[str, ArchivedPage] = {}
    for path in files:
        for archived in read_responses(path, bodies=False):
            known = pages.get(found := key(archived.url))
            if known is None or archived.fetched_at >= known.fetched_at:
                pages[found] = ArchivedPage(path, archived.offset, archived.fetched_at)
    return pages
