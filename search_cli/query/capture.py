"""An article's archived capture, read back from its WARC file (``show --raw``).

The reading itself is the archive's (``crawler.archive.reader``): verified, revisits
followed. The capture pointer of any version comes from the archive's own records
(``articles/articles.jsonl``), so this needs no Elasticsearch: the archive is local.
Nothing here prints.
"""

from __future__ import annotations

import json
from pathlib import Path

from newsarchive.errors import NewsarchiveError
from search_cli.query.errors import InvalidQuery

__all__ = ["describe", "is_url", "local_version", "read_payload"]

VERSION_EVENTS = ("new", "changed")  # the lines that start a version (with its capture)


def describe(capture: dict | None) -> str:
    from crawler.archive.reader import describe as where

    return where(capture)


def is_url(key: str) -> bool:
    return key.strip().lower().startswith(("http://", "https://"))


def check_id(article_id: str) -> str:
    """A full article id or a prefix of 6+ hex characters, lower-cased; else InvalidQuery."""
    ident = article_id.strip().lower()
    if len(ident) < 6 or len(ident) > 40 or any(c not in "0123456789abcdef" for c in ident):
        raise InvalidQuery(
            f"{article_id!r} is not an article id or URL: give the 40-character id (or its "
            "first 6+ characters) that search prints, or the article's http(s) URL",
            param="id",
        )
    return ident


def read_payload(home: Path, capture: dict | None) -> bytes:
    """The archived HTTP body (content-encoding removed) the pointer locates."""
    from crawler.archive.reader import CaptureUnreadable, read_capture

    warc_dir = Path(home) / "warc"
    try:
        return read_capture(warc_dir, capture).body
    except CaptureUnreadable as exc:
        hint = ""
        if "does not exist" in str(exc):
            hint = f": is NEWSARCHIVE_HOME ({home}) the archive this index was built from?"
        raise NewsarchiveError(f"cannot read the capture: {exc}{hint}") from None


def local_version(home: Path, key: str, *, version: int | None = None) -> dict | None:
    """The archive's record of one version of an article (its latest unless
    ``version``), found by id, id prefix or URL in ``articles/articles.jsonl``; None
    when the local archive does not have the article.

    Lines are filtered as bytes before they are parsed, so a large archive is read at
    disk speed. A prefix two articles share is an InvalidQuery; a version the article
    never had too (naming the versions it has).
    """
    from crawler.archive.identity import article_id, normalize_url
    from crawler.archive.store import archive_paths

    path = archive_paths(home)["articles"]
    if not path.is_file():
        return None
    if is_url(key):
        wanted_url = normalize_url(key.strip())
        needles = [article_id(key.strip()).encode(), wanted_url.split("://", 1)[-1].encode()]

        def matches(record: dict) -> bool:
            urls = (record.get("url"), record.get("canonical_url"))
            return record.get("id") == article_id(key.strip()) or any(
                u and normalize_url(u) == wanted_url for u in urls
            )
    else:
        ident = check_id(key)
        needles = [ident.encode()]

        def matches(record: dict) -> bool:
            return str(record.get("id", "")).startswith(ident)

    found: dict[str, dict[int, dict]] = {}  # id -> version -> its first record
    with open(path, "rb") as fh:
        for raw in fh:
            if not any(n in raw for n in needles):
                continue
            try:
                record = json.loads(raw)
            except ValueError:
                continue  # a torn or damaged line: `newsarchive verify` reports those
            if not isinstance(record, dict) or record.get("event") not in VERSION_EVENTS:
                continue
            if matches(record):
                versions = found.setdefault(record["id"], {})
                versions.setdefault(int(record.get("version") or 1), record)
    if not found:
        return None
    if len(found) > 1:
        raise InvalidQuery(
            f"{key!r} matches {len(found)} articles: give more characters of the id", param="id"
        )
    versions = next(iter(found.values()))
    if version is None:
        return versions[max(versions)]
    if version not in versions:
        listed = ", ".join(str(v) for v in sorted(versions))
        raise InvalidQuery(
            f"the article has no version {version} (it has {listed})", param="version"
        )
    return versions[version]
