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


def article(client: Elasticsearch, article_id: str, *, prefix: str = "newsarchive") -> ArticleView:
    """The article ``article_id`` (a full id or a unique prefix of at least 6 characters)."""
    names = layout(prefix)
    ident = article_id.strip().lower()
    if len(ident) < 6 or any(c not in "0123456789abcdef" for c in ident):
        raise InvalidQuery(
            f"{article_id!r} is not an article id: give the 40-character id (or its first "
            "6+ characters) that search prints",
            param="id",
        )
    query = {"term": {"id": ident}} if len(ident) == 40 else {"prefix": {"id": ident}}
    with translated(names.articles):
        found = client.search(index=names.articles, query=query, size=2).body["hits"]["hits"]
    if not found:
        from newsarchive.errors import NewsarchiveError

        raise NewsarchiveError(f"no article with id {article_id!r} in {names.articles}")
    if len(found) > 1:
        raise InvalidQuery(
            f"id prefix {article_id!r} is ambiguous: give more characters", param="id"
        )
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
