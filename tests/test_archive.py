"""Web archives written and read back: whole records only, whatever cut the file short, a
full disk included; re-extraction of an archive made of the fixtures."""

from __future__ import annotations

import dataclasses
import gzip
import logging
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest
from fastwarc import ArchiveIterator, WarcRecordType
from scrapy import Request
from scrapy.http import HtmlResponse, Response
from scrapy.utils.project import get_project_settings

from bench import archive as bench_archive
from edunews_scraper import reextraction
from edunews_scraper.archive import (
    ArchiveError,
    ArchiveWriter,
    newest_pages,
    read_response_at,
    read_responses,
)
from edunews_scraper.archived_fixture import archived_fixture
from edunews_scraper.fixtures import Fixture, find_fixtures
from edunews_scraper.items import RawArticle
from edunews_scraper.offline import OfflineRunner, spider_class
from edunews_scraper.reextraction import plan, reextract
from edunews_scraper.spiders.news import NewsSpider
from tests.conftest import FIXTURES, read_jsonl, rejects_of

WHEN = datetime(2026, 11, 30, 8, 0, tzinfo=UTC)
INFO = {"software": "tests"}


def articles(spider: str = "giaoducthoidai") -> list[Fixture]:
    return [f for f in find_fixtures(FIXTURES, spider) if f.kind == "articles"]


def encoded(fixture: Fixture, status: int = 200) -> Response:
    """The fixture's page as a server would send it: gzip-encoded, two cookies."""
    body = gzip.compress(fixture.html_path.read_bytes(), mtime=0)
    headers = {**fixture.response().headers.to_unicode_dict(), "Content-Encoding": "gzip"}
    response = HtmlResponse(fixture.url, status=status, headers=headers, body=body)
    response.headers.appendlist("Set-Cookie", "a=1")
    response.headers.appendlist("Set-Cookie", "b=2")
    return response


def write_archive(path: Path, exchanges: list[tuple[Response, str]], when: datetime = WHEN) -> None:
    writer = ArchiveWriter(path, INFO)
    for response, callback in exchanges:
        writer.write(Request(response.url, headers={"User-Agent": "t"}), response, when, callback)
    writer.close()


def whole_records(path: Path) -> list[tuple[str, str]]:
    """(type, URI) of every record fastwarc's reader finds whole (digests checked)."""
    return [
        (str(record.record_type), record.headers.get("WARC-Target-URI") or "")
        for record in ArchiveIterator(str(path), verify_digests=True)
    ]


def test_exchanges_read_back_as_they_were_received(tmp_path: Path) -> None:
    fixtures = articles()[:2]
    sent = [(encoded(fixtures[0]), "parse_article"), (encoded(fixtures[1], 404), "")]
    sent[0][0].headers["Transfer-Encoding"] = "chunked"  # Scrapy hands the body de-chunked
    path = tmp_path / "a.warc.gz"
    write_archive(path, sent)

    blocks = ArchiveIterator(str(path), parse_http=False)
    records = [(record, record.verify_block_digest()) for record in blocks]
    assert [str(r.record_type) for r, _ in records] == ["warcinfo", *["response", "request"] * 2]
    assert all(digest_right for _, digest_right in records)
    responses = ArchiveIterator(str(path), record_types=WarcRecordType.response)
    assert [record.verify_payload_digest() for record in responses] == [True, True]
    assert len(whole_records(path)) == 5
    info, response_record, request_record = (record for record, _ in records[:3])
    assert request_record.headers["WARC-Concurrent-To"] == response_record.record_id
    assert response_record.headers["WARC-Warcinfo-ID"] == info.record_id

    read = list(read_responses(path))
    assert [(r.url, r.status, r.callback) for r in read] == [
        (fixtures[0].url, 200, "parse_article"),
        (fixtures[1].url, 404, ""),
    ]
    assert read[0].fetched_at == WHEN
    assert read[0].headers[b"Set-Cookie"] == [b"a=1", b"b=2"]
    assert b"Transfer-Encoding" not in read[0].headers
    assert read[0].body == sent[0][0].body  # still gzip-encoded, as it came
    rebuilt = read_response_at(path, read[1].offset).response()
    assert isinstance(rebuilt, HtmlResponse) and rebuilt.status == 404
    assert rebuilt.headers.getlist("Set-Cookie") == [b"a=1", b"b=2"]


def test_an_archive_cut_anywhere_reads_as_its_whole_records(tmp_path: Path) -> None:
    """A run killed mid-write leaves a prefix of the file: every reader finds exactly the
    records written whole before the cut, and nothing raises."""
    fixtures = articles()[:3]
    path = tmp_path / "whole.warc.gz"
    write_archive(path, [(encoded(f), "parse_article") for f in fixtures])
    data = path.read_bytes()
    bodies = [r.body for r in read_responses(path)]
    starts = [record.stream_pos for record in ArchiveIterator(str(path))]
    ends = [*starts[1:], len(data)]  # warcinfo, then a response and a request an exchange
    cut = tmp_path / "cut.warc.gz"
    for size in [*range(ends[0] - 3, len(data), 997), *ends, *(end - 9 for end in ends)]:
        cut.write_bytes(data[:size])
        # Whole: every record that ends before the cut; the one the cut falls in only when
        # the cut spares all of its content (the last bytes of a member close the stream).
        whole = sum(1 for end in ends if end <= size)
        read = list(read_responses(cut))
        assert len(read) in {whole // 2, (whole + 1) // 2}, size
        assert [r.url for r in read] == [f.url for f in fixtures[: len(read)]], size
        assert [r.body for r in read] == bodies[: len(read)], size
        assert len(whole_records(cut)) in {whole, whole + 1}, size


def test_appending_first_cuts_a_record_left_half_written(tmp_path: Path) -> None:
    fixtures = articles()[:3]
    path = tmp_path / "a.warc.gz"
    write_archive(path, [(encoded(f), "parse_article") for f in fixtures[:2]])
    data = path.read_bytes()
    last = [record.stream_pos for record in ArchiveIterator(str(path))][-1]
    path.write_bytes(data[: (last + len(data)) // 2])  # the last request record cut off
    write_archive(path, [(encoded(fixtures[2]), "parse_article")])
    assert [r.url for r in read_responses(path)] == [f.url for f in fixtures]
    kinds = [kind for kind, _ in whole_records(path)]
    assert kinds == ["warcinfo", "response", "request", "response", "warcinfo", *kinds[-2:]]
    assert kinds[-2:] == ["response", "request"]


def test_a_damaged_archive_is_read_up_to_the_damage_and_never_appended_to(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    fixtures = articles()[:3]
    path = tmp_path / "a.warc.gz"
    write_archive(path, [(encoded(f), "parse_article") for f in fixtures])
    first, second = [r.offset for r in read_responses(path)][:2]
    data = bytearray(path.read_bytes())
    data[second + 200 : second + 260] = b"x" * 60
    path.write_bytes(bytes(data))
    with caplog.at_level(logging.WARNING):
        assert [r.url for r in read_responses(path)] == [fixtures[0].url]
    assert f"damaged after the response at byte {first}" in caplog.text
    with pytest.raises(ArchiveError, match="damaged"):
        ArchiveWriter(path, INFO)


FULL_DISK = """
import resource, sys
from datetime import UTC, datetime
from scrapy import Request
from scrapy.http import HtmlResponse
from edunews_scraper.archive import ArchiveError, ArchiveWriter
resource.setrlimit(resource.RLIMIT_FSIZE, (int(sys.argv[2]), int(sys.argv[2])))
writer = ArchiveWriter(sys.argv[1], {"software": "tests"})
page = open(sys.argv[3], "rb").read()
for n in range(100):
    url = f"https://giaoducthoidai.vn/p-{n}.html"
    try:
        writer.write(Request(url), HtmlResponse(url, body=page), datetime.now(UTC), "")
    except ArchiveError as error:
        print(n, error)
        break
"""


def test_a_full_disk_leaves_the_archive_ending_at_its_last_whole_record(tmp_path: Path) -> None:
    """The file size limit (RLIMIT_FSIZE) fails a write part-way, as a full disk does."""
    path, limit = tmp_path / "a.warc.gz", 100_000
    page = articles()[0].html_path
    done = subprocess.run(
        [sys.executable, "-c", FULL_DISK, str(path), str(limit), str(page)],
        capture_output=True,
        text=True,
        check=True,
    )
    written, message = done.stdout.split(" ", 1)
    assert "File too large" in message
    assert 0 < path.stat().st_size <= limit
    read = list(read_responses(path))
    assert len(read) == int(written) > 0
    assert len(whole_records(path)) == 1 + 2 * int(written)


def test_newest_response_of_a_url_wins(tmp_path: Path) -> None:
    fixture = articles()[0]
    write_archive(tmp_path / "1.warc.gz", [(encoded(fixture, 503), "")])
    write_archive(tmp_path / "0.warc.gz", [(encoded(fixture), "")], WHEN.replace(hour=9))
    pages = newest_pages(sorted(tmp_path.glob("*.warc.gz")), str)
    assert pages[fixture.url].response().status == 200


@pytest.fixture(scope="module")
def fixture_archive(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, dict]]:
    """Every giaoducthoidai and vnexpress page archived as a crawl would (gzip-encoded, with a
    listing, a redirect and a retried page), and what each article page makes."""
    folder = tmp_path_factory.mktemp("archive")
    exchanges: list[tuple[Response, str]] = []
    expected = {}
    for spider in ("giaoducthoidai", "vnexpress"):
        runner = OfflineRunner(spider_class(spider))
        for fixture in find_fixtures(FIXTURES, spider):
            if fixture.kind == "listings":
                exchanges.append((encoded(fixture), "parse_listing"))
                continue
            expected[fixture.url] = runner.output(fixture.response())
            exchanges.append((encoded(fixture, 503), "parse_article"))  # then retried
            exchanges.append((encoded(fixture), "parse_article"))
        write_archive(folder / f"{spider}.warc.gz", exchanges)
        exchanges = []
    moved = HtmlResponse("https://giaoducthoidai.vn/old.html", status=301, body=b"")
    missing = encoded(articles()[0], 404).replace(url="https://giaoducthoidai.vn/gone.html")
    write_archive(folder / "later.warc.gz", [(moved, "parse_article"), (missing, "parse_article")])
    return folder, expected


@pytest.mark.parametrize("jobs", [1, 2])
def test_reextract_gives_the_crawl_output_of_every_article_page(
    fixture_archive: tuple[Path, dict[str, dict]],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    jobs: int,
) -> None:
    folder, expected = fixture_archive
    monkeypatch.setattr(reextraction, "RANGE_BYTES", (30_000, 30_000))  # many ranges a file
    archives = [folder / "giaoducthoidai.warc.gz", folder / "later.warc.gz"]
    assert len(plan(archives, jobs)) > 4
    out = tmp_path / "out.jsonl"
    summary = reextract("giaoducthoidai", archives, out, get_project_settings(), jobs, False)

    wanted = {url: item for url, item in expected.items() if "giaoducthoidai.vn" in url}
    written = read_jsonl(out)
    got = written + read_jsonl(rejects_of(tmp_path / "out.jsonl"))
    gone = got.pop()
    assert gone["url"].endswith("/gone.html")
    assert gone["reason"] == "download failed: HTTP 404"
    assert {item["url"]: item for item in got} == wanted  # the 503s were retried, answered
    in_order = [url for url, item in wanted.items() if "reason" not in item]
    assert [item["url"] for item in written] == in_order  # in archive order
    assert summary.pages == len(wanted) + 1
    assert summary.aside == {"listing pages": 4, "redirects": 1}


def test_reextract_leaves_other_sites_pages_aside(
    fixture_archive: tuple[Path, dict[str, dict]], tmp_path: Path
) -> None:
    folder, _ = fixture_archive
    out = tmp_path / "out.jsonl"
    summary = reextract("giaoducthoidai", [folder], out, get_project_settings(), 1, False)
    vnexpress = [f for f in find_fixtures(FIXTURES, "vnexpress")]
    assert summary.aside["pages of other sites"] == 2 * sum(f.kind == "articles" for f in vnexpress)
    assert all("vnexpress" not in line["url"] for line in read_jsonl(out))
    assert not list(tmp_path.glob(".*.tmp"))


def test_output_is_left_untouched_when_reextraction_fails(
    fixture_archive: tuple[Path, dict[str, dict]], tmp_path: Path
) -> None:
    folder, _ = fixture_archive
    out = tmp_path / "out.jsonl"
    out.write_text("earlier\n")
    with pytest.raises(KeyError):
        reextract("no-such-spider", [folder], out, get_project_settings(), 1, False)
    with pytest.raises(FileNotFoundError, match="no web archive"):
        reextract("giaoducthoidai", [tmp_path], out, get_project_settings(), 1, False)
    assert out.read_text() == "earlier\n"
    assert not list(tmp_path.glob(".*.tmp"))


def test_archived_listing_records_say_their_callback(
    fixture_archive: tuple[Path, dict[str, dict]],
) -> None:
    folder, _ = fixture_archive
    callbacks = {
        record.headers.get("Edunews-Callback")
        for record in ArchiveIterator(
            str(folder / "giaoducthoidai.warc.gz"), record_types=WarcRecordType.response
        )
    }
    assert callbacks == {"parse_article", "parse_listing"}


def test_a_fixture_from_an_archive_is_the_decoded_page_with_its_real_headers(
    fixture_archive: tuple[Path, dict[str, dict]], tmp_path: Path
) -> None:
    folder, _ = fixture_archive
    original = articles()[0]
    saved = archived_fixture(folder, original.url, tmp_path, get_project_settings())
    assert saved.html_path.read_bytes() == original.html_path.read_bytes()
    assert saved.status == 200  # the retry's answer, not the 503 before it
    assert saved.fetched_at == WHEN
    assert saved.headers["Set-Cookie"] == "a=1, b=2"
    assert "Content-Encoding" not in saved.headers and "Content-Length" not in saved.headers
    assert saved.headers["Date"] == original.response().headers["Date"].decode()
    with pytest.raises(LookupError, match="is not in"):
        archived_fixture(
            folder, "https://giaoducthoidai.vn/x.html", tmp_path, get_project_settings()
        )


def test_the_bench_archive_has_a_real_size_page_of_every_article_fixture(tmp_path: Path) -> None:
    chosen = bench_archive.eligible()
    fixtures = sum(len(group) for group in chosen.values())
    built = bench_archive.build(tmp_path, fixtures + 1)
    assert built.pages == {
        spider: len(group) + (spider == next(iter(chosen))) for spider, group in chosen.items()
    }
    sizes, urls = [], set()
    for path in built.archives.values():
        for archived in read_responses(path):
            sizes.append(len(gzip.decompress(archived.body)))
            urls.add(archived.url)
    assert len(urls) == fixtures + 1
    assert min(sizes) >= bench_archive.SIZES[0]
    assert sum(size > bench_archive.SIZES[1] for size in sizes) == built.above_range
    out = tmp_path / "out.jsonl"
    spider, path = next(iter(built.archives.items()))
    reextract(spider, [path], out, get_project_settings(), 1, False)
    assert len({line["id"] for line in read_jsonl(out)}) == built.pages[spider]


def test_a_changed_extraction_keeps_the_ids_and_changes_the_content_hash(
    fixture_archive: tuple[Path, dict[str, dict]],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    archive = fixture_archive[0] / "giaoducthoidai.warc.gz"
    settings = get_project_settings()
    reextract("giaoducthoidai", [archive], tmp_path / "before.jsonl", settings, 2, False)
    extract = NewsSpider.extract_article

    def improved(spider: NewsSpider, response: Response) -> RawArticle:
        raw = extract(spider, response)
        return dataclasses.replace(raw, headline=raw.headline + " (đã sửa)")

    monkeypatch.setattr(NewsSpider, "extract_article", improved)
    reextract("giaoducthoidai", [archive], tmp_path / "after.jsonl", settings, 2, False)
    before, after = read_jsonl(tmp_path / "before.jsonl"), read_jsonl(tmp_path / "after.jsonl")
    assert [a["id"] for a in after] == [b["id"] for b in before] and before
    edited = zip(after, before, strict=True)
    assert all(a["headline"] == b["headline"] + " (đã sửa)" for a, b in edited)
    assert not {a["content_hash"] for a in after} & {b["content_hash"] for b in before}
