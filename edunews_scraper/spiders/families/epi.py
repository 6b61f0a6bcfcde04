"""The CMS that giaoducthoidai.vn (since about 2021) shares with tienphong.vn, nhandan.vn,
baophapluat.vn and others: `h1.article__title`, `div.article__sapo.cms-desc`,
`div.article__body.zce-content-body.cms-body`, article URLs ending `-post<digits>.html`
(tienphong: `.tpo`, vietnamplus: `.vnp`). Its assets are served from `*.epicdn.me`
(giaoducthoidai: `static-cms-giaoducthoidai.epicdn.me`), hence the name: ePi's CMS (inferred
from that host, not stated by any page).

Confirmed on a real served page of a sister paper (tienphong.vn, 2026; facts in
shared/markup/README.md), not yet on a giaoducthoidai.vn page:
- lead `div.article__sapo.cms-desc > p` opening with the outlet's stamp ("TPO - ", "GD&TĐ - "),
  on some pages `h2.article__sapo`;
- body `div.article__body.zce-content-body.cms-body`; images `div.layout-image-2 > figure >
  img.lazyload.cms-photo`, a placeholder gif in `src`, the real URL in `data-src` and
  `data-large-src`; one `figcaption` can cover two images; no `table.picture`;
- byline `div.article-footer .article__author span.name`, after the body (also `.cms-author`);
- related boxes `div.article-relate[data-source=related-news]` inside the body and
  `div.related-news` ("Xem thêm") after it;
- category `div.cate-breadcrumb a.cate-parent`; a gallery article can have no `<p>` at all.
Reported by other crawlers, not seen on a served page: time `.article__meta time.time`, tags
`div.article__tag a`.
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
    authors=".article__author .name",
    time=".article__meta time",
    category="div.cate-breadcrumb a.cate-parent",
    tags="div.article__tag a",
    body="div.article__body",
    body_exclude=(
        "div.article-relate",
        "div.related-news",
        "div.ads_middle",
        ".banner",
        "div.article__share",
    ),
    # A `div.layout-image-2` holding figures and a caption of theirs is one image group too.
    figure="div.layout-image-2, figure",
    figure_caption="figcaption",
)


def epi_article_layout(name: str, **overrides: Any) -> Layout:
    """The family's article layout under a site's name, with the site's own selectors."""
    return replace(EPI_ARTICLE, name=name, **overrides)
