"""Which text blocks are boilerplate, by kind: the vocabulary of the body cleanup.

Each rule names a kind of block that is never the article's own words (a call to
action, a label, a dateline, an agency credit, a paragraph that is only a link or sits
inside one), never a site. ``body.clean_blocks`` applies them; each kind has a fixture
page in ``tests/fixtures/extract/``.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass, field

from lxml import html

from newsarchive.urls import host_under, site_host, site_of

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
    r"skip ad|continue reading|story continues below(?: advertisement)?|"
    # An audio or video player's own labels: "Listen to this article", "Now playing".
    r"listen to (?:this|the) (?:article|story)(?: \d+ min(?:utes?)?)?|now playing|"
    r"autoplay(?: is)? (?:on|off))\W*$",
    re.I,
)


SECTION_LABEL_RE = re.compile(
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
    r"^(?:https?://\S+|\d{4}-\d{2}-\d{2}(?:[T ][\d:.]+(?:Z|[+-]\d{2}:?\d{2})?)?|"
    r"\d{1,2}:\d{2}(?::\d{2})?\s*/\s*\d{1,2}:\d{2}(?::\d{2})?)$"  # a player's "00:00 / 04:32"
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


def is_dateline(block: str) -> bool:
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
SENTENCE_END = (".", "!", "?", "。", "！", "？", '"', "”", "»", ")", ":")
# Words in a paragraph long enough to be the article's own prose, not a teaser line.
PROSE_WORDS = 25


@dataclass
class LinkTexts:
    """Case-folded texts of the page's links.

    ``anchors``: each link's whole text. ``cards``: paragraphs and headings inside a
    link, i.e. a teaser card that links elsewhere; such a block is never the article's
    own text, however long it is. ``targets``: each link's ``href`` and text, spaces
    squashed, in page order (read once here, for ``body.body_links`` as well).
    ``elsewhere``: the texts whose every link leads to another site (a shop, a
    product's maker): in a list article the item's name, not the site's own promo.
    """

    anchors: set[str] = field(default_factory=set)
    cards: set[str] = field(default_factory=set)
    targets: list[tuple[str, str]] = field(default_factory=list)
    elsewhere: set[str] = field(default_factory=set)


_ZERO_WIDTH = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff"))


def text_key(text: str) -> str:
    """Text as compared with the page's link texts (the extractor drops zero-width marks)."""
    return " ".join(text.translate(_ZERO_WIDTH).split()).casefold()


def link_texts(tree: html.HtmlElement, url: str = "") -> LinkTexts:
    texts = LinkTexts()
    here = site_of(url)
    own: set[str] = set()  # texts of a link that stays on the site (or its sister hosts)
    for a in tree.iter("a"):
        href = (a.get("href") or "").strip()
        if href.startswith("#"):
            continue  # a table of contents points at the article's own headings
        anchor = " ".join(a.text_content().split())
        texts.targets.append((href, anchor))
        if text := text_key(anchor):
            texts.anchors.add(text)
            (texts.elsewhere if here and _leaves_site(href, here) else own).add(text)
        for el in a.iter("p", "h2", "h3", "h4"):
            if card := text_key(el.text_content()):
                texts.cards.add(card)
    texts.elsewhere -= own
    return texts


_HOST_RE = re.compile(r"^(?:https?:)?//(?:[^/?#@]*@)?([^/?#:]+)", re.I)


@functools.lru_cache(maxsize=4096)
def _leaves(href_host: str, here: str) -> bool:
    """A link to ``href_host`` leaves the site ``here`` (a subdomain or a parent host
    is the same site)."""
    there = site_host(href_host)
    return not (host_under(there, here) or host_under(here, there))


def _leaves_site(href: str, here: str) -> bool:
    match = _HOST_RE.match(href)  # a relative link never leaves; no urlsplit per link
    return bool(match) and _leaves(match.group(1), here)


_MAX_VERBATIM_LINES = 5_000


def verbatim_lines(tree: html.HtmlElement) -> frozenset[str]:
    """Keys of the lines of the page's preformatted blocks (``<pre>``: code, a console's
    output, a table drawn in text). They are the author's text as written, however bare
    a line looks: a rule of box-drawing characters or a timestamp there is no separator
    or metadata of the site."""
    keys: set[str] = set()
    for pre in tree.iter("pre"):
        for line in pre.text_content().splitlines():
            if key := text_key(line):
                keys.add(key)
        if len(keys) >= _MAX_VERBATIM_LINES:
            break
    return frozenset(keys)


def is_boilerplate(block: str, position: int, total: int, links: LinkTexts) -> bool:
    words = block.split()
    if not _WORD_RE.search(block):  # a rule or separator: "___", "-"
        return True
    if _LABEL_LINE_RE.match(block) or is_dateline(block):
        return True
    key = text_key(block)
    if _BARE_VALUE_RE.match(block) and not _named_item(key, links):
        return True  # a bare URL that links to another site is a list's item too
    if len(words) <= 60 and _CREDIT_RE.search(block):
        return True
    tail = position >= total - 3
    if key in links.cards:
        return True
    if (
        len(words) <= 40
        and not _undressed(key).isdisjoint(links.anchors)
        and not _named_item(key, links)
    ):
        # A paragraph that is nothing but a link ("read more", shop or promo links),
        # maybe dressed as "Related: <link>" or "<link> [VIDEO]".
        return True
    if len(words) <= 45 and _EMAIL_RE.search(block) and _CONTACT_RE.search(block):
        return True
    # A call to action in a short paragraph, or in a longer one at the very end; not a
    # story's paragraph that only ends with one ("... on Christmas. Follow him on
    # Instagram to watch."): the sentences before it are the story's.
    if not (len(words) <= 30 or (tail and len(words) <= 80)):
        return False  # a long paragraph: no search for one (the costliest pattern here)
    cta = _CTA_RE.search(block)
    return cta is not None and not _story_before(block[: cta.start()])


def _undressed(key: str) -> set[str]:
    """A line's key as a link's text: itself, and without its dress, trailing marks cut."""
    return {key.rstrip(" .:>»→|"), _LINK_DRESS_RE.sub("", key).rstrip(" .:>»→|")}


# What a promo's link asks the reader to do: "View The Advertiser", "Download the app".
_ASKS_RE = re.compile(
    r"^(?:view|visit|download|get|sign|subscribe|click|tap|read|watch|listen|follow|shop|"
    r"buy|join|try|see|check|learn|find|discover|explore|go|order|book|start|register|"
    r"support|donate)\b|\bsign up\b|\|"
)


def _named_item(key: str, links: LinkTexts) -> bool:
    """A line that is only a link to another site, undressed and asking nothing of the
    reader: the name of an item a list article reviews or sells ("Apple AirPods Pro",
    "“Thumper” ($20)"), part of the story."""
    if key not in links.elsewhere or _LINK_DRESS_RE.sub("", key) != key:
        return False
    return not (_CTA_RE.search(key) or _ASKS_RE.search(key))


_SENTENCE_BREAK_RE = re.compile(r"(?<=[.!?\"”])\s+(?=[A-Z“\"])")
_QUOTED_RE = re.compile(r"“[^”]*”|\"[^\"]*\"")
_READER_RE = re.compile(r"\b(?:you|your|we|our|us)\b", re.I)


def _story_before(text: str) -> bool:
    """Whole sentences of story before a call to action: prose of its own that does
    not speak to the reader (an appeal or a newsletter pitch does: "we", "your"), and
    reads as sentences, most words in lower case (a headline, a byline and a row of
    share buttons run together do not)."""
    before = text.strip()
    if not before.endswith(SENTENCE_END):  # the sentence the call to action is in is not
        before = " ".join(_SENTENCE_BREAK_RE.split(before)[:-1])
    if _READER_RE.search(_QUOTED_RE.sub(" ", before)):
        return False
    words = [w for w in before.split() if w[:1].isalpha()]
    lower = sum(w[:1].islower() for w in words)
    return len(before.split()) >= PROSE_WORDS and lower >= len(words) / 2


_NUMBERED_RE = re.compile(r"^\d{1,3}[.)] \S")


def is_crumb(block: str) -> bool:
    """A short fragment without sentence punctuation: a leftover link or label.

    A list item is not one, bulleted or numbered ("- X", "39. X"): short items are what
    lists are made of.
    """
    if block.startswith(("- ", "• ")) or _NUMBERED_RE.match(block):
        return False
    return len(block) <= 40 and len(block.split()) <= 4 and not block.endswith(SENTENCE_END)


def is_prose(block: str) -> bool:
    """A paragraph of article length that ends like a sentence."""
    return len(block.split()) >= PROSE_WORDS and block.endswith(SENTENCE_END)
