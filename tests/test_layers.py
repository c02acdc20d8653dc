"""The layout reads as the pipeline and no import runs backwards: crawler -> archive ->
indexer -> Elasticsearch -> search CLI / Kibana, with the scheduler above the crawler
and the indexer, and the foundation (newsarchive/) below everything. Read from the
sources' own import statements, at module level and inside functions."""

from __future__ import annotations

import ast
from collections import defaultdict
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
PACKAGES = ("newsarchive", "crawler", "indexer", "search_cli", "scheduler", "kibana")
# package -> the project packages it must never import
FORBIDDEN = {
    "newsarchive": {"crawler", "indexer", "search_cli", "scheduler", "kibana"},
    "crawler": {"indexer", "search_cli", "scheduler", "kibana"},
    "indexer": {"search_cli", "scheduler", "kibana"},
    "kibana": {"crawler", "indexer", "search_cli", "scheduler"},
    "scheduler": {"search_cli", "kibana"},
    "search_cli": set(),
}


def _imports() -> dict[str, set[str]]:
    """module -> the project modules it imports."""
    found: dict[str, set[str]] = defaultdict(set)
    for package in PACKAGES:
        for path in (REPO / package).rglob("*.py"):
            module = ".".join(path.relative_to(REPO).with_suffix("").parts)
            module = module.removesuffix(".__init__")
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                names = []
                if isinstance(node, ast.Import):
                    names = [a.name for a in node.names]
                elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                    names = [node.module]
                found[module] |= {n for n in names if n.split(".")[0] in PACKAGES}
    return found


def test_no_import_runs_backwards():
    wrong = [
        (module, target)
        for module, targets in _imports().items()
        for target in targets
        if target.split(".")[0] in FORBIDDEN[module.split(".")[0]]
    ]
    assert not wrong, wrong


def test_only_the_cli_imports_the_scheduler():
    users = {
        module
        for module, targets in _imports().items()
        if any(t.split(".")[0] == "scheduler" for t in targets)
        and not module.startswith("scheduler")
    }
    assert users and all(u.startswith("search_cli.commands.") for u in users), users


def test_the_query_library_stays_below_the_commands():
    wrong = [
        (module, target)
        for module, targets in _imports().items()
        if module.startswith("search_cli.query")
        for target in targets
        if target.startswith(("search_cli.commands", "search_cli.cli", "search_cli.output"))
    ]
    assert not wrong, wrong
