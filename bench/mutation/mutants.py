"""Mutants of one Python module, made on its syntax tree: one small change each.

Operators (the changes that slipped past the tests in the sampled run of issue 16):

- ``compare``: flip a comparison (``==``/``!=``, ``<``/``>=``, ``in``/``not in``, ...);
- ``boolop``: ``and`` <-> ``or``;
- ``not``: drop a ``not``;
- ``guard``: delete an ``if …: continue|return|break|raise`` with no ``else``;
- ``entry``: delete one entry of a literal table (tuple, list, set or dict of constants);
- ``constant``: change a number (n -> n + 1), flip a bool, empty a string;
- ``return``: ``return X`` -> ``return None``.

Rule metadata (``CODE``, ``NAME``, examples, ...) and docstrings are left alone: the catalogue
tests catch every change there, which says nothing about the rule's logic.
"""

from __future__ import annotations

import ast
import copy
from collections.abc import Iterator
from dataclasses import dataclass

_FLIP: dict[type[ast.cmpop], type[ast.cmpop]] = {
    ast.Eq: ast.NotEq,
    ast.NotEq: ast.Eq,
    ast.Lt: ast.GtE,
    ast.GtE: ast.Lt,
    ast.Gt: ast.LtE,
    ast.LtE: ast.Gt,
    ast.In: ast.NotIn,
    ast.NotIn: ast.In,
    ast.Is: ast.IsNot,
    ast.IsNot: ast.Is,
}
_METADATA = frozenset(
    {
        "CODE",
        "NAME",
        "SEVERITY",
        "SEVERITIES",
        "NEEDS",
        "WANTS",
        "FIX",
        "EXAMPLE_FAILING",
        "EXAMPLE_PASSING",
        "EXAMPLE_CONFIG",
        "__all__",
    }
)
_SHOWN = 70  # characters of the changed code shown in a mutant's description


@dataclass(frozen=True)
class Mutant:
    index: int  # position among the module's mutation sites, in tree order
    operator: str
    line: int
    what: str  # the change, e.g. "delete 'x-amz-security-token'"

    @property
    def key(self) -> str:
        """Stable across edits elsewhere in the file (no line number)."""
        return f"{self.operator}: {self.what}"


def _shown(node: ast.AST) -> str:
    text = " ".join(ast.unparse(node).split())
    return text if len(text) <= _SHOWN else text[: _SHOWN - 1] + "…"


def _is_table(node: ast.AST) -> bool:
    """A literal collection of constants (or of tuples of constants): a lookup table."""

    def constant(n: ast.AST) -> bool:
        if isinstance(n, ast.Constant):
            return True
        return isinstance(n, ast.Tuple) and all(isinstance(e, ast.Constant) for e in n.elts)

    if isinstance(node, (ast.Tuple, ast.List, ast.Set)):
        return len(node.elts) >= 2 and all(constant(e) for e in node.elts)
    if isinstance(node, ast.Dict):
        return len(node.keys) >= 2 and all(k is not None and constant(k) for k in node.keys)
    return False


def _is_guard(node: ast.If) -> bool:
    return (
        not node.orelse
        and len(node.body) == 1
        and isinstance(node.body[0], (ast.Continue, ast.Return, ast.Break, ast.Raise))
    )


class _Sites(ast.NodeTransformer):
    """Walks the tree numbering mutation sites; applies the one numbered ``target``."""

    def __init__(self, target: int) -> None:
        self.target = target
        self.count = 0
        self.found: list[Mutant] = []
        self.skip: set[int] = set()  # ids of nodes never mutated (docstrings, metadata)

    def _site(self, operator: str, node: ast.AST, what: str) -> bool:
        """Record a site; True when it is the one to apply."""
        line = getattr(node, "lineno", 0)
        self.found.append(Mutant(self.count, operator, line, what))
        hit = self.count == self.target
        self.count += 1
        return hit

    def visit_Module(self, node: ast.Module) -> ast.AST:
        for stmt in node.body:
            targets = stmt.targets if isinstance(stmt, ast.Assign) else []
            if isinstance(stmt, ast.AnnAssign):
                targets = [stmt.target]
            if any(isinstance(t, ast.Name) and t.id in _METADATA for t in targets):
                self.skip.update(id(n) for n in ast.walk(stmt))
        self._skip_docstrings(node)
        return self.generic_visit(node)

    def _skip_docstrings(self, tree: ast.AST) -> None:
        for n in ast.walk(tree):
            body = getattr(n, "body", None)
            first = body[0] if isinstance(body, list) and body else None
            docstring = isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant)
            if docstring and isinstance(first.value.value, str):  # type: ignore[union-attr]
                self.skip.add(id(first.value))  # type: ignore[union-attr]

    def visit_If(self, node: ast.If) -> ast.AST:
        guard = id(node) not in self.skip and _is_guard(node)
        shown = f"delete `if {_shown(node.test)}: {_shown(node.body[0])}`" if guard else ""
        if guard and self._site("guard", node, shown):
            return ast.Pass()
        if isinstance(node.test, ast.Name) and node.test.id == "TYPE_CHECKING":
            return node
        return self.generic_visit(node)

    def visit_Compare(self, node: ast.Compare) -> ast.AST:
        self.generic_visit(node)
        op = type(node.ops[0])
        if id(node) not in self.skip and op in _FLIP:
            flipped = copy.copy(node)
            flipped.ops = [_FLIP[op](), *node.ops[1:]]
            if self._site("compare", node, f"{_shown(node)} -> {_shown(flipped)}"):
                return flipped
        return node

    def visit_BoolOp(self, node: ast.BoolOp) -> ast.AST:
        self.generic_visit(node)
        if id(node) not in self.skip:
            other: ast.boolop = ast.Or() if isinstance(node.op, ast.And) else ast.And()
            swapped = ast.BoolOp(op=other, values=node.values)
            if self._site("boolop", node, f"{_shown(node)} -> {_shown(swapped)}"):
                return swapped
        return node

    def visit_UnaryOp(self, node: ast.UnaryOp) -> ast.AST:
        self.generic_visit(node)
        shown = f"{_shown(node)} -> {_shown(node.operand)}"
        if (
            id(node) not in self.skip
            and isinstance(node.op, ast.Not)
            and self._site("not", node, shown)
        ):
            return node.operand
        return node

    def visit_Return(self, node: ast.Return) -> ast.AST:
        self.generic_visit(node)
        value = node.value
        if id(node) in self.skip or value is None:
            return node
        if isinstance(value, ast.Constant) and value.value is None:
            return node
        if self._site("return", node, f"return {_shown(value)} -> return None"):
            return ast.Return(value=ast.Constant(value=None))
        return node

    def visit_Constant(self, node: ast.Constant) -> ast.AST:
        if id(node) in self.skip:
            return node
        value = node.value
        if isinstance(value, bool):
            changed: object = not value
        elif isinstance(value, int) and not isinstance(value, bool):
            changed = value + 1
        elif isinstance(value, str) and value:
            changed = ""
        else:
            return node
        if self._site("constant", node, f"{value!r} -> {changed!r}"[:_SHOWN]):
            return ast.Constant(value=changed)
        return node

    def _table(self, node: ast.AST, entries: list[ast.AST]) -> ast.AST | None:
        """Delete one entry of a literal table; the tree with the entry gone, or None."""
        for i, entry in enumerate(entries):
            if self._site("entry", entry, f"delete {_shown(entry)} from {_shown(node)}"[:200]):
                return self._without(node, i)
        return None

    @staticmethod
    def _without(node: ast.AST, i: int) -> ast.AST:
        smaller = copy.copy(node)
        if isinstance(smaller, ast.Dict):
            smaller.keys = [k for j, k in enumerate(smaller.keys) if j != i]
            smaller.values = [v for j, v in enumerate(smaller.values) if j != i]
        else:
            assert isinstance(smaller, (ast.Tuple, ast.List, ast.Set))
            smaller.elts = [e for j, e in enumerate(smaller.elts) if j != i]
        return smaller

    def _visit_table(self, node: ast.AST) -> ast.AST:
        if id(node) in self.skip or not _is_table(node):
            return self.generic_visit(node)
        # The entries themselves are not mutated further: one change per mutant.
        self.skip.update(id(n) for n in ast.walk(node))
        entries = node.keys if isinstance(node, ast.Dict) else node.elts  # type: ignore[attr-defined]
        replaced = self._table(node, entries)
        return node if replaced is None else replaced

    visit_Tuple = _visit_table
    visit_List = _visit_table
    visit_Set = _visit_table
    visit_Dict = _visit_table


def sites(source: str) -> list[Mutant]:
    """Every mutant the operators can make of ``source``."""
    walker = _Sites(target=-1)
    walker.visit(ast.parse(source))
    return walker.found


def apply(source: str, mutant: Mutant) -> str:
    """``source`` with ``mutant`` applied (formatting and comments are not kept)."""
    walker = _Sites(target=mutant.index)
    tree = ast.fix_missing_locations(walker.visit(ast.parse(source)))
    assert walker.found[mutant.index].key == mutant.key, "the source changed under the mutant"
    return ast.unparse(tree)


def sample(all_sites: list[Mutant], size: int, seed: str) -> Iterator[Mutant]:
    """``size`` mutants spread over the operators, the same ones every run."""
    import random

    rng = random.Random(seed)
    by_operator: dict[str, list[Mutant]] = {}
    for m in all_sites:
        by_operator.setdefault(m.operator, []).append(m)
    for group in by_operator.values():
        rng.shuffle(group)
    taken = 0
    while taken < size and any(by_operator.values()):
        for operator in sorted(by_operator):
            group = by_operator[operator]
            if group and taken < size:
                yield group.pop()
                taken += 1
