"""Vietnamese news-page boilerplate that slips into article bodies: comment boxes, share
bars, "Xem thêm" links, related-news headings and header clutter."""

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
