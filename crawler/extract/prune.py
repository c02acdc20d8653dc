"""Prune the page tree before the main-text extractor reads it.

What goes is never the article's text, whatever the site: embedded social posts
(someone else's words), hover cards inside a paragraph (headlines behind a name),
hidden elements, and image captions and credits (which restate the story).
"""

from __future__ import annotations

import re

from lxml import html

_EMBED_XPATH = (
    "//blockquote[contains(@class, 'twitter-tweet') or contains(@class, 'instagram-media')"
    " or contains(@class, 'tiktok-embed') or contains(@class, 'twitter-video')"
    " or contains(@class, 'reddit-card') or contains(@class, 'bluesky-embed')]"
)


def _drop_embeds(tree: html.HtmlElement) -> None:
    """Remove embedded social posts: their text is someone else's, not the article's."""
    for el in tree.xpath(_EMBED_XPATH):
        parent = el.getparent()
        if parent is not None:
            el.drop_tree()


_HIDDEN_CLASSES = frozenset(
    ("hidden", "is-hidden", "hide", "u-hide", "d-none", "visually-hidden", "sr-only")
)
_CAPTION_RE = re.compile(r"caption|credit", re.I)
_DISPLAY_NONE_RE = re.compile(r"display\s*:\s*none", re.I)


def _is_unseen(el: html.HtmlElement) -> bool:
    """Hidden by markup, or an image caption or credit (which restates the story)."""
    if el.get("hidden") is not None or _DISPLAY_NONE_RE.search(el.get("style") or ""):
        return True
    classes = el.get("class") or ""
    if not classes:
        return False
    if not _HIDDEN_CLASSES.isdisjoint(classes.split()):
        return True
    # Only a small element is a caption, not a container classed "has-caption".
    return bool(
        _CAPTION_RE.search(classes)
        and el.tag not in ("article", "main")
        and len(el.text_content().split()) <= 80
        and not el.xpath(".//p | .//div//div")
    )


def _drop_unseen(tree: html.HtmlElement) -> None:
    """Remove what the reader never sees as the story: hidden elements, captions, credits."""
    body = tree.find("body")
    if body is None:
        return
    found = [el for el in body.iter() if isinstance(el.tag, str) and _is_unseen(el)]
    for el in found:
        if el.getparent() is not None:
            el.drop_tree()


def _drop_inline_cards(tree: html.HtmlElement) -> None:
    """Remove pop-up cards hidden inside a paragraph (a name's hover card of links).

    Such a card is an inline element made of three or more links and almost no other
    text; left in, its headlines run into the sentence around it. The innermost card
    goes first, so a link that merely wraps one keeps its own text.
    """
    for el in reversed(tree.xpath("//p//span[count(.//a) >= 3]")):
        links = el.findall(".//a")
        if len(links) < 3 or el.getparent() is None:
            continue
        text = len("".join(el.text_content().split()))
        linked = sum(len("".join(a.text_content().split())) for a in links)
        if text and linked >= 0.9 * text:
            el.drop_tree()


def prune(tree: html.HtmlElement) -> None:
    """Remove embeds, hover cards, hidden elements and captions from ``tree`` in place."""
    _drop_embeds(tree)
    _drop_inline_cards(tree)
    _drop_unseen(tree)
