"""The package reads as the pipeline: no import cycles, no stage reaching back.

ingest → content → archive → render → search → publish/serve: a stage imports the stages
before it, never one after it (module-level imports; a function may import lazily what only
it needs, which is not a dependency of the module).
"""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent / "site_builder"
# Stages in pipeline order; a module of a stage may not import a later stage at import time.
ORDER = ["content", "archive", "render", "search", "publish"]


def module_graph() -> dict[str, set[str]]:
    modules = {}
    for file in PACKAGE.rglob("*.py"):
        parts = file.relative_to(PACKAGE.parent).with_suffix("").parts
        name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
        modules[name] = file
    graph: dict[str, set[str]] = {name: set() for name in modules}
    for name, file in modules.items():
        package = name if file.name == "__init__.py" else name.rpartition(".")[0]
        for node in ast.parse(file.read_text(encoding="utf-8")).body:
            if isinstance(node, ast.ImportFrom):
                base = package.split(".")[: len(package.split(".")) - max(node.level - 1, 0)]
                target = ".".join([*base, node.module] if node.module else base) \
                    if node.level else node.module or ""
                found = {target, *(f"{target}.{alias.name}" for alias in node.names)}
            elif isinstance(node, ast.Import):
                found = {alias.name for alias in node.names}
            else:
                continue
            graph[name] |= {t for t in found if t in modules and t != name}
    return graph


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    found: list[list[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        for w in graph[v]:
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while (w := stack.pop()) != v:
                component.append(w)
            if component:
                found.append(sorted([v, *component]))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return found


def stage_of(module: str) -> str | None:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 and parts[1] in ORDER else None


def test_no_import_cycles():
    assert cycles(module_graph()) == []


def test_no_stage_imports_a_later_one():
    backwards = []
    for module, targets in module_graph().items():
        mine = stage_of(module)
        for target in targets:
            theirs = stage_of(target)
            if mine and theirs and ORDER.index(theirs) > ORDER.index(mine):
                backwards.append(f"{module} imports {target}")
    assert backwards == []


def test_build_reads_as_the_list_of_stages():
    source = (PACKAGE / "build.py").read_text(encoding="utf-8")
    assert len(source.splitlines()) <= 200
    for step in ('lap("load")', 'lap("plan")', 'lap("render")', 'lap("search")', "stage.publish("):
        assert step in source
