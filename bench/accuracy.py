"""Extraction accuracy over every saved article page, side by side with trafilatura and
newspaper4k on the same pages.

    python bench/accuracy.py [--json PATH] [--limit N] [--sites NAME,...]

Ground truth is each fixture's reviewed `.expected.json`. Per site and field it prints how
often the headline, the publication time, the authors, the lead and the image captions are
exactly right, and the body's token F1 (bag of lower-cased words of the paragraphs, as in
the article-extraction benchmarks). The extractors:

- `site spider`: the fixture's own spider with its pipelines (what `scrapy crawl` exports);
  for the generic spider's fixtures (`fixtures/news/`) that is the generic spider;
- `generic`: the generic spider `news` on a site spider's fixtures, as if that site had no
  spider of its own;
- `trafilatura`: `trafilatura.bare_extraction(with_metadata=True)` (title, author, date at
  the finest precision htmldate finds, description as the lead, text as the body);
- `newspaper4k`: `newspaper.Article.parse()` (title, authors, publish_date,
  meta_description as the lead, text as the body).

Neither library reports image captions: their captions column is empty. A time given without
an offset is taken as GMT+07, the sites' own. `--limit N` scores the first N pages of each
site (the test suite runs it small), `--sites` only the named fixture folders.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import unicodedata
import warnings
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass, field
from datetime import datetime
from functools import cache
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

if __package__ in (None, ""):  # run as a script: python bench/accuracy.py
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import trafilatura

from edunews_scraper.exporters import to_jsonable
from edunews_scraper.fixtures import Fixture, find_fixtures
from edunews_scraper.offline import OfflineRunner, spider_class
from edunews_scraper.parsing.text import clean_text
from edunews_scraper.parsing.vn_datetime import VN_TZ, parse_vn_datetime
from edunews_scraper.spiders.generic import GenericNewsSpider

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
GENERIC = GenericNewsSpider.name

FIELDS = ("headline", "published", "authors", "lead", "body_f1", "captions")
SITE_SPIDER, GENERIC_ROW, TRAFILATURA, NEWSPAPER = (
    "site spider",
    "generic",
    "trafilatura",
    "newspaper4k",
)
EXTRACTORS = (SITE_SPIDER, GENERIC_ROW, TRAFILATURA, NEWSPAPER)

_WORD = re.compile(r"\w+")


@dataclass
class Extracted:
    """What an extractor found on a page, in the shape of our `Article` (None: not reported)."""

    headline: str = ""
    published: datetime | None = None
    authors: list[str] = field(default_factory=list)
    lead: str = ""
    paragraphs: list[str] = field(default_factory=list)
    captions: list[str] | None = None


@dataclass
class PageScore:
    """One page, one extractor: each exact field right or not, the body's token F1."""

    page: str
    site: str
    extractor: str
    headline: bool
    published: bool
    authors: bool
    lead: bool
    body_f1: float
    captions: bool | None  # None: the extractor does not report captions


# Scoring ---------------------------------------------------------------------------------


def tokens(texts: Iterable[str]) -> Counter[str]:
    """The bag of lower-cased words of `texts` (NFC; punctuation and spacing ignored)."""
    return Counter(
        word for text in texts for word in _WORD.findall(unicodedata.normalize("NFC", text).lower())
    )


def token_f1(expected: Iterable[str], found: Iterable[str]) -> float:
    """F1 of the words found against the words expected (1.0 when both are empty)."""
    want, got = tokens(expected), tokens(found)
    if not want and not got:
        return 1.0
    common = sum((want & got).values())
    if not common:
        return 0.0
    precision, recall = common / sum(got.values()), common / sum(want.values())
    return 2 * precision * recall / (precision + recall)


def as_datetime(value: Any) -> datetime | None:
    """A publication time as an aware datetime (GMT+07 when it carries no offset)."""
    if not value:
        return None
    if not isinstance(value, datetime):
        try:
            value = datetime.fromisoformat(str(value))
        except ValueError:
            return parse_vn_datetime(str(value))
    return value if value.tzinfo else value.replace(tzinfo=VN_TZ)


def _texts(values: Iterable[str]) -> list[str]:
    return [text for value in values if (text := clean_text(value))]


def score(fixture: Fixture, extractor: str, found: Extracted) -> PageScore:
    """How `found` compares with the fixture's reviewed output."""
    expected = fixture.expected()
    captions = [image["caption"] for image in expected["images"]]
    return PageScore(
        page=fixture.id,
        site=site_of(fixture),
        extractor=extractor,
        headline=clean_text(found.headline) == expected["headline"],
        published=as_datetime(found.published) == as_datetime(expected["published"]),
        authors=_texts(found.authors) == expected["authors"],
        lead=clean_text(found.lead) == expected["lead"],
        body_f1=token_f1(expected["paragraphs"], found.paragraphs),
        captions=None if found.captions is None else _texts(found.captions) == _texts(captions),
    )


# Extractors --------------------------------------------------------------------------------


def from_item(item: dict[str, Any]) -> Extracted:
    """Our exported item (an Article, or a Reject that found nothing)."""
    if "reason" in item:
        return Extracted(captions=[])
    return Extracted(
        headline=item["headline"],
        published=as_datetime(item["published"]),
        authors=item["authors"],
        lead=item["lead"],
        paragraphs=item["paragraphs"],
        captions=[image["caption"] for image in item["images"]],
    )


@cache
def _runner(spider: str, start_url: str = "") -> OfflineRunner:
    kwargs = {"start_urls": start_url} if start_url else {}
    return OfflineRunner(spider_class(spider), **kwargs)


def home(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}/"


def site_spider(fixture: Fixture) -> Extracted:
    """The fixture's own spider (the generic one for its own fixtures) and the pipelines."""
    start = home(fixture.url) if fixture.spider == GENERIC else ""
    return from_item(to_jsonable(_runner(fixture.spider, start).article(fixture.response())))


def generic_spider(fixture: Fixture) -> Extracted:
    """The generic spider and the pipelines, on any site's page."""
    runner = _runner(GENERIC, home(fixture.url))
    return from_item(to_jsonable(runner.article(fixture.response())))


def by_trafilatura(fixture: Fixture) -> Extracted:
    """trafilatura's metadata and main text."""
    document = trafilatura.bare_extraction(
        fixture.response().text,
        url=fixture.url,
        with_metadata=True,
        include_comments=False,
        date_extraction_params={
            "extensive_search": True,
            "original_date": True,
            "outputformat": "%Y-%m-%dT%H:%M:%S%z",
        },
    )
    if document is None:
        return Extracted()
    return Extracted(
        headline=document.title or "",
        published=as_datetime(document.date),
        authors=(document.author or "").split(";"),
        lead=document.description or "",
        paragraphs=(document.text or "").split("\n"),
    )


def by_newspaper(fixture: Fixture) -> Extracted:
    """newspaper4k's metadata and main text."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # "nltk is not installed": not needed here
        from newspaper import Article as NewspaperArticle

        article = NewspaperArticle(fixture.url, language="vi", fetch_images=False)
        article.download(input_html=fixture.response().text)
        article.parse()
    return Extracted(
        headline=article.title or "",
        published=as_datetime(article.publish_date),
        authors=list(article.authors),
        lead=article.meta_description or "",
        paragraphs=(article.text or "").split("\n"),
    )


def extractors_for(fixture: Fixture) -> dict[str, Callable[[Fixture], Extracted]]:
    """The extractors run on a fixture: on the generic spider's own pages, the generic
    spider is the fixture's own spider."""
    if fixture.spider == GENERIC:
        return {GENERIC_ROW: site_spider, TRAFILATURA: by_trafilatura, NEWSPAPER: by_newspaper}
    return {
        SITE_SPIDER: site_spider,
        GENERIC_ROW: generic_spider,
        TRAFILATURA: by_trafilatura,
        NEWSPAPER: by_newspaper,
    }


# The report --------------------------------------------------------------------------------


def site_of(fixture: Fixture) -> str:
    """A site spider's fixtures are its site's; the generic spider's, their outlet's."""
    if fixture.spider == GENERIC:
        return (urlsplit(fixture.url).hostname or "").removeprefix("www.")
    return fixture.spider


def scored_fixtures(
    root: Path = FIXTURES, sites: Iterable[str] | None = None, limit: int | None = None
) -> list[Fixture]:
    """Every reviewed article page (not a reject), or the first `limit` of each site."""
    wanted = set(sites or ())
    chosen: dict[str, list[Fixture]] = {}
    for fixture in find_fixtures(root):
        expected = fixture.expected() if fixture.kind == "articles" else None
        if expected is None or "reason" in expected:
            continue
        if wanted and fixture.spider not in wanted:
            continue
        pages = chosen.setdefault(site_of(fixture), [])
        if limit is None or len(pages) < limit:
            pages.append(fixture)
    return [fixture for pages in chosen.values() for fixture in pages]


def score_all(fixtures: Iterable[Fixture]) -> list[PageScore]:
    """Every fixture through every extractor that applies to it."""
    return [
        score(fixture, name, extract(fixture))
        for fixture in fixtures
        for name, extract in extractors_for(fixture).items()
    ]


def summarise(scores: list[PageScore]) -> list[dict[str, Any]]:
    """Per site and extractor (and over all sites, per extractor and kind of fixture): pages,
    the share of pages each exact field is right on, and the mean body F1."""
    groups: dict[tuple[str, str], list[PageScore]] = {}
    for page in scores:
        groups.setdefault((page.site, page.extractor), []).append(page)
        own = page.page.startswith(f"{GENERIC}/")
        scope = "all: generic's own pages" if own else "all: site pages"
        groups.setdefault((scope, page.extractor), []).append(page)
    rows = []
    for (site, extractor), pages in groups.items():
        row: dict[str, Any] = {"site": site, "extractor": extractor, "pages": len(pages)}
        for name in FIELDS:
            values = [getattr(page, name) for page in pages]
            known = [value for value in values if value is not None]
            row[name] = (sum(known) / len(known)) if known else None
        rows.append(row)
    order = {name: index for index, name in enumerate(EXTRACTORS)}
    return sorted(
        rows, key=lambda r: (r["site"].startswith("all"), r["site"], order[r["extractor"]])
    )


def table(rows: list[dict[str, Any]]) -> str:
    """The summary as a Markdown table: exact fields as a share of pages, F1 to 3 places."""
    head = ["site", "extractor", "pages", "headline", "published", "authors", "lead", "body F1"]
    lines = ["| " + " | ".join([*head, "captions"]) + " |", "|" + "---|" * 9]
    for row in rows:
        cells = [row["site"], row["extractor"], str(row["pages"])]
        for name in FIELDS:
            value = row[name]
            cells.append(
                "-" if value is None else f"{value:.3f}" if name == "body_f1" else f"{value:.0%}"
            )
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def run(
    root: Path = FIXTURES, sites: Iterable[str] | None = None, limit: int | None = None
) -> dict[str, Any]:
    """Score the fixtures; the summary rows and every page's scores, JSON-ready."""
    scores = score_all(scored_fixtures(root, sites, limit))
    return {"summary": summarise(scores), "pages": [asdict(page) for page in scores]}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--json", type=Path, help="also write the figures to this file")
    parser.add_argument("--limit", type=int, help="score at most this many pages of each site")
    parser.add_argument("--sites", help="comma-separated fixture folders (spiders) to score")
    parser.add_argument("--fixtures", type=Path, default=FIXTURES, help="the fixtures folder")
    args = parser.parse_args(argv)
    sites = [name.strip() for name in (args.sites or "").split(",") if name.strip()]
    report = run(args.fixtures, sites, args.limit)
    print(table(report["summary"]))
    if args.json:
        args.json.write_text(json.dumps(report, ensure_ascii=False, indent=2) + "\n", "utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
