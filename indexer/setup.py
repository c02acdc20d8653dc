"""Create or upgrade the templates, the first indices and their aliases (idempotent).

Layout per prefix P (see indexer/__init__.py): component templates ``P-settings`` and
``P-<kind>-mappings``, index templates ``P-<kind>`` for ``P-<kind>-0*``, concrete
indices ``P-<kind>-000001``... , a read alias ``P-<kind>`` and a write alias
``P-<kind>-write`` (``is_write_index``) for kind in articles, versions.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from indexer.layout import KINDS, TEMPLATE_PRIORITY, Layout, base_settings, mapping
from newsarchive.errors import NewsarchiveError

if TYPE_CHECKING:
    from elasticsearch import Elasticsearch


def _settings(client: Elasticsearch, layout: Layout, shards: int | None, replicas: int | None):
    """Index settings: explicit values win, else those of the existing component
    template (so an upgrade keeps a cluster's choice), else settings.json."""
    from elasticsearch import NotFoundError

    settings = base_settings()["index"]
    try:
        found = client.cluster.get_component_template(name=layout.settings_component).body
        current = found["component_templates"][0]["component_template"]["template"]["settings"]
        current = current.get("index", current)
        for key in ("number_of_shards", "number_of_replicas", "auto_expand_replicas"):
            if key in current:
                settings[key] = current[key]
        if "number_of_replicas" in current:
            settings.pop("auto_expand_replicas", None)
    except NotFoundError:
        pass
    if shards is not None:
        settings["number_of_shards"] = shards
    if replicas is not None:
        settings["number_of_replicas"] = replicas
        settings.pop("auto_expand_replicas", None)
    return settings


def put_templates(
    client: Elasticsearch, layout: Layout, *, shards: int | None = None, replicas: int | None = None
) -> None:
    """Write the component and index templates (new indices get the current mapping)."""
    settings = _settings(client, layout, shards, replicas)
    client.cluster.put_component_template(
        name=layout.settings_component,
        template={"settings": {"index": settings}},
        meta={"managed_by": "newsarchive indexer"},
    )
    for kind in KINDS:
        body = mapping(kind)
        client.cluster.put_component_template(
            name=layout.mappings_component(kind),
            template={"mappings": body},
            meta={"managed_by": "newsarchive indexer"},
        )
        client.indices.put_index_template(
            name=layout.index_template(kind),
            index_patterns=[layout.index_pattern(kind)],
            composed_of=[layout.settings_component, layout.mappings_component(kind)],
            priority=TEMPLATE_PRIORITY,
            version=body["_meta"]["mapping_version"],
            meta={"managed_by": "newsarchive indexer"},
        )


def write_index(client: Elasticsearch, layout: Layout, kind: str) -> str | None:
    """The concrete index behind the write alias of ``kind``, or None."""
    from elasticsearch import NotFoundError

    try:
        found = client.indices.get_alias(name=layout.write_alias(kind)).body
    except NotFoundError:
        return None
    for index, data in found.items():
        if data["aliases"][layout.write_alias(kind)].get("is_write_index", len(found) == 1):
            return index
    return None


def indices_of(client: Elasticsearch, layout: Layout, kind: str) -> list[str]:
    """Every concrete index of ``kind`` (all generations), oldest first."""
    found = client.indices.get(index=layout.index_pattern(kind), expand_wildcards="all").body
    return sorted(i for i in found if layout.generation(i, kind) is not None)


def next_index(client: Elasticsearch, layout: Layout, kind: str) -> str:
    gens = [layout.generation(i, kind) or 0 for i in indices_of(client, layout, kind)]
    return layout.index_name(kind, max(gens, default=0) + 1)


def create_index(client: Elasticsearch, index: str, aliases: dict | None = None) -> None:
    """Create one index from its template (the template supplies settings and mapping)."""
    from elasticsearch import BadRequestError

    try:
        client.indices.create(index=index, aliases=aliases or {}, wait_for_active_shards="1")
    except BadRequestError as exc:
        if exc.error != "resource_already_exists_exception":
            raise


def upgrade_mapping(client: Elasticsearch, index: str, kind: str) -> None:
    """Apply the current mapping to an existing index (additive changes only)."""
    from elasticsearch import BadRequestError

    body = mapping(kind)
    try:
        client.indices.put_mapping(
            index=index,
            properties=body["properties"],
            dynamic=body["dynamic"],
            meta=body["_meta"],
        )
    except BadRequestError as exc:
        reason = exc.info.get("error", {}).get("reason", str(exc)) if exc.info else str(exc)
        raise NewsarchiveError(
            f"index {index} has a mapping the current version cannot be applied to "
            f"({reason}): run `newsarchive index --rebuild` to build a fresh index"
        ) from None


def ensure_indices(
    client: Elasticsearch,
    prefix: str = "newsarchive",
    *,
    shards: int | None = None,
    replicas: int | None = None,
) -> Layout:
    """Templates, first indices and read/write aliases for ``prefix``; safe to repeat.

    Existing indices get the current mapping applied (additive upgrades); an
    incompatible change raises NewsarchiveError telling the user to rebuild.
    """
    layout = Layout(prefix)
    put_templates(client, layout, shards=shards, replicas=replicas)
    for kind in KINDS:
        current = write_index(client, layout, kind)
        if current is not None:
            upgrade_mapping(client, current, kind)
            continue
        first = layout.index_name(kind, 1)
        create_index(client, first)
        client.indices.update_aliases(
            actions=[
                {"add": {"index": first, "alias": layout.read_alias(kind)}},
                {
                    "add": {
                        "index": first,
                        "alias": layout.write_alias(kind),
                        "is_write_index": True,
                    }
                },
            ]
        )
    return layout
