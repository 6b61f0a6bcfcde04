"""Spider arguments (`-a name=value`), checked before anything is crawled.

A spider declares what it takes as `Argument`s: a name, what is accepted (in words) and a parser
that turns the text into a value or raises `ValueError` saying what is wrong. `check_arguments`
parses what was given; a bad value or a name the spider does not know raises `ArgumentError`,
whose message is one line naming the argument, the bad value and what is accepted.
"""

from __future__ import annotations

import difflib
import inspect
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

#: Names every crawl accepts whatever the spider: scrapyd's job id.
PASSED_THROUGH = frozenset({"_job"})

_TRUE = ("1", "true", "yes", "on")
_FALSE = ("0", "false", "no", "off", "")


class ArgumentError(ValueError):
    """A spider argument that cannot be used; the message is one line."""


@dataclass(frozen=True)
class Argument:
    """A spider argument: its name, what it accepts (in words) and how it is read."""

    name: str
    accepted: str
    parse: Callable[[str], Any] = str

    def read(self, value: Any) -> Any:
        """`value` parsed; values that are not text (from code, not the command line) are
        read from their text too, so `max_pages=2` and `max_pages="2"` mean the same."""
        try:
            return self.parse(value if isinstance(value, str) else _text(value))
        except (TypeError, ValueError) as error:
            reason = str(error).rstrip(".") or "not accepted"
            raise ArgumentError(
                f"-a {self.name}={_show(value)}: {reason}; accepted: {self.accepted}"
            ) from None


def check_arguments(
    spider: str, declared: Iterable[Argument], given: Mapping[str, Any], others: Iterable[str] = ()
) -> dict[str, Any]:
    """The parsed value of every declared argument in `given` (by name). `others` are names
    taken elsewhere (a subclass's own parameters): allowed, not parsed. A value of None (from
    code) is no value."""
    given = {name: value for name, value in given.items() if value is not None}
    arguments = {argument.name: argument for argument in declared}
    known = sorted(set(arguments) | set(others))
    for name in given:
        if name not in arguments and name not in PASSED_THROUGH and name not in known:
            close = difflib.get_close_matches(name, known, n=1)
            hint = f" (did you mean {close[0]}?)" if close else ""
            raise ArgumentError(
                f"-a {name}: {spider} takes no such argument{hint}; known: {', '.join(known)}"
            )
    return {name: arguments[name].read(value) for name, value in given.items() if name in arguments}


def subclass_parameters(cls: type, base: type) -> list[str]:
    """The named parameters of `__init__` in `cls` and its ancestors below `base`: arguments a
    subclass takes itself (e.g. a test site's `base` URL)."""
    names: list[str] = []
    for klass in cls.__mro__:
        if klass is base:
            break
        if "__init__" in vars(klass):
            names += [
                parameter.name
                for parameter in inspect.signature(klass.__init__).parameters.values()
                if parameter.kind in (parameter.POSITIONAL_OR_KEYWORD, parameter.KEYWORD_ONLY)
                and parameter.name not in ("self", "name")
            ]
    return names


def _text(value: Any) -> str:
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, list | tuple | set):
        return ",".join(map(str, value))
    return str(value)


def _show(value: Any) -> str:
    text = value if isinstance(value, str) else _text(value)
    return repr(text if len(text) <= 80 else text[:77] + "...")


# Parsers: each raises ValueError with what is wrong, in words. ------------------------------


def whole_number(minimum: int = 1) -> Callable[[str], int]:
    """A parser of whole numbers from `minimum` up."""

    def parse(text: str) -> int:
        try:
            number = int(text.strip())
        except ValueError:
            raise ValueError("not a whole number") from None
        if number < minimum:
            raise ValueError(f"less than {minimum}")
        return number

    return parse


def calendar_date(text: str) -> date:
    """A date written YYYY-MM-DD."""
    text = text.strip()
    if len(text) != 10 or text[4] != "-" or text[7] != "-":
        raise ValueError("not a date")
    try:
        return date.fromisoformat(text)
    except ValueError as error:
        raise ValueError(f"no such date ({error})") from None


def switch(text: str) -> bool:
    """On (1, true, yes, on) or off (0, false, no, off, empty)."""
    folded = text.strip().lower()
    if folded in _TRUE:
        return True
    if folded in _FALSE:
        return False
    raise ValueError("neither on nor off")


def comma_list(text: str) -> list[str]:
    """Comma-separated values, blanks dropped."""
    return [item.strip() for item in text.split(",") if item.strip()]


def one_of_list(choices: Iterable[str], noun: str = "value") -> Callable[[str], list[str]]:
    """A parser of a comma-separated selection from `choices` (at least one)."""
    allowed = sorted(choices)

    def parse(text: str) -> list[str]:
        chosen = comma_list(text)
        unknown = [item for item in chosen if item not in allowed]
        if unknown:
            raise ValueError(f"no such {noun} {', '.join(map(repr, unknown))}")
        if not chosen:
            raise ValueError("empty")
        return chosen

    return parse


SWITCH = "1, true, yes, on (or 0, false, no, off)"
