"""End to end through the real Scrapy engine, offline: category -> pagination -> articles ->
pipelines -> feeds, every request answered from the saved pages."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from edunews_scraper.fixtures import find_fixtures
from tests.conftest import FIXTURES, STATS_DUMP, not_saved, reachable, read_jsonl, rejects_of

REPLAY = ("crawl", "giaoducthoidai", "-a", f"replay={FIXTURES}")
SPIDERS = sorted({f.spider for f in find_fixtures(FIXTURES) if f.kind == "listings"})


def only_file(folder: Path, pattern: str) -> Path:
    files = sorted(folder.glob(pattern))
    assert len(files) == 1, files
    return files[0]


@pytest.mark.parametrize("spider", SPIDERS)
def test_replay_crawl_exports_every_saved_article_once(
    spider: str, scrapy_cli: Callable, tmp_path: Path
) -> None:
    result = scrapy_cli("crawl", spider, "-a", f"replay={FIXTURES}", *STATS_DUMP)
    assert result.returncode == 0, result.stderr[-3000:]
    articles_file = only_file(tmp_path / "data" / spider, "*.jsonl")
    articles = read_jsonl(articles_file)
    rejects = read_jsonl(rejects_of(articles_file))
    expected_articles, expected_rejects = reachable(spider)

    assert sorted(a["url"] for a in articles) == sorted(expected_articles)
    assert len({a["id"] for a in articles}) == len(articles)
    for article in articles:
        assert article == expected_articles[article["url"]]
    assert {r["url"] for r in rejects} == expected_rejects
    assert all(r["reason"] for r in rejects)
    assert f"'edunews/articles': {len(articles)}" in result.stderr
    # Pages the listings link to that are not saved are counted, never fetched nor rejected.
    assert f"'edunews/replay/not_saved': {len(not_saved(spider))}" in result.stderr
    # Beside the category pages, the saved feeds and news sitemap were read, and agree.
    assert "'edunews/discovery/rss/documents'" in result.stderr
    assert "'edunews/discovery/sitemap/documents': 1" in result.stderr
    assert "'edunews/monitors/discovery': 'OK'" in result.stderr
    assert "ERROR" not in result.stderr


def test_seed_article_in_the_crawl_output(scrapy_cli: Callable, tmp_path: Path) -> None:
    out = tmp_path / "out.jsonl"
    result = scrapy_cli(
        *REPLAY,
        "-a",
        "categories=thoi-su",
        "-O",
        str(out),
    )
    assert result.returncode == 0, result.stderr[-3000:]
    seed = [a for a in read_jsonl(out) if a["url"].endswith("-3917426.html")]
    assert len(seed) == 1
    seed = seed[0]
    assert seed["headline"] == "Tiếp tục đẩy mạnh công tác truyền thông giáo dục"
    assert seed["authors"] == ["Hải Bình"]
    assert seed["published"] == "2018-05-10T21:35:00+07:00"
    assert seed["category"] == "Thời sự"
    assert len(seed["paragraphs"]) == 5
    assert seed["paragraphs"][0].startswith("Năm học 2017 - 2018, Văn phòng Bộ GD&ĐT Văn phòng Sở")
    assert seed["paragraphs"][-1].endswith("đổi mới công tác thi đua, khen thưởng.")
    assert [i["caption"] for i in seed["images"]] == [
        "Thứ trưởng Phạm Mạnh Hùng tặng hoa chúc mừng các đồng chí Chánh Văn phòng Sở GD&ĐT "
        "mới được bổ nhiệm trong năm học 2017 – 2018",
        "Chánh Văn phòng Bộ GD&ĐT Nguyễn Viết Lộc phát biểu tại Hội nghị",
    ]
    text = out.read_text("utf-8")
    for clutter in (
        "rssheader",
        "Ý kiến của bạn",
        "Bạn còn 500/500 ký tự",
        "Xem thêm",
        "18/09/2021",
    ):
        assert clutter not in text
    assert "\\u" not in text  # Vietnamese written as UTF-8, not escaped
    # -O writes the articles there only; the rejects go to a folder of their own beside it.
    assert all("reason" not in a for a in read_jsonl(out))
    assert read_jsonl(rejects_of(out)) == []  # pages not in the replay are not rejects
    assert not (tmp_path / "data" / "giaoducthoidai").exists()


def test_spider_arguments_limit_the_crawl(scrapy_cli: Callable, tmp_path: Path) -> None:
    everything = tmp_path / "all.jsonl"
    assert scrapy_cli(*REPLAY, "-O", str(everything)).returncode == 0
    one_page = tmp_path / "one.jsonl"
    result = scrapy_cli(
        *REPLAY,
        "-a",
        "categories=giao-duc",
        "-a",
        "max_pages=1",
        "-a",
        "discover=listing",  # max_pages limits the category pages; a feed lists more
        "-O",
        str(one_page),
    )
    assert result.returncode == 0, result.stderr[-3000:]
    page_one = next(
        f
        for f in find_fixtures(FIXTURES, "giaoducthoidai")
        if f.url == "https://giaoducthoidai.vn/giao-duc/"
    )
    linked = set(page_one.expected()["articles"])
    exported = {a["url"] for a in read_jsonl(one_page)}
    assert exported and exported <= linked
    assert len(exported) < len(read_jsonl(everything))

    future = tmp_path / "future.jsonl"
    result = scrapy_cli(
        *REPLAY,
        "-a",
        "since=2099-01-01",
        "-O",
        str(future),
    )
    assert result.returncode == 0
    assert read_jsonl(future) == []
    assert "every dated article is older than 2099-01-01" in result.stderr


def test_unknown_category_is_a_clear_error(scrapy_cli: Callable) -> None:
    result = scrapy_cli("crawl", "giaoducthoidai", "-a", "categories=the-thao")
    assert result.returncode != 0
    assert result.stderr.splitlines()[0] == (
        "scrapy crawl: error: -a categories='the-thao': no such category 'the-thao'; "
        "accepted: comma-separated slugs from giao-duc, thoi-su, tuyen-sinh"
    )
