"""Our settings checked before a crawl starts: a value that cannot be read (`-s
EDUNEWS_MAX_PAGES=abc`) is one line naming the setting, the value and what is accepted, instead
of a traceback in the middle of the crawl."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import fields
from typing import Any

from scrapy.settings import BaseSettings

from edunews_scraper.distributed import run_id_setting
from edunews_scraper.limits import FieldLimits


def _whole(minimum: int) -> tuple[str, Callable[[BaseSettings, str], Any]]:
    def read(settings: BaseSettings, name: str) -> int:
        value = settings.getint(name)
        if value < minimum:
            raise ValueError
        return value

    return f"a whole number from {minimum} up", read


def _share(settings: BaseSettings, name: str) -> float:
    value = settings.getfloat(name)
    if not 0 <= value <= 1:
        raise ValueError
    return value


def _coverage(settings: BaseSettings, name: str) -> dict[str, float]:
    rules = settings.getdict(name)
    if not all(isinstance(v, int | float) and 0 <= v <= 1 for v in rules.values()):
        raise ValueError
    return rules


def _positive(settings: BaseSettings, name: str) -> float:
    value = settings.getfloat(name)
    if not value > 0:
        raise ValueError
    return value


_SWITCH = ("True or False (also 1 or 0)", BaseSettings.getbool)
_SHARE = ("a number from 0 to 1", _share)

#: Setting -> (what is accepted, how it is read; raises ValueError when it cannot be).
CHECKED: dict[str, tuple[str, Callable[[BaseSettings, str], Any]]] = {
    "EDUNEWS_MAX_PAGES": _whole(1),
    "EDUNEWS_MAX_TAGS": _whole(1),
    "EDUNEWS_MAX_ATTRIBUTES": _whole(1),
    "EDUNEWS_FIELD_LIMITS": (
        "a JSON object of field: characters, fields "
        + ", ".join(field.name for field in fields(FieldLimits)),
        lambda settings, name: FieldLimits.from_settings(settings),
    ),
    "EDUNEWS_STATE_ENABLED": _SWITCH,
    "EDUNEWS_MONITOR_MIN_ARTICLES": _whole(0),
    "EDUNEWS_MONITOR_MIN_SAMPLE": _whole(0),
    "EDUNEWS_MONITOR_MAX_INVALID_ARTICLES": _whole(0),
    "EDUNEWS_MONITOR_MAX_ERROR_RATE": _SHARE,
    "EDUNEWS_MONITOR_MAX_REJECT_RATE": _SHARE,
    "EDUNEWS_MONITOR_FIELD_COVERAGE": (
        'a JSON object of field: share from 0 to 1, e.g. {"authors": 0.9}',
        _coverage,
    ),
    "SPIDERMON_ENABLED": _SWITCH,
    "STATS_DUMP": _SWITCH,
    "EDUNEWS_REDIS_RUN": (
        "letters, digits, '.', '_', '-' (the setting, else the environment variable)",
        lambda settings, name: run_id_setting(settings),
    ),
    "EDUNEWS_REDIS_LEASE": ("a number of seconds above 0", _positive),
    "EDUNEWS_REDIS_TTL": _whole(1),
}


def check_settings(settings: BaseSettings) -> None:
    """Raise ValueError (one line) for the first of `CHECKED` that cannot be read."""
    for name, (accepted, read) in CHECKED.items():
        if settings.get(name) is None:
            continue
        try:
            read(settings, name)
        except (TypeError, ValueError, json.JSONDecodeError):
            value = settings.get(name)
            raise ValueError(
                f"-s {name}={value if isinstance(value, str) else json.dumps(value)!r}: "
                f"cannot be used; accepted: {accepted}"
            ) from None
