"""Build ``trafilatura-eval/`` from a local clone of trafilatura's repository (data only).

    python benchmarks/dev-pages/build_trafilatura_eval.py /path/to/trafilatura [--commit SHA]

trafilatura's evaluation corpus (``tests/evaldata.json`` beside ``tests/eval/`` and
``tests/cache/``, Apache-2.0) annotates each page with snippets the main text must
contain ("with") and must not contain ("without"), and most pages with the title,
author and date. This keeps the English article pages of it: pages whose "with"
snippets read as English and that carry a date (an article, not a wiki or product
page). Pages of outlets that fundus covers are left out, so the news-publishers
holdout (fundus pages of outlets nobody here has seen) stays unseen; pages of the
outlets of the shared half A are kept and marked ``seen``.

Truth schema: the news-publishers one, with ``body`` null (not annotated) and a
``snippets`` object instead; authors are trafilatura's one string split at ";",
"," and " and " (trafilatura joins several authors with "; ").
"""

from __future__ import annotations

import argparse
import gzip
import hashlib
import json
import re
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlsplit

HERE = Path(__file__).resolve().parent
OUT = HERE / "trafilatura-eval"
SHARED_A = HERE.parent.parent.parent / "shared" / "benchmarks" / "news-publishers" / "index.json"
_ENGLISH = {
    *["the", "and", "of", "to", "in", "is", "that", "for", "with", "was", "on", "as"],
    *["are", "it", "by", "this", "from"],
}
_SPLIT_RE = re.compile(r"\s*(?:;|,|\band\b)\s*", re.I)


def git(repo: Path, *args: str) -> bytes:
    return subprocess.run(["git", "-C", str(repo), *args], capture_output=True, check=True).stdout


def resolve(repo: Path, rev: str) -> str:
    """The commit ``rev`` names in the clone ``repo``; a one-line exit when there is none."""
    try:
        return git(repo, "rev-parse", "--verify", f"{rev}^{{commit}}").decode().strip()
    except (subprocess.CalledProcessError, FileNotFoundError):
        raise SystemExit(f"{repo}: not a git clone, or it has no commit {rev!r}") from None


def registered_label(host: str) -> str:
    """The name part of a host: "bbc" for www.bbc.co.uk and bbc.com alike."""
    parts = host.lower().removeprefix("www.").split(".")
    if len(parts) >= 3 and parts[-2] in ("co", "com", "org", "net", "ac", "gov"):
        return parts[-3]
    return parts[-2] if len(parts) >= 2 else parts[0]


def fundus_labels(fundus: Path) -> set[str]:
    """Host labels of every outlet fundus has a parser for (its publisher registry)."""
    labels = set()
    names = git(fundus, "ls-tree", "-r", "--name-only", "HEAD", "src/fundus/publishers/").decode()
    for name in names.split():
        if name.endswith(".py"):
            source = git(fundus, "show", f"HEAD:{name}").decode("utf-8", "replace")
            for host in re.findall(r'domain="https?://([^/"]+)', source):
                labels.add(registered_label(host))
    return labels


def is_english(snippets: list[str]) -> bool:
    words = re.findall(r"[a-z]+", " ".join(snippets).lower())
    return len(words) >= 8 and sum(w in _ENGLISH for w in words) / len(words) > 0.15


def authors_of(value: object) -> list[str] | None:
    if not value:
        return None
    if isinstance(value, list):  # already one name per item
        return [str(n).strip() for n in value if str(n).strip()] or None
    return [n.strip() for n in _SPLIT_RE.split(str(value)) if n.strip()] or None


def write_page(out: Path, truth: dict, raw: bytes) -> None:
    """One page of a set: its HTML, gzip-compressed as crawled, and its truth."""
    (out / "html" / f"{truth['id']}.html.gz").write_bytes(gzip.compress(raw, mtime=0))
    (out / "truth" / f"{truth['id']}.json").write_text(
        json.dumps(truth, ensure_ascii=False, indent=1), encoding="utf-8"
    )


def write_index(out: Path, source: str, index: list[dict]) -> None:
    (out / "index.json").write_text(
        json.dumps({"source": source, "pages": index}, indent=1), encoding="utf-8"
    )
    print(f"{len(index)} pages written to {out}")


def held_elsewhere(out: Path) -> set[str]:
    """URLs the development sets other than ``out`` already hold (no page counts twice)."""
    urls = set()
    for index in HERE.glob("*/index.json"):
        if index.parent != out:
            urls |= {p["url"] for p in json.loads(index.read_text(encoding="utf-8"))["pages"]}
    return urls


def page_bytes(repo: Path, commit: str, folders: tuple[str, ...], name: str) -> bytes | None:
    """The file ``name`` from the first of ``folders`` that holds it at ``commit``,
    un-gzipped; ``None`` when none does."""
    for folder in folders:
        try:
            raw = git(repo, "show", f"{commit}:{folder}/{name}")
        except subprocess.CalledProcessError:
            continue
        return gzip.decompress(raw) if raw[:2] == b"\x1f\x8b" else raw
    return None


def start(
    doc: str, peer: str, out: Path, argv: list[str] | None
) -> tuple[Path, str, set[str], set[str]]:
    """What every builder of a peer's set does first: read its command line (the
    peer's clone, ``--fundus``, ``--commit``), check both clones (one line and exit 1
    when either is none), make ``out``'s folders. Returns (clone, commit, the host
    labels fundus covers, the labels of the shared half-A outlets)."""
    ap = argparse.ArgumentParser(description=doc.splitlines()[0])
    ap.add_argument("repo", type=Path, help=f"a clone of {peer}")
    ap.add_argument("--fundus", type=Path, required=True, help="a clone of flairNLP/fundus")
    ap.add_argument("--commit", default="HEAD")
    args = ap.parse_args(argv)
    commit = resolve(args.repo, args.commit)
    resolve(args.fundus, "HEAD")
    seen = {
        registered_label(urlsplit(p["url"]).hostname or "")
        for p in json.loads(SHARED_A.read_text(encoding="utf-8"))["pages"]
    }
    for sub in ("html", "truth"):
        (out / sub).mkdir(parents=True, exist_ok=True)
    return args.repo, commit, fundus_labels(args.fundus), seen


def main(argv: list[str] | None = None) -> int:
    repo, commit, excluded, seen = start(__doc__, "adbar/trafilatura", OUT, argv)
    data = json.loads(git(repo, "show", f"{commit}:tests/evaldata.json"))
    index = []
    for url, item in sorted(data.items()):
        host = urlsplit(url).hostname or ""
        if not host or not item.get("date") or not is_english(item["with"]):
            continue
        label = registered_label(host)
        if label in excluded and label not in seen:
            continue
        raw = page_bytes(repo, commit, ("tests/eval", "tests/cache"), item["file"])
        if raw is None:
            continue
        outlet = host.lower().removeprefix("www.")
        pid = f"{label}_{hashlib.sha1(url.encode()).hexdigest()[:8]}"
        truth = {
            "id": pid,
            "url": url,
            "title": item.get("title") or None,
            "authors": authors_of(item.get("author")),
            "published": item.get("date") or None,
            "body": None,
            "lead": "",
            "topics": None,
            "snippets": {"with": item["with"], "without": item["without"]},
            "source": {"outlet": outlet, "file": item["file"], "seen": label in seen},
        }
        write_page(OUT, truth, raw)
        index.append({"id": pid, "outlet": outlet, "url": url, "seen": label in seen})
    write_index(OUT, f"adbar/trafilatura@{commit}", index)
    return 0


if __name__ == "__main__":
    sys.exit(main())
