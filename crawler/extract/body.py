"""Article body: trafilatura (with its fallbacks) on the shared tree, then our cleanup.

trafilatura finds the main text well but keeps some boilerplate that sits inside the
article container: calls to share, comment, subscribe or donate, shop links, "read
more" link lines, and the headline repeated at the top. ``clean_blocks`` removes those
by kind, not by site, and returns paragraphs separated by blank lines.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from urllib.parse import urljoin

from lxml import html

# Call-to-action phrases that are never the article's own words in a short paragraph.
_CTA_RE = re.compile(
    r"\b(?:please share|share this (?:article|story|post)|leave a comment|scroll down to|"
    r"comments? below|join the (?:conversation|discussion)|sign up (?:for|to)|subscribe (?:to|now|"
    r"for|today)|click here|follow us on|download (?:our|the) app|support (?:our|independent) "
    r"journalism|make a (?:donation|contribution)|donate (?:now|today)|become a (?:member|"
    r"subscriber|patron)|newsletter|all rights reserved|copyright ©|©\s*\d{4}|"
    r"advertisement|sponsored content|recommended for you|read (?:more|next|also)\b|"
    r"see also|related (?:articles|stories|coverage|content)|more from|"
    r"get our free|censorship|commenting forum|join (?:our|the) (?:commenting|community)|this article originally appeared|first appeared on|"
    r"republished (?:from|with)|you might also like|trending now|"
    r"we (?:depend|rely) on (?:readers|your support)|"
    r"our (?:shop|store)|free (?:\w+ )?(?:gear|merch|shipping)|"
    # Status messages of sign-up and share forms, left in the page's markup.
    r"thanks? (?:you )?for (?:signing up|subscribing)|error processing your|"
    r"an error has occurred|keep an eye on your inbox|"
    # Reprint and sharing notices, and pointers to the outlet's social accounts.
    r"for your personal,? non-commercial use|order (?:reprints|presentation-ready)|"
    r"this article has been sent to|follow (?:\S+ ){0,6}on (?:facebook|twitter|instagram)\b|"
    r"share (?:it|this) with (?:a|your) friends?|^see more:|tell us what you think|"
    r"if you (?:enjoyed|liked) this (?:article|story|post)|^our (?:editorial )?standards\b|"
    r"join (?:\S+ ){0,3}conversations?|breaking(?: news)? story\W+more to follow|"
    r"read our privacy (?:policy|notice)|"
    # Affiliate disclosures, registration walls and old-browser notices.
    r"(?:earn|receive|get) (?:us )?(?:an? )?(?:affiliate )?commission|affiliate (?:links?|commission)|"
    r"get a share of the sale|log in or create an account|create an account to continue|"
    r"enjoying our (?:latest )?content|using a browser version with limited support|"
    r"use (?:the )?(?:promo |coupon |discount )?code\b)",
    re.I,
)
# "Write to the author at ...", "Have a tip? X may be reached at ...": contact lines.
_CONTACT_RE = re.compile(
    r"\b(?:write to|reached at|reach (?:him|her|them|us|me) at|contact|e-?mail|tips?\b)", re.I
)
_EMAIL_RE = re.compile(r"\b[\w.+-]+@[\w-]+(?:\.[\w-]+)+\b")
_LABEL_LINE_RE = re.compile(
    r"^(?:[-•]\s*)?(?:advertisement|advert|ad|sponsored|share|tweet|email|print|comments?|"
    r"related|more|read more|loading|watch|listen|photo|image|video|gallery|close|"
    r"order reprints|print (?:this )?article|don'?t miss|article content|"
    r"skip ad|continue reading|story continues below(?: advertisement)?)\W*$",
    re.I,
)


_SECTION_LABEL_RE = re.compile(
    r"^(?:(?:most )?popular|most (?:read|viewed|shared)(?: in \w+(?: \w+)?)?|related(?: (?:articles|stories|posts|"
    r"content|coverage|news))?|read (?:more|next)|more (?:from|on|in|stories|news)\b.*|"
    r"recommended(?: for you| videos| reading| stories| articles)?|trending(?: now)?|you (?:may|might) also like|editor'?s picks|"
    r"top stories|latest (?:news|stories)|also read|see also|further reading|tags|"
    r"topics|filed under|categories)\W*$",
    re.I,
)
# Agency and newsroom credit lines: "(Reporting by X; Editing by Y)", "X contributed to
# this report.", and reading-time or bare "Updated at 1:23 p.m." stamps.
_CREDIT_RE = re.compile(
    r"^\(?(?:additional )?(?:reporting|writing|editing|compiled|research) by\b|"
    r"\bcontributed (?:reporting )?to this (?:report|story|article)\W*$|"
    r"^(?:reading time|read time|tempo de leitura|temps de lecture|lesezeit)\s*:|"
    r"^\d+\s*min(?:ute)?s?\s*read\W*$|"
    r"^(?:updated|posted|published|last updated)(?: at| on)? \d{1,2}[:.]\d{2}\s*(?:[ap]\.?m\.?)?"
    r"(?: [A-Z]{2,4})?\W*$",
    re.I,
)
# A block that is only a URL or a machine timestamp: hidden metadata spans, not prose.
_BARE_VALUE_RE = re.compile(
    r"^(?:https?://\S+|\d{4}-\d{2}-\d{2}(?:[T ][\d:.]+(?:Z|[+-]\d{2}:?\d{2})?)?)$"
)
# Words of a dateline ("Published Monday, 3 March 2026 at 10:15", "sexta-feira, 22 de
# outubro de 2010 às 20:13"): weekday and month names of the main European languages,
# their short forms, connectors and publication labels. A short line made of nothing
# else, around a year, is the page's dateline, not prose.
_DATELINE_VOCABULARY = """
    monday tuesday wednesday thursday friday saturday sunday mon tue tues wed thu thur
    thurs fri sat sun january february march april may june july august september october
    november december jan feb mar apr jun jul aug sep sept oct nov dec
    segunda terça terca quarta quinta sexta sábado sabado domingo feira janeiro fevereiro abril
    março marco maio junho julho setembro outubro novembro dezembro lunes martes miércoles
    miercoles jueves viernes enero febrero marzo mayo junio julio agosto septiembre
    octubre noviembre diciembre lundi mardi mercredi jeudi vendredi samedi dimanche
    janvier février fevrier mars avril mai juin juillet août aout septembre octobre
    novembre décembre decembre montag dienstag mittwoch donnerstag freitag samstag sonntag
    januar februar märz juni juli oktober dezember lunedì martedì mercoledì giovedì
    venerdì sabato domenica gennaio febbraio aprile maggio giugno luglio settembre
    ottobre dicembre at on of the de do da del às as a à le um am el den der
    published updated posted modified publicado publicada atualizado actualizado
    pubblicato aggiornato publié mis jour veröffentlicht aktualisiert am pm gmt utc
"""
_DATELINE_WORDS = frozenset(_DATELINE_VOCABULARY.split())
_DATELINE_TOKEN_RE = re.compile(r"[^\W\d_]+", re.UNICODE)
_ZONE_RE = re.compile(r"[A-Z]{2,4},?")
_YEAR_RE = re.compile(r"\b(?:1[89]|20)\d{2}\b")


def _is_dateline(block: str) -> bool:
    # One date: two years make a span ("29 November 2018 | 20 January 2019"), i.e. content.
    if len(block.split()) > 12 or len(_YEAR_RE.findall(block)) != 1:
        return False
    words = _DATELINE_TOKEN_RE.findall(block.casefold())
    zones = [w.strip(",") for w in block.split() if _ZONE_RE.fullmatch(w)]
    if len(zones) == 1:  # a time zone: "EST", "JST"
        words.remove(zones[0].casefold())
    return all(w in _DATELINE_WORDS or len(w) == 1 for w in words)  # "p.m." gives "p", "m"


# The label a teaser link wears in running text: "Related: ...", "... [VIDEO]".
_LINK_DRESS_RE = re.compile(
    r"^\[?(?:related|see also|also read|read (?:more|also|next)|more|watch|listen)\s*:\s*|"
    r"\s*\[[^\]]{2,20}\]\W*$|\]$"
)
_WORD_RE = re.compile(r"\w")
_SENTENCE_END = (".", "!", "?", "。", "！", "？", '"', "”", "»", ")", ":")
# Words in a paragraph long enough to be the article's own prose, not a teaser line.
PROSE_WORDS = 25


_EMBED_XPATH = (
    "//blockquote[contains(@class, 'twitter-tweet') or contains(@class, 'instagram-media')"
    " or contains(@class, 'tiktok-embed') or contains(@class, 'twitter-video')"
    " or contains(@class, 'reddit-card') or contains(@class, 'bluesky-embed')]"
)


@dataclass
class Body:
    text: str = ""
    links: list[str] = field(default_factory=list)


@dataclass
class LinkTexts:
    """Case-folded texts of the page's links.

    ``anchors``: each link's whole text. ``cards``: paragraphs and headings inside a
    link, i.e. a teaser card that links elsewhere; such a block is never the article's
    own text, however long it is.
    """

    anchors: set[str] = field(default_factory=set)
    cards: set[str] = field(default_factory=set)


_ZERO_WIDTH = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff"))


def _key(text: str) -> str:
    """Text compared across page and extractor output (which drops zero-width marks)."""
    return " ".join(text.translate(_ZERO_WIDTH).split()).casefold()


def link_texts(tree: html.HtmlElement) -> LinkTexts:
    texts = LinkTexts()
    for a in tree.iter("a"):
        if (a.get("href") or "").startswith("#"):
            continue  # a table of contents points at the article's own headings
        if text := _key(a.text_content()):
            texts.anchors.add(text)
        for el in a.iter("p", "h2", "h3", "h4"):
            if card := _key(el.text_content()):
                texts.cards.add(card)
    return texts


def _is_boilerplate(block: str, position: int, total: int, links: LinkTexts) -> bool:
    words = block.split()
    if not _WORD_RE.search(block):  # a rule or separator: "___", "-"
        return True
    if _LABEL_LINE_RE.match(block) or _BARE_VALUE_RE.match(block) or _is_dateline(block):
        return True
    if len(words) <= 60 and _CREDIT_RE.search(block):
        return True
    tail = position >= total - 3
    key = _key(block)
    if key in links.cards:
        return True
    plain = {key.rstrip(" .:>»→|"), _LINK_DRESS_RE.sub("", key).rstrip(" .:>»→|")}
    if len(words) <= 40 and not plain.isdisjoint(links.anchors):
        # A paragraph that is nothing but a link ("read more", shop or promo links),
        # maybe dressed as "Related: <link>" or "<link> [VIDEO]".
        return True
    if len(words) <= 45 and _EMAIL_RE.search(block) and _CONTACT_RE.search(block):
        return True
    # A call to action in a short paragraph, or in a longer one at the very end.
    return bool(_CTA_RE.search(block)) and (len(words) <= 30 or (tail and len(words) <= 80))


def _is_crumb(block: str) -> bool:
    """A short fragment without sentence punctuation: a leftover link or label.

    A list item is not one: short items are what lists are made of.
    """
    if block.startswith(("- ", "• ")):
        return False
    return len(block) <= 40 and len(block.split()) <= 4 and not block.endswith(_SENTENCE_END)


def _is_prose(block: str) -> bool:
    """A paragraph of article length that ends like a sentence."""
    return len(block.split()) >= PROSE_WORDS and block.endswith(_SENTENCE_END)


def _cut_trailing_section(blocks: list[str]) -> list[str]:
    """Cut a "Popular" / "Related" / "More from" section and all after it near the end.

    A label followed by article-length prose is a stray widget heading inside the
    article (the story goes on after it), so only the label itself is dropped there.
    """
    total = sum(len(b) for b in blocks)
    seen = 0
    for i, block in enumerate(blocks):
        if seen >= 0.6 * total and _SECTION_LABEL_RE.match(block):
            following = blocks[i + 1 :]
            if not any(_is_prose(b) for b in following):
                return blocks[:i]
        seen += len(block)
    return blocks


def _is_teaser(block: str, links: LinkTexts) -> bool:
    """A list item that opens with a link's text: a headline (and its blurb) elsewhere."""
    if not block.startswith(("- ", "• ")):
        return False
    item = block[2:].casefold()
    return any(item.startswith(a) for a in links.anchors if len(a) >= 12 and len(a.split()) >= 3)


def _cut_trailing_teasers(blocks: list[str], links: LinkTexts) -> list[str]:
    """Drop a run of three or more teaser items that ends the text: a related-links list."""
    end = len(blocks)
    while end and _is_teaser(blocks[end - 1], links):
        end -= 1
    return blocks[:end] if len(blocks) - end >= 3 else blocks


def _cut_second_copy(blocks: list[str]) -> list[str]:
    """Cut the text where the story starts over: the rest is a second copy of it.

    Pages that carry the story twice (a print or AMP copy, a carousel of the same
    story) make the extractor return it twice. The restart is found by the first
    paragraph of eight words or more coming back, whole or cut short with an ellipsis.
    """
    first = next((i for i, b in enumerate(blocks) if len(b.split()) >= 8), None)
    if first is None:
        return blocks
    key = blocks[first].casefold()
    for i in range(first + 1, len(blocks)):
        block = blocks[i].casefold()
        stem = block.rstrip(".…").rstrip()
        if block == key or (stem != block and len(stem) >= 30 and key.startswith(stem)):
            return blocks[:i]
    return blocks


def _shingles(text: str) -> set[tuple[str, ...]]:
    words = re.findall(r"\w+", text.casefold())
    return {tuple(words[i : i + 4]) for i in range(len(words) - 3)}


def _drop_leading_highlights(blocks: list[str]) -> list[str]:
    """Drop the list of highlights above a story when the story itself says the points.

    ("- Six million pairs were circulated" over a text that goes on to tell it.)
    """
    start = 0
    while start < len(blocks) and blocks[start].startswith(("- ", "• ")):
        start += 1
    if start < 2:
        return blocks
    rest = _shingles(" ".join(blocks[start:]))
    overlaps = [
        len(own & rest) / len(own) if own else 0.0 for own in map(_shingles, blocks[:start])
    ]
    return blocks[start:] if sum(overlaps) >= 0.5 * len(overlaps) else blocks


def clean_blocks(lines: list[str], title: str | None, links: LinkTexts) -> list[str]:
    """Keep the article's paragraphs: drop boilerplate blocks and a repeated headline."""
    blocks = [" ".join(line.split()) for line in lines]
    blocks = _cut_trailing_section(_cut_second_copy([b for b in blocks if b]))
    if blocks and title and blocks[0].casefold() == " ".join(title.split()).casefold():
        blocks = blocks[1:]
    total = len(blocks)
    kept = [b for i, b in enumerate(blocks) if not _is_boilerplate(b, i, total, links)]
    kept = _drop_leading_highlights(_cut_trailing_teasers(kept, links))
    # Trailing link-ish crumbs after the last real paragraph.
    while kept and _is_crumb(kept[-1]):
        kept.pop()
    return kept


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


def extract_body(tree: html.HtmlElement, url: str, title: str | None) -> Body:
    """Main text of the page as paragraphs, and the links inside it.

    Mutates ``tree`` (social embeds and hover cards are dropped): call it after all
    metadata is read.
    A page laid out with a table reads as one huge table row; it is read again with
    tables left out, which finds its paragraphs.
    """
    _drop_embeds(tree)
    _drop_inline_cards(tree)
    _drop_unseen(tree)
    text = _main_text(tree, url, tables=True)
    if _is_layout_table(text, title):
        text = _main_text(tree, url, tables=False) or text
    if not text.strip():
        return Body()
    links = link_texts(tree)
    blocks = clean_blocks(text.split("\n"), title, links)
    blocks = add_split_chunks(tree, blocks, links)
    text = "\n\n".join(blocks)
    return Body(text=text, links=body_links(tree, url, text))


def _main_text(tree: html.HtmlElement, url: str, *, tables: bool) -> str:
    """trafilatura's main text of the page, one block per line ("" when it finds none)."""
    import trafilatura

    try:
        doc = trafilatura.bare_extraction(
            tree,
            url=url or None,
            with_metadata=False,
            include_comments=False,
            include_tables=tables,
        )
    except Exception:  # noqa: BLE001 - trafilatura failing on odd markup: no body
        return ""
    return (doc.text or "") if doc is not None else ""


def _is_layout_table(text: str, title: str | None) -> bool:
    """The page read as one table row holding the headline: a page laid out with a <table>."""
    if not title:
        return False
    head = " ".join(title.split())[:60].casefold()
    return any(
        line.startswith("|")
        and len(line.split()) > 150
        and head in " ".join(line.split()).casefold()
        for line in text.split("\n")
    )


def _norm(text: str) -> str:
    return " ".join(text.split())


def _chunk_paragraphs(chunk: html.HtmlElement, links: LinkTexts) -> list[str]:
    paragraphs = []
    for el in chunk.iter("p", "h2", "h3"):
        text = _norm(el.text_content())
        if text and text.casefold() not in links.anchors:
            paragraphs.append(text)
    return paragraphs


def add_split_chunks(tree: html.HtmlElement, blocks: list[str], links: LinkTexts) -> list[str]:
    """Add the rest of an article whose text is split over sibling containers.

    Some pages cut the story into several identical containers (same tag and class,
    close together, with ads or media between them); the extractor keeps only the
    first. The containers are found from the first paragraph it kept, and the others'
    paragraphs are added when they read as prose, in page order.
    """
    lead = next((b for b in blocks if len(b.split()) >= 15), None)
    if lead is None:
        return blocks
    container = None
    for p in tree.iter("p"):
        if _norm(p.text_content())[:80] == lead[:80]:
            container = p.getparent()
            break
    if container is None or not container.get("class"):
        return blocks
    scope = container.getparent()
    scope = scope.getparent() if scope is not None else None
    if scope is None or scope.tag in ("body", "html"):
        return blocks
    chunks = [el for el in scope.iter(container.tag) if el.get("class") == container.get("class")]
    if len(chunks) < 2 or len(chunks) > 20:
        return blocks
    flat = " ".join(blocks)
    before: list[str] = []
    after: list[str] = []
    for chunk in chunks:
        if chunk is container:
            continue
        new = [p for p in _chunk_paragraphs(chunk, links) if p[:60] not in flat]
        if sum(_is_prose(p) for p in new) >= 2:
            (before if chunks.index(chunk) < chunks.index(container) else after).extend(new)
            flat += " " + " ".join(new)
    if not before and not after:
        return blocks
    return clean_blocks(before, None, links) + blocks + clean_blocks(after, None, links)


def body_links(tree: html.HtmlElement, url: str, text: str) -> list[str]:
    """Absolute targets of the page's links whose anchor text is part of the body.

    (trafilatura's own link mode changes which text it extracts, so links are matched
    back from the page instead.)
    """
    flat = " ".join(text.split())
    links: list[str] = []
    for a in tree.iter("a"):
        target = (a.get("href") or "").strip()
        anchor = " ".join(a.text_content().split())
        if not target or len(anchor) < 3 or target.startswith(("#", "javascript:", "mailto:")):
            continue
        if anchor in flat:
            absolute = urljoin(url, target) if url else target
            if absolute.startswith(("http://", "https://")) and absolute not in links:
                links.append(absolute)
    return links
