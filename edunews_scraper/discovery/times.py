"""Times in RSS feeds and sitemaps, as the six sites write them, read as aware datetimes.

Forms seen on the sites' feeds (see README, Discovery):

- RFC 822 with an offset: ``Sun, 12 Jul 2026 07:14:25 +0700`` (vnexpress, vietnamnet), with a
  two-digit year ``Mon, 05 Oct 26 14:10:00 +0700`` (thanhnien), with an hours-only offset
  ``Mon, 05 Oct 2026 11:07:00 +07`` (its CMS family), with ``GMT+7`` (dantri): the standard
  library reads ``+07`` as 7 minutes and ``GMT+7`` as GMT, so the offset is rewritten first;
- US month/day/year on a 12-hour clock without a zone: ``10/2/2026 9:25:00 AM`` (tuoitre):
  read as month first, never as the Vietnamese day first;
- ISO 8601: ``2026-07-18T10:10:11+07:00``, ``2026-07-15T23:23+07:00``, ``2026-07-20``.

A time without a zone is Vietnam's (GMT+07).
"""

from __future__ import annotations

import re
from datetime import datetime
from email.utils import parsedate_to_datetime

from edunews_scraper.parsing.vn_datetime import VN_TZ

#: A trailing offset written as hours (`+07`, `GMT+7`, `UTC+07:00`).
_HOURS_OFFSET = re.compile(r"\s*(?:GMT|UTC)?\s*([+-])(\d{1,2})(?::?(\d{2}))?$", re.IGNORECASE)
_US_CLOCK = re.compile(r"^\d{1,2}/\d{1,2}/\d{4} \d{1,2}:\d{2}(?::\d{2})? [AP]M$", re.IGNORECASE)


def parse_feed_time(text: str | None) -> datetime | None:
    """The time of a feed item or sitemap entry in GMT+07, or None when `text` is no time."""
    text = " ".join((text or "").split())
    if not text:
        return None
    moment = _iso(text) or _us_clock(text) or _rfc822(text)
    if moment is None:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=VN_TZ)
    return moment.astimezone(VN_TZ)


def _iso(text: str) -> datetime | None:
    try:
        return datetime.fromisoformat(text)
    except ValueError:
        return None


def _us_clock(text: str) -> datetime | None:
    if not _US_CLOCK.match(text):
        return None
    for form in ("%m/%d/%Y %I:%M:%S %p", "%m/%d/%Y %I:%M %p"):
        try:
            return datetime.strptime(text.upper(), form)
        except ValueError:
            continue
    return None


def _rfc822(text: str) -> datetime | None:
    if match := _HOURS_OFFSET.search(text):
        sign, hours, minutes = match.groups()
        text = f"{text[: match.start()]} {sign}{int(hours):02d}{minutes or '00'}"
    try:
        return parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError):
        return None
