"""The saved-objects bundle is well-formed, self-consistent, and every field it uses
exists (and can be aggregated) in the real mapping of the real Elasticsearch."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path

import pytest

from indexer.layout import Layout, mapping
from kibana.saved_objects import BUNDLE, DASHBOARD_ID, for_prefix, load_bundle

AGGREGATABLE = {"keyword", "date", "integer", "long", "short", "boolean", "float"}


def _objects() -> dict[tuple[str, str], dict]:
    return {(o["type"], o["id"]): o for o in load_bundle(BUNDLE)}


def _panels() -> list[dict]:
    return json.loads(_objects()[("dashboard", DASHBOARD_ID)]["attributes"]["panelsJSON"])


def _data_view_kind(objects, data_view_id: str) -> str:
    title = objects[("index-pattern", data_view_id)]["attributes"]["title"]
    kind = title.removeprefix("newsarchive-")
    assert kind in ("articles", "versions"), title
    return kind


def _field(kind: str, name: str) -> dict | None:
    node: dict = {"properties": mapping(kind)["properties"]}
    for part in name.split("."):
        node = node.get("properties", {}).get(part)
        if node is None:
            return None
    return node


def _lens_columns(panel: dict) -> list[tuple[str, dict]]:
    """(layer id, column) for every column of a by-value Lens panel."""
    layers = panel["embeddableConfig"]["attributes"]["state"]["datasourceStates"]["formBased"]
    return [(lid, col) for lid, layer in layers["layers"].items() for col in layer["columns"].values()]  # fmt: skip


def test_bundle_is_ndjson_of_saved_objects_and_up_to_date():
    lines = BUNDLE.read_text().splitlines()
    assert lines and all(json.loads(line)["type"] for line in lines)
    objects = _objects()
    assert len(objects) == len(lines)  # (type, id) unique
    kinds = sorted(t for t, _ in objects)
    assert kinds == [
        "dashboard", "index-pattern", "index-pattern", "index-pattern", "search", "search"
    ]  # fmt: skip
    for obj in objects.values():
        assert obj["coreMigrationVersion"] and obj["typeMigrationVersion"]
        assert isinstance(obj["references"], list)
    spec = importlib.util.spec_from_file_location(
        "build_bundle", BUNDLE.with_name("build_bundle.py")
    )
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    assert module.render() == BUNDLE.read_text(), "run kibana/build_bundle.py"


def test_data_views_cover_published_crawled_and_versions():
    views = {
        (o["attributes"]["title"], o["attributes"]["timeFieldName"])
        for (t, _), o in _objects().items()
        if t == "index-pattern"
    }
    layout = Layout("newsarchive")
    assert views == {
        (layout.articles, "published"),
        (layout.articles, "crawled"),
        (layout.versions, "crawled"),
    }
    for title, time_field in views:
        assert _field(title.removeprefix("newsarchive-"), time_field)["type"] == "date"


def test_every_reference_resolves_inside_the_bundle():
    objects = _objects()
    for obj in objects.values():
        for ref in obj["references"]:
            assert (ref["type"], ref["id"]) in objects, (obj["id"], ref)
    for search in (o for (t, _), o in objects.items() if t == "search"):
        source = json.loads(search["attributes"]["kibanaSavedObjectMeta"]["searchSourceJSON"])
        assert source["indexRefName"] in {r["name"] for r in search["references"]}


def test_dashboard_panels_carry_their_references():
    objects = _objects()
    dashboard = objects[("dashboard", DASHBOARD_ID)]
    lifted = {r["name"]: r for r in dashboard["references"]}
    titles = set()
    for panel in _panels():
        assert panel["panelIndex"] == panel["gridData"]["i"]
        titles.add(panel["title"])
        if panel["type"] == "lens":
            attrs = panel["embeddableConfig"]["attributes"]
            own = {r["name"]: r for r in attrs["references"]}
            for layer_id, _ in _lens_columns(panel):
                name = f"indexpattern-datasource-layer-{layer_id}"
                assert name in own, (panel["title"], name)
            for name, ref in own.items():
                up = lifted[f"{panel['panelIndex']}:{name}"]
                assert up["id"] == ref["id"] and up["type"] == ref["type"]
            visual = attrs["state"]["visualization"]
            columns = {cid for layer in attrs["state"]["datasourceStates"]["formBased"]["layers"].values() for cid in layer["columns"]}  # fmt: skip
            for layer in visual["layers"]:
                used = [layer["xAccessor"], *layer["accessors"], layer.get("splitAccessor")]
                assert set(filter(None, used)) <= columns
        else:
            ref = lifted[f"{panel['panelIndex']}:{panel['panelRefName']}"]
            assert (ref["type"], ref["id"]) in objects
    assert {
        "Articles over time by outlet",
        "Top outlets",
        "Top authors",
        "Top sections",
        "Top tags",
        "Political and other articles over time",
        "Top people, by outlet lean",
        "Top parties, by outlet lean",
        "Unique stories and articles over time",
        "Wire copies by wire",
        "Versions over time (new articles and edits)",
        "Latest articles",
        "Latest political articles",
    } == titles
    # the grid: panels do not overlap
    cells = set()
    for panel in _panels():
        g = panel["gridData"]
        mine = {(x, y) for x in range(g["x"], g["x"] + g["w"]) for y in range(g["y"], g["y"] + g["h"])}  # fmt: skip
        assert not cells & mine, panel["title"]
        assert g["x"] + g["w"] <= 48
        cells |= mine


def test_every_field_exists_in_the_mapping_and_can_be_aggregated():
    objects = _objects()
    used: set[tuple[str, str]] = set()
    for panel in _panels():
        if panel["type"] != "lens":
            continue
        refs = panel["embeddableConfig"]["attributes"]["references"]
        for layer_id, column in _lens_columns(panel):
            if column["sourceField"] == "___records___":
                continue
            (ref,) = [r for r in refs if r["name"].endswith(layer_id)]
            kind = _data_view_kind(objects, ref["id"])
            spec = _field(kind, column["sourceField"])
            assert spec is not None, (panel["title"], column["sourceField"])
            assert spec["type"] in AGGREGATABLE and spec.get("doc_values", True)
            used.add((kind, column["sourceField"]))
    for search in (o["attributes"] for (t, _), o in objects.items() if t == "search"):
        for name in search["columns"]:
            assert _field("articles", name) is not None, name
            used.add(("articles", name))
        for name, _direction in search["sort"]:
            assert _field("articles", name)["type"] == "date"
    assert ("articles", "outlet") in used and ("versions", "event") in used
    for name in ("lean", "political", "people.name", "parties", "story_id", "syndicated_from"):
        assert ("articles", name) in used, name


def test_the_political_search_filters_on_the_flag():
    search = _objects()[("search", "newsarchive-political-articles")]["attributes"]
    source = json.loads(search["kibanaSavedObjectMeta"]["searchSourceJSON"])
    assert source["query"] == {"query": "political : true", "language": "kuery"}


def test_an_article_url_links_to_its_captures_in_replay():
    """The data views render ``url`` as a link to pywb's list of the page's captures,
    the same address `newsarchive replay` serves (on its default port)."""
    from crawler.archive.replay import DEFAULT_PORT, LOOPBACK, timeline_url

    page = "https://example.org/politics/2024/05/01/a-story/"
    for (kind, _), obj in _objects().items():
        if (
            kind != "index-pattern"
            or obj["attributes"]["timeFieldName"] == "crawled"
            and "versions" in obj["attributes"]["title"]
        ):
            continue
        fmt = json.loads(obj["attributes"]["fieldFormatMap"])["url"]
        assert fmt["id"] == "url"
        link = fmt["params"]["urlTemplate"].replace("{{rawValue}}", page)
        assert link == timeline_url(f"http://{LOOPBACK}:{DEFAULT_PORT}", page)


def test_for_prefix_moves_the_data_view_titles_only():
    objects = load_bundle(BUNDLE)
    moved = for_prefix(objects, "lab")
    titles = sorted(o["attributes"]["title"] for o in moved if o["type"] == "index-pattern")
    assert titles == ["lab-articles", "lab-articles", "lab-versions"]
    assert [o["id"] for o in moved] == [o["id"] for o in objects]
    assert objects[0]["attributes"]["title"].startswith("newsarchive-")  # input untouched


@pytest.mark.es
def test_fields_are_aggregatable_in_the_live_cluster(es_client, index_prefix):
    """Kibana asks Elasticsearch's field capabilities; so do we, on the real indices."""
    from indexer.setup import ensure_indices

    ensure_indices(es_client, index_prefix)
    objects = {(o["type"], o["id"]): o for o in for_prefix(load_bundle(BUNDLE), index_prefix)}
    wanted: dict[str, set[str]] = {}
    for panel in _panels():
        if panel["type"] != "lens":
            continue
        (ref,) = panel["embeddableConfig"]["attributes"]["references"]
        title = objects[("index-pattern", ref["id"])]["attributes"]["title"]
        for _, column in _lens_columns(panel):
            if column["sourceField"] != "___records___":
                wanted.setdefault(title, set()).add(column["sourceField"])
    for (t, _), obj in objects.items():
        if t == "index-pattern":
            wanted.setdefault(obj["attributes"]["title"], set()).add(
                obj["attributes"]["timeFieldName"]
            )
    assert set(wanted) == {f"{index_prefix}-articles", f"{index_prefix}-versions"}
    for alias, names in wanted.items():
        answer = es_client.field_caps(index=alias, fields=sorted(names), include_empty_fields=True)
        caps = answer.body["fields"]
        for name in names:
            assert name in caps, (alias, name)
            (info,) = caps[name].values()
            assert info["aggregatable"] and info["searchable"], (alias, name)


def test_bundle_path_is_inside_the_repo():
    assert Path(__file__).resolve().parents[2] / "kibana" / "newsarchive.ndjson" == BUNDLE
