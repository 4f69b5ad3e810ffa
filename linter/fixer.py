"""``--fix``: rewrite offending values in place, or leave the file exactly as it was.

A fix replaces one single-line scalar. Quoting is kept (or added when the new value would
not survive as a plain scalar), and the edited text is parsed again: if the file no longer
parses, or the value at that spot is not the replacement, nothing is written. Writes are
atomic (temporary file, then rename), so an interrupted run never leaves half a file.

An online run probes for minutes, and the user may edit the file meanwhile. So the file is
read again at fix time, every value to replace must still read exactly as it did when it was
linted (``sources``: the texts the engine linted), and the bytes are compared once more right
before the rename; otherwise the file is left alone and the outcome says so. A symlink is
written through to its target only when the target lies inside the linted tree (the folder
given on the command line, or the named file's own folder) and inside the git work tree the
link is in: in CI a pull request could plant a link to any writable manifest-shaped file on
the runner. A read-only file is left alone (a rename would get around its mode). The target's
mode and owner are kept, a UTF-8 BOM is kept, a file with several hard links is left alone (a
rename would split them), and an unwritable folder or a file too deeply nested to verify is
one line, not a traceback. Each refusal holds for ``--diff`` too: it shows nothing it would not
write.
"""

from __future__ import annotations

import json
import os
import re
import tempfile
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import yaml
from medperf_lint.findings import Finding, Span
from medperf_lint.input.safe_io import SafeReadError, describe_oserror, read_regular_file
from medperf_lint.input.yamlnodes import MAX_BYTES, InputError, compose
from medperf_lint.refs.urls import REDACTED

_BOM = b"\xef\xbb\xbf"
# Line breaks as YAML counts them (spans are YAML positions); str.splitlines also splits on
# \v, \f and \x1c-\x1e, which would put an edit on the wrong line.
_YAML_LINE = re.compile(r"[^\r\n\x85\u2028\u2029]*(?:\r\n|[\r\n\x85\u2028\u2029]|$)")


class _Unfixable(Exception):
    """Why a file is left as it was; the message is one line."""


@dataclass(frozen=True)
class FixOutcome:
    path: str
    applied: int
    skipped: int
    error: str | None = None


OVER_LINES = (
    "a value written over several lines (a block scalar, | or >, or a folded quoted string) "
    "is not rewritten; apply the fix shown under its finding by hand"
)


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


def _properties(segment: str) -> str:
    """The node properties a scalar's text starts with (``&anchor``, ``!tag``, each followed by
    blanks), which its span includes: a fix replaces only what follows them. A scalar itself
    never starts with ``&`` or ``!`` unquoted (they are indicators), so the loop is exact."""
    end = 0
    while segment[end : end + 1] in ("&", "!"):
        while end < len(segment) and segment[end] not in " \t":
            end += 1
        while end < len(segment) and segment[end] in " \t":
            end += 1
    return segment[:end]


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
    except RecursionError:
        raise _Unfixable("nesting is too deep to check the fix; file left unchanged") from None


def yaml_lines(text: str) -> list[str]:
    """``text`` split where YAML counts lines, line ends kept (the pieces join back to it)."""
    lines = [m.group(0) for m in _YAML_LINE.finditer(text)]
    return [line for line in lines if line] or [""]


def _segment(lines: list[str], span: Span) -> str | None:
    if span.line < 1 or span.line > len(lines):
        return None
    return lines[span.line - 1][span.column - 1 : span.end_column - 1]


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
    findings: Iterable[Finding],
    *,
    unsafe: bool = False,
    preview: list[str] | None = None,
    sources: Mapping[str, str] | None = None,
    roots: Sequence[Path] = (),
) -> list[FixOutcome]:
    """Apply the safe fixes (and the unsafe ones when ``unsafe``), file by file.

    With ``preview`` (a list) nothing is written: each file's unified diff is appended to it.
    ``sources`` (path -> text as linted) lets a value changed since linting be noticed.
    ``roots`` (see :func:`linted_roots`) bound where a symlink may be written through; without
    them a link is written through only to its own folder.
    """
    by_path: dict[str, list[Finding]] = defaultdict(list)
    over_lines: dict[str, int] = defaultdict(int)
    for f in findings:
        if _selected(f, unsafe) and f.path:
            by_path[f.path].append(f)
        elif f.fix and (f.fix.safe or unsafe) and f.path and f.span:
            over_lines[f.path] += 1  # a value over several lines: said, never rewritten
    return [
        *(
            _fix_file(path, group, preview, (sources or {}).get(path), tuple(roots))
            for path, group in sorted(by_path.items())
        ),
        *(FixOutcome(path, 0, n, OVER_LINES) for path, n in sorted(over_lines.items())),
    ]


def linted_roots(paths: Iterable[str]) -> tuple[Path, ...]:
    """The trees ``--fix`` may write in: each folder linted, and each named file's folder."""
    roots = []
    for raw in paths:
        where = Path(os.path.abspath(raw))
        try:
            roots.append(where.resolve(strict=True) if where.is_dir() else where.parent.resolve())
        except (OSError, RuntimeError):
            continue  # unreadable inputs are reported by the lint itself
    return tuple(roots)


def _inside(path: Path, root: Path) -> bool:
    return path == root or root in path.parents


def _work_tree(folder: Path) -> Path | None:
    """The git work tree ``folder`` is in (the nearest folder holding ``.git``), if any."""
    for candidate in (folder, *folder.parents):
        if os.path.lexists(candidate / ".git"):
            return candidate
    return None


def _check_link(path: str, target: Path, roots: Sequence[Path]) -> None:
    """Refuse a symlink whose target leaves the linted tree or the git work tree."""
    where = Path(os.path.abspath(path))
    home = where.parent.resolve()
    if home / where.name == target:
        return  # not a link
    containing = [root for root in roots if _inside(home, root)] or [home]
    tree = _work_tree(home)
    if not any(_inside(target, root) for root in containing) or (
        tree is not None and not _inside(target, tree)
    ):
        raise _Unfixable(
            "is a symlink to a file outside the linted tree; not written through "
            "(fix the target itself)"
        )


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


def _fix_file(
    path: str,
    findings: list[Finding],
    preview: list[str] | None = None,
    linted: str | None = None,
    roots: Sequence[Path] = (),
) -> FixOutcome:
    try:
        return _fix(path, findings, linted, preview, roots)
    except _Unfixable as why:
        return FixOutcome(path, 0, len(findings), str(why))


def _read(target: Path) -> bytes:
    try:
        raw = read_regular_file(target, MAX_BYTES)
    except SafeReadError as err:
        raise _Unfixable(f"cannot read: {err}") from None
    if len(raw) > MAX_BYTES:
        raise _Unfixable("file is too large to fix")
    return raw


def _writable_target(path: str, roots: Sequence[Path]) -> Path:
    """The file to rewrite for ``path``: itself, or a symlink's target inside the tree."""
    try:  # a symlink is fixed in its target; the link stays a link
        target = Path(os.path.realpath(path, strict=True))
        _check_link(path, target, roots)
        info = target.stat()
    except (OSError, RuntimeError) as err:
        reason = describe_oserror(err) if isinstance(err, OSError) else "symlink loop"
        raise _Unfixable(f"cannot read: {reason}") from None
    if not info.st_mode & 0o222 or not os.access(target, os.W_OK):  # root may write a 0444
        raise _Unfixable("the file is read-only; file left unchanged")
    _check_single_link(info)  # here too, so --diff shows only what --fix would write
    return target


def _check_single_link(info: os.stat_result) -> None:
    if info.st_nlink > 1:  # a rename would leave the other names with the old text
        raise _Unfixable(
            f"has {info.st_nlink} hard links and a rewrite would split them; file left unchanged"
        )


def _fix(
    path: str,
    findings: list[Finding],
    linted: str | None,
    preview: list[str] | None,
    roots: Sequence[Path] = (),
) -> FixOutcome:
    target = _writable_target(path, roots)
    raw = _read(target)
    bom = raw.startswith(_BOM)
    try:
        original = raw[len(_BOM) :].decode("utf-8") if bom else raw.decode("utf-8")
    except UnicodeDecodeError as err:
        raise _Unfixable(f"cannot read: not UTF-8 ({err.reason})") from None
    lines = yaml_lines(original)
    edits, skipped = _choose(findings, lines, linted)
    done = _edit(lines, edits)
    skipped += done.skipped
    if not done.deltas and not done.additions:
        return FixOutcome(path, 0, skipped)
    updated = _updated(original, lines, done)
    if updated is None:
        return FixOutcome(path, 0, len(findings), "a fix did not round-trip; file left unchanged")
    if preview is not None:  # the BOM is part of line 1's bytes, so git apply finds them
        mark = _BOM.decode("utf-8") if bom else ""
        preview.append(_diff(path, mark + original, mark + updated))
    else:
        data = (_BOM if bom else b"") + updated.encode("utf-8")
        _atomic_write(target, data, expected=raw)
    return FixOutcome(path, len(done.deltas) + len(done.additions), skipped)


def _choose(
    findings: list[Finding], lines: list[str], linted: str | None
) -> tuple[list[Finding], int]:
    """The fixes to apply, right to left within a line (so earlier columns stay valid while
    editing), and how many were skipped. Raises when a value changed since it was linted."""
    linted_lines = yaml_lines(linted) if linted is not None else None
    chosen: dict[tuple[int, int], Finding] = {}
    skipped = 0
    for f in sorted(findings, key=lambda f: f.sort_key):
        assert f.span is not None and f.fix is not None
        key = (f.span.line, f.span.column)
        if key in chosen or REDACTED in f.fix.replacement:
            skipped += 1  # one fix per value; never write a redacted secret
            continue
        now = _segment(lines, f.span)
        if now is None or (linted_lines is not None and now != _segment(linted_lines, f.span)):
            raise _Unfixable(
                f"line {f.span.line} changed since it was linted; file left unchanged "
                "(run medperf-lint --fix again)"
            )
        chosen[key] = f
    edits = sorted(
        chosen.values(), key=lambda f: (f.span.line, -f.span.column) if f.span else (0, 0)
    )
    return edits, skipped


@dataclass
class _Edits:
    """What applying the fixes did to a file's lines (a working record, not a value)."""

    deltas: list[tuple[int, int, str]] = field(default_factory=list)  # (line, column, new value)
    # (line, new line, (key, value)): a line to add below ``line``
    additions: list[tuple[int, str, tuple[str, str]]] = field(default_factory=list)
    skipped: int = 0


def _edit(lines: list[str], edits: list[Finding]) -> _Edits:
    """Replace each value in ``lines`` and collect the lines to add below them."""
    done = _Edits()
    for f in edits:
        assert f.span is not None and f.fix is not None
        row = f.span.line - 1
        text = lines[row]
        start, end = f.span.column - 1, f.span.end_column - 1
        if f.fix.adds is not None:
            added = _added_line(text, start, f.fix.adds)
            if added is None:
                done.skipped += 1
                continue
            done.additions.append((f.span.line, added, f.fix.adds))
            if f.fix.replacement == text[start:end]:
                continue  # the value stays: only the line below is new
        kept = _properties(text[start:end])  # an anchor or a tag stays with the value
        new = kept + _render(text[start + len(kept) : end], f.fix.replacement)
        lines[row] = text[:start] + new + text[end:]
        done.deltas.append((f.span.line, f.span.column, f.fix.replacement))
    return done


def _updated(original: str, lines: list[str], done: _Edits) -> str | None:
    """The fixed text with the added lines inserted, or None when a fix did not round-trip
    (the data changed other than as the fixes say)."""
    replaced = "".join(lines)
    if done.deltas and not _round_trips(
        original, replaced, {(ln, c): v for ln, c, v in done.deltas}
    ):
        return None
    for line, added, _pair in sorted(done.additions, reverse=True):  # bottom up: rows stay valid
        if not lines[line - 1].endswith(("\n", "\r")):
            lines[line - 1] += "\n"
        lines.insert(line, added)
    updated = "".join(lines)
    if done.additions and not _only_added(replaced, updated, [p for _l, _a, p in done.additions]):
        return None
    return updated


_KEY_PREFIX = re.compile(r"^(?P<indent>[ ]*)(?P<dash>-[ ]+)?[A-Za-z0-9_.-]+[ ]*:[ ]+$")


def _added_line(text: str, start: int, pair: tuple[str, str]) -> str | None:
    """``key: value`` as a new line in the same block mapping as the value at ``start`` of
    ``text`` (a ``key: value`` line), or None when the value is not laid out that way."""
    match = _KEY_PREFIX.match(text[:start])
    if match is None:
        return None
    indent = match.group("indent") + (" " * len(match.group("dash") or ""))
    ending = "\r\n" if text.endswith("\r\n") else "\n"
    return f"{indent}{pair[0]}: {_render('', pair[1])}{ending}"


def _only_added(before: str, after: str, pairs: list[tuple[str, str]]) -> bool:
    """True when ``after`` holds the data of ``before`` plus exactly ``pairs`` as new keys."""
    try:
        old, new = list(yaml.safe_load_all(before)), list(yaml.safe_load_all(after))
    except yaml.YAMLError:
        return False
    left = list(pairs)

    def same(a: object, b: object) -> bool:
        if isinstance(a, dict) and isinstance(b, dict):
            for key in b.keys() - a.keys():
                if (key, b[key]) not in left:
                    return False
                left.remove((key, b[key]))
            return a.keys() <= b.keys() and all(same(a[k], b[k]) for k in a)
        if isinstance(a, list) and isinstance(b, list):
            return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b, strict=True))
        return a == b

    return (
        len(old) == len(new) and all(same(a, b) for a, b in zip(old, new, strict=True)) and not left
    )


def _atomic_write(file: Path, data: bytes, *, expected: bytes) -> None:
    """Replace ``file`` with ``data``, keeping mode and owner, unless it changed meanwhile."""
    try:
        info = file.stat()
    except OSError as err:
        raise _Unfixable(f"cannot write: {describe_oserror(err)}") from None
    _check_single_link(info)  # again: a link may have been made since the first check
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{file.name}.", dir=file.parent)
    except OSError as err:
        raise _Unfixable(f"cannot write in {file.parent}: {describe_oserror(err)}") from None
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        os.chmod(tmp, info.st_mode & 0o7777)
        written = os.stat(tmp)
        if (written.st_uid, written.st_gid) != (info.st_uid, info.st_gid):
            try:
                os.chown(tmp, info.st_uid, info.st_gid)
            except OSError:
                raise _Unfixable(
                    "cannot keep the file's owner and group; file left unchanged"
                ) from None
            os.chmod(tmp, info.st_mode & 0o7777)  # chown may clear setuid/setgid bits
        if _read(file) != expected:  # edited while we worked: the user's edit wins
            raise _Unfixable("changed while being fixed; file left unchanged (run --fix again)")
        os.replace(tmp, file)
    except OSError as err:
        raise _Unfixable(f"cannot write: {describe_oserror(err)}") from None
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)
