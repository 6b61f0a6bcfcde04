"""Vietnamese news-page boilerplate that slips into article bodies: comment boxes, share
bars, "Xem thêm" links, related-news headings and header clutter; and the outlet's stamp that
opens a lead ("GD&TĐ - ", "(Dân trí) - ", "TTO - ", "(NLĐO)-")."""

from __future__ import annotations

import re

# A paragraph that is exactly one of these is clutter wherever it stands.
_CLUTTER = re.compile(
    r"^(?:rssheader|xem thêm|xem tiếp|đọc thêm|chia sẻ|share|in bài|quảng cáo|advertisement"
    r"|bạn còn \d+/\d+ ký tự|\d{1,2}/\d{1,2}/\d{4}|(?:thứ .{2,4}|chủ nhật),? \d{1,2}/\d{1,2}/\d{4}"
    r"|theo dõi .{1,80} trên google news|tags?:?|từ khóa:?|gửi|hủy|bình chọn)$",
    re.IGNORECASE,
)
# A paragraph that is exactly one of these starts the page's tail: it and all after it go.
_TAIL_START = re.compile(
    r"^(?:ý kiến của bạn|ý kiến bạn đọc|bình luận(?: \(\d+\))?|gửi bình luận|viết bình luận"
    r"|tin liên quan|bài liên quan|tin cùng chuyên mục|có thể bạn quan tâm|tin khác|tin mới)$",
    re.IGNORECASE,
)


def is_clutter(paragraph: str) -> bool:
    """True for a paragraph that is page furniture, never article text."""
    return bool(_CLUTTER.match(paragraph.strip(" .:»>")))


def remove_boilerplate(paragraphs: list[str]) -> list[str]:
    """Drop clutter paragraphs, and everything from the comment box or related news on."""
    kept: list[str] = []
    for paragraph in paragraphs:
        if _TAIL_START.match(paragraph.strip(" .:»>")):
            break
        if not is_clutter(paragraph):
            kept.append(paragraph)
    return kept


#: A lead's opening stamp: a short name in parentheses (a dash may follow), or one or two short
#: words before a dash set off by a space.
_STAMP = re.compile(
    r"^\s*(?:\((?P<paren>[^()]{1,30})\)\s*[-–—:]?"
    r"|(?P<word>[\w&.]{2,16}(?: [\w&.]{2,16})?)(?:\s+[-–—]|\s*[-–—](?=\s)))\s*"
)
#: Outlet names in mixed case that open leads as stamps.
_OUTLET_NAMES = frozenset({"dân trí", "vtc news", "vnexpress", "dân việt", "vietnamplus"})
_DOMAIN = re.compile(r"\.(?:vn|com|net|org)$", re.IGNORECASE)


def is_outlet_stamp(word: str) -> bool:
    """True for a word that names an outlet the way stamps do: upper case ("GD&TĐ", "TPO",
    "VOV.VN"), a domain ("Chinhphu.vn") or a known outlet name ("VTC News")."""
    return word.isupper() or bool(_DOMAIN.search(word)) or word.casefold() in _OUTLET_NAMES


def strip_outlet_stamp(lead: str) -> str:
    """`lead` without the outlet's stamp that opens it (unchanged when it has none)."""
    match = _STAMP.match(lead)
    if match is None or (match["word"] and not is_outlet_stamp(match["word"])):
        return lead
    return lead[match.end() :] or lead
