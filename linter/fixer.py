"""``--fix``: rewrite offending values in place, or leave the file exactly as it was.

A fix replaces one single-line scalar. Quoting is kept (or added when the new value would
not survive as a plain scalar), and the edited text is parsed again: if the file no longer
parses, or the value at that spot is not the replacement, nothing is written. Writes are
atomic (temporary file, then rename), so an interrupted run never leaves half a file.
"""

from __future__ import annotations

import json
import os
import tempfile
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import yaml

from .findings import Finding
from .urls import REDACTED
from .yamlnodes import InputError, compose


@dataclass(frozen=True)
class FixOutcome:
    path: str
    applied: int
    skipped: int
    error: str | None = None


def _render(original: str, replacement: str) -> str:
    """The replacement written the way the original scalar was written."""
    if original[:1] == "'":
        return "'" + replacement.replace("'", "''") + "'"
    if original[:1] == '"':
        return json.dumps(replacement)
    try:
        plain_ok = yaml.safe_load(f"k: {replacement}") == {"k": replacement}
    except yaml.YAMLError:
        plain_ok = False
    return replacement if plain_ok and "#" not in replacement else json.dumps(replacement)


def _expected(original: str, edits: dict[tuple[int, int], str]) -> list[object]:
    """The original documents as Python data, with the edited scalars replaced."""
    from yaml.nodes import Node, ScalarNode

    loader = yaml.SafeLoader(original)
    docs: list[object] = []
    try:
        while loader.check_node():
            root = loader.get_node()
            if root is None:
                continue
            stack: list[Node] = [root]
            seen: set[int] = set()
            while stack:
                node = stack.pop()
                if id(node) in seen:
                    continue
                seen.add(id(node))
                if isinstance(node, ScalarNode):
                    key = (node.start_mark.line + 1, node.start_mark.column + 1)
                    if key in edits:
                        node.value, node.tag = edits[key], "tag:yaml.org,2002:str"
                else:
                    for item in node.value:
                        stack.extend(item if isinstance(item, tuple) else (item,))
            docs.append(loader.construct_document(root))
    finally:
        loader.dispose()
    return docs


def _round_trips(original: str, updated: str, edits: dict[tuple[int, int], str]) -> bool:
    """True when the updated text means the original data with exactly the edits applied."""
    try:
        compose(updated)
        return list(yaml.safe_load_all(updated)) == _expected(original, edits)
    except (InputError, yaml.YAMLError):
        return False


def _selected(f: Finding, unsafe: bool) -> bool:
    """The fixes ``--fix`` (with ``--unsafe-fixes`` when ``unsafe``) hands to the writer."""
    return bool(
        f.fix and (f.fix.safe or unsafe) and f.path and f.span and f.span.line == f.span.end_line
    )


def fixable(finding: Finding, *, unsafe: bool = False) -> bool:
    """True when ``--fix`` (with ``--unsafe-fixes`` when ``unsafe``) would rewrite the value."""
    fix = finding.fix
    return _selected(finding, unsafe) and fix is not None and REDACTED not in fix.replacement


def apply_fixes(
    findings: Iterable[Finding], *, unsafe: bool = False, preview: list[str] | None = None
) -> list[FixOutcome]:
    """Apply the safe fixes (and the unsafe ones when ``unsafe``), file by file.

    With ``preview`` (a list) nothing is written: each file's unified diff is appended to it.
    """
    by_path: dict[str, list[Finding]] = defaultdict(list)
    for f in findings:
        if _selected(f, unsafe) and f.path:
            by_path[f.path].append(f)
    return [_fix_file(path, group, preview) for path, group in sorted(by_path.items())]


def _diff(path: str, original: str, updated: str) -> str:
    """``diff -u`` of one file, as ``git apply`` and ``patch -p1`` read it."""
    import difflib

    lines = difflib.unified_diff(
        original.splitlines(keepends=True),
        updated.splitlines(keepends=True),
        fromfile=path if os.path.isabs(path) else f"a/{path}",
        tofile=path if os.path.isabs(path) else f"b/{path}",
    )
    return "".join(
        line if line.endswith("\n") else line + "\n\\ No newline at end of file\n" for line in lines
    )


def _fix_file(path: str, findings: list[Finding], preview: list[str] | None = None) -> FixOutcome:
    file = Path(path)
    try:
        original = file.read_bytes().decode("utf-8")
    except (OSError, UnicodeDecodeError) as err:
        return FixOutcome(path, 0, len(findings), f"cannot read: {err}")
    lines = original.splitlines(keepends=True)
    chosen: dict[tuple[int, int], Finding] = {}
    skipped = 0
    for f in sorted(findings, key=lambda f: f.sort_key):
        assert f.span is not None and f.fix is not None
        key = (f.span.line, f.span.column)
        if key in chosen or REDACTED in f.fix.replacement:
            skipped += 1  # one fix per value; never write a redacted secret
            continue
        chosen[key] = f
    # Right to left within a line, so earlier columns stay valid while editing.
    edits = sorted(
        chosen.values(), key=lambda f: (f.span.line, -f.span.column) if f.span else (0, 0)
    )
    deltas: list[tuple[int, int, int, str]] = []  # (line, column, length change, replacement)
    for f in edits:
        assert f.span is not None and f.fix is not None
        row = f.span.line - 1
        text = lines[row]
        start, end = f.span.column - 1, f.span.end_column - 1
        new = _render(text[start:end], f.fix.replacement)
        lines[row] = text[:start] + new + text[end:]
        deltas.append((f.span.line, f.span.column, len(new) - (end - start), f.fix.replacement))
    updated = "".join(lines)
    if not _round_trips(original, updated, {(ln, c): v for ln, c, _d, v in deltas}):
        return FixOutcome(path, 0, len(findings), "a fix did not round-trip; file left unchanged")
    if preview is not None:
        preview.append(_diff(path, original, updated))
    else:
        _atomic_write(file, updated)
    return FixOutcome(path, len(deltas), skipped)


def _atomic_write(file: Path, text: str) -> None:
    mode = file.stat().st_mode & 0o7777
    fd, tmp = tempfile.mkstemp(prefix=f".{file.name}.", dir=file.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as handle:
            handle.write(text)
        os.chmod(tmp, mode)
        os.replace(tmp, file)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise
