"""Search hits as plain records: the fields users asked for, with a marked snippet."""

from __future__ import annotations

import html
from dataclasses import dataclass

from search_cli.query.build import HL_CLOSE, HL_OPEN
from search_cli.query.fields import CAPTURE_PARTS

# Literal guillemets in the text would read as highlight markers.
# Where a snippet matched the query, in the hit's own text (JSON, CSV, plain output);
# a terminal shows the marked words highlighted instead (search_cli.output).
MARK_OPEN, MARK_CLOSE = "«", "»"
_NO_MARKS = str.maketrans({MARK_OPEN: "‹", MARK_CLOSE: "›"})


def marked(fragment: str) -> str:
    """An html-encoded highlight fragment as plain text with «markers»."""
    out = []
    for i, piece in enumerate(fragment.split(HL_OPEN)):
        if i == 0:
            out.append(html.unescape(piece).translate(_NO_MARKS))
            continue
        hit, _, rest = piece.partition(HL_CLOSE)
        out.append(MARK_OPEN + html.unescape(hit).translate(_NO_MARKS) + MARK_CLOSE)
        out.append(html.unescape(rest).translate(_NO_MARKS))
    return " ".join("".join(out).split())


def _plain_snippet(source: dict, chars: int) -> str:
    text = source.get("description") or source.get("body") or ""
    text = " ".join(text.split()).translate(_NO_MARKS)
    return text if len(text) <= chars else text[: chars - 1].rsplit(" ", 1)[0] + " …"


@dataclass
class Hit:
    id: str
    score: float | None
    source: dict
    snippet: str
    title: str  # with «markers» where the query matched
    sort: list

    @classmethod
    def from_es(cls, raw: dict, chars: int = 180) -> Hit:
        source = raw.get("_source") or {}
        hl = raw.get("highlight") or {}
        snippet = ""
        for name in ("body", "description"):
            fragments = hl.get(name) or []
            if fragments and HL_OPEN in fragments[0]:
                snippet = marked(fragments[0])
                break
        if not snippet:
            fallback = (hl.get("body") or [""])[0]
            snippet = marked(fallback) if fallback else _plain_snippet(source, chars)
        title_hl = (hl.get("title") or [None])[0]
        title = marked(title_hl) if title_hl else (source.get("title") or "").translate(_NO_MARKS)
        return cls(
            id=raw.get("_id") or source.get("id", ""),
            score=raw.get("_score"),
            source=source,
            snippet=snippet,
            title=title,
            sort=raw.get("sort") or [],
        )

    def date(self, date_field: str) -> str | None:
        return self.source.get(date_field)

    def as_dict(self, fields: list[str], date_field: str) -> dict:
        """The requested output fields; ``title`` is plain, ``snippet`` keeps «markers»."""
        out: dict = {}
        for name in fields:
            if name == "id":
                out[name] = self.id
            elif name == "score":
                out[name] = self.score
            elif name == "date":
                out[name] = self.date(date_field)
            elif name == "snippet":
                out[name] = self.snippet
            elif name in CAPTURE_PARTS:
                out[name] = (self.source.get("capture") or {}).get(CAPTURE_PARTS[name])
            elif name == "replay_url":
                out[name] = replay_address(self.source)
            elif name == "people":
                people = self.source.get("people") or []
                out[name] = [p.get("name") for p in people if isinstance(p, dict)]
            else:
                out[name] = self.source.get(name)
        return out


def replay_address(source: dict) -> str | None:
    """Where ``newsarchive replay`` (default port) serves the article's current capture."""
    from crawler.archive.replay import DEFAULT_BASE, replay_url

    if not source.get("crawled") or not source.get("url"):
        return None
    try:
        return replay_url(DEFAULT_BASE, source["crawled"], source["url"])
    except ValueError:  # not a date a capture has
        return None
