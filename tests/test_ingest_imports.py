"""The ingest modules import each other without a cycle (lazy imports inside functions
included), and word segmentation is loaded in one place, site_builder/segment.py."""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent / "site_builder"


def _module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _imports(path: Path) -> set[str]:
    """Every site_builder module the file imports, at any depth of the code."""
    name = _module_name(path)
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    out: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            out.update(a.name for a in node.names if a.name.startswith("site_builder"))
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[: len(base) - node.level + 1]
                target = ".".join([*base, node.module] if node.module else base)
            else:
                target = node.module or ""
            if target.startswith("site_builder"):
                out.add(target)
                out.update(f"{target}.{a.name}" for a in node.names)
    return out


def _graph() -> dict[str, set[str]]:
    modules = {_module_name(p): p for p in PACKAGE.rglob("*.py")}
    return {name: {m for m in _imports(path) if m in modules and m != name}
            for name, path in modules.items()}


def test_ingest_has_no_import_cycle():
    graph = _graph()
    ingest = {m for m in graph if m.startswith("site_builder.ingest")} | {"site_builder.segment"}

    def cycle_from(start: str) -> list[str] | None:
        stack = [(start, [start])]
        while stack:
            node, path = stack.pop()
            for nxt in graph.get(node, ()):
                if nxt == start:
                    return [*path, nxt]
                if nxt in ingest and nxt not in path:
                    stack.append((nxt, [*path, nxt]))
        return None

    cycles = [c for m in sorted(ingest) if (c := cycle_from(m))]
    assert cycles == [], cycles


def test_segmenters_are_loaded_only_by_the_segment_module():
    loaders = []
    for path in PACKAGE.rglob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            names = [a.name for a in node.names] if isinstance(node, ast.Import) else \
                [node.module or ""] if isinstance(node, ast.ImportFrom) else []
            if any(n.split(".")[0] in ("jieba", "rjieba") for n in names):
                loaders.append(path.relative_to(PACKAGE).as_posix())
    assert sorted(set(loaders)) == ["segment.py"]
    graph = _graph()
    assert "site_builder.segment" in graph["site_builder.search.analysis"]
    assert any("site_builder.segment" in graph[m] for m in graph if m.startswith("site_builder.ingest"))
