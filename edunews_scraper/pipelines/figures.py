"""Images with their captions, each caption once and none of them in the paragraphs."""

from __future__ import annotations

from edunews_scraper.items import RawArticle, RawImage
from edunews_scraper.pipelines.base import RawArticleStage


def single_caption(caption: str, alt: str = "") -> str:
    """The caption once, when the page printed it twice ("X X", or "X" + alt "X")."""
    words = caption.split()
    half = len(words) // 2
    if words and len(words) % 2 == 0 and words[:half] == words[half:]:
        return " ".join(words[:half])
    if alt and caption.startswith(alt) and caption[len(alt) :].strip() == alt:
        return alt
    return caption


class FiguresPipeline(RawArticleStage):
    """One entry per image URL, captions de-duplicated and kept out of the paragraphs; a
    photo story, whose only text is its captions, has them as its paragraphs."""

    def process(self, raw: RawArticle) -> RawArticle:
        images: dict[str, RawImage] = {}
        for image in raw.images:
            caption = single_caption(image.caption, image.alt)
            known = images.get(image.src)
            if known is None or (not known.caption and caption):
                images[image.src] = RawImage(src=image.src, caption=caption, alt=image.alt)
        raw.images = list(images.values())
        captions = {image.caption for image in raw.images if image.caption}
        doubled = {f"{caption} {caption}" for caption in captions}
        paragraphs = [p for p in raw.paragraphs if p not in captions and p not in doubled]
        story = dict.fromkeys(image.caption for image in raw.images if image.caption)
        raw.paragraphs = paragraphs or list(story)
        return raw
