"""Build ``postlight-fixtures/`` from a local clone of Postlight Parser (data only).

    python benchmarks/dev-pages/build_postlight_fixtures.py /path/to/parser --fundus /path/to/fundus

Postlight Parser (formerly Mercury Parser; ``postlight/parser``, MIT or Apache-2.0)
keeps a saved page per site in ``fixtures/`` and, in the site's
``src/extractors/custom/<host>/index.test.js``, the title, author and date of
publication its authors checked on that page and wrote into the test. This reads those
literals (no code is run or copied) and keeps the English article pages: a page with a
title and a date whose title and opening words read as English. Platforms that are no
outlet (code hosts, social sites, preprint and lyrics sites) are left out, and, as for
the other sets, so is every domain fundus has a parser for (the news-publishers holdout
stays unseen), the half-A outlets excepted, and every URL another set already holds.

Truth schema: the news-publishers one with ``body`` null (not annotated). ``authors``
is the test's one string split at ",", ";" and " and "; a value that holds an e-mail
address, a link or a "|" is no name and is left unscored (``null``). ``published`` is
the test's instant, or its day where the test compares days only.
"""

from __future__ import annotations

import hashlib
import re
import sys
from pathlib import Path
from urllib.parse import urlsplit

sys.path.insert(0, str(Path(__file__).resolve().parent))
from build_trafilatura_eval import (
    authors_of,
    git,
    held_elsewhere,
    is_english,
    page_bytes,
    registered_label,
    start,
    write_index,
    write_page,
)

HERE = Path(__file__).resolve().parent
OUT = HERE / "postlight-fixtures"
TESTS = "src/extractors/custom"
# Hosts that are platforms, not outlets: their pages are no news articles.
NOT_OUTLETS = {
    *["github.com", "twitter.com", "www.youtube.com", "www.reddit.com", "pastebin.com"],
    *["genius.com", "clinicaltrials.gov", "biorxiv.org", "www.linkedin.com"],
}
_STRING = r"""(?:'(?:[^'\\]|\\.)*'|"(?:[^"\\]|\\.)*"|`(?:[^`\\$]|\\.)*`)"""
_JOINED = rf"{_STRING}(?:\s*\+\s*{_STRING})*"  # 'a' + 'b', as long literals are split
_ESCAPE_RE = re.compile(r"\\(u\{[0-9a-fA-F]+\}|u[0-9a-fA-F]{4}|x[0-9a-fA-F]{2}|.)", re.S)
_READ_RE = re.compile(r"readFileSync\(\s*(" + _STRING + r")")
_PARSE_RE = re.compile(r"\.parse\(\s*(\w+|" + _STRING + r")")
_ASSERT_RE = re.compile(r"assert\.equal\(\s*(\w+)\s*,\s*(" + _JOINED + r")\s*,?\s*\)", re.S)
_NOT_A_NAME_RE = re.compile(r"@|https?:|\|")
_META_RE = re.compile(rb"<meta\b[^>]*>", re.I)
_VALUE_RE = re.compile(rb"(\s)value=", re.I)
_CONTENT_RE = re.compile(rb"\scontent=", re.I)
# The test's variable for each field; a date checked by its day only is new_date_published.
FIELDS = {
    "title": "title",
    "author": "author",
    "date_published": "published",
    "new_date_published": "published",
    "first13": "opening",
}


def literal(source: str) -> str:
    """The value of JavaScript string literals joined by "+" (escapes resolved)."""

    def unescape(m: re.Match) -> str:
        code = m.group(1)
        if code[0] in "ux" and len(code) > 1:
            return chr(int(code.strip("u{}x"), 16))
        return {"n": "\n", "t": "\t"}.get(code, code)

    return "".join(_ESCAPE_RE.sub(unescape, s[1:-1]) for s in re.findall(_STRING, source, re.S))


def as_served(page: bytes) -> bytes:
    """The page with its meta tags' ``content`` back: the parser saved its fixtures
    after renaming that attribute to ``value`` (``normalize-meta-tags.js``)."""

    def restore(m: re.Match) -> bytes:
        tag = m.group(0)
        return tag if _CONTENT_RE.search(tag) else _VALUE_RE.sub(rb"\1content=", tag, count=1)

    return _META_RE.sub(restore, page)


def cases(test: str) -> list[dict[str, str]]:
    """One dict per fixture a test file reads: the fixture's path, the URL it is parsed
    as, and the values the test expects (keys of ``FIELDS``' values)."""
    test = re.sub(r"^\s*//.*$", "", test, flags=re.M)
    reads = list(_READ_RE.finditer(test))
    found = []
    for i, read in enumerate(reads):
        end = reads[i + 1].start() if i + 1 < len(reads) else len(test)
        after, before = test[read.end() : end], test[: read.start()]
        parse = _PARSE_RE.search(after)
        if not parse:
            continue
        url = parse.group(1)
        if url[0] not in "'\"`":  # a variable: assigned in this case, or in a beforeAll
            assigned = re.compile(rf"\b{url}\s*=\s*({_JOINED})", re.S)
            earlier = list(assigned.finditer(before))
            match = assigned.search(after) or (earlier[-1] if earlier else None)
            if match is None:
                continue
            url = match.group(1)
        case = {"fixture": literal(read.group(1)).removeprefix("./"), "url": literal(url)}
        for check in _ASSERT_RE.finditer(after):
            if check.group(1) in FIELDS:
                case.setdefault(FIELDS[check.group(1)], literal(check.group(2)))
        found.append(case)
    return found


def main(argv: list[str] | None = None) -> int:
    repo, commit, excluded, seen = start(__doc__, "postlight/parser", OUT, argv)
    taken = held_elsewhere(OUT)
    names = git(repo, "ls-tree", "-r", "--name-only", commit, TESTS).decode().split()
    index: list[dict] = []
    for name in sorted(n for n in names if n.endswith("/index.test.js")):
        for case in cases(git(repo, "show", f"{commit}:{name}").decode("utf-8", "replace")):
            url, host = case["url"], urlsplit(case["url"]).hostname or ""
            words = [case.get("title", ""), case.get("opening", "")]
            if not case.get("title") or not case.get("published") or not is_english(words):
                continue
            label = registered_label(host)
            if host in NOT_OUTLETS or url in taken or (label in excluded and label not in seen):
                continue
            fixture = Path(case["fixture"])
            raw = page_bytes(repo, commit, (fixture.parent.as_posix(),), fixture.name)
            if raw is None:
                continue
            author = case.get("author")
            outlet = host.lower().removeprefix("www.")
            pid = f"{label}_{hashlib.sha1(url.encode()).hexdigest()[:8]}"
            truth = {
                "id": pid,
                "url": url,
                "title": case["title"],
                "authors": None
                if not author or _NOT_A_NAME_RE.search(author)
                else authors_of(author),
                "published": case["published"],
                "body": None,
                "lead": "",
                "topics": None,
                "source": {
                    "outlet": outlet,
                    "file": f"{name}: {case['fixture']}",
                    "seen": label in seen,
                },
            }
            taken.add(url)
            write_page(OUT, truth, as_served(raw))
            index.append({"id": pid, "outlet": outlet, "url": url, "seen": label in seen})
    write_index(OUT, f"postlight/parser@{commit}", index)
    return 0


if __name__ == "__main__":
    sys.exit(main())
