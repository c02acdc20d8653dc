"""Indexing benchmark: `newsarchive index` against a bare `streaming_bulk` (the ceiling).

Same run, same node, same mapping, same documents: BENCH_DOCS synthetic article
records (default 100,000, ≈ 5 KB body each) are written to a fresh
NEWSARCHIVE_HOME. The ceiling loads the very documents the indexer would write (one
article document and one version document per record), pre-built in memory, with
``elasticsearch.helpers.streaming_bulk`` and nothing else. Then `newsarchive index`
(a subprocess: reading the JSONL, checkpoints, external versions, dead letters)
loads the records. Reports docs/s of both, their ratio (goal ≥ 0.9) and the index
size on disk per 1,000 articles. A measurement, not a test.

    BENCH_DOCS=100000 python benchmarks/bench_index.py
    python benchmarks/bench_index.py --smoke   # 200 records, results not kept: seconds

Starts its own local node (heap BENCH_HEAP, default 1g) unless NEWSARCHIVE_ES_URL
is set. Results go to benchmarks/out/index.json.
"""

from __future__ import annotations

import json
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from elasticsearch.helpers import streaming_bulk  # noqa: E402

from indexer import documents  # noqa: E402
from indexer.setup import ensure_indices  # noqa: E402
from newsarchive import localnode  # noqa: E402
from newsarchive.config import Config  # noqa: E402
from newsarchive.es import connect  # noqa: E402
from tests.synthetic import new_record, text  # noqa: E402

OUT = REPO / "benchmarks" / "out" / "index.json"
CHUNK = 1000  # documents per bulk request, as `newsarchive index` sends them


def write_records(path: Path, count: int) -> int:
    """≈ 5 KB bodies assembled from a pool of generated paragraphs (fast, varied)."""
    rng = random.Random(42)
    pool = [text(rng, 60) for _ in range(3000)]
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w", encoding="utf-8") as fh:
        for n in range(count):
            body = "\n\n".join(rng.sample(pool, 10))
            fh.write(json.dumps(new_record(n, rng=rng, body=body), ensure_ascii=False) + "\n")
    return path.stat().st_size


def ceiling_actions(path: Path, prefix: str) -> list[dict]:
    actions = []
    with open(path, encoding="utf-8") as fh:
        for line in fh:
            record = json.loads(line)
            actions.append(
                {
                    "_index": f"{prefix}-articles-write",
                    "_id": record["id"],
                    "_source": documents.article_doc(record),
                }
            )
            actions.append(
                {
                    "_index": f"{prefix}-versions-write",
                    "_id": documents.version_id(record),
                    "_source": documents.version_doc(record),
                }
            )
    return actions


def store_bytes(client, prefix: str) -> int:
    """Size on disk after a merge to one segment, so both loads compare fairly."""
    client.indices.refresh(index=f"{prefix}-*")
    client.options(request_timeout=1800).indices.forcemerge(index=f"{prefix}-*", max_num_segments=1)
    client.indices.flush(index=f"{prefix}-*")
    stats = client.indices.stats(index=f"{prefix}-*", metric="store").body
    return stats["_all"]["primaries"]["store"]["size_in_bytes"]


def main() -> None:
    global OUT
    smoke = "--smoke" in sys.argv[1:]
    count = 200 if smoke else int(os.environ.get("BENCH_DOCS", "100000"))
    work = Path(tempfile.mkdtemp(prefix="bench-index-"))
    if smoke:  # proves the benchmark runs; its figures mean nothing and are not kept
        OUT = work / "index.json"
    own_node = not os.environ.get("NEWSARCHIVE_ES_URL")
    node_settings = Config(
        home=work / "es", local_port=0, local_heap=os.environ.get("BENCH_HEAP", "1g")
    )
    if own_node:
        state, _ = localnode.start(node_settings)
        url = state.url
    else:
        url = os.environ["NEWSARCHIVE_ES_URL"]
    try:
        client = connect(Config(es_url=url))
        home = work / "home"
        size = write_records(home / "articles" / "articles.jsonl", count)
        print(f"{count} records, {size / count / 1024:.1f} KB per record line", file=sys.stderr)

        # warm-up (JIT, caches), then the ceiling: bare streaming_bulk of pre-built
        # documents, with the request size the indexer uses (500 records = 1000 docs)
        ensure_indices(client, "bench-warmup")
        warm = ceiling_actions(home / "articles" / "articles.jsonl", "bench-warmup")[:4000]
        for _ in streaming_bulk(client.options(request_timeout=120), warm, chunk_size=CHUNK):
            pass
        client.indices.delete(index=",".join(client.indices.get(index="bench-warmup-*").body))
        ensure_indices(client, "bench-ceiling")
        actions = ceiling_actions(home / "articles" / "articles.jsonl", "bench-ceiling")
        began = time.monotonic()
        for ok, info in streaming_bulk(
            client.options(request_timeout=120), actions, chunk_size=CHUNK
        ):
            if not ok:
                raise SystemExit(f"ceiling: a document failed: {info}")
        ceiling_s = time.monotonic() - began
        del actions
        ceiling_size = store_bytes(client, "bench-ceiling")

        # ours: the command a user runs
        env = os.environ | {
            "NEWSARCHIVE_HOME": str(home),
            "NEWSARCHIVE_ES_URL": url,
            "NEWSARCHIVE_INDEX_PREFIX": "bench-ours",
        }
        began = time.monotonic()
        proc = subprocess.run(
            [str(REPO / ".venv" / "bin" / "newsarchive"), "index", "--json"],
            env=env,
            capture_output=True,
            text=True,
        )
        ours_s = time.monotonic() - began
        if proc.returncode != 0:
            raise SystemExit(f"newsarchive index failed: {proc.stderr.strip()}")
        summary = json.loads(proc.stdout)
        assert summary["indexed"] == count, summary
        ours_size = store_bytes(client, "bench-ours")
        articles = client.count(index="bench-ours-articles")["count"]
        assert articles == count, articles

        result = {
            "docs": count,
            "ceiling_docs_per_s": round(count / ceiling_s, 1),
            "ours_docs_per_s": round(count / ours_s, 1),
            "ratio": round(ceiling_s / ours_s, 3),
            "ceiling_seconds": round(ceiling_s, 2),
            "ours_seconds": round(ours_s, 2),
            "ours_seconds_inside_run": summary["seconds"],
            "bytes_per_1000_articles": round(ours_size / count * 1000),
            "ceiling_bytes_per_1000_articles": round(ceiling_size / count * 1000),
            "heap": node_settings.local_heap if own_node else "external cluster",
        }
        OUT.parent.mkdir(parents=True, exist_ok=True)
        OUT.write_text(json.dumps(result, indent=2) + "\n")
        print(json.dumps(result, indent=2))
        print(
            f"newsarchive index {result['ours_docs_per_s']:.0f} docs/s vs ceiling "
            f"{result['ceiling_docs_per_s']:.0f} docs/s: ratio {result['ratio']:.2f}; "
            f"{result['bytes_per_1000_articles'] / 1e6:.1f} MB per 1,000 articles on disk"
        )
    finally:
        if own_node:
            localnode.stop(node_settings)
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
