"""Headline choice: the on-page headline when metadata confirms it, else clean metadata.

Meta titles often carry the site name ("Headline | The Daily Planet") or a shortened
or SEO variant; the ``<h1>`` is what the reader sees. An ``<h1>`` wins when it agrees
with a metadata title, so a logo or section ``<h1>`` is never taken for the headline.
"""

from __future__ import annotations

import re

from crawler.extract.authors import is_site_name, squash

_SEPARATORS = (" | ", " - ", " – ", " — ", " :: ", " · ", " // ", " » ", " « ", " : ", " * ")
# A byline tacked on after the site name: "Headline | Site | by Jane Doe".
_BYLINE_SEGMENT_RE = re.compile(r"^by\s+\S+(?:\s+\S+){0,3}$", re.I)
_WORD_RE = re.compile(r"\w+")
# Titles that name a kind of page, not a story: a site's template left the home page's
# <title> on the article, or the CMS never set one. Never a headline.
_GENERIC_TITLES = frozenset(
    {
        "home", "home page", "homepage", "index", "main page", "start", "welcome",
        "untitled", "untitled document", "untitled page", "new page", "default",
        "startseite", "accueil", "inicio", "portada",
    }
)  # fmt: skip
_GENERIC_H1 = {("h1", key) for key in _GENERIC_TITLES}


def _words(text: str) -> list[str]:
    return _WORD_RE.findall(text.casefold())


def _is_site(segment: str, site_names: list[str], host: str) -> bool:
    return bool(squash(segment)) and is_site_name(segment, site_names, host)


def strip_site(title: str, site_names: list[str], host: str) -> str:
    """Drop a leading or trailing site name ("X | Site", "Site - X"), and a byline after it."""
    title = " ".join(title.split())
    for _ in range(3):  # "Headline | Section | Site"
        changed = False
        for sep in _SEPARATORS:
            if sep not in title:
                continue
            head, _, tail = title.rpartition(sep)
            after_site = _BYLINE_SEGMENT_RE.match(tail) and _is_site(
                head.rpartition(sep)[2], site_names, host
            )
            if head and (_is_site(tail, site_names, host) or after_site):
                title, changed = head.strip(), True
                break
            first, _, rest = title.partition(sep)
            if rest and _is_site(first, site_names, host):
                title, changed = rest.strip(), True
                break
        if not changed:
            break
    return title


_QUOTES = str.maketrans({"‘": "'", "’": "'", "“": '"', "”": '"', "–": "-", "—": "-"})


def _key(text: str) -> str:
    return " ".join(_words(text.translate(_QUOTES)))


def _runs(text: str) -> set[str]:
    """A title's leading and trailing runs of segments ("A - B - C": "A", "A - B", "C"...)."""
    parts = [text]
    for sep in _SEPARATORS:
        parts = [piece for part in parts for piece in part.split(sep)]
    keys = [_key(p) for p in parts]
    runs = {" ".join(k for k in keys[:n] if k) for n in range(1, len(keys))}
    runs |= {" ".join(k for k in keys[n:] if k) for n in range(1, len(keys))}
    return runs - {""}


def _similarity(a: str, b: str) -> float:
    """How far two titles say the same: 1 for the same words or one a leading or
    trailing run of the other's segments ("Local News | X" and "X", "X - Story" and
    "X"), else the overlap of their word sets (Dice), below one half none."""
    ka, kb = _key(a), _key(b)
    if not ka or not kb:
        return 0.0
    if ka == kb or ka in _runs(b) or kb in _runs(a):
        return 1.0
    wa, wb = set(ka.split()), set(kb.split())
    dice = 2 * len(wa & wb) / (len(wa) + len(wb))
    return dice if dice >= 0.5 else 0.0


def _holds_other(h1: str, pool: list[tuple[str, str, str]]) -> bool:
    """The ``<h1>`` holds another source's headline and more: a kicker or a deck set
    inside it ("Open Progress" + "Why ..."), so its own wording is not the headline."""
    key = _key(h1)
    return any(
        f != "h1" and _key(other) != key and len(_key(other)) >= 12 and _key(other) in key
        for _, other, f in pool
    )


_SLUG_SPLIT_RE = re.compile(r"[-_+]+")


def url_slug(path: str) -> str:
    """The words of a URL's slug ("/2023/11/08/protesters-gather-at-paris-123.html" ->
    "protesters gather at paris"): the headline as the newsroom first wrote it."""
    best = ""
    for segment in path.split("/"):
        segment = re.sub(r"\.\w{2,5}$", "", segment)
        words = [w for w in _SLUG_SPLIT_RE.split(segment) if w and not w.isdigit()]
        if len(words) >= 3 and len(words) > len(best.split()):
            best = " ".join(words)
    return best


def choose_title(
    candidates: list[tuple[str, ...]],
    h1s: list[str],
    site_names: list[str],
    host: str,
    placed: str | None = None,
    slug: str = "",
) -> tuple[str | None, str | None]:
    """(title, source) from metadata candidates and the page's ``<h1>``s.

    A candidate is ``(source, text)`` or ``(source, text, family)``. Decided by
    evidence, not by a fixed order: every candidate (each distinct ``<h1>``, JSON-LD
    ``headline``, ``og:title``, ``twitter:title``, the feed's title, the ``<title>``
    with its site name cut) is scored by how far the page's other sources repeat it,
    and the best supported wins. Sources that copy one field count once: a family
    (structured data, social cards, the document's ``<title>``, the feed, the
    ``<h1>``) gives one vote, its best match. The visible ``<h1>`` wins a tie, then the
    order of trust; a winner the ``<h1>`` says in other words (80 % of the words
    shared) gives way to the ``<h1>``, the headline as the reader sees it. A winner that carries another supported candidate as its leading
    or trailing segments ("Politics | Headline" beside "Headline") gives that shared
    form. When no two sources agree, the first metadata title is taken (an unconfirmed
    ``<h1>`` may be a logo), and the lone ``<h1>`` only when there is no metadata.

    A title that names a kind of page ("Home", "Untitled") is no candidate: with it
    gone, a lone ``<h1>`` is the headline.

    ``placed`` is the ``<h1>`` the page sets as the story's headline (over its byline
    or date): the page's layout is one more vote for it, so a social rewrite that
    ``og:title`` and ``<title>`` share does not outvote the headline on its own; not
    when the ``<h1>`` holds another source's headline and more (a kicker, a deck).

    ``slug`` (``url_slug``) settles a page where no two sources agree: the candidate
    the URL's words repeat (half its words or more) is the headline, not the first
    metadata title, which may be the site's own tagline.
    """
    cleaned = []
    for candidate in candidates:
        source, raw = candidate[0], candidate[1]
        family = candidate[2] if len(candidate) > 2 else source
        text = strip_site(raw, site_names, host) if raw else ""
        if text and _key(text) not in _GENERIC_TITLES:
            cleaned.append((source, text, family))
    seen: set[tuple[str, str]] = set()
    pool: list[tuple[str, str, str]] = []  # (source, text, family); each h1 is "h1"
    for h1 in h1s:
        h1 = " ".join(h1.split())
        if 2 <= len(h1) <= 400 and ("h1", _key(h1)) not in seen | _GENERIC_H1:
            seen.add(("h1", _key(h1)))
            pool.append(("h1", h1, "h1"))
    for source, text, family in cleaned:
        if (family, _key(text)) not in seen:
            seen.add((family, _key(text)))
            pool.append((source, text, family))
    families = list(dict.fromkeys(family for _, _, family in pool))
    scored = []
    for rank, (source, text, family) in enumerate(pool):
        support = sum(
            max(_similarity(text, other) for _, other, f in pool if f == fam)
            for fam in families
            if fam != family
        )
        if (
            family == "h1"
            and placed
            and _key(text) == _key(placed)
            and not _holds_other(text, pool)
        ):
            support += 1.0
        scored.append((support, family == "h1", -rank, source, text))
    best = max(scored, default=None)
    if best is None or best[0] == 0:
        if slug and pool:
            match, _, source, text = max(
                (_similarity(text, slug), -rank, source, text)
                for rank, (source, text, _) in enumerate(pool)
            )
            if match > 0:
                return text, "heuristic" if source == "h1" else source
        if cleaned:
            return cleaned[0][1], cleaned[0][0]
        if len(h1s) == 1 and h1s[0].strip() and _key(h1s[0]) not in _GENERIC_TITLES:
            return " ".join(h1s[0].split()), "heuristic"
        return None, None
    _, _, _, source, text = best
    if source != "h1":  # the same headline in other words: the reader's wording wins
        visible = [other for _, other, f in pool if f == "h1" and _similarity(other, text) >= 0.8]
        if visible:
            source, text = "h1", visible[0]
    for support, _, _, other_source, other in scored:
        if support > 0 and _key(other) != _key(text) and _key(other) in _runs(text):
            source, text = other_source, other  # "Local News | Headline": the shared form
            break
    return text, "heuristic" if source == "h1" else source
