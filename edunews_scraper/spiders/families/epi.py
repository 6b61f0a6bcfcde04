"""The CMS that giaoducthoidai.vn (since about 2021) shares with tienphong.vn, nhandan.vn,
baophapluat.vn and others: `h1.article__title`, `div.article__sapo.cms-desc`,
`div.article__body.zce-content-body.cms-body`, article URLs ending `-post<digits>.html`
(tienphong: `.tpo`, vietnamplus: `.vnp`). Its assets are served from `*.epicdn.me`
(giaoducthoidai: `static-cms-giaoducthoidai.epicdn.me`) and `common.mcms.one`, hence the name:
ePi's CMS (inferred from those hosts, not stated by any page).

Confirmed on three real served pages of 2026 of the sister papers (a tienphong.vn photo story
and report, a nhandan.vn report; none of giaoducthoidai.vn itself):
- headline `div.article__header > h1.article__title.cms-title`; lead `div.article__sapo.cms-desc
  > p`, opening with the outlet's stamp ("TPO - "; giaoducthoidai "GD&TĐ - ");
- time `div.article__meta > time.time[datetime]`, printed "16/07/2026 21:43" (tienphong) or
  "Thứ Hai, ngày 20/07/2026 - 06:31" (nhandan);
- section: the breadcrumb's active link `div.breadcrumb-detail h2.main > a.active` (after the
  topic's own link on a topic page); `article:section` is a comma list ("Kinh tế,Doanh
  nghiệp"), not the section;
- body `div.article__body.zce-content-body.cms-body`: `<p>`s with inline `a.cms-relate` links,
  photos as bare `<figure>`s (lazy: a placeholder gif in `src`, the URL in `data-src` and
  `data-large-src`, the caption in `figcaption` and the img's `title`), photo stories of
  `div.layout-image-2` blocks (two figures under one `figcaption`) with no `<p>` at all, boxed
  panels `div.notebox.cms-note` (article text), empty ad slots `div.sda_middle`, teasers
  `div.article-relate[data-source=related-news]` (not text), an iframe;
- byline `.article__author .name`: after the body in `div.article-footer` (tienphong, which also
  prints it above the body in `div.wrap-author`), or INSIDE the body at its end as
  `div.article__author > p.name` (nhandan: not text);
- after the body `div.related-news` ("Xem thêm" / "Tin liên quan"), tags `div.article__tag a`
  (tienphong prints them with a "#"); nhandan's lead photo `figure.article__avatar` sits outside
  the body.
From the team's markup notes, not on those pages: `h2.article__sapo`, the category as
`div.cate-breadcrumb a.cate-parent`.

The family's MOBILE template, confirmed on two real served plo.vn pages of October 2025 (a
photo report and a court report). A page's script sets an `isDesktop` cookie and reloads for
desktop browsers, so a crawler sending no cookie gets this markup (whether giaoducthoidai.vn
does the same is not confirmed): section `div.breadcrumb h2.main > a` (no `.breadcrumb-detail`,
no `a.active`); time `div.article__header > time.article__time[datetime]`; the lead photo
`figure.article__avatar` above the breadcrumb; image groups `div.layout-image-2` and
`div.layout-image-3` (one to three figures under one `figcaption`); and, INSIDE the body after
the text, a topic box `div.related-topic` (teaser titles and times) and `div.article__meta`
(the bylines `div.cms-author a.name`, clean, and share buttons), neither of them text.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from edunews_scraper.spiders.layout import Layout

EPI_ARTICLE = Layout(
    name="epi",
    marker="h1.article__title, div.article__body.cms-body",
    headline="h1.article__title",
    lead="div.article__sapo, h2.article__sapo",
    authors=".article__author .name, div.article__body div.article__meta .cms-author .name",
    time=".article__meta time, time.article__time",
    category=(
        ".breadcrumb-detail a.active, div.cate-breadcrumb a.cate-parent, "
        "div.breadcrumb:not(.breadcrumb-detail) h2.main a"
    ),
    tags="div.article__tag a",
    body="div.article__body",
    body_exclude=(
        "div.article-relate",
        "div.related-news",
        "div.related-topic",  # the mobile template's topic box closing the body
        "div.article__author",  # nhandan's byline closing the body
        "div.article__meta",  # the mobile template's bylines and share buttons, ditto
        "div.ads_middle",
        ".banner",
        "div.article__share",
    ),
    # A `div.layout-image-<n>` holding figures and a caption of theirs is one image group too.
    figure='div[class*="layout-image-"], figure',
    lead_figure="figure.article__avatar",
    figure_caption="figcaption",
)


def epi_article_layout(name: str, **overrides: Any) -> Layout:
    """The family's article layout under a site's name, with the site's own selectors."""
    return replace(EPI_ARTICLE, name=name, **overrides)
