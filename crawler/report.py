"""The per-source crawl report: pages fetched, articles new/changed/unchanged, errors by
kind, dead or empty feeds. Built from the crawl's stats, saved as JSON, printed as text.
``error_kind`` gives every failed request its name in the report.
"""

from __future__ import annotations

import contextlib
import json
import logging
import re
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

log = logging.getLogger(__name__)

# Outcomes counted per source (crawler.archive.Outcome.kind); "empty_extraction": a
# known article came back without a body and was recorded as seen, not as a version.
ARTICLE_OUTCOMES = ("new", "changed", "unchanged", "removed", "empty_extraction")


def error_kind(failure) -> str:
    """A short name for why a request failed, used as the report's error key."""
    from scrapy.exceptions import (
        CannotResolveHostError,
        DownloadCancelledError,
        DownloadConnectionRefusedError,
        DownloadFailedError,
        DownloadTimeoutError,
        IgnoreRequest,
        ResponseDataLossError,
    )
    from scrapy.spidermiddlewares.httperror import HttpError
    from twisted.internet import error as twisted_error

    from crawler.middlewares.scope import OutOfScope
    from crawler.resolver import refused_address

    exc = failure.value
    if isinstance(exc, HttpError):
        return f"http_{exc.response.status}"
    if isinstance(exc, OutOfScope):
        return "offsite_redirect" if "offsite_redirect" in str(exc) else "offsite"
    # Before IgnoreRequest: Scrapy drops a body that decompresses past DOWNLOAD_MAXSIZE
    # (a decompression bomb) with a plain IgnoreRequest naming the max size.
    if isinstance(exc, DownloadCancelledError) or re.search(r"max\s*size", str(exc), re.I):
        return "too_large"
    if isinstance(exc, IgnoreRequest):
        return "robots_disallowed" if "robots" in str(exc).lower() else "ignored"
    if isinstance(exc, DownloadTimeoutError | twisted_error.TimeoutError):
        return "timeout"
    if isinstance(exc, CannotResolveHostError | twisted_error.DNSLookupError):
        request = getattr(failure, "request", None)
        host = urlsplit(request.url).hostname if request is not None else None
        return "private_address" if refused_address(host) else "dns"
    if isinstance(exc, DownloadConnectionRefusedError | twisted_error.ConnectionRefusedError):
        return "connection_refused"
    if isinstance(exc, ResponseDataLossError):
        return "truncated"
    if isinstance(exc, DownloadFailedError):
        return "tls_certificate" if "certificate verify failed" in str(exc) else "connection_failed"
    # Anything else by its class, in the report's snake_case: "ValueError" -> "value_error".
    return re.sub(r"(?<=[a-z0-9])(?=[A-Z])", "_", type(exc).__name__).lower()


def progress_totals(stats: dict[str, Any]) -> dict[str, int]:
    """Running totals of a crawl from its stats, for a progress line: pages fetched,
    articles new, changed and unchanged, errors."""
    totals = {"pages": 0, "new": 0, "changed": 0, "unchanged": 0, "errors": 0}
    for key, value in stats.items():
        parts = key.split("/", 2)
        if len(parts) < 3 or parts[0] != "src" or not isinstance(value, int):
            continue
        name = parts[2]
        if name == "pages_fetched":
            totals["pages"] += value
        elif name.startswith("articles/") and name[9:] in ("new", "changed", "unchanged"):
            totals[name[9:]] += value
        elif name.startswith("errors/"):
            totals["errors"] += value
    return totals


def build_report(spider, reason: str) -> dict[str, Any]:
    try:
        finished = spider.now()
    except Exception:  # noqa: BLE001 - the archive never opened: the system clock
        finished = datetime.now(UTC)
    by_source: dict[str, dict[str, Any]] = {}  # "src/<id>/<name>" stats, in one pass
    for key, value in spider.crawler.stats.get_stats().items():
        if key.startswith("src/"):
            sid, _, name = key[4:].partition("/")
            by_source.setdefault(sid, {})[name] = value
    sources = []
    for sid, state in spider.states.items():
        mine = by_source.get(sid, {})

        def group(name: str, mine: dict = mine) -> dict[str, int]:
            return {
                k[len(name) + 1 :]: v for k, v in sorted(mine.items()) if k.startswith(name + "/")
            }

        errors = group("errors")
        for kind, n in group("dropped").items():
            errors.setdefault(kind, 0)
            errors[kind] = max(errors[kind], n)
        docs = list(state.docs.values())
        sources.append(
            {
                "id": sid,
                "name": state.source.name,
                "verified": state.source.verified,
                "pages_fetched": mine.get("pages_fetched", 0),
                "bytes_fetched": mine.get("bytes_fetched", 0),
                "articles": {k: group("articles").get(k, 0) for k in ARTICLE_OUTCOMES},
                "articles_requested": state.scheduled,
                "revisits": {
                    "requested": state.revisits,
                    **{
                        k: group("revisits").get(k, 0)
                        for k in ("schedule", "signal", "headline", "not_modified", "over_budget")
                    },
                },
                "skipped": group("skipped"),
                "not_article": group("not_article"),
                "errors": errors,
                "retry_after_waits": mine.get("retry_after_waits", 0),
                # articles whose body lost blocks the source's learnt boilerplate names
                "boilerplate_dropped": mine.get("boilerplate_dropped", 0),
                # page requisites: how many were asked for, then what became of them
                "requisites": {"requested": len(state.requisites), **group("requisites")},
                "truncated_by_max_articles": "max_articles" in state.left_over,
                "left_over": sorted(state.left_over),
                "discovery": docs,
                "dead_feeds": [d for d in docs if d.get("status") in ("dead", "blocked")],
                "empty_feeds": [d for d in docs if d.get("status") == "empty"],
            }
        )
    return {
        "started": spider.started_at.isoformat(),
        "finished": finished.isoformat(),
        "seconds": round((finished - spider.started_at).total_seconds(), 3),
        "finish_reason": reason,
        "since": spider.since.isoformat() if spider.since else None,
        "max_articles": spider.max_articles,
        "recheck_days": spider.recheck_days,
        "revisit": {
            sid: {"schedule": list(p.schedule), "budget": p.budget}
            for sid, p in spider.revisits.items()
        },
        "totals": _totals(sources),
        "archive_notes": list(getattr(spider.archive, "notes", [])),  # what opening repaired
        "tls_verified": spider.crawler.settings.getbool("DOWNLOAD_VERIFY_CERTIFICATES"),
        "shared": getattr(spider, "shared_report", lambda: None)(),  # None: a lone crawl
        "sources": sources,
    }


def _totals(sources: list[dict]) -> dict[str, int]:
    totals = {
        "pages_fetched": 0,
        "new": 0,
        "changed": 0,
        "unchanged": 0,
        "removed": 0,
        "empty_extraction": 0,
        "errors": 0,
        "dead_feeds": 0,
    }
    for s in sources:
        totals["pages_fetched"] += s["pages_fetched"]
        for k in ARTICLE_OUTCOMES:
            totals[k] += s["articles"][k]
        totals["errors"] += sum(s["errors"].values())
        totals["dead_feeds"] += len(s["dead_feeds"])
    return totals


def save_report(report: dict, home: Path) -> Path | None:
    """Write the report to ``home/reports/crawl-<UTC time>.json`` and ``last-crawl.json``.

    Returns None when it cannot be written (disk full): the report is printed anyway,
    so that is one logged line, not a failure of the crawl's close.
    """
    folder = Path(home) / "reports"
    stamp = report["finished"][:19].replace(":", "").replace("-", "")
    path = folder / f"crawl-{stamp}.json"
    tmp = folder / "last-crawl.json.tmp"
    text = json.dumps(report, indent=2, default=str)
    try:
        folder.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        tmp.write_text(text, encoding="utf-8")
        tmp.replace(folder / "last-crawl.json")
    except OSError as exc:
        for partial in (path, tmp):
            with contextlib.suppress(OSError):
                partial.unlink(missing_ok=True)
        log.error("cannot save the crawl report in %s: %s", folder, exc.strerror or exc)
        return None
    return path


def format_report(report: dict) -> str:
    """A plain-text table, one row per source, then the dead/empty feeds and errors."""
    head = ("source", "pages", "new", "changed", "unchanged", "removed", "errors", "dead feeds")
    rows = [head]
    for s in report["sources"]:
        a = s["articles"]
        rows.append(
            (
                s["id"],
                s["pages_fetched"],
                a["new"],
                a["changed"],
                a["unchanged"],
                a["removed"],
                sum(s["errors"].values()),
                len(s["dead_feeds"]) + len(s["empty_feeds"]),
            )
        )
    widths = [max(len(str(r[i])) for r in rows) for i in range(len(head))]
    lines = [
        "  ".join(
            str(v).ljust(w) if i == 0 else str(v).rjust(w)
            for i, (v, w) in enumerate(zip(row, widths, strict=True))
        )
        for row in rows
    ]
    lines.insert(1, "  ".join("-" * w for w in widths))
    for s in report["sources"]:
        notes = []
        for d in s["dead_feeds"]:
            notes.append(f"  dead {d.get('kind', 'feed')}: {d['url']} ({d.get('reason', '?')})")
        for d in s["empty_feeds"]:
            notes.append(f"  empty {d.get('kind', 'feed')}: {d['url']}")
        if s["articles"]["empty_extraction"]:
            notes.append(
                f"  empty extraction: {s['articles']['empty_extraction']} known articles came "
                "back without a body (kept as seen; the capture is archived)"
            )
        if s["errors"]:
            kinds = ", ".join(f"{k}={v}" for k, v in sorted(s["errors"].items()))
            notes.append(f"  errors: {kinds}")
        if s["skipped"].get("path_scope"):
            notes.append(
                f"  scope: {s['skipped']['path_scope']} discovered URLs outside the source's "
                "include/exclude paths, not fetched"
            )
        cut = {k: v for k, v in s["skipped"].items() if k.startswith("sitemap_")}
        if cut.get("sitemap_depth"):
            notes.append(
                f"  sitemaps: {cut['sitemap_depth']} not followed, nested deeper than "
                "SITEMAP_MAX_DEPTH"
            )
        if cut.get("sitemap_limit"):
            notes.append(
                f"  sitemaps: {cut['sitemap_limit']} not fetched, past SITEMAP_MAX_DOCUMENTS "
                "for this source"
            )
        if s["errors"].get("tls_certificate"):
            notes.append(
                "  TLS: the certificate could not be verified (self-signed, expired, another "
                "name?); if you trust it, crawl it with -s DOWNLOAD_VERIFY_CERTIFICATES=false"
            )
        r = s.get("revisits") or {}
        if r.get("requested") or r.get("over_budget"):
            notes.append(
                f"  revisits: {r['requested']} archived articles fetched again "
                f"({r['signal']} dated anew by a listing, {r.get('headline', 0)} with a new "
                f"headline in a listing, {r['schedule']} by the schedule), "
                f"{r['not_modified']} not modified (304)"
                + (
                    f"; {r['over_budget']} more due, left for the next crawl (REVISIT_BUDGET)"
                    if r.get("over_budget")
                    else ""
                )
            )
        if s["truncated_by_max_articles"]:
            notes.append("  stopped at --max-articles; more articles are waiting")
        if "stopped" in s.get("left_over", ()):
            notes.append(
                "  stopped with claimed articles not fetched: another worker or the next "
                "crawl takes them"
            )
        if notes:
            lines.append(f"{s['id']}{'' if s['verified'] else ' (unverified source)'}:")
            lines.extend(notes)
    if not report.get("tls_verified", True):
        lines.append(
            "TLS: certificates were not verified in this crawl (DOWNLOAD_VERIFY_CERTIFICATES)"
        )
    for note in report.get("archive_notes") or []:
        lines.append(f"archive: {note}")
    t = report["totals"]
    lines.append(
        f"finished ({report['finish_reason']}) in {report['seconds']:.1f}s: "
        f"{t['new']} new, {t['changed']} changed, {t['unchanged']} unchanged, "
        f"{t['removed']} removed, {t['errors']} errors"
    )
    return "\n".join(lines)
