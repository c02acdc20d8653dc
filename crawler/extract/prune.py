"""Prune the page tree before the main-text extractor reads it.

What goes is never the article's text, whatever the site: embedded social posts
(someone else's words), dialogs and sidebars marked by their ARIA role, embedded documents and transcripts beside a story of its
own, hover cards inside a paragraph (headlines behind a name), hidden elements
(not the hidden pages of a paged story), and image captions and credits (which
restate the story). ``without_others_words`` gives the date search a copy without
the embedded posts and reader comments, whose dates are someone else's.
"""

from __future__ import annotations

import re
from copy import deepcopy as copy_tree

from lxml import etree, html

_EMBED_XPATH = (
    "//blockquote[contains(@class, 'twitter-tweet') or contains(@class, 'instagram-media')"
    " or contains(@class, 'tiktok-embed') or contains(@class, 'twitter-video')"
    " or contains(@class, 'reddit-card') or contains(@class, 'bluesky-embed')]"
)


def _drop(elements: list[html.HtmlElement]) -> None:
    for el in elements:
        if el.getparent() is not None:
            el.drop_tree()


def _drop_embeds(tree: html.HtmlElement) -> None:
    """Remove embedded social posts: their text is someone else's, not the article's."""
    _drop(tree.xpath(_EMBED_XPATH))


# A reader comment thread, by the names comment systems give it (WordPress's
# comments-area/commentlist/respond, Disqus's disqus_thread, a plain "comments").
_COMMENTS_RE = re.compile(
    r"^(?:comments?(?:[-_](?:list|area|section|thread|wrapper|container))?|commentlist|"
    r"disqus_thread|respond)$",
    re.I,
)


def _is_comment_thread(el: html.HtmlElement) -> bool:
    names = f"{el.get('id') or ''} {el.get('class') or ''}".split()
    return any(_COMMENTS_RE.match(name) for name in names)


def _others_words(tree: html.HtmlElement) -> list[html.HtmlElement]:
    """The embedded social posts and reader comment threads of ``tree``."""
    found = tree.xpath(_EMBED_XPATH)
    found += [el for el in tree.iter(etree.Element) if _is_comment_thread(el)]
    return found


def without_others_words(tree: html.HtmlElement) -> html.HtmlElement:
    """``tree`` without embedded social posts and reader comment threads: words (and
    dates) that are someone else's. A copy when there is any to cut, else ``tree``
    itself (not to be changed by the caller); ``tree`` is left whole either way."""
    if not _others_words(tree):
        return tree  # the usual page: no copy
    copy = copy_tree(tree)
    _drop(_others_words(copy))
    return copy


_HIDDEN_CLASSES = frozenset(
    ("hidden", "is-hidden", "hide", "u-hide", "d-none", "visually-hidden", "sr-only")
)
_DISPLAY_NONE_RE = re.compile(r"display\s*:\s*none", re.I)


def _is_unseen(el: html.HtmlElement) -> bool:
    """Hidden by markup, or an image caption or credit (which restates the story)."""
    get = el.get  # called on every element of the page
    style = get("style")
    if get("hidden") is not None or (style and _DISPLAY_NONE_RE.search(style)):
        return True
    classes = get("class")
    if not classes:
        return False
    if not _HIDDEN_CLASSES.isdisjoint(classes.split()):
        return True
    # Only a small element is a caption, not a container classed "has-caption".
    folded = classes.lower()
    return bool(
        ("caption" in folded or "credit" in folded)
        and el.tag not in ("article", "main")
        and len(el.text_content().split()) <= 80
        and not el.xpath(".//p | .//div//div")
    )


def _kind(el: html.HtmlElement) -> tuple[str, frozenset[str]]:
    """Tag and classes of an element, its show/hide classes left out."""
    classes = frozenset((el.get("class") or "").split()) - _HIDDEN_CLASSES
    return el.tag, classes - {"active", "is-active", "current", "visible", "show", "shown"}


def _is_next_page(el: html.HtmlElement) -> bool:
    """A hidden page of the story: a slide or tab whose visible sibling of the same kind
    holds the text on show ("section-1" hidden beside "section-0" shown). Its text is
    the story's, only paged by a script, so it stays."""
    parent = el.getparent()
    if parent is None or not el.get("class") or not el.xpath(".//p"):
        return False
    kind = _kind(el)
    return any(sib is not el and _kind(sib) == kind and not _is_hidden(sib) for sib in parent)


def _is_hidden(el: html.HtmlElement) -> bool:
    if el.get("hidden") is not None or _DISPLAY_NONE_RE.search(el.get("style") or ""):
        return True
    return not _HIDDEN_CLASSES.isdisjoint((el.get("class") or "").split())


def _drop_unseen(tree: html.HtmlElement) -> None:
    """Remove what the reader never sees as the story: hidden elements, captions, credits."""
    body = tree.find("body")
    if body is None:
        return
    found = [el for el in body.iter(etree.Element) if _is_unseen(el)]
    for el in found:
        if el.getparent() is not None and not (_is_hidden(el) and _is_next_page(el)):
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


_DOCUMENT_RE = re.compile(
    r"transcript|document-?(?:cloud|viewer|embed|reader)|pdf-?(?:viewer|embed|reader)|scribd|"
    r"embed(?:ded)?-?(?:document|doc|pdf|text)|full-?text-?embed",
    re.I,
)
_DOCUMENT_WORDS = ("transcript", "document", "pdf", "scribd", "embed", "full")
_DOCUMENT_SUMMARY_RE = re.compile(
    r"transcript|full (?:text|document)|read the (?:full|whole)", re.I
)
# Words of article prose outside an embedded document for the page to be more than it.
_PROSE_OUTSIDE = 150


def _words_in_paragraphs(el: html.HtmlElement) -> int:
    return sum(len(p.text_content().split()) for p in el.iter("p"))


def _drop_documents(tree: html.HtmlElement) -> None:
    """Remove a long embedded document (a transcript, a filing, a PDF's text) that the
    story links to but that is not the story, when the page has prose of its own.

    It is marked as such (a class, id or ARIA label naming a transcript or a document
    viewer, a ``<details>`` whose summary offers the full text, or a heading of its own:
    ``_headed_documents``). A page that is all transcript has no prose outside it, so
    there the transcript stays: it is the article.
    """
    body = tree.find("body")
    if body is None:
        return
    marked = []
    for el in body.iter("div", "section", "aside", "details", "figure", "article"):
        label = f"{el.get('class') or ''} {el.get('id') or ''} {el.get('aria-label') or ''}"
        label = label.lower()
        if el.tag != "details" and not any(w in label for w in _DOCUMENT_WORDS):
            continue  # most elements: no need for the expression
        summary = el.find("summary") if el.tag == "details" else None
        offers_text = summary is not None and _DOCUMENT_SUMMARY_RE.search(summary.text_content())
        nested = any(m in el.iterancestors() for m in marked)
        if (_DOCUMENT_RE.search(label) or offers_text) and not nested:
            marked.append(el)
    runs = [[el] for el in marked] + _headed_documents(body)
    if not runs:
        return
    total = _words_in_paragraphs(body)
    for run in runs:
        inside = sum(_words_in_paragraphs(el) for el in run)
        if inside >= _PROSE_OUTSIDE and total - inside >= _PROSE_OUTSIDE:
            for el in run:
                if el.getparent() is not None:
                    el.drop_tree()


# A heading that labels what follows as a document: "Full transcript of the hearing",
# "Read the transcript", "Full text of the letter".
_DOCUMENT_HEADING_RE = re.compile(
    r"\btranscripts?\b|\b(?:full|complete|entire|unedited) (?:text|document)\b", re.I
)
_WHOLE_TEXT_RE = re.compile(r"\b(?:full|complete|entire|unedited)\b", re.I)
# A turn of a transcript: "CHAIR: ...", "Q: ...", "Jane Doe: ...".
_SPEAKER_TURN_RE = re.compile(r"^\s*(?:[A-Z][A-Z.'’ -]{0,40}|[A-Z][a-z]+(?: [A-Z][a-z]+){0,2}):\s")
_HEADINGS = ("h2", "h3", "h4")


def _headed_documents(body: html.HtmlElement) -> list[list[html.HtmlElement]]:
    """Documents set in the page under a heading of their own: the heading and the
    elements after it up to the next heading of its rank or higher.

    The heading must say so ("Full transcript", "Full text of the letter"); a heading
    that only names a transcript ("Transcript shows ...") needs the text below it to
    read as one, turn by turn ("CHAIR: ...", "Q: ..."), so a story's own section on a
    transcript stays.
    """
    runs = []
    for heading in body.iter(*_HEADINGS):
        title = " ".join(heading.text_content().split())
        if not title or len(title.split()) > 12 or not _DOCUMENT_HEADING_RE.search(title):
            continue
        run: list[html.HtmlElement] = [heading]
        for sib in heading.itersiblings():
            if isinstance(sib.tag, str) and sib.tag in _HEADINGS and sib.tag <= heading.tag:
                break
            run.append(sib)
        paragraphs = [p.text_content() for el in run[1:] for p in el.iter("p")]
        turns = sum(bool(_SPEAKER_TURN_RE.match(p)) for p in paragraphs)
        if _WHOLE_TEXT_RE.search(title) or (turns >= 4 and 2 * turns >= len(paragraphs)):
            runs.append(run)
    return runs


# ARIA roles whose content is by definition beside the story: a dialog (a cookie
# consent, a sign-up or log-in form) and a complementary region (a sidebar). Roles
# survive where class names say nothing (CSS modules, utility classes).
_ASIDE_ROLES = frozenset(("dialog", "alertdialog", "complementary"))


def _is_aside(el: html.HtmlElement) -> bool:
    role = el.get("role")
    return (
        el.tag == "dialog"
        or el.get("aria-modal") == "true"
        or (role is not None and role.strip().lower() in _ASIDE_ROLES)
    )


def _drop_asides(tree: html.HtmlElement) -> None:
    """Remove dialogs and complementary regions, unless the page's prose is in them (a
    page that shows its essays in pop-up dialogs has little prose outside them)."""
    body = tree.find("body")
    if body is None:
        return
    found = [el for el in body.iter(etree.Element) if _is_aside(el)]
    outermost = [el for el in found if not any(_is_aside(a) for a in el.iterancestors())]
    if not outermost:
        return
    inside = sum(_words_in_paragraphs(el) for el in outermost)
    if _words_in_paragraphs(body) - inside >= _PROSE_OUTSIDE:
        _drop(outermost)


def prune(tree: html.HtmlElement) -> None:
    """Remove embeds, asides, hover cards, hidden elements and captions from ``tree``
    in place."""
    _drop_asides(tree)
    _drop_embeds(tree)
    _drop_documents(tree)
    _drop_inline_cards(tree)
    _drop_unseen(tree)
