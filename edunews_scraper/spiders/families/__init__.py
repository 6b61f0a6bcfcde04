"""Article layouts of news CMSs that several outlets share: a site spider (or the generic
spider) builds on its family's layout instead of restating its selectors (`epi.py`, ...), and
the generic spider tries `FAMILIES` on an outlet it has never seen before it falls back to
trafilatura.

The generic spider's variants widen a family's layout to what every outlet of the family
prints, as confirmed on real pages served in 2026:

- `VCCORP`: the CMS of tuoitre.vn, thanhnien.vn, nld.com.vn, baochinhphu.vn and cafef.vn
  (VCCorp's; assets on `*.mediacdn.vn`, `cafefcdn.com`). Confirmed on real pages served in
  2026 (nld, baochinhphu, two of cafef; tuoitre and thanhnien in their spiders): every field is
  named by a `data-role` attribute (`title`, `sapo`, `publishdate`, `author`, `content`);
  photos are `figure.VCSortableInPreviewMode[type=Photo]` with a `.PhotoCMS_Caption` (an
  empty `p` holding the editor's placeholder when the photo has none); related boxes
  (`[type=RelatedNewsBox]`, `[type=RelatedOneNews]`), a "TIN MỚI" box (`div.tindnd`, cafef)
  and ad `<zone>`s sit inside the body; boxed panels (`[type=content]`) are article text.
  Subheadings are `h2`/`h3`, sometimes wrapping `b`/`strong`, or a paragraph of bold text.
  The template differs between outlets around those roles: nld and baochinhphu print
  `h1.detail-title`, `h2.detail-sapo`, `div.detail-content` inside `div.detail-cmain`;
  cafef `h1.title`, `h2.sapo`, `span.pdate` ("07-03-2026 - 00:01 AM"), byline `p.author`.
- `EPI`: ePi Technologies' CMS ("mcms") of giaoducthoidai.vn, tienphong.vn, nhandan.vn and
  (by public crawlers' selectors) plo.vn, sggp.org.vn, vietnamplus.vn and regional papers.
  Confirmed on real pages served in 2026 (a tienphong.vn photo story, a nhandan.vn report):
  `h1.article__title.cms-title`,
  `div.article__sapo.cms-desc > p` (tienphong's opens "TPO - "), the time in
  `.article__meta time.time[datetime]` ("06/09/2026 15:33", "Thứ Hai, ngày 20/07/2026 - 06:31"),
  `div.article__body.zce-content-body.cms-body`; photos in `figure`s, lazy (a 1x1 gif in `src`,
  the real URL in `data-src`), in photo stories two at a time in a `div.layout-image-2` under ONE
  `figcaption` (such a story may have no paragraph at all); boxed panels `div.notebox`; related
  teasers `div.article-relate` and ad slots inside the body; the byline `.article__author .name`
  inside the body at its end (nhandan) or after it (tienphong); the section as the breadcrumb's
  `a.active`; tags printed with a "#". Older content uses `table.picture`.
"""

from __future__ import annotations

from dataclasses import replace

from edunews_scraper.spiders.families.epi import EPI_ARTICLE
from edunews_scraper.spiders.layout import Layout

VCCORP = Layout(
    name="vccorp",
    marker="[data-role=content], div.detail-cmain",
    headline="h1[data-role=title], h1.detail-title, [data-role=title]",
    lead="[data-role=sapo]",
    authors=(
        "[data-role=author], .detail-author .author-info .name, .detail-author-bot .name, "
        ".author-info .name, .detail-info p.author, .detail-cmain p.author"
    ),
    time="[data-role=publishdate]",
    category="[data-role=cate-name], .detail-cate a:last-child",
    tags=".detail-tab a, [data-role=tags] a",
    body="div.detail-cmain [data-role=content], [data-role=content]",
    body_exclude=(
        "[type^=RelatedNews]",
        "[type=RelatedOneNews]",
        "[type=VideoStream]",
        "[type=Video]",
        ".kbwscwl-relatedbox",
        ".tindnd",
        ".h-show-pc",
        ".h-show-mobile",
        ".link-source-wrapper",
        ".ads-inpage",
        ".dable_placeholder",
        "[data-check-position]",
        "zone",
    ),
    figure=(
        ".VCSortableInPreviewMode[type=Photo], figure.VCSortableInPreviewMode:not([type]), "
        "table.imagefull, table:has(img)"
    ),
    figure_caption=".PhotoCMS_Caption, .imgcaption, td:not(:has(img))",
)

EPI = replace(
    EPI_ARTICLE,
    # tienphong and nhandan print the section as the breadcrumb's active link.
    category=f".breadcrumb-detail a.active, {EPI_ARTICLE.category}",
    # nhandan prints the byline inside the body, at its end.
    body_exclude=(*EPI_ARTICLE.body_exclude, ".article__author", ".ads"),
)

#: The families the generic spider recognises, tried in this order.
FAMILIES: tuple[Layout, ...] = (VCCORP, EPI)
