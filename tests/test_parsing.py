"""Pure parsing functions: bylines, authors, text, boilerplate, structured data."""

from __future__ import annotations

import pytest
from parsel import Selector

from edunews_scraper.parsing.authors import split_authors
from edunews_scraper.parsing.boilerplate import remove_boilerplate, strip_outlet_stamp
from edunews_scraper.parsing.byline import Byline, parse_byline
from edunews_scraper.parsing.structured import page_metadata, unescape
from edunews_scraper.parsing.text import clean_text, html_to_paragraphs
from edunews_scraper.pipelines.figures import single_caption

BYLINES = [
    (
        "Hải Bình - 10/05/2018, 21:35 GMT+07 | Thời sự",
        Byline("Hải Bình", "10/05/2018, 21:35 GMT+07", "Thời sự"),
    ),
    (
        "Minh Anh và Thu Hà - 01/09/2019, 07:00 GMT+07 | Giáo dục",
        Byline("Minh Anh và Thu Hà", "01/09/2019, 07:00 GMT+07", "Giáo dục"),
    ),
    (
        "  Hồng Hạnh  –  3/2/2020, 8:05 GMT+07|Tuyển sinh ",
        Byline("Hồng Hạnh", "3/2/2020, 8:05 GMT+07", "Tuyển sinh"),
    ),
    ("10/05/2018, 21:35 GMT+07 | Thời sự", Byline("", "10/05/2018, 21:35 GMT+07", "Thời sự")),
    ("Hải Bình - 10/05/2018, 21:35 GMT+07", Byline("Hải Bình", "10/05/2018, 21:35 GMT+07", "")),
]


@pytest.mark.parametrize(("text", "expected"), BYLINES)
def test_byline(text: str, expected: Byline) -> None:
    assert parse_byline(text) == expected


@pytest.mark.parametrize("text", ["Hải Bình", "Thời sự", ""])
def test_not_a_byline(text: str) -> None:
    assert parse_byline(text) is None


AUTHORS = [
    (["Hải Bình"], ["Hải Bình"]),
    (["Minh Anh và Thu Hà"], ["Minh Anh", "Thu Hà"]),
    (["Bài, ảnh: Hoàng Lâm - Ngọc Mai"], ["Hoàng Lâm", "Ngọc Mai"]),
    (["Nhóm PV: An Nhiên, Bảo Châu; Đức Huy"], ["An Nhiên", "Bảo Châu", "Đức Huy"]),
    (["Thanh Tùng (thanhtung@example.vn)"], ["Thanh Tùng"]),
    (["Lê Vân", "Lê Vân"], ["Lê Vân"]),
    (["Tác giả: Trần Nam / Phạm Hoa"], ["Trần Nam", "Phạm Hoa"]),
    (["(Tổng hợp)"], []),
    (["Theo Hồ Hương"], ["Hồ Hương"]),
    (["Bài: Theo Minh Khang"], ["Minh Khang"]),
    (["Theodore Nguyễn"], ["Theodore Nguyễn"]),
    ([], []),
]


@pytest.mark.parametrize(("credits", "names"), AUTHORS)
def test_split_authors(credits: list[str], names: list[str]) -> None:
    assert split_authors(credits) == names


def test_clean_text_is_nfc_without_invisible_characters() -> None:
    decomposed = "Gia\u0301o du\u0323c"  # "Giáo dục" written with combining marks
    assert clean_text(f"  {decomposed}\u200b\n\t\u00a0và  thời đại ") == "Giáo dục và thời đại"


def test_paragraphs_never_glue_words_across_blocks() -> None:
    html = (
        "<div><p>Một<br>hai</p><div>ba<div>bốn</div>năm</div>"
        "<ul><li>sáu</li><li>bảy</li></ul><p>tám<br><br>chín</p>"
        "<table><tr><td>mười</td><td>mười một</td></tr></table>"
        "<p>A<b>B</b> <i>C</i><script>var x = 1;</script><!-- note -->D</p></div>"
    )
    assert html_to_paragraphs(html) == [
        "Một hai",
        "ba",
        "bốn",
        "năm",
        "sáu",
        "bảy",
        "tám",
        "chín",
        "mười",
        "mười một",
        "AB CD",
    ]


@pytest.mark.parametrize("html", ["", "   ", "<p> </p>", "<script>x</script>"])
def test_paragraphs_of_empty_fragments(html: str) -> None:
    assert html_to_paragraphs(html) == []


def test_boilerplate_removed_and_tail_cut() -> None:
    paragraphs = [
        "rssheader",
        "18/09/2021",
        "Đoạn một của bài.",
        "Chia sẻ",
        "Đoạn hai của bài.",
        "Ý kiến của bạn",
        "Bạn còn 500/500 ký tự",
        "Đoạn sau hộp bình luận.",
        "Xem thêm",
    ]
    assert remove_boilerplate(paragraphs) == ["Đoạn một của bài.", "Đoạn hai của bài."]


def test_boilerplate_keeps_article_text_that_mentions_the_phrases() -> None:
    paragraphs = [
        "Học sinh có thể xem thêm hướng dẫn tại website của trường.",
        "Bạn còn 3 ngày để nộp hồ sơ.",
    ]
    assert remove_boilerplate(paragraphs) == paragraphs


@pytest.mark.parametrize(
    ("caption", "alt", "once"),
    [
        ("Lễ khai giảng Lễ khai giảng", "", "Lễ khai giảng"),
        ("Lễ khai giảng", "Lễ khai giảng", "Lễ khai giảng"),
        ("Học sinh học sinh", "", "Học sinh học sinh"),
        ("Ảnh: Minh Anh", "Toàn cảnh buổi lễ", "Ảnh: Minh Anh"),
    ],
)
def test_single_caption(caption: str, alt: str, once: str) -> None:
    assert single_caption(caption, alt) == once


def test_structured_data_prefers_json_ld_and_skips_organisation_authors() -> None:
    page = Selector(
        text="""<html><head>
      <link rel="canonical" href="https://example.vn/bai-viet-post1.html">
      <meta property="og:title" content="Tiêu đề | Báo Ví dụ">
      <meta property="article:published_time" content="2020-01-01T00:00:00+07:00">
      <meta property="article:tag" content="tuyển sinh">
      <script type="application/ld+json">{"@context": "https://schema.org", "@graph": [
        {"@type": "BreadcrumbList"},
        {"@type": "NewsArticle", "headline": "Tiêu đề",
         "datePublished": "2024-03-01T08:00:00+07:00",
         "author": [{"@type": "Person", "name": "Ngọc Lan"},
                    {"@type": "Organization", "name": "Báo"}],
         "keywords": "thi cử, học phí", "articleSection": ["Giáo dục", "Tuyển sinh"]}]}</script>
      <script type="application/ld+json">{not json</script>
    </head><body></body></html>"""
    )
    meta = page_metadata(page.root)
    assert meta.headline == "Tiêu đề"
    assert meta.title == "Tiêu đề | Báo Ví dụ"
    assert meta.published == "2024-03-01T08:00:00+07:00"
    assert meta.authors == ["Ngọc Lan"]
    assert meta.tags == ["thi cử", "học phí"]
    assert meta.section == "Giáo dục"
    assert meta.canonical_url == "https://example.vn/bai-viet-post1.html"


def test_structured_data_falls_back_to_meta() -> None:
    page = Selector(
        text="""<html><head>
      <meta property="og:url" content="https://example.vn/a.html">
      <meta property="article:published_time" content="2020-01-01T00:00:00+07:00">
      <meta property="article:tag" content="tuyển sinh">
      <meta property="article:tag" content="lớp 10">
    </head></html>"""
    )
    meta = page_metadata(page.root)
    assert (meta.headline, meta.published, meta.tags, meta.canonical_url) == (
        "",
        "2020-01-01T00:00:00+07:00",
        ["tuyển sinh", "lớp 10"],
        "https://example.vn/a.html",
    )


STAMPS = [
    ("GD&TĐ - Năm học mới bắt đầu.", "Năm học mới bắt đầu."),
    ("(Dân trí) - Sáng 5/3, trường mở cửa.", "Sáng 5/3, trường mở cửa."),
    ("(NLĐO)- Chiều nay, thí sinh dự thi.", "Chiều nay, thí sinh dự thi."),
    ("TTO - Hôm qua, Bộ công bố.", "Hôm qua, Bộ công bố."),
    ("TPO - Học sinh đến trường.", "Học sinh đến trường."),
    ("VOV.VN - Kỳ thi diễn ra.", "Kỳ thi diễn ra."),
    ("Chinhphu.vn - Thủ tướng ký.", "Thủ tướng ký."),
    ("VTC News - Trường học mới.", "Trường học mới."),
    # Not stamps: a place, an acronym inside a word, an ordinary sentence.
    ("Hà Nội - Sáng nay, trời mưa.", "Hà Nội - Sáng nay, trời mưa."),
    ("COVID-19 - đã qua, học sinh trở lại.", "COVID-19 - đã qua, học sinh trở lại."),
    ("Bộ GD&ĐT - cơ quan quản lý.", "Bộ GD&ĐT - cơ quan quản lý."),
    ("Dân trí nâng cao là mục tiêu.", "Dân trí nâng cao là mục tiêu."),
    ("GD&TĐ - ", "GD&TĐ - "),
]


@pytest.mark.parametrize(("lead", "expected"), STAMPS)
def test_outlet_stamp_stripped_from_lead(lead: str, expected: str) -> None:
    assert strip_outlet_stamp(lead) == expected


@pytest.mark.parametrize(
    ("escaped", "text"),
    [
        ("Chi&amp;#7871;n s&amp;#7921; kh&#244;ng", "Chiến sự không"),  # escaped twice
        ("Ch&#237;nh s&aacute;ch", "Chính sách"),
        ("GD&amp;amp;TĐ", "GD&TĐ"),  # three times
        ("AT&T và R&D", "AT&T và R&D"),  # no entity: unchanged
    ],
)
def test_entities_decoded_however_often_escaped(escaped: str, text: str) -> None:
    assert unescape(escaped) == text


def test_structured_data_strings_and_meta_lose_their_entities() -> None:
    html = """<html><head>
    <meta property="og:title" content="Ch&amp;#237;nh s&amp;#225;ch m&#7899;i">
    <meta property="article:tag" content="tuy&amp;#7875;n sinh, l&#7899;p 10">
    <script type="application/ld+json">{"@type": "NewsArticle",
      "headline": "Chi&amp;#7871;n l&#432;&#7907;c gi&aacute;o d&#7909;c",
      "description": "GD&amp;amp;T&#272; - M&ocirc; t&#7843;",
      "author": [{"@type": "Person", "name": "Nguy&#7877;n An"}]}</script>
    </head><body></body></html>"""
    meta = page_metadata(Selector(text=html).root)
    assert meta.headline == "Chiến lược giáo dục"
    assert meta.description == "GD&TĐ - Mô tả"
    assert meta.authors == ["Nguyễn An"]
    assert meta.title == "Chính sách mới"
    assert meta.tags == ["tuyển sinh", "lớp 10"]
