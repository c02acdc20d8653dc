"""Article body: prune the tree, let trafilatura find the main text, clean its blocks.

trafilatura (with its fallbacks) finds the main text well but keeps some boilerplate
that sits inside the article container. The cleanup runs in three places:

- ``prune``: before trafilatura, elements that are never the article's text (embeds,
  hover cards, hidden elements, captions) leave the tree;
- ``boilerplate``: which single blocks are boilerplate, by kind;
- here: the steps over the sequence of blocks (a second copy of the story, trailing
  "Related" sections and teaser lists, a highlights list that repeats the story,
  trailing crumbs) and the re-reads (a page laid out in a table, a story split over
  sibling containers).

Rules remove kinds of blocks, never a site's markup. Paragraphs are separated by blank
lines in the result.
"""

from __future__ import annotations

import re
from collections.abc import Collection
from dataclasses import dataclass, field
from urllib.parse import urljoin

from lxml import html

from crawler.extract.boilerplate import (
    SECTION_LABEL_RE,
    SENTENCE_END,
    LinkTexts,
    is_boilerplate,
    is_crumb,
    is_prose,
    link_texts,
    text_key,
    verbatim_lines,
)
from crawler.extract.prune import prune
from crawler.extract.recurring import RecurringBlocks, fingerprint
from crawler.schema.record import BODY_BLOCK_SEPARATOR


@dataclass
class Body:
    text: str = ""
    links: list[str] = field(default_factory=list)
    source: str = "trafilatura"
    fingerprints: list[str] = field(default_factory=list)  # of every block, dropped or not
    dropped: int = 0  # blocks dropped as the source's own boilerplate
    # The text as the rules left it, before the learnt removal (only when it dropped
    # something): what the archive's version hash is computed on.
    rule_text: str = ""


def _story_goes_on(following: list[str], links: LinkTexts) -> bool:
    """The blocks after a section label read as the story, not as the section's teasers.

    Article-length prose does; so do two or more sentences that are no link's text,
    among blocks of which at most a third are links (a stray "More from ..." box in
    the story, followed by its short closing quotes).
    """
    if any(is_prose(b) for b in following):
        return True
    linked = [b for b in following if text_key(b).rstrip(" .:>»→|") in links.anchors]
    sentences = [
        b
        for b in following
        if b not in linked and len(b.split()) >= 4 and b.rstrip().endswith(SENTENCE_END)
    ]
    return len(sentences) >= 2 and len(linked) * 3 <= len(following)


def _cut_trailing_section(blocks: list[str], links: LinkTexts) -> list[str]:
    """Cut a "Popular" / "Related" / "More from" section and all after it near the end.

    A label followed by more of the story is a stray widget heading inside the article
    (``_story_goes_on``), so only the label itself is dropped there.
    """
    total = sum(len(b) for b in blocks)
    seen = 0
    for i, block in enumerate(blocks):
        label = seen >= 0.6 * total and SECTION_LABEL_RE.match(block)
        if label and not _story_goes_on(blocks[i + 1 :], links):
            return blocks[:i]
        seen += len(block)
    return blocks


def _is_teaser(block: str, links: LinkTexts) -> bool:
    """A list item that opens with a link's text: a headline (and its blurb) elsewhere."""
    if not block.startswith(("- ", "• ")):
        return False
    item = text_key(block[2:])
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


def _drop_long_table(blocks: list[str]) -> list[str]:
    """Drop a table that outweighs the story around it: an embedded directory or data
    dump (hundreds of rows of names and addresses), not the article's words.

    A table of a few rows inside a story (results, a schedule) is smaller than the
    story and stays.
    """
    runs: list[tuple[int, int]] = []  # [start, end) of each run of table rows
    for i, block in enumerate(blocks):
        if block.startswith("|"):
            if runs and runs[-1][1] == i:
                runs[-1] = (runs[-1][0], i + 1)
            else:
                runs.append((i, i + 1))
    prose = sum(len(b.split()) for b in blocks if not b.startswith("|"))
    drop: set[int] = set()
    for start, end in runs:
        words = sum(len(b.split()) for b in blocks[start:end])
        if words >= 300 and words > prose and prose >= 150:
            drop.update(range(start, end))
    return [b for i, b in enumerate(blocks) if i not in drop] if drop else blocks


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


def clean_blocks(
    lines: list[str], title: str | None, links: LinkTexts, verbatim: Collection[str] = ()
) -> list[str]:
    """Keep the article's paragraphs: drop boilerplate blocks and a repeated headline.
    A line of the page's preformatted text (``verbatim``, see ``verbatim_lines``) is
    never judged boilerplate by its look."""
    blocks = [" ".join(line.split()) for line in lines]
    blocks = _cut_trailing_section(_cut_second_copy([b for b in blocks if b]), links)
    if blocks and title and blocks[0].casefold() == " ".join(title.split()).casefold():
        blocks = blocks[1:]
    total = len(blocks)

    def as_written(block: str) -> bool:
        return bool(verbatim) and text_key(block) in verbatim

    kept = [
        b for i, b in enumerate(blocks) if as_written(b) or not is_boilerplate(b, i, total, links)
    ]
    kept = _drop_leading_highlights(_cut_trailing_teasers(_drop_long_table(kept), links))
    # Trailing link-ish crumbs after the last real paragraph.
    while kept and is_crumb(kept[-1]) and not as_written(kept[-1]):
        kept.pop()
    return kept


def extract_body(
    tree: html.HtmlElement,
    url: str,
    title: str | None,
    declared: str | None = None,
    boilerplate: RecurringBlocks | Collection[str] | None = None,
) -> Body:
    """Main text of the page as paragraphs, and the links inside it.

    Mutates ``tree`` (``prune`` removes embeds, hover cards, hidden elements and
    captions): call it after all metadata is read.
    A page laid out with a table reads as one huge table row; it is read again with
    tables left out, which finds its paragraphs. ``declared`` is the text the page
    declares as its article body (JSON-LD ``articleBody``); it replaces a visible
    text that is only a cut-off part of it (``_declared_is_whole``). ``boilerplate``
    (a source's ``RecurringBlocks``, or a snapshot of its recurring fingerprints)
    drops the blocks that recur across the source's articles, never every block.
    """
    prune(tree)
    text = _main_text(tree, url, tables=True)
    if _is_layout_table(text, title):
        text = _main_text(tree, url, tables=False) or text
    links, verbatim = link_texts(tree, url), verbatim_lines(tree)
    blocks = clean_blocks(text.split("\n"), title, links, verbatim) if text.strip() else []
    blocks = add_split_chunks(tree, blocks, links)
    source = "trafilatura"
    if declared and _declared_is_whole(declared, blocks):
        blocks, source = clean_blocks(declared.split("\n"), title, links), "json-ld"
    fingerprints = [fingerprint(b) for b in blocks]
    dropped, rule_text = 0, ""
    if boilerplate is not None and blocks:
        recurring = (
            boilerplate.is_recurring
            if isinstance(boilerplate, RecurringBlocks)
            else boilerplate.__contains__
        )
        kept = [b for b, fp in zip(blocks, fingerprints, strict=True) if not recurring(fp)]
        if kept and len(kept) < len(blocks):  # all recurring: the site's furniture, kept
            rule_text = BODY_BLOCK_SEPARATOR.join(blocks)
            blocks, dropped = kept, len(blocks) - len(kept)
    if not blocks:
        return Body(fingerprints=fingerprints)
    text = BODY_BLOCK_SEPARATOR.join(blocks)
    return Body(text, body_links(links, url, text), source, fingerprints, dropped, rule_text)


def _declared_is_whole(declared: str, blocks: list[str]) -> bool:
    """The declared article body is the whole story of which the page shows a part.

    A paywall teaser or a text cut off at an inline element shows the first
    paragraphs only; a page that renders its text by script shows none (a caption at
    most). The declared text then runs to at least twice the visible one and a
    hundred words more, and it either contains the visible text or the page showed
    less than a hundred words.
    """
    seen = " ".join(blocks)
    seen_words, declared_words = len(seen.split()), len(declared.split())
    if declared_words < 2 * seen_words + 100:
        return False
    if seen_words < 100:
        return True
    own = _shingles(seen)
    return bool(own) and len(own & _shingles(declared)) >= 0.8 * len(own)


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
        if text and text_key(text) not in links.anchors:
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
        if sum(is_prose(p) for p in new) >= 2:
            (before if chunks.index(chunk) < chunks.index(container) else after).extend(new)
            flat += " " + " ".join(new)
    if not before and not after:
        return blocks
    return clean_blocks(before, None, links) + blocks + clean_blocks(after, None, links)


def body_links(links: LinkTexts, url: str, text: str) -> list[str]:
    """Absolute targets of the page's links whose anchor text is part of the body.

    (trafilatura's own link mode changes which text it extracts, so links are matched
    back from the page instead.)
    """
    flat = " ".join(text.split())
    found: list[str] = []
    for target, anchor in links.targets:
        if not target or len(anchor) < 3 or target.startswith(("javascript:", "mailto:")):
            continue
        if anchor in flat:
            absolute = urljoin(url, target) if url else target
            if absolute.startswith(("http://", "https://")) and absolute not in found:
                found.append(absolute)
    return found
