"""Writes kibana/newsarchive.ndjson, the saved-objects bundle `newsarchive kibana setup`
imports. Run it after changing a panel: ``.venv/bin/python -m kibana.build_bundle``.

The bundle is generated rather than hand-edited because Kibana's format nests JSON inside
JSON strings (panelsJSON, searchSourceJSON); here every panel is plain Python data and
every id and reference name is derived in one place. tests/kibana checks that the
committed file equals this script's output and that every field exists in the mapping.

Format: Kibana's saved-objects export (one object per line), as in Kibana 8.x/9.x
sample data: data views (``index-pattern``), a saved ``search``, and a ``dashboard``
whose Lens panels are embedded by value; panel references are lifted to the dashboard
as ``<panelIndex>:<reference name>``.
"""

from __future__ import annotations

import json
from pathlib import Path

OUT = Path(__file__).with_name("newsarchive.ndjson")
PREFIX = "newsarchive"  # `kibana setup` rewrites data-view titles for another prefix
CORE = "8.8.0"

DV_PUBLISHED = "newsarchive-articles-published"
DV_CRAWLED = "newsarchive-articles-crawled"
DV_VERSIONS = "newsarchive-versions-crawled"
SEARCH_ID = "newsarchive-latest-articles"
POLITICAL_SEARCH_ID = "newsarchive-political-articles"
# `newsarchive replay` on its default port: an article's URL links to pywb's list of
# its captures (crawler/archive/replay.py, timeline_url), each a replay of that day.
REPLAY_TIMELINE = "http://127.0.0.1:8090/archive/*/{{rawValue}}"
URL_AS_REPLAY_LINK = {
    "url": {
        "id": "url",
        "params": {"type": "a", "urlTemplate": REPLAY_TIMELINE, "labelTemplate": "{{value}}"},
    }
}
DASHBOARD_ID = "newsarchive-overview"


def data_view(
    id_: str, title: str, time_field: str, name: str, formats: dict | None = None
) -> dict:
    return {
        "type": "index-pattern",
        "id": id_,
        "attributes": {
            "title": title,
            "name": name,
            "timeFieldName": time_field,
            "fields": "[]",  # Kibana reads the fields from the mapping
            "fieldFormatMap": json.dumps(formats or {}),
            "runtimeFieldMap": "{}",
            "typeMeta": "{}",
            "allowNoIndex": True,  # usable before the first crawl is indexed
        },
        "references": [],
        "coreMigrationVersion": CORE,
        "typeMigrationVersion": "7.11.0",
        "managed": False,
    }


def saved_search(id_: str, title: str, description: str, query: str, columns: list[str]) -> dict:
    source = {
        "query": {"query": query, "language": "kuery"},
        "filter": [],
        "highlightAll": True,
        "indexRefName": "kibanaSavedObjectMeta.searchSourceJSON.index",
    }
    return {
        "type": "search",
        "id": id_,
        "attributes": {
            "title": title,
            "description": description,
            "columns": columns,
            "sort": [["published", "desc"]],
            "hits": 0,
            "version": 1,
            "kibanaSavedObjectMeta": {"searchSourceJSON": json.dumps(source)},
        },
        "references": [
            {
                "type": "index-pattern",
                "id": DV_PUBLISHED,
                "name": "kibanaSavedObjectMeta.searchSourceJSON.index",
            }
        ],
        "coreMigrationVersion": CORE,
        "typeMigrationVersion": "7.9.3",
        "managed": False,
    }


def latest_articles() -> dict:
    return saved_search(
        SEARCH_ID,
        "newsarchive: latest articles",
        "Articles by publication time, newest first; the URL opens its captures in replay.",
        "",
        ["outlet", "lean", "title", "authors", "section", "tags", "version_count", "url"],
    )


def political_articles() -> dict:
    return saved_search(
        POLITICAL_SEARCH_ID,
        "newsarchive: political articles",
        "Articles flagged political, with the people and parties they mention.",
        "political : true",
        ["outlet", "lean", "title", "people.name", "parties", "story_id", "url"],
    )


def _count(label: str) -> dict:
    return {
        "label": label,
        "customLabel": True,
        "dataType": "number",
        "operationType": "count",
        "isBucketed": False,
        "scale": "ratio",
        "sourceField": "___records___",
        "params": {"emptyAsNull": True},
    }


def _unique(field: str, label: str) -> dict:
    return {
        "label": label,
        "customLabel": True,
        "dataType": "number",
        "operationType": "unique_count",
        "sourceField": field,
        "isBucketed": False,
        "scale": "ratio",
        "params": {"emptyAsNull": True},
    }


def _dates(field: str) -> dict:
    return {
        "label": field,
        "dataType": "date",
        "operationType": "date_histogram",
        "sourceField": field,
        "isBucketed": True,
        "scale": "interval",
        "params": {"interval": "auto", "includeEmptyRows": True, "dropPartials": False},
    }


def _terms(
    field: str, label: str, size: int, order_by: str, other: bool, data_type: str = "string"
) -> dict:
    return {
        "label": label,
        "customLabel": True,
        "dataType": data_type,
        "operationType": "terms",
        "sourceField": field,
        "isBucketed": True,
        "scale": "ordinal",
        "params": {
            "size": size,
            "orderBy": {"type": "column", "columnId": order_by},
            "orderDirection": "desc",
            "otherBucket": other,
            "missingBucket": False,
            "parentFormat": {"id": "terms"},
        },
    }


def _xy(layer: str, series: str, x: str, y: str, split: str | None, legend: bool) -> dict:
    layer_state = {
        "layerId": layer,
        "layerType": "data",
        "seriesType": series,
        "xAccessor": x,
        "accessors": [y],
    }
    if split:
        layer_state["splitAccessor"] = split
    return {
        "preferredSeriesType": series,
        "legend": {"isVisible": legend, "position": "right"},
        "valueLabels": "hide",
        "fittingFunction": "None",
        "axisTitlesVisibilitySettings": {"x": False, "yLeft": True, "yRight": True},
        "tickLabelsVisibilitySettings": {"x": True, "yLeft": True, "yRight": True},
        "gridlinesVisibilitySettings": {"x": True, "yLeft": True, "yRight": True},
        "layers": [layer_state],
    }


def lens_panel(
    index: str,
    grid: tuple[int, int, int, int],
    title: str,
    data_view_id: str,
    columns: dict[str, dict],
    visualization: dict,
) -> tuple[dict, list[dict]]:
    """A by-value Lens panel on one layer, and the references the dashboard must carry."""
    layer = f"layer-{index}"
    refs = [
        {
            "type": "index-pattern",
            "id": data_view_id,
            "name": f"indexpattern-datasource-layer-{layer}",
        }
    ]
    visualization = json.loads(json.dumps(visualization).replace("LAYER", layer))
    attributes = {
        "title": title,
        "type": "lens",
        "visualizationType": "lnsXY",
        "references": refs,
        "state": {
            "visualization": visualization,
            "query": {"query": "", "language": "kuery"},
            "filters": [],
            "datasourceStates": {
                "formBased": {
                    "layers": {
                        layer: {
                            "columns": columns,
                            "columnOrder": list(columns),
                            "incompleteColumns": {},
                        }
                    }
                }
            },
            "internalReferences": [],
            "adHocDataViews": {},
        },
    }
    x, y, w, h = grid
    panel = {
        "version": "8.11.0",
        "type": "lens",
        "gridData": {"x": x, "y": y, "w": w, "h": h, "i": index},
        "panelIndex": index,
        "embeddableConfig": {"attributes": attributes, "enhancements": {}},
        "title": title,
    }
    return panel, [dict(r, name=f"{index}:{r['name']}") for r in refs]


def over_time(index, grid, title, dv, time_field, split_field, split_label):
    columns = {
        "x": _dates(time_field),
        "split": _terms(split_field, split_label, 10, "count", other=True),
        "count": _count("Count"),
    }
    vis = _xy("LAYER", "bar_stacked", "x", "count", "split", legend=True)
    return lens_panel(index, grid, title, dv, columns, vis)


def top(index, grid, title, field, label, size=15, by_lean=False):
    """The most frequent values of ``field``; ``by_lean``: each bar split by the lean
    of the outlets (the registry's ``lean`` tag)."""
    columns = {"term": _terms(field, label, size, "count", other=False)}
    if by_lean:
        columns["split"] = _terms("lean", "Outlet lean", 5, "count", other=True)
    columns["count"] = _count("Articles")
    series = "bar_horizontal_stacked" if by_lean else "bar_horizontal"
    vis = _xy("LAYER", series, "term", "count", "split" if by_lean else None, legend=by_lean)
    return lens_panel(index, grid, title, DV_PUBLISHED, columns, vis)


def political_over_time(index, grid):
    columns = {
        "x": _dates("published"),
        "split": _terms("political", "Political", 2, "count", other=False, data_type="boolean"),
        "count": _count("Articles"),
    }
    vis = _xy("LAYER", "bar_stacked", "x", "count", "split", legend=True)
    return lens_panel(
        index, grid, "Political and other articles over time", DV_PUBLISHED, columns, vis
    )


def stories_over_time(index, grid):
    """Distinct stories beside articles: the gap is syndicated and duplicate copies."""
    columns = {
        "x": _dates("published"),
        "stories": _unique("story_id", "Unique stories"),
        "count": _count("Articles"),
    }
    vis = _xy("LAYER", "line", "x", "stories", None, legend=True)
    vis["layers"][0]["accessors"] = ["stories", "count"]
    return lens_panel(
        index, grid, "Unique stories and articles over time", DV_PUBLISHED, columns, vis
    )


def dashboard() -> dict:
    built = [
        over_time(
            "articles-by-outlet",
            (0, 0, 48, 14),
            "Articles over time by outlet",
            DV_PUBLISHED,
            "published",
            "outlet",
            "Outlet",
        ),
        top("top-outlets", (0, 14, 24, 14), "Top outlets", "outlet", "Outlet"),
        top("top-authors", (24, 14, 24, 14), "Top authors", "authors", "Author"),
        top("top-sections", (0, 28, 24, 14), "Top sections", "section", "Section"),
        top("top-tags", (24, 28, 24, 14), "Top tags", "tags", "Tag"),
        political_over_time("political-over-time", (0, 42, 48, 14)),
        top(
            "top-people",
            (0, 56, 24, 16),
            "Top people, by outlet lean",
            "people.name",
            "Person",
            by_lean=True,
        ),
        top(
            "top-parties",
            (24, 56, 24, 16),
            "Top parties, by outlet lean",
            "parties",
            "Party",
            size=6,
            by_lean=True,
        ),
        stories_over_time("stories-over-time", (0, 72, 24, 14)),
        top("top-wires", (24, 72, 24, 14), "Wire copies by wire", "syndicated_from", "Wire"),
        over_time(
            "versions-over-time",
            (0, 86, 48, 14),
            "Versions over time (new articles and edits)",
            DV_VERSIONS,
            "crawled",
            "event",
            "Event",
        ),
    ]
    panels = [p for p, _ in built]
    references = [r for _, refs in built for r in refs]
    for name, search_id, title, y in (
        ("latest-articles", SEARCH_ID, "Latest articles", 100),
        ("political-articles", POLITICAL_SEARCH_ID, "Latest political articles", 118),
    ):
        panels.append(
            {
                "version": "8.11.0",
                "type": "search",
                "gridData": {"x": 0, "y": y, "w": 48, "h": 18, "i": name},
                "panelIndex": name,
                "embeddableConfig": {"enhancements": {}},
                "panelRefName": f"panel_{name}",
                "title": title,
            }
        )
        references.append({"type": "search", "id": search_id, "name": f"{name}:panel_{name}"})
    options = {
        "useMargins": True,
        "syncColors": True,
        "syncCursor": True,
        "syncTooltips": False,
        "hidePanelTitles": False,
    }
    return {
        "type": "dashboard",
        "id": DASHBOARD_ID,
        "attributes": {
            "title": "newsarchive: overview",
            "description": "Articles over time by outlet, top outlets, authors, sections and "
            "tags, political and other articles over time, top people and parties by outlet "
            "lean, unique stories and wire copies, versions (new articles and edits) over "
            "time, latest articles and latest political articles.",
            "panelsJSON": json.dumps(panels),
            "optionsJSON": json.dumps(options),
            "timeRestore": True,
            "timeFrom": "now-30d",
            "timeTo": "now",
            "refreshInterval": {"pause": True, "value": 60000},
            "version": 1,
            "kibanaSavedObjectMeta": {
                "searchSourceJSON": json.dumps(
                    {"query": {"query": "", "language": "kuery"}, "filter": []}
                )
            },
        },
        "references": references,
        "coreMigrationVersion": CORE,
        "typeMigrationVersion": "8.7.0",
        "managed": False,
    }


def bundle() -> list[dict]:
    return [
        data_view(
            DV_PUBLISHED,
            f"{PREFIX}-articles",
            "published",
            "newsarchive articles (published)",
            URL_AS_REPLAY_LINK,
        ),
        data_view(
            DV_CRAWLED,
            f"{PREFIX}-articles",
            "crawled",
            "newsarchive articles (crawled)",
            URL_AS_REPLAY_LINK,
        ),
        data_view(DV_VERSIONS, f"{PREFIX}-versions", "crawled", "newsarchive versions (crawled)"),
        latest_articles(),
        political_articles(),
        dashboard(),
    ]


def render() -> str:
    return "".join(
        json.dumps(obj, sort_keys=True, separators=(",", ":")) + "\n" for obj in bundle()
    )


if __name__ == "__main__":
    OUT.write_text(render(), encoding="utf-8")
    print(f"wrote {OUT}")
