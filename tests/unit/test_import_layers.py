"""The package's import graph: no cycles, and rules read facts without loading providers.

Built from the source with ``ast`` (not by importing), over ``linter/`` (``medperf_lint``) and
``rules/`` (``medperf_lint.rules``). Every import counts, including those inside functions,
except the ones under ``if TYPE_CHECKING:``, which never run.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = {"medperf_lint": ROOT / "linter", "medperf_lint.rules": ROOT / "rules"}
# What gathers facts (and what only it needs): never imported by a rule, even lazily.
PROVIDERS = {
    "medperf_lint.gather",
    "medperf_lint.providers.probe",
    "medperf_lint.providers.github",
    "medperf_lint.providers.synapse",
    "medperf_lint.providers.synapse_client",
    "medperf_lint.net.cache",
    "medperf_lint.engine",
    "medperf_lint.api",
    "medperf_lint.net.transport",
    "medperf_lint.http_wire",
    "medperf_lint.http_transport",
}


def modules() -> dict[str, Path]:
    found: dict[str, Path] = {}
    for package, folder in PACKAGES.items():
        for path in folder.rglob("*.py"):
            parts = list(path.relative_to(folder).with_suffix("").parts)
            if parts[-1] == "__init__":
                parts.pop()
            name = ".".join([package, *parts])
            if name != "medperf_lint.rules" or folder.name == "rules":
                found[name] = path
    return found


def _is_type_checking(test: ast.expr) -> bool:
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _runtime_imports(tree: ast.AST) -> Iterator[ast.Import | ast.ImportFrom]:
    """Import statements that run, skipping the bodies of ``if TYPE_CHECKING:``."""
    for node in ast.iter_child_nodes(tree):
        if isinstance(node, ast.If) and _is_type_checking(node.test):
            for child in node.orelse:
                yield from _runtime_imports(ast.Module(body=[child], type_ignores=[]))
            continue
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            yield node
        yield from _runtime_imports(node)


def imports_of(name: str, path: Path, known: set[str]) -> set[str]:
    is_package = path.name == "__init__.py"
    here = name if is_package else name.rsplit(".", 1)[0]
    targets: set[str] = set()
    for node in _runtime_imports(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            targets.update(a.name for a in node.names)
            continue
        base = node.module or ""
        if node.level:
            anchor = here.split(".")
            anchor = anchor[: len(anchor) - (node.level - 1)]
            base = ".".join([*anchor, *([base] if base else [])])
        for alias in node.names:
            sub = f"{base}.{alias.name}"
            targets.add(sub if sub in known else base)
    return {t for t in targets if t in known and t != name}


def graph() -> dict[str, set[str]]:
    found = modules()
    known = set(found)
    return {name: imports_of(name, path, known) for name, path in found.items()}


def cycles(edges: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components with more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    out: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for nxt in sorted(edges.get(node, ())):
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            component = []
            while True:
                top = stack.pop()
                on_stack.discard(top)
                component.append(top)
                if top == node:
                    break
            if len(component) > 1:
                out.append(sorted(component))

    for node in sorted(edges):
        if node not in index:
            visit(node)
    return out


def test_the_graph_is_read_from_the_source() -> None:
    edges = graph()
    # Spot checks that the reader sees relative, absolute, lazy and package imports.
    assert "medperf_lint.rule" in edges["medperf_lint.engine"]
    assert (
        "medperf_lint.providers.synapse" in edges["medperf_lint.gather"]
    )  # lazy, inside a function
    assert "medperf_lint.rules._probe" in edges["medperf_lint.rules.unreachable"]
    # TYPE_CHECKING-only imports are left out.
    assert "medperf_lint.facts" not in edges["medperf_lint.rule"]


def test_cycle_finder_finds_a_cycle() -> None:
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
    assert cycles({"a": {"b"}, "b": set()}) == []


def test_no_import_cycles() -> None:
    assert cycles(graph()) == []


def test_rules_import_no_provider() -> None:
    edges = graph()
    offending = {
        (rule, target)
        for rule, targets in edges.items()
        if rule.startswith("medperf_lint.rules")
        for target in targets & PROVIDERS
    }
    assert offending == set()
