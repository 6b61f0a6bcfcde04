"""Article layouts of news CMSs that several outlets share: a site spider (or the generic
spider) builds on its family's layout instead of restating its selectors (`epi.py`, ...), and
the generic spider tries `FAMILIES` on an outlet it has never seen before it falls back to
trafilatura.

The generic spider's variants widen a family's layout to what every outlet of the family
prints, as confirmed on real pages served in 2026:

- `VCCORP` (`vccorp.py`, the CMS of tuoitre, thanhnien, nld.com.vn, baochinhphu.vn, cafef.vn):
  also read by the `data-role` attributes every template of the CMS carries, since cafef's
  prints `h1.title[data-role=title]`, `h2.sapo[data-role=sapo]`, `span.pdate[data-role=
  publishdate]` ("07-03-2026 - 00:01 AM"), `a[data-role=cate-name]` and the byline `p.author`
  outside the `detail-*` classes (confirmed on two real cafef pages of 2026); bylines in
  `p[data-role=author]` (nld); cafef's "TIN MỚI" box `div.tindnd`, related boxes without a
  typed wrapper and device-only blocks inside the body are left out.
- `EPI` (`epi.py`, ePi's CMS of giaoducthoidai, tienphong.vn, nhandan.vn and, by public
  crawlers' selectors, plo.vn, sggp.org.vn, vietnamplus.vn): confirmed on a real tienphong.vn
  photo story and a real nhandan.vn report of 2026 — the time in `.article__meta time.time`
  ("06/09/2026 15:33", "Thứ Hai, ngày 20/07/2026 - 06:31"); photo stories of `div.layout-image-2`
  blocks, two lazy `figure`s under one `figcaption`, and no paragraph at all; boxed panels
  `div.notebox` (text); the section as the breadcrumb's `a.active`; the byline
  `.article__author .name` after the body (tienphong) or inside it at its end (nhandan: left
  out of the text); tags printed with a "#". The family layout is read as the site spiders
  read it (those facts live in `epi.py`); the generic variant only also leaves out `.ads`.
"""

from __future__ import annotations

from dataclasses import replace

from edunews_scraper.spiders.families.epi import EPI_ARTICLE
from edunews_scraper.spiders.families.vccorp import VCCORP_ARTICLE
from edunews_scraper.spiders.layout import Layout

VCCORP = replace(
    VCCORP_ARTICLE,
    # Every template of the CMS names its fields by `data-role`; cafef prints `h1.title`,
    # `h2.sapo`, `span.pdate` and the section link outside the `detail-*` classes.
    marker=f"{VCCORP_ARTICLE.marker}, [data-role=content]",
    headline=f"h1[data-role=title], {VCCORP_ARTICLE.headline}",
    lead=f"[data-role=sapo], {VCCORP_ARTICLE.lead}",
    # The names themselves: `[data-role=author]` also marks byline containers (tuoitre's
    # "HÀ NHI và 1 tác giả khác").
    authors=(
        "p.name[data-role=author], .detail-author .author-info .name, "
        ".detail-author .author-item-name .name, .detail-author-bot .name, "
        ".detail-info p.author, .detail-cmain p.author"
    ),
    time="[data-role=publishdate]",
    category=f"[data-role=cate-name], {VCCORP_ARTICLE.category}",
    body=f"{VCCORP_ARTICLE.body}, [data-role=content]",
    body_exclude=(
        *VCCORP_ARTICLE.body_exclude,
        ".kbwscwl-relatedbox",  # related boxes outside a typed VCSortable wrapper
        ".tindnd",  # cafef's "TIN MỚI" box
        ".h-show-pc",
        ".h-show-mobile",
        ".link-source-wrapper",
        ".ads-inpage",
        ".dable_placeholder",
    ),
    figure=f"{VCCORP_ARTICLE.figure}, table.imagefull",
    figure_caption=f"{VCCORP_ARTICLE.figure_caption}, .imgcaption",
)

EPI = replace(EPI_ARTICLE, body_exclude=(*EPI_ARTICLE.body_exclude, ".ads"))

#: The families the generic spider recognises, tried in this order.
FAMILIES: tuple[Layout, ...] = (VCCORP, EPI)
