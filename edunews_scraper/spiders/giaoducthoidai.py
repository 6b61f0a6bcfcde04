"""giaoducthoidai.vn (Báo Giáo dục & Thời đại): the current layout (`-postNNNNNN.html`,
since about 2021) and the legacy one (2018-2021, byline `Author - dd/mm/yyyy, HH:MM GMT+07 |
Category`), each a `Layout`."""

import re

from edunews_scraper.spiders.layout import Layout
from edunews_scraper.spiders.news import NewsSpider


class GiaoducthoidaiSpider(NewsSpider):
    name = "giaoducthoidai"
    site = "giaoducthoidai.vn"
    allowed_domains = ["giaoducthoidai.vn"]
    categories = {
        "giao-duc": "https://giaoducthoidai.vn/giao-duc/",
        "tuyen-sinh": "https://giaoducthoidai.vn/tuyen-sinh/",
        "thoi-su": "https://giaoducthoidai.vn/thoi-su/",
    }

    # The category's own teasers; the sidebar ("Đọc nhiều") uses article.story too, untimed.
    listing_item_css = ".category-featured article.story, .category-timeline article.story"
    listing_link_css = ".story__heading a::attr(href)"
    listing_time_css = "time"
    article_url_pattern = re.compile(
        r"giaoducthoidai\.vn/(?:[\w-]+-post\d+\.html|[\w-]+/[\w-]+-\d{5,}(?:-[a-z])?\.html)$"
    )

    layouts = (
        Layout(
            name="current",
            marker="h1.article__title, div.article__body",
            headline="h1.article__title",
            lead="div.article__sapo",
            authors=".article__author .name",
            time=".article__meta time.time",
            category=".breadcrumbs .text",
            tags="div.article__tag a",
            body="div.article__body",
            body_exclude=(
                "div.related-news",
                "div.box-related",
                ".ads",
                "div.ads_middle",
                ".banner",
                "div.article__share",
            ),
            figure="table.picture, figure, table.image",
            figure_caption="td.caption, figcaption, td.image_desc",
        ),
        Layout(
            name="legacy",
            marker=".detail-news",
            headline=".detail-news h1.detail-title",
            lead=".detail-news .detail-sapo",
            byline=".detail-news .detail-byline",
            time="",
            body=".detail-news .detail-content",
            body_exclude=(
                "div.related-news",
                "div.box-related",
                ".ads",
                ".banner",
                ".detail-content .related-box",
                ".detail-content .tool-bar",
            ),
            figure="table.picture, figure, table.image",
            figure_caption="td.caption, figcaption, td.image_desc",
        ),
    )
