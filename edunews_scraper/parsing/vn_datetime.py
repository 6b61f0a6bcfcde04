"""Parse the date and time forms Vietnamese news pages print into aware datetimes in GMT+07.

`parse_vn_datetime` tries fast regular expressions for the forms the sites are known to use
(ISO 8601, `dd/mm/yyyy HH:MM` in its many dressings, relative times such as "2 giờ trước")
and falls back to `dateparser` for anything else. Relative times are resolved against a
reference time (the page's fetch time), never the wall clock.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import datetime, timedelta, timezone

import dateparser

VN_TZ = timezone(timedelta(hours=7), "GMT+07")

_OFFSET = r"(?:\(?\s*(?:GMT|UTC)\s*(?P<sign>[+-])\s*(?P<oh>\d{1,2})(?::?(?P<om>\d{2}))?\s*\)?)"
_DATE = r"(?P<d>\d{1,2})\s*[/.-]\s*(?P<m>\d{1,2})\s*[/.-]\s*(?P<y>\d{4})"
_TIME = r"(?P<H>\d{1,2})\s*[:hg]\s*(?P<M>\d{2})(?:\s*:\s*(?P<S>\d{2}))?\s*(?P<ampm>[AaPp][Mm])?"
_SEP = r"\s*(?:[,|-]|\s)\s*"
_WEEKDAY = r"(?:(?:thứ\s+(?:hai|ba|tư|năm|sáu|bảy|[2-7])|chủ\s+nhật|cn|t[2-7])\s*,?\s*)?"

_DATE_THEN_TIME = re.compile(
    rf"^{_WEEKDAY}(?:ngày\s+)?{_DATE}(?:{_SEP}(?:lúc\s+)?{_TIME})?\s*{_OFFSET}?$", re.IGNORECASE
)
_TIME_THEN_DATE = re.compile(
    rf"^{_TIME}{_SEP}{_WEEKDAY}(?:ngày\s+)?{_DATE}\s*{_OFFSET}?$", re.IGNORECASE
)
_ISO = re.compile(
    r"^\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?(?:Z|[+-]\d{2}:?\d{2})?$"
)
_OFFSET_GAP = re.compile(r"(?<=\d)\s+(?=[+-]\d{2}:?\d{2}$)")  # "06:05:00 +07:00"
_RELATIVE = re.compile(
    r"^(?P<n>\d+)\s*(?P<unit>giây|phút|giờ|tiếng|ngày|tuần|tháng|năm)\s*trước$", re.IGNORECASE
)
_DAY_WORD = re.compile(
    r"^(?P<word>hôm nay|hôm qua)(?:\s*,?\s*(?:lúc\s+)?(?P<H>\d{1,2})\s*[:h]\s*(?P<M>\d{2}))?$",
    re.IGNORECASE,
)
_JUST_NOW = re.compile(r"^(?:vừa xong|vừa mới|mới đây)$", re.IGNORECASE)
_UNIT_SECONDS = {
    "giây": 1,
    "phút": 60,
    "giờ": 3600,
    "tiếng": 3600,
    "ngày": 86400,
    "tuần": 7 * 86400,
}


def _clean(text: str) -> str:
    text = unicodedata.normalize("NFC", text).replace("\xa0", " ")
    return re.sub(r"\s+", " ", text).strip().rstrip(".")


def _as_vn(value: datetime) -> datetime:
    """Aware datetime in GMT+07; a naive one is taken to be local Vietnamese time."""
    if value.tzinfo is None:
        return value.replace(tzinfo=VN_TZ)
    return value.astimezone(VN_TZ)


def _offset_tz(match: re.Match[str]) -> timezone:
    if not match.group("sign"):
        return VN_TZ
    minutes = int(match.group("oh")) * 60 + int(match.group("om") or 0)
    return timezone(timedelta(minutes=minutes if match.group("sign") == "+" else -minutes))


def _from_match(match: re.Match[str]) -> datetime | None:
    hour = int(match.group("H") or 0)
    ampm = (match.group("ampm") or "").lower()
    if ampm == "pm" and hour < 12:
        hour += 12
    elif ampm == "am" and hour == 12:
        hour = 0
    try:
        value = datetime(
            int(match.group("y")),
            int(match.group("m")),
            int(match.group("d")),
            hour,
            int(match.group("M") or 0),
            int(match.group("S") or 0),
            tzinfo=_offset_tz(match),
        )
    except ValueError:
        return None
    return value.astimezone(VN_TZ)


def _relative(text: str, reference: datetime) -> datetime | None:
    now = _as_vn(reference)
    if _JUST_NOW.match(text):
        return now.replace(microsecond=0)
    if match := _RELATIVE.match(text):
        n, unit = int(match.group("n")), match.group("unit").lower()
        if unit == "tháng":  # calendar months vary in length: dateparser knows them
            return None
        if unit == "năm":
            try:
                return now.replace(year=now.year - n, microsecond=0)
            except ValueError:  # 29 February
                return now.replace(year=now.year - n, day=28, microsecond=0)
        return (now - timedelta(seconds=n * _UNIT_SECONDS[unit])).replace(microsecond=0)
    if match := _DAY_WORD.match(text):
        day = now if match.group("word").lower() == "hôm nay" else now - timedelta(days=1)
        if match.group("H"):
            return day.replace(
                hour=int(match.group("H")), minute=int(match.group("M")), second=0, microsecond=0
            )
        return day.replace(hour=0, minute=0, second=0, microsecond=0)
    return None


def parse_fast(text: str, reference: datetime | None = None) -> datetime | None:
    """The known forms only, by regular expression; None when the text is of another form."""
    text = _OFFSET_GAP.sub("", _clean(text))
    if not text:
        return None
    if _ISO.match(text):
        try:
            return _as_vn(datetime.fromisoformat(text))
        except ValueError:
            return None
    for pattern in (_DATE_THEN_TIME, _TIME_THEN_DATE):
        if match := pattern.match(text):
            return _from_match(match)
    if reference is not None:
        return _relative(text, reference)
    return None


def dateparser_parse(text: str, reference: datetime | None = None) -> datetime | None:
    """`dateparser` configured for Vietnamese pages: day first, local time GMT+07."""
    settings = {
        "DATE_ORDER": "DMY",
        "TIMEZONE": "+0700",
        "TO_TIMEZONE": "+0700",
        "RETURN_AS_TIMEZONE_AWARE": True,
        "PREFER_DATES_FROM": "past",
    }
    if reference is not None:
        settings["RELATIVE_BASE"] = _as_vn(reference).replace(tzinfo=None)
    value = dateparser.parse(_clean(text), languages=["vi", "en"], settings=settings)
    return _as_vn(value) if value is not None else None


def parse_vn_datetime(text: str, reference: datetime | None = None) -> datetime | None:
    """Parse `text` into an aware datetime in GMT+07, or None when it holds no date.

    `reference` is the moment the page was fetched; relative forms ("2 giờ trước",
    "Hôm qua 08:15") are resolved against it.
    """
    if not text or not text.strip():
        return None
    return parse_fast(text, reference) or dateparser_parse(text, reference)
