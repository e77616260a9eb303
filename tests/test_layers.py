"""The package's import graph: no circles between otklik's packages and top-level modules, and
no import that points up the layers (edges → runtime → actions → rules/flow →
sources/query/nlp/db → domain/analytics/settings). A new module must be given its layer here."""

from __future__ import annotations

import ast
from collections import defaultdict
from pathlib import Path

import networkx as nx

ROOT = Path(__file__).parents[1] / "otklik"
LAYER = {
    # the edges: what people and other programs talk to
    "web": 6, "cli": 6, "demo": 6,
    # the runtime: processes, tasks, the scheduler, what they export
    "runtime": 5,
    # the writers
    "actions": 4, "reports": 4,
    # rules and the flow of a batch
    "care": 3, "publish": 3, "alerts": 3, "flow": 3, "figures": 3,
    # talking to networks, the query language, NLP, the store
    "sources": 2, "query": 2, "nlp": 2, "db": 2,
    # pure types and rules
    "domain": 1, "analytics": 1, "settings": 1, "wording": 1,
}


def unit(module: str) -> str:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else parts[0]


def imports() -> dict[tuple[str, str], list[str]]:
    """(importer unit, imported unit) → the files that import so."""
    found: dict[tuple[str, str], list[str]] = defaultdict(list)
    for path in ROOT.rglob("*.py"):
        if "migrations" in path.parts:
            continue
        source = unit(".".join(path.relative_to(ROOT.parent).with_suffix("").parts))
        if source in ("__init__", "__main__"):
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names: list[str] = []
            if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                names = [node.module]
            elif isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            for name in names:
                if name.startswith("otklik."):
                    target = unit(name)
                    if target != source:
                        found[(source, target)].append(str(path.relative_to(ROOT.parent)))
    return found


def test_every_unit_has_a_layer() -> None:
    units = {u for pair in imports() for u in pair}
    assert units <= set(LAYER), f"give these a layer: {sorted(units - set(LAYER))}"


def test_no_circle_between_packages() -> None:
    graph = nx.DiGraph(list(imports()))
    circles = [c for c in nx.simple_cycles(graph)]
    assert circles == [], circles


def test_no_import_points_up_the_layers() -> None:
    upward = {pair: files for pair, files in imports().items()
              if LAYER.get(pair[1], 0) > LAYER.get(pair[0], 0)}
    assert upward == {}, upward
