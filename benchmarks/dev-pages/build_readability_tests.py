"""Build ``readability-tests/`` from a local clone of Mozilla Readability (data only).

    python benchmarks/dev-pages/build_readability_tests.py /path/to/readability \\
        --fundus /path/to/fundus [--commit SHA]

Readability's test pages (``test/test-pages/<name>/``, Apache-2.0) are real pages saved
from the web (``source.html``) with the output its maintainers accept: the article as
HTML (``expected.html``) and its metadata (``expected-metadata.json``: title, byline,
publishedTime, lang). This keeps the English article pages among them: a page saved
from a site (it names its URL in a canonical link or ``og:url``) whose metadata
carries a byline or a publication time, leaving out the synthetic test cases, the
encyclopaedia pages (Wikipedia: not articles) and a second save of a URL already kept.
Pages of
outlets that fundus covers are left out, as in ``build_trafilatura_eval.py``, so the
news-publishers holdout stays unseen.

Truth schema: the news-publishers one. ``body`` is the text of ``expected.html``,
``title`` and ``published`` are the metadata's. ``authors`` is the byline with a
leading "By"/"Written by" dropped, split at "," ";" " and "; a byline that is not a
list of names (it holds a digit, a URL, "Follow", "Contributors") is ``null``: not
annotated, so left out of the metric. Two bylines readability got wrong are corrected
by hand (``_AUTHOR_CORRECTIONS``, with the page's evidence).
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path
from urllib.parse import urlsplit

from lxml import html

sys.path.insert(0, str(Path(__file__).resolve().parent))
from build_trafilatura_eval import authors_of as split_names
from build_trafilatura_eval import (
    git,
    is_english,
    registered_label,
    start,
    write_index,
    write_page,
)

OUT = Path(__file__).resolve().parent / "readability-tests"
_URL_RES = (
    re.compile(r'<link[^>]+rel="canonical"[^>]+href="(https?://[^"]+)"', re.I),
    re.compile(r'<meta[^>]+property="og:url"[^>]+content="(https?://[^"]+)"', re.I),
    re.compile(r'<meta[^>]+content="(https?://[^"]+)"[^>]+property="og:url"', re.I),
)
_BY_RE = re.compile(r"^\s*(?:written\s+)?by\s+", re.I)
_NOT_NAMES_RE = re.compile(r"\d|https?:|\bfollow\b|\bcontributors\b|\bupdated\b", re.I)
# Readability's byline is its own output, not a human's. Checked by hand against each page
# where it differs from the page's meta author or the byline under the headline; these
# were wrong and are corrected (the evidence on the page is given).
_AUTHOR_CORRECTIONS = {
    # meta author and "by: Laurie Oakes" under the headline; readability took a name
    # from the columnists' list beside the story
    "herald-sun-1": ["Laurie Oakes"],
    # rel="author" byline under the headline and the page's analytics author; readability
    # took the byline of a "most read" teaser listed before the story
    "salon-1": ["Richard (R.J.) Eskow"],
}
_BLOCKS = {"p", "div", "li", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "pre", "tr"}
_BLOCKS |= {"figcaption", "section", "article", "br", "td", "th", "dd", "dt", "table"}


def page_url(source: str) -> str | None:
    for pattern in _URL_RES:
        if m := pattern.search(source):
            return m.group(1)
    return None


def text_of(fragment: str) -> str:
    """The text of an HTML fragment, one line per block, so words never run together."""
    root = html.fromstring(fragment or "<div></div>")
    for el in root.iter():
        if isinstance(el.tag, str) and el.tag in _BLOCKS:
            el.tail = "\n" + (el.tail or "")
    lines = (
        re.sub(r"[ \t\r\f\v\xa0]+", " ", line).strip() for line in root.text_content().splitlines()
    )
    return "\n".join(line for line in lines if line)


def authors_of(byline: str | None) -> list[str] | None:
    if not byline:
        return None
    byline = " ".join(byline.split())
    if _NOT_NAMES_RE.search(byline):
        return None
    names = split_names(_BY_RE.sub("", byline))
    if not names or any(len(n.split()) > 5 for n in names):
        return None
    return names


def main(argv: list[str] | None = None) -> int:
    repo, commit, excluded, seen = start(__doc__, "mozilla/readability", OUT, argv)
    index: list[dict] = []
    urls: set[str] = set()
    folders = git(repo, "ls-tree", "--name-only", commit, "test/test-pages/").decode()
    for folder in folders.split():
        name = folder.rsplit("/", 1)[-1]
        meta = json.loads(git(repo, "show", f"{commit}:{folder}/expected-metadata.json"))
        raw = git(repo, "show", f"{commit}:{folder}/source.html")
        url = page_url(raw.decode("utf-8", "replace"))
        host = urlsplit(url).hostname if url else None
        if not host or not (meta.get("byline") or meta.get("publishedTime")):
            continue
        if url in urls or registered_label(host) == "wikipedia":
            continue
        body = text_of(git(repo, "show", f"{commit}:{folder}/expected.html").decode())
        lang = (meta.get("lang") or "").lower()
        if not (lang.startswith("en") or (not lang and is_english(body.split("\n")))):
            continue
        label = registered_label(host)
        if label in excluded and label not in seen:
            continue
        outlet = host.lower().removeprefix("www.")
        truth = {
            "id": name,
            "url": url,
            "title": meta.get("title") or None,
            "authors": _AUTHOR_CORRECTIONS.get(name) or authors_of(meta.get("byline")),
            "published": meta.get("publishedTime") or None,
            "body": body,
            "lead": "",
            "topics": None,
            "source": {"outlet": outlet, "test_page": folder, "seen": label in seen},
        }
        urls.add(url)
        write_page(OUT, truth, raw)
        index.append({"id": name, "outlet": outlet, "url": url, "seen": label in seen})
    write_index(OUT, f"mozilla/readability@{commit}", index)
    return 0


if __name__ == "__main__":
    sys.exit(main())
