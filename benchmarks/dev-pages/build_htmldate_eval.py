"""Build ``htmldate-eval/`` from a local clone of htmldate's repository (data only).

    python benchmarks/dev-pages/build_htmldate_eval.py /path/to/htmldate --fundus /path/to/fundus

htmldate's evaluation corpus (``tests/eval_default.json`` with its pages in
``tests/eval/`` and ``tests/cache/``, and ``tests/eval_mediacloud_2020.json`` with its
pages in ``tests/test_set/``; Apache-2.0) annotates each page with its day of
publication, by hand: the BBAW collection and news pages of Northeastern University's
Data Culture Group. Nothing else is annotated, so this set measures dates only.

This keeps the English pages: the text of the page's paragraphs reads as English (the
word test of the trafilatura-eval builder). As for the other sets, pages of outlets
that fundus covers are left out (the news-publishers holdout stays unseen), the pages
of half-A outlets are kept and marked ``seen``, and a URL another development set
already holds is left out, so no page counts twice.
"""

from __future__ import annotations

import hashlib
import json
import sys
from pathlib import Path
from urllib.parse import urlsplit

from lxml import html

sys.path.insert(0, str(Path(__file__).resolve().parent))
from build_trafilatura_eval import (
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
OUT = HERE / "htmldate-eval"
# (annotations, the folders that hold their pages)
CORPORA = (
    ("tests/eval_default.json", ("tests/eval", "tests/cache")),
    ("tests/eval_mediacloud_2020.json", ("tests/test_set",)),
)


def paragraphs(raw: bytes, limit: int = 80) -> list[str]:
    """The text of the page's first ``limit`` paragraphs (what the language test reads)."""
    try:
        tree = html.fromstring(raw)
    except (ValueError, TypeError, html.etree.ParserError):
        return []
    return [" ".join(p.text_content().split()) for p in tree.iter("p")][:limit]


def main(argv: list[str] | None = None) -> int:
    repo, commit, excluded, seen = start(__doc__, "adbar/htmldate", OUT, argv)
    taken = held_elsewhere(OUT)
    index: list[dict] = []
    for annotated, folders in CORPORA:
        data = json.loads(git(repo, "show", f"{commit}:{annotated}"))
        for url, item in sorted(data.items()):
            host = urlsplit(url).hostname or ""
            day = item.get("date")
            if not host or not isinstance(day, str) or url in taken:
                continue
            label = registered_label(host)
            if label in excluded and label not in seen:
                continue
            raw = page_bytes(repo, commit, folders, item["file"])
            if raw is None or not is_english(paragraphs(raw)):
                continue
            outlet = host.lower().removeprefix("www.")
            pid = f"{label}_{hashlib.sha1(url.encode()).hexdigest()[:8]}"
            truth = {
                "id": pid,
                "url": url,
                "title": None,
                "authors": None,
                "published": day,
                "body": None,
                "lead": "",
                "topics": None,
                "source": {
                    "outlet": outlet,
                    "file": f"{annotated}: {item['file']}",
                    "seen": label in seen,
                },
            }
            taken.add(url)
            write_page(OUT, truth, raw)
            index.append({"id": pid, "outlet": outlet, "url": url, "seen": label in seen})
    write_index(OUT, f"adbar/htmldate@{commit}", index)
    return 0


if __name__ == "__main__":
    sys.exit(main())
