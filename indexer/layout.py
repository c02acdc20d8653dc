"""Names of everything the indexer creates, and the mapping data they are built from.

The mapping lives as JSON in ``indexer/mappings/`` (one place, read by the code and
referenced by docs/indexing.md); this module only turns it into template bodies.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from newsarchive.errors import ConfigError

MAPPINGS_DIR = Path(__file__).with_name("mappings")
KINDS = ("articles", "versions")
TEMPLATE_PRIORITY = 500  # above Elasticsearch's built-in templates (100-200)
_PREFIX_RE = re.compile(r"^[a-z0-9][a-z0-9_.-]{0,100}$")


@cache
def _load(name: str) -> dict:
    return json.loads((MAPPINGS_DIR / f"{name}.json").read_text(encoding="utf-8"))


def mapping(kind: str) -> dict:
    """The mapping of the ``articles`` or ``versions`` indices (a fresh copy)."""
    if kind not in KINDS:
        raise ValueError(f"unknown index kind {kind!r}")
    return json.loads(json.dumps(_load(kind)))


def mapping_version(kind: str) -> int:
    return int(_load(kind)["_meta"]["mapping_version"])


def base_settings() -> dict:
    return json.loads(json.dumps(_load("settings")))


@dataclass(frozen=True)
class Layout:
    """Index, alias and template names for one prefix (default ``newsarchive``)."""

    prefix: str = "newsarchive"

    def __post_init__(self) -> None:
        if not _PREFIX_RE.match(self.prefix):
            raise ConfigError(
                f"invalid index prefix {self.prefix!r}: use lower-case letters, digits, "
                "'-', '_' or '.', starting with a letter or digit (NEWSARCHIVE_INDEX_PREFIX)"
            )

    # aliases: what readers and writers use
    @property
    def articles(self) -> str:
        """Read alias of the article indices (search, Kibana)."""
        return f"{self.prefix}-articles"

    @property
    def articles_write(self) -> str:
        return f"{self.prefix}-articles-write"

    @property
    def versions(self) -> str:
        """Read alias of the version indices."""
        return f"{self.prefix}-versions"

    @property
    def versions_write(self) -> str:
        return f"{self.prefix}-versions-write"

    def read_alias(self, kind: str) -> str:
        return self.articles if kind == "articles" else self.versions

    def write_alias(self, kind: str) -> str:
        return self.articles_write if kind == "articles" else self.versions_write

    # concrete indices and templates
    def index_name(self, kind: str, generation: int) -> str:
        return f"{self.prefix}-{kind}-{generation:06d}"

    def index_pattern(self, kind: str) -> str:
        """Matches the concrete indices only (generations start with a digit), never the
        aliases, so a write to a missing alias cannot create a stray index by template."""
        return f"{self.prefix}-{kind}-0*"

    def generation(self, index: str, kind: str) -> int | None:
        head = f"{self.prefix}-{kind}-"
        tail = index[len(head) :] if index.startswith(head) else ""
        return int(tail) if tail.isdigit() else None

    @property
    def settings_component(self) -> str:
        return f"{self.prefix}-settings"

    def mappings_component(self, kind: str) -> str:
        return f"{self.prefix}-{kind}-mappings"

    def index_template(self, kind: str) -> str:
        return f"{self.prefix}-{kind}"
