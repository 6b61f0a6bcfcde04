"""Date and time forms printed by Vietnamese news sites, parsed into GMT+07."""

from __future__ import annotations

from datetime import datetime

import pytest

from edunews_scraper.parsing.vn_datetime import dateparser_parse, parse_fast, parse_vn_datetime

FETCHED = datetime.fromisoformat("2026-11-20T10:00:00+07:00")

# (printed text, expected ISO 8601 in +07:00)
ABSOLUTE_FORMS = [
    ("10/05/2018, 21:35 GMT+07", "2018-05-10T21:35:00+07:00"),  # giaoducthoidai legacy byline
    ("Thứ năm, 17/9/2026, 07:31 (GMT+7)", "2026-09-17T07:31:00+07:00"),  # vnexpress
    ("Thứ năm, 10/05/2018 - 21:35", "2018-05-10T21:35:00+07:00"),  # dantri
    ("10/05/2018 21:35 (GMT+07:00)", "2018-05-10T21:35:00+07:00"),  # vietnamnet
    ("10/05/2018 21:35 GMT+7", "2018-05-10T21:35:00+07:00"),  # tuoitre, thanhnien
    ("Chủ nhật, 6/10/2024 | 08:05", "2024-10-06T08:05:00+07:00"),
    ("21:35 10/05/2018", "2018-05-10T21:35:00+07:00"),
    ("21h35 ngày 10/05/2018", "2018-05-10T21:35:00+07:00"),
    ("10-05-2018 21:35:07", "2018-05-10T21:35:07+07:00"),
    ("10/5/2018", "2018-05-10T00:00:00+07:00"),
    ("2018-05-10T21:35:00+07:00", "2018-05-10T21:35:00+07:00"),
    ("2018-05-10T14:35:00Z", "2018-05-10T21:35:00+07:00"),
    ("2018-05-10T21:35:00.000+0700", "2018-05-10T21:35:00+07:00"),
    ("2018-05-10 21:35", "2018-05-10T21:35:00+07:00"),
    ("2018-05-10T21:35:00 +07:00", "2018-05-10T21:35:00+07:00"),  # vietnamnet JSON-LD
    ("10/05/2018 09:35 PM", "2018-05-10T21:35:00+07:00"),
    ("10/05/2018 14:35 GMT+0", "2018-05-10T21:35:00+07:00"),
    ("  10/05/2018,\u00a021:35  ", "2018-05-10T21:35:00+07:00"),
]
RELATIVE_FORMS = [
    ("2 giờ trước", "2026-11-20T08:00:00+07:00"),
    ("45 phút trước", "2026-11-20T09:15:00+07:00"),
    ("3 ngày trước", "2026-11-17T10:00:00+07:00"),
    ("1 tuần trước", "2026-11-13T10:00:00+07:00"),
    ("Hôm qua 08:15", "2026-11-19T08:15:00+07:00"),
    ("Hôm nay, 07:05", "2026-11-20T07:05:00+07:00"),
    ("Vừa xong", "2026-11-20T10:00:00+07:00"),
]
DATEPARSER_ONLY_FORMS = [
    ("ngày 10 tháng 5 năm 2018", "2018-05-10T00:00:00+07:00"),
    ("3 tháng trước", "2026-08-20T10:00:00+07:00"),
    ("May 10, 2018 21:35", "2018-05-10T21:35:00+07:00"),
]


@pytest.mark.parametrize(("text", "iso"), ABSOLUTE_FORMS + RELATIVE_FORMS)
def test_fast_path_forms(text: str, iso: str) -> None:
    assert parse_fast(text, FETCHED) == datetime.fromisoformat(iso)
    assert parse_vn_datetime(text, FETCHED).isoformat() == iso


@pytest.mark.parametrize(("text", "iso"), DATEPARSER_ONLY_FORMS)
def test_dateparser_fallback(text: str, iso: str) -> None:
    assert parse_fast(text, FETCHED) is None
    assert parse_vn_datetime(text, FETCHED).isoformat() == iso


@pytest.mark.parametrize(("text", "iso"), ABSOLUTE_FORMS[:5])
def test_fast_path_agrees_with_dateparser(text: str, iso: str) -> None:
    cleaned = text.replace("(GMT+7)", "").replace("(GMT+07:00)", "").replace(" GMT+7", "")
    cleaned = cleaned.replace(" GMT+07", "").replace("Thứ năm, ", "")
    assert dateparser_parse(cleaned, FETCHED) == datetime.fromisoformat(iso)


def test_relative_time_needs_the_fetch_time_not_the_clock() -> None:
    assert parse_fast("2 giờ trước") is None
    other_fetch = datetime.fromisoformat("2020-01-01T12:00:00+07:00")
    assert parse_vn_datetime("2 giờ trước", other_fetch).isoformat() == "2020-01-01T10:00:00+07:00"


@pytest.mark.parametrize("text", ["", "   ", "Thời sự", "32/13/2018 25:61", "Xem thêm"])
def test_not_a_date(text: str) -> None:
    assert parse_vn_datetime(text, FETCHED) is None
