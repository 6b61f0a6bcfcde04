"""giaoducthoidai.vn (Báo Giáo dục & Thời đại): the current layout (`-postNNNNNN.html`,
since about 2021) and the legacy one (2018-2021, byline `Author - dd/mm/yyyy, HH:MM GMT+07 |
Category`). Each selector lists the current layout's classes, then the legacy ones."""

import re

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

    headline_css = "h1.article__title, .detail-news h1.detail-title"
    lead_css = "div.article__sapo, .detail-news .detail-sapo"
    lead_prefix = re.compile(r"^\s*GD&TĐ\s*[-–]\s*")
    byline_css = ".detail-news .detail-byline"
    author_css = ".article__author .name"
    time_css = ".article__meta time.time"
    category_css = ".breadcrumbs .text"
    tags_css = "div.article__tag a"
    body_css = "div.article__body, .detail-news .detail-content"
    body_exclude_css = (
        "div.related-news",
        "div.box-related",
        ".ads",
        "div.ads_middle",
        ".banner",
        "div.article__share",
        ".detail-content .related-box",
        ".detail-content .tool-bar",
    )
    figure_css = "table.picture, figure, table.image"
    figure_caption_css = "td.caption, figcaption, td.image_desc"
