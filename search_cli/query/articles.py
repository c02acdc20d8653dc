"""One article as ``show`` presents it: its current document and every version, with the
fields of each version rebuilt from the versions index. Nothing here prints.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from crawler.schema.record import DIFF_FIELDS
from search_cli.query.errors import InvalidQuery, translated
from search_cli.query.execute import layout

if TYPE_CHECKING:
    from elasticsearch import Elasticsearch


@dataclass
class ArticleView:
    """An article as ``show`` presents it: the current version and every version."""

    article: dict
    versions: list[dict] = field(default_factory=list)  # oldest first, fields rebuilt

    def version_rows(self) -> list[dict]:
        """One flat row per version, oldest first, with what a citation of that version
        needs: when it was fetched, what changed, and its capture's parts."""
        from search_cli.query.fields import CAPTURE_PARTS

        rows = []
        for v in self.versions:
            row = {name: v.get(name) for name in VERSION_COLUMNS if name not in CAPTURE_PARTS}
            row["id"] = self.article.get("id")
            row["changed"] = ", ".join(v.get("changed_fields") or []) or None
            capture = v.get("capture") or {}
            row.update({name: capture.get(part) for name, part in CAPTURE_PARTS.items()})
            rows.append({name: row.get(name) for name in VERSION_COLUMNS})
        return rows


# The columns of ``ArticleView.version_rows`` (``newsarchive versions``), in order.
VERSION_COLUMNS = (
    "id", "version", "event", "crawled", "changed", "title", "published", "modified",
    "word_count", "content_hash", "url", "warc_file", "warc_offset", "warc_length",
    "warc_digest", "warc_record_id",
)  # fmt: skip


def article(client: Elasticsearch, key: str, *, prefix: str = "newsarchive") -> ArticleView:
    """The article ``key`` names: its full id, a unique prefix of 6+ characters, or its
    URL (as fetched, or canonical; any spelling the archive normalizes to the same)."""
    from search_cli.query.capture import check_id, is_url

    names = layout(prefix)
    if is_url(key):
        from crawler.archive.identity import article_id

        url = key.strip()
        query: dict = {
            "bool": {
                "should": [
                    {"term": {"url": url}},
                    {"term": {"canonical_url": url}},
                    {"term": {"id": article_id(url)}},
                ],
                "minimum_should_match": 1,
            }
        }
        what = f"URL {url!r}"
    else:
        ident = check_id(key)
        query = {"term": {"id": ident}} if len(ident) == 40 else {"prefix": {"id": ident}}
        what = f"id {key!r}"
    with translated(names.articles):
        found = client.search(index=names.articles, query=query, size=2).body["hits"]["hits"]
    if not found:
        from newsarchive.errors import NewsarchiveError

        raise NewsarchiveError(f"no article with {what} in {names.articles}")
    if len(found) > 1:
        raise InvalidQuery(f"{what} matches several articles: give more characters", param="id")
    current = found[0]["_source"]
    with translated(names.versions):
        raw = client.search(
            index=names.versions,
            query={"term": {"article_id": current["id"]}},
            sort=[{"version": "asc"}],
            size=1000,
        ).body["hits"]["hits"]
    return ArticleView(current, rebuild_versions(current, [h["_source"] for h in raw]))


def rebuild_versions(current: dict, records: list[dict]) -> list[dict]:
    """Each version's text fields, walking back from the current article.

    A version record keeps only what changed (``previous``: the older value), so the
    older versions are rebuilt from the newest one, field by field.
    """
    records = sorted(records, key=lambda r: r.get("version", 0))
    if not records:
        return []
    state = {f: current.get(f) for f in DIFF_FIELDS}
    rebuilt: list[dict] = []
    for record in reversed(records):
        version = dict(record)
        version.update({f: state.get(f) for f in DIFF_FIELDS})
        rebuilt.append(version)
        for fld, old in (record.get("previous") or {}).items():
            state[fld] = old
    return list(reversed(rebuilt))


def story_copies(
    client: Elasticsearch, story_id: str, *, prefix: str = "newsarchive", limit: int = 20
) -> tuple[list[dict], int]:
    """The articles of one story, earliest first (the root, then its copies): (id,
    outlet, first_seen, url, story_similarity, syndicated_from) of the first ``limit``,
    and how many there are."""
    index = layout(prefix).articles
    fields = ["id", "outlet", "first_seen", "url", "story_similarity", "syndicated_from"]
    with translated(index):
        resp = client.search(
            index=index, size=limit, track_total_hits=True, _source=fields,
            query={"term": {"story_id": story_id}},
            sort=[{"first_seen": "asc"}, {"id": "asc"}],
        ).body  # fmt: skip
    hits = [h["_source"] for h in resp["hits"]["hits"]]
    return hits, int(resp["hits"]["total"]["value"])
