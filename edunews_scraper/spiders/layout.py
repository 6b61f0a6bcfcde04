"""`Layout`: one article layout of a site, as a unit.

A site serves several layouts at once (a redesign leaves older articles in the older one).
Each is a `Layout`: a `marker` selector that matches on pages of that layout only, and the CSS
selectors that read its fields. A spider lists its layouts newest first; an article page is
read with the first layout whose marker matches it. A redesign is one more `Layout` (and its
fixtures), not one more alternative in every selector.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Layout:
    """The selectors of one article layout. Each field selector's first match is used; ""
    switches a field off (the page's structured data may still fill it)."""

    #: A short name, written into fixtures' `.meta.json` as `"layout"`.
    name: str
    #: Matches on a page of this layout and of no other layout of the site.
    marker: str
    headline: str = "h1"
    lead: str = ""
    #: Nodes inside the lead that are not its text (a dateline or outlet stamp in a span).
    lead_exclude: tuple[str, ...] = ()
    #: A printed byline that the byline pipeline splits ("Author - dd/mm/yyyy | Category").
    byline: str = ""
    #: Each author's name (all matches are taken).
    authors: str = ""
    #: The printed publication time; a `datetime` attribute on it is read too.
    time: str = "time"
    updated: str = ""
    category: str = ""
    #: Each tag (all matches are taken).
    tags: str = ""
    body: str = "article"
    #: Nodes inside the body that are not article text (ads, related news, share bars)...
    body_exclude: tuple[str, ...] = ()
    #: ...and those only XPath can name, evaluated from the body.
    body_exclude_xpath: tuple[str, ...] = ()
    #: Image containers inside the body; their captions are taken out of the text.
    figure: str = "figure"
    figure_caption: str = "figcaption"
    #: Image containers outside the body that belong to the article (a lead photo printed
    #: above it); their images come first.
    lead_figure: str = ""

    def selectors(self) -> list[str]:
        """Every CSS selector of the layout (for tests that check them on saved pages)."""
        fields = (
            self.marker,
            self.headline,
            self.lead,
            self.byline,
            self.authors,
            self.time,
            self.updated,
            self.category,
            self.tags,
            self.body,
            self.figure,
            self.lead_figure,
        )
        return [css for css in (*fields, *self.lead_exclude, *self.body_exclude) if css]


class UnknownLayout(ValueError):
    """An article page that none of its site's layouts recognises."""
