"""The item pipelines together: RawArticle in, Article or Reject out, outcomes counted."""

from __future__ import annotations

import io
import json
from datetime import datetime

import pytest
from scrapy.exporters import JsonLinesItemExporter
from scrapy.http import HtmlResponse

from edunews_scraper.exporters import JsonLinesExporter
from edunews_scraper.items import Article, RawArticle, RawImage, Reject
from edunews_scraper.offline import OfflineRunner, spider_class

FETCHED = datetime.fromisoformat("2026-11-20T10:00:00+07:00")


@pytest.fixture
def runner() -> OfflineRunner:
    return OfflineRunner(spider_class("giaoducthoidai"))


def raw(**fields) -> RawArticle:
    values = {
        "url": "https://giaoducthoidai.vn/bai-viet-post700001.html",
        "site": "giaoducthoidai.vn",
        "fetched_at": FETCHED,
        "headline": " Học sinh\u00a0trở lại trường ",
        "published_raw": "2 giờ trước",
        "body_html": "<div><p>Đoạn một.</p><p>Ảnh minh họa</p><p>Đoạn hai.</p>"
        "<p>Ý kiến của bạn</p><p>Bình luận cuối.</p></div>",
        "byline": "",
        "authors": ["Bài, ảnh: Minh Anh - Thu Hà"],
        "images": [
            RawImage(src="https://img.example/1.jpg", caption="Ảnh minh họa Ảnh minh họa"),
            RawImage(src="https://img.example/1.jpg", caption=""),
        ],
    }
    values.update(fields)
    return RawArticle(**values)


def test_a_complete_article(runner: OfflineRunner) -> None:
    article = runner.process(raw())
    assert isinstance(article, Article)
    assert article.headline == "Học sinh trở lại trường"
    assert article.published.isoformat() == "2026-11-20T08:00:00+07:00"
    assert article.authors == ["Minh Anh", "Thu Hà"]
    assert article.paragraphs == ["Đoạn một.", "Đoạn hai."]
    assert [(i.url, i.caption) for i in article.images] == [
        ("https://img.example/1.jpg", "Ảnh minh họa")
    ]
    assert len(article.id) == 16
    assert runner.crawler.stats.get_value("edunews/articles") == 1


@pytest.mark.parametrize(
    ("fields", "reason"),
    [
        ({"headline": "  "}, "missing: headline"),
        ({"published_raw": ""}, "missing: published"),
        ({"published_raw": "không rõ ngày"}, "missing: published (unparsed 'không rõ ngày')"),
        ({"body_html": "<p>Xem thêm</p>", "images": []}, "missing: paragraphs"),
        ({"url": "", "headline": ""}, "missing: url, headline"),
    ],
)
def test_incomplete_articles_become_rejects(
    runner: OfflineRunner, fields: dict, reason: str
) -> None:
    reject = runner.process(raw(**fields))
    assert isinstance(reject, Reject)
    assert reject.reason == reason
    assert reject.url == fields.get("url", raw().url)
    assert runner.crawler.stats.get_value("edunews/rejects") == 1
    assert runner.crawler.stats.get_value("edunews/rejects/missing") == 1


def test_a_photo_story_has_its_captions_as_paragraphs(runner: OfflineRunner) -> None:
    """ePi's photo stories print their whole text in captions, one per pair of photos."""
    images = [RawImage(f"https://img.example/{n}.jpg", f"Chú thích {n // 2}") for n in range(4)]
    article = runner.process(raw(body_html="<div><p>Chú thích 0</p></div>", images=images))
    assert isinstance(article, Article)
    assert article.paragraphs == ["Chú thích 0", "Chú thích 1"]
    assert [i.caption for i in article.images] == ["Chú thích 0"] * 2 + ["Chú thích 1"] * 2


def test_extraction_failure_is_recorded_not_raised(
    runner: OfflineRunner, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(response: HtmlResponse) -> RawArticle:
        raise ValueError("layout changed")

    monkeypatch.setattr(runner.spider, "extract_article", broken)
    url = "https://giaoducthoidai.vn/bai-viet-post700002.html"
    reject = runner.article(HtmlResponse(url=url, body=b"<html></html>"))
    assert isinstance(reject, Reject)
    assert reject.reason == "extraction failed: ValueError: layout changed"
    assert runner.crawler.stats.get_value("edunews/rejects/extraction failed") == 1


def test_exported_line_is_utf8_with_offsets(runner: OfflineRunner) -> None:
    buffer = io.BytesIO()
    exporter = JsonLinesExporter(buffer, encoding="utf-8")
    exporter.start_exporting()
    exporter.export_item(runner.process(raw()))
    exporter.finish_exporting()
    line = buffer.getvalue().decode("utf-8")
    assert "Học sinh trở lại trường" in line  # not \u-escaped
    record = json.loads(line)
    assert record["published"] == "2026-11-20T08:00:00+07:00"
    assert record["fetched_at"] == "2026-11-20T10:00:00+07:00"
    assert record["images"] == [{"url": "https://img.example/1.jpg", "caption": "Ảnh minh họa"}]


def test_exported_line_is_what_scrapys_exporter_writes(runner: OfflineRunner) -> None:
    """Our items skip Scrapy's per-field serialization; the bytes are the same, and an
    exporter given `fields_to_export` still goes through it."""
    article = runner.process(raw())
    ours, scrapys, chosen = io.BytesIO(), io.BytesIO(), io.BytesIO()
    JsonLinesExporter(ours, encoding="utf-8").export_item(article)
    JsonLinesItemExporter.export_item(JsonLinesExporter(scrapys, encoding="utf-8"), article)
    JsonLinesExporter(chosen, encoding="utf-8", fields_to_export=["id", "url"]).export_item(article)
    assert ours.getvalue() == scrapys.getvalue()
    assert json.loads(chosen.getvalue()) == {"id": article.id, "url": article.url}
