"""Split printed author credits ("Bài, ảnh: Hải Bình - Minh Anh") into a list of names."""

from __future__ import annotations

import re

from edunews_scraper.parsing.text import clean_text

_LABEL = re.compile(
    r"^(?:(?:bài|ảnh|clip|video|đồ họa|thực hiện|tác giả|nhóm phóng viên|nhóm pv|pv|ctv"
    r"|phóng viên|biên tập)\s*(?:(?:,|và|&|/|-)\s*)?)+\s*[:：]\s*",
    re.IGNORECASE,
)
#: "Theo" ("by", "according to") opening a credit without a colon: "Theo Hồ Hương" (cafef).
_BY = re.compile(r"^theo\s+(?=\w)", re.IGNORECASE)
_EMAIL = re.compile(r"\(?\s*[\w.+-]+@[\w-]+(?:\.[\w-]+)+\s*\)?")
_SEPARATORS = re.compile(r"\s*(?:,|;|&|/|\s+và\s+|\s+-\s+|\s+–\s+)\s*", re.IGNORECASE)
_NOT_A_NAME = re.compile(r"^(?:\(?(?:tổng hợp|theo|nguồn)\)?)$", re.IGNORECASE)


def split_authors(credits: list[str] | str) -> list[str]:
    """Names in the printed credit lines, labels and e-mail addresses removed, each once."""
    lines = [credits] if isinstance(credits, str) else credits
    names: list[str] = []
    for line in lines:
        line = _EMAIL.sub(" ", clean_text(line))
        line = _BY.sub("", _LABEL.sub("", line))
        for part in _SEPARATORS.split(line):
            name = clean_text(_LABEL.sub("", part)).strip(" .,:()")
            if name and not _NOT_A_NAME.match(name) and name not in names:
                names.append(name)
    return names
