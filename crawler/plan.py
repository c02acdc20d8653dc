"""A crawl plan: which listings of each source to poll, and when each was polled last.

The scheduler polls every feed, sitemap and section page at its own interval, so one
crawl of a source often fetches only some of its listings. It hands the crawl a plan
(``python -m crawler.crawl --plan FILE``, a JSON object)::

    {"ap": {"https://ap.example/rss.xml": 1767225600.0, "https://ap.example/sitemap.xml": null}}

source id -> listing URL (as written in the registry) -> the listing's previous poll
(Unix time; null: never polled). A source that is not in the plan polls every listing,
and so does a crawl without a plan. The previous poll decides which entries the report
counts as *new* for the listing: dated after it, or (undated, or never polled before)
not in the archive yet. The scheduler's adaptive intervals are built on that count.
"""

from __future__ import annotations

import json
import math
import os
from pathlib import Path

from newsarchive.errors import ConfigError

Plan = dict[str, dict[str, float | None]]


def read_plan(value: str | os.PathLike | dict | None) -> Plan | None:
    """The plan from a dict, a JSON file's path, or None (no plan: poll everything)."""
    if value is None or value == "":
        return None
    if isinstance(value, dict):
        return check_plan(value, "the crawl plan")
    path = Path(value)
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise ConfigError(f"cannot read the crawl plan {path}: {exc.strerror or exc}") from None
    except ValueError as exc:
        raise ConfigError(f"the crawl plan {path} is not valid JSON: {exc}") from None
    return check_plan(data, f"the crawl plan {path}")


def check_plan(data: object, where: str) -> Plan:
    """Validate a plan's shape; a ConfigError names the first bad part."""
    if not isinstance(data, dict):
        raise ConfigError(f"{where} must be a JSON object of source id -> listings")
    plan: Plan = {}
    for source_id, listings in data.items():
        if not isinstance(listings, dict):
            raise ConfigError(
                f"{where}: source {source_id!r} must map listing URLs to a time or null"
            )
        plan[source_id] = {}
        for url, polled in listings.items():
            ok = polled is None or (
                isinstance(polled, int | float)
                and not isinstance(polled, bool)
                and math.isfinite(polled)
            )
            if not ok:
                raise ConfigError(
                    f"{where}: source {source_id!r}, listing {url!r}: the previous poll "
                    f"must be a Unix time or null, got {polled!r}"
                )
            plan[source_id][url] = float(polled) if polled is not None else None
    return plan
