"""A small indexed corpus for the search CLI tests, built once per test module.

Records come from ``tests.synthetic`` (the archive's record format) and are loaded
with the indexer's own ``load_records``, so the tests search exactly the layout the
indexer builds. Each module gets its own index prefix, deleted afterwards.
"""

from __future__ import annotations

import io
import json
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

NOW = datetime.now(UTC)
TODAY = NOW.replace(hour=0, minute=0, second=0, microsecond=0)
RAW_HTML = b"<html><head><title>Senate passes tax cuts</title></head><body><p>archived page</p></body></html>"


def _delete_prefix(client, prefix: str) -> None:
    names = list(client.indices.get(index=f"{prefix}*", expand_wildcards="all").body)
    if names:
        client.indices.delete(index=",".join(names))
    for template in client.indices.get_index_template().body.get("index_templates", []):
        if template["name"].startswith(prefix):
            client.indices.delete_index_template(name=template["name"])
    for comp in client.cluster.get_component_template().body.get("component_templates", []):
        if comp["name"].startswith(prefix):
            client.cluster.delete_component_template(name=comp["name"])


@pytest.fixture(scope="module")
def module_prefix(es_client) -> Iterator[str]:
    prefix = f"test-search-{uuid.uuid4().hex[:8]}"
    yield prefix
    _delete_prefix(es_client, prefix)


def write_warc(path: Path, url: str, html: bytes) -> dict:
    """A WARC with a filler record then the response; returns the response's capture
    pointer (offset, record id, payload digest), as an article record carries it."""
    from warcio.statusandheaders import StatusAndHeaders
    from warcio.warcwriter import WARCWriter

    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "wb") as fh:
        writer = WARCWriter(fh, gzip=True)
        writer.write_record(writer.create_warcinfo_record("test.warc.gz", {"software": "tests"}))
        offset = fh.tell()
        headers = StatusAndHeaders("200 OK", [("Content-Type", "text/html")], protocol="HTTP/1.1")
        record = writer.create_warc_record(
            url, "response", payload=io.BytesIO(html), http_headers=headers
        )
        writer.write_record(record)
        length = fh.tell() - offset
    return {
        "warc_file": path.name,
        "offset": offset,
        "length": length,
        "digest": record.rec_headers.get_header("WARC-Payload-Digest"),
        "record_id": record.rec_headers.get_header("WARC-Record-ID"),
        "revisit": False,
    }


def article(
    n: int, *, title: str, body: str, outlet: int, published: datetime | None, **extra
) -> dict:
    from tests.synthetic import new_record

    record = new_record(n, title=title, body=body, outlet=outlet, body_words=20)
    record["published"] = published.isoformat() if published else None
    record["description"] = extra.pop("description", None)
    record.update(extra)
    return record


def corpus_records(capture: dict) -> list[dict]:
    """About twenty articles, each there to prove one feature (see the tests)."""
    from tests.synthetic import changed_record

    d = datetime
    recs = [
        article(1, title="Senate passes tax cuts after long debate", outlet=0,
                body="The Senate passed the tax cuts late on Friday.\n\nCritics said the tax cuts favour donors.",
                published=d(2019, 6, 14, 10, tzinfo=UTC), authors=["Jane Smith"], tags=["taxes"],
                modified=d(2019, 6, 15, 8, tzinfo=UTC).isoformat()),
        article(2, title="Governor plan on cutting taxes", outlet=1,
                body="The governor proposed cutting taxes for working families across the state.",
                published=d(2019, 6, 30, 23, 30, tzinfo=UTC), authors=["John Doe"], tags=["taxes"]),
        article(3, title="Presidential campaign opens in Iowa", outlet=2,
                body="Presidential hopefuls crowded the state fair in Iowa this week.",
                published=d(2019, 7, 1, 0, 30, tzinfo=UTC), section="campaign", tags=["elections"]),
        article(4, title="Border security bill stalls", outlet=2,
                body="The border security bill stalled in committee over immigration provisions.",
                published=d(2018, 12, 31, 23, tzinfo=UTC), authors=["John Doe"]),
        article(5, title="Immigration court backlog grows", outlet=0,
                body="The immigration court backlog grew again, officials said.",
                published=d(2020, 2, 15, 12, tzinfo=UTC), authors=["Maria Garcia"]),
        article(6, title="Opinion: the budget deficit matters", outlet=1,
                body="The budget deficit will matter for the next election.", published=None,
                section="opinion"),
        article(7, title="Budget talks resume in the capital", outlet=0,
                body="Budget talks resumed on Monday between the leaders.", published=None),
        article(8, title="Bundestag debattiert Haushalt", outlet=1,
                body="Der Bundestag debattiert den Haushalt fuer das kommende Jahr.",
                published=d(2019, 6, 20, 9, tzinfo=UTC), language="de"),
        article(9, title="\x1b[31mALERT\x1b[0m Election night results", outlet=2,
                body="Election results came in late.\x1b]0;pwned\x07 Turnout was high.",
                published=d(2019, 11, 5, 22, tzinfo=UTC)),
        article(10, title='=HYPERLINK("http://evil.example","click") budget vote', outlet=0,
                body="A budget vote was held in the council chamber.",
                published=d(2019, 11, 6, 9, tzinfo=UTC)),
        article(11, title="Governor signs climate law", outlet=1,
                body="The governor signed the climate law on the capitol steps.",
                published=TODAY - timedelta(days=2) + timedelta(hours=12)),
        article(12, title="Mayor announces housing plan", outlet=0,
                body="The mayor announced a housing plan for the city.",
                published=TODAY - timedelta(days=1) + timedelta(hours=12)),
        article(13, title="Council meets on police funding", outlet=2,
                body="The council met today on police funding.", published=TODAY + timedelta(seconds=1)),
        article(14, title="Trade tariff dispute widens", outlet=1,
                body="The trade tariff dispute widened as talks failed.",
                published=TODAY - timedelta(days=40)),
    ]  # fmt: skip
    recs[0]["capture"] = capture
    v1 = article(15, title="Council approves budget", outlet=0,
                 body="The council approved the budget.\n\nThe vote was close.",
                 published=d(2019, 6, 10, 12, tzinfo=UTC))  # fmt: skip
    v2 = changed_record(v1, title="Council approves revised budget")
    v3 = changed_record(v2, body="The council approved the revised budget.\n\nThe vote was close.")
    return [*recs, v1, v2, v3]


@dataclass
class Corpus:
    prefix: str
    home: Path
    url: str
    records: list[dict]

    def id_of(self, n: int) -> str:
        """The id of article number ``n`` of ``corpus_records``."""
        return next(r["id"] for r in self.records if r["url"].endswith(f"/story-{n}"))


@pytest.fixture(scope="module")
def corpus(es_client, es_settings, module_prefix, tmp_path_factory) -> Corpus:
    from indexer.load import load_records
    from newsarchive.es import resolve_url

    home = tmp_path_factory.mktemp("search-home")
    capture = write_warc(home / "warc" / "test-capture.warc.gz", "https://example/a1", RAW_HTML)
    records = corpus_records(capture)
    summary = load_records(es_client, records, module_prefix)
    assert summary.rejected == 0, summary.reasons
    return Corpus(module_prefix, home, resolve_url(es_settings), records)


@pytest.fixture
def cli(corpus: Corpus, monkeypatch: pytest.MonkeyPatch) -> Callable[..., Result]:
    """Run ``newsarchive ARGS...`` against the corpus; returns Click's Result."""
    from search_cli.cli import cli as group

    monkeypatch.setenv("NEWSARCHIVE_HOME", str(corpus.home))
    monkeypatch.setenv("NEWSARCHIVE_ES_URL", corpus.url)
    monkeypatch.setenv("NEWSARCHIVE_INDEX_PREFIX", corpus.prefix)
    monkeypatch.delenv("NEWSARCHIVE_CONFIG", raising=False)

    def run(*args: str) -> Result:
        return CliRunner().invoke(group, list(args), catch_exceptions=False)

    return run


def titles(result: Result) -> list[str]:
    """Titles of a ``--format jsonl`` search output."""
    assert result.exit_code == 0, result.output
    return [json.loads(line)["title"] for line in result.stdout.splitlines() if line.strip()]
