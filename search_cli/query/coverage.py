"""Coverage alarms: new articles per day per outlet, and outlets that went quiet.

A feed that silently died or a site that started blocking the crawler does not fail a
crawl; it just stops producing articles. So: count articles by the day they were first
archived (``first_seen``), and compare each outlet's recent rate (the last
``recent_days``, a rolling window ending now, so a young day does not look quiet) with
its usual rate over the rest of the window. An outlet is flagged

- ``silent`` when it had articles before but none in the recent window;
- ``low`` when its recent rate is below ``low_ratio`` of its usual rate.

Outlets with less than ``min_usual`` articles a day are never flagged ``low``: for them a
quiet day is normal.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

from newsarchive.errors import NewsarchiveError

if TYPE_CHECKING:
    from elasticsearch import Elasticsearch

MAX_OUTLETS = 1000


def coverage_report(
    client: Elasticsearch,
    alias: str,
    *,
    days: int = 14,
    recent_days: int = 2,
    low_ratio: float = 0.25,
    min_usual: float = 1.0,
    field: str = "first_seen",
    now: datetime | None = None,
) -> dict[str, Any]:
    """Per outlet: counts per UTC day over the last ``days`` days, rates and a flag."""
    if not 1 <= recent_days < days:
        raise NewsarchiveError(
            f"the recent window ({recent_days} days) must be shorter than the {days} days shown"
        )
    now = (now or datetime.now(UTC)).astimezone(UTC)
    first_day = (now - timedelta(days=days - 1)).date()
    # the window is the days shown: from midnight (UTC) of the first one until now
    window_start = datetime(first_day.year, first_day.month, first_day.day, tzinfo=UTC)
    recent_start = now - timedelta(days=recent_days)
    usual_days = (recent_start - window_start).total_seconds() / 86400
    iso = "%Y-%m-%dT%H:%M:%S.%fZ"
    body = {
        "size": 0,
        "query": {"range": {field: {"gte": window_start.strftime(iso), "lte": now.strftime(iso)}}},
        "aggs": {
            "outlets": {
                "terms": {"field": "outlet", "size": MAX_OUTLETS, "order": {"_key": "asc"}},
                "aggs": {
                    "days": {
                        "date_histogram": {
                            "field": field,
                            "calendar_interval": "1d",
                            "time_zone": "UTC",
                            "min_doc_count": 0,
                            "extended_bounds": {
                                "min": first_day.isoformat(),
                                "max": now.date().isoformat(),
                            },
                            "format": "yyyy-MM-dd",
                        }
                    },
                    "recent": {"filter": {"range": {field: {"gte": recent_start.strftime(iso)}}}},
                },
            }
        },
    }
    from search_cli.query.errors import translated

    with translated(alias):
        answer = client.search(index=alias, **body).body
    day_keys = [(first_day + timedelta(days=i)).isoformat() for i in range(days)]
    outlets = []
    for bucket in answer["aggregations"]["outlets"]["buckets"]:
        counts = {b["key_as_string"]: b["doc_count"] for b in bucket["days"]["buckets"]}
        recent = bucket["recent"]["doc_count"]
        usual = (bucket["doc_count"] - recent) / usual_days
        rate = recent / recent_days
        flag = None
        if recent == 0 and usual > 0:
            flag = "silent"
        elif usual >= min_usual and rate < low_ratio * usual:
            flag = "low"
        outlets.append(
            {
                "outlet": bucket["key"],
                "per_day": [counts.get(d, 0) for d in day_keys],
                "total": bucket["doc_count"],
                "recent_per_day": round(rate, 2),
                "usual_per_day": round(usual, 2),
                "flag": flag,
            }
        )
    return {
        "field": field,
        "days": day_keys,
        "recent_days": recent_days,
        "low_ratio": low_ratio,
        "generated": now.isoformat(timespec="seconds"),
        "outlets": outlets,
        "flagged": [o["outlet"] for o in outlets if o["flag"]],
    }
