"""Build ``fundus-history/`` from a local clone of fundus with its history (data only).

    python benchmarks/dev-pages/build_fundus_history.py /path/to/fundus

fundus replaces an outlet's test page now and then; the replaced pages stay in its git
history with the expected output of their time. This takes those older pages, but only
of the outlets of the shared news-publishers half A (``../shared``): every other English
fundus outlet belongs to the holdout, which must stay unseen. Pages the shared set
already holds (same URL) and pages whose expected body is missing or under
``MIN_WORDS`` words are skipped.

The truth is converted as ``../shared/benchmarks/news-publishers`` was: the body is the
summary paragraphs, then each section's headline and paragraphs, one blank line apart;
a page is matched to its parser version by crawl date (oldest page, oldest version).
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
OUT = HERE / "fundus-history"
SHARED_A = HERE.parent.parent.parent / "shared" / "benchmarks" / "news-publishers" / "index.json"
DATA = "tests/resources/parser/test_data"
# An expected body shorter than this is no article text (a correction notice, a parser
# that kept only a disclaimer line): such a page cannot score a body.
MIN_WORDS = 50


def git(repo: Path, *args: str) -> bytes:
    return subprocess.run(["git", "-C", str(repo), *args], capture_output=True, check=True).stdout


def exists(repo: Path, commit: str, path: str) -> bool:
    probe = ["git", "-C", str(repo), "cat-file", "-e", f"{commit}:{path}"]
    return subprocess.run(probe, capture_output=True).returncode == 0


def snapshot_with(repo: Path, path: str) -> str | None:
    """The newest commit at which ``path`` exists."""
    for commit in git(repo, "log", "--all", "--format=%H", "--", path).decode().split():
        for candidate in (commit, f"{commit}~1"):
            if exists(repo, candidate, path):
                return git(repo, "rev-parse", candidate).decode().strip()
    return None


def body_text(body: dict) -> tuple[str, str]:
    parts = list(body.get("summary") or [])
    lead = "\n\n".join(parts)
    for section in body.get("sections") or []:
        parts += list(section.get("headline") or []) + list(section.get("paragraphs") or [])
    return "\n\n".join(parts), lead


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("repo", type=Path, help="a clone of flairNLP/fundus, with history")
    args = ap.parse_args(argv)
    shared = json.loads(SHARED_A.read_text(encoding="utf-8"))["pages"]
    outlets = {p["publisher"]: p for p in shared}
    shared_urls = {p["url"] for p in shared}
    head = set(git(args.repo, "ls-tree", "-r", "--name-only", "HEAD", DATA).decode().split())
    every = git(args.repo, "log", "--all", "--name-only", "--pretty=format:", "--", DATA)
    old = sorted({p for p in every.decode().split() if p.endswith(".html.gz")} - head)
    for sub in ("html", "truth"):
        (OUT / sub).mkdir(parents=True, exist_ok=True)
    index = []
    for path in old:
        country, name = path.split("/")[-2:]
        publisher = name.split("_")[0].removesuffix(".html.gz")
        if publisher not in outlets or "_" not in name:
            continue
        commit = snapshot_with(args.repo, path)
        folder = path.rsplit("/", 1)[0]
        if commit is None or not exists(args.repo, commit, f"{folder}/meta.info"):
            continue
        meta = json.loads(git(args.repo, "show", f"{commit}:{folder}/meta.info"))
        info = meta.get(name) or {}
        if not info.get("url") or info["url"] in shared_urls:
            continue
        expected = json.loads(git(args.repo, "show", f"{commit}:{folder}/{publisher}.json"))
        pages = sorted(
            (m.get("crawl_date") or "", n) for n, m in meta.items() if n.startswith(publisher + "_")
        )
        versions = sorted(expected, key=lambda v: [int(x) for x in v[1:].split("_")])
        position = [n for _, n in pages].index(name)
        if position >= len(versions):
            continue
        version = versions[position]
        record = expected[version]
        if not isinstance(record.get("body"), dict):
            continue
        body, lead = body_text(record["body"])
        if len(body.split()) < MIN_WORDS:
            print(f"skipped {name}: its expected body has {len(body.split())} words")
            continue
        pid = name.removesuffix(".html.gz")
        date = record.get("publishing_date")
        truth = {
            "id": pid,
            "url": info["url"],
            "title": record.get("title"),
            "authors": record.get("authors"),
            "published": date.replace(" ", "T", 1) if isinstance(date, str) else None,
            "body": body,
            "lead": lead,
            "topics": record.get("topics"),
            "source": {
                "publisher": publisher,
                "outlet": outlets[publisher]["outlet"],
                "country": country,
                "crawl_date": info.get("crawl_date"),
                "fundus_parser_version": version,
                "fundus_commit": commit,
            },
        }
        (OUT / "html" / name).write_bytes(git(args.repo, "show", f"{commit}:{path}"))
        (OUT / "truth" / f"{pid}.json").write_text(
            json.dumps(truth, ensure_ascii=False, indent=1), encoding="utf-8"
        )
        index.append(
            {"id": pid, "publisher": publisher, "url": info["url"], "fundus_commit": commit}
        )
    (OUT / "index.json").write_text(
        json.dumps({"source": "flairNLP/fundus (history)", "pages": index}, indent=1),
        encoding="utf-8",
    )
    print(f"{len(index)} pages written to {OUT}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
