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
DASHBOARD_ID = "newsarchive-overview"


def data_view(id_: str, title: str, time_field: str, name: str) -> dict:
    return {
        "type": "index-pattern",
        "id": id_,
        "attributes": {
            "title": title,
            "name": name,
            "timeFieldName": time_field,
            "fields": "[]",  # Kibana reads the fields from the mapping
            "fieldFormatMap": "{}",
            "runtimeFieldMap": "{}",
            "typeMeta": "{}",
            "allowNoIndex": True,  # usable before the first crawl is indexed
        },
        "references": [],
        "coreMigrationVersion": CORE,
        "typeMigrationVersion": "7.11.0",
        "managed": False,
    }


def saved_search() -> dict:
    source = {
        "query": {"query": "", "language": "kuery"},
        "filter": [],
        "highlightAll": True,
        "indexRefName": "kibanaSavedObjectMeta.searchSourceJSON.index",
    }
    return {
        "type": "search",
        "id": SEARCH_ID,
        "attributes": {
            "title": "newsarchive: latest articles",
            "description": "Articles by publication time, newest first.",
            "columns": ["outlet", "title", "authors", "section", "tags", "version_count"],
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


def _terms(field: str, label: str, size: int, order_by: str, other: bool) -> dict:
    return {
        "label": label,
        "customLabel": True,
        "dataType": "string",
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


def top(index, grid, title, field, label, size=15):
    columns = {
        "term": _terms(field, label, size, "count", other=False),
        "count": _count("Articles"),
    }
    vis = _xy("LAYER", "bar_horizontal", "term", "count", None, legend=False)
    return lens_panel(index, grid, title, DV_PUBLISHED, columns, vis)


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
        over_time(
            "versions-over-time",
            (0, 42, 48, 14),
            "Versions over time (new articles and edits)",
            DV_VERSIONS,
            "crawled",
            "event",
            "Event",
        ),
    ]
    panels = [p for p, _ in built]
    references = [r for _, refs in built for r in refs]
    panels.append(
        {
            "version": "8.11.0",
            "type": "search",
            "gridData": {"x": 0, "y": 56, "w": 48, "h": 18, "i": "latest-articles"},
            "panelIndex": "latest-articles",
            "embeddableConfig": {"enhancements": {}},
            "panelRefName": "panel_latest-articles",
            "title": "Latest articles",
        }
    )
    references.append(
        {"type": "search", "id": SEARCH_ID, "name": "latest-articles:panel_latest-articles"}
    )
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
            "tags, versions (new articles and edits) over time, latest articles.",
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
            DV_PUBLISHED, f"{PREFIX}-articles", "published", "newsarchive articles (published)"
        ),
        data_view(DV_CRAWLED, f"{PREFIX}-articles", "crawled", "newsarchive articles (crawled)"),
        data_view(DV_VERSIONS, f"{PREFIX}-versions", "crawled", "newsarchive versions (crawled)"),
        saved_search(),
        dashboard(),
    ]


def render() -> str:
    return "".join(
        json.dumps(obj, sort_keys=True, separators=(",", ":")) + "\n" for obj in bundle()
    )


if __name__ == "__main__":
    OUT.write_text(render(), encoding="utf-8")
    print(f"wrote {OUT}")
