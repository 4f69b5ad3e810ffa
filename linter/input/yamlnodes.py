"""Safe YAML loading that keeps positions, rejects hostile input and never recurses deeply."""

from __future__ import annotations

from collections.abc import Iterator

import yaml
from medperf_lint.findings import Span
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

MAX_BYTES = 10 * 1024 * 1024
# Extra nodes aliases may add. MedPerf uploads container configs as JSON, which expands every
# alias, so a "billion laughs" file would blow up there; real manifests reuse a few anchors.
MAX_ALIAS_EXPANSION = 100_000
_Loader: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_STR_TAG = "tag:yaml.org,2002:str"
_NULL_TAG = "tag:yaml.org,2002:null"
# Jinja/cookiecutter placeholders: the file is rendered before anyone submits it.
_PLACEHOLDER_MARKS = (("{{", "}}"), ("{%", "%}"))


def _has_placeholder(text: str) -> bool:
    """``{{ … }}`` or ``{% … %}`` anywhere in ``text``. Found with two ``find`` calls, not with
    ``\\{\\{.*?\\}\\}``, which rescans to the end from every ``{{`` when nothing closes it."""
    for opening, closing in _PLACEHOLDER_MARKS:
        start = text.find(opening)
        if start != -1 and text.find(closing, start + len(opening)) != -1:
            return True
    return False


class InputError(Exception):
    """A file that cannot be read or parsed. The message is one line, ready for the user."""


def decode(data: bytes) -> str:
    """Turn file bytes into text, or raise :class:`InputError` saying why not."""
    if len(data) > MAX_BYTES:
        raise InputError(
            f"file is larger than {MAX_BYTES // (1024 * 1024)} MiB; manifests that big are not read"
        )
    if not data.strip():
        raise InputError("file is empty")
    if b"\0" in data:
        raise InputError("binary file (contains NUL bytes), not YAML or JSON")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as err:
        raise InputError(
            f"not UTF-8 text: byte 0x{data[err.start]:02x} at offset {err.start} is invalid"
        ) from None
    return text.removeprefix("\ufeff")


def compose(text: str) -> list[Node]:
    """Compose every YAML document in ``text`` into position-carrying nodes (with libyaml)."""
    return _compose(_Loader, text)


def check_as_medperf_reads(text: str) -> None:
    """Raise :class:`InputError` where MedPerf's ``yaml.safe_load`` (PyYAML's pure-Python
    loader) refuses what libyaml, which :func:`compose` uses, reads. Only for files MedPerf
    itself reads as YAML. The known case: a ``?`` inside a plain scalar in a flow collection
    (``{url: …/w.tar.gz?dl=1}``), which the pure-Python scanner takes for a key indicator; the
    slower loader runs only when the text could hold it."""
    if _Loader is yaml.SafeLoader or "?" not in text or not ("{" in text or "[" in text):
        return
    try:
        _compose(yaml.SafeLoader, text)
    except InputError as err:
        raise InputError(f"{err} ({PURE_ONLY})" if "'?'" in str(err) else str(err)) from None


PURE_ONLY = (
    "MedPerf's yaml.safe_load refuses this though libyaml reads it: put a URL with '?' inside "
    "[...] or {...} in quotes"
)


def _compose(loader_class: type[yaml.SafeLoader], text: str) -> list[Node]:
    loader = loader_class(text)
    try:
        nodes: list[Node] = []
        while loader.check_node():
            node = loader.get_node()
            if node is not None:
                if "*" in text:  # only aliases can share or loop nodes
                    _check_aliases(node)
                nodes.append(node)
        return nodes
    except yaml.MarkedYAMLError as err:
        mark = err.problem_mark or err.context_mark
        where = f"line {mark.line + 1}, column {mark.column + 1}: " if mark else ""
        what = " ".join(str(err.problem or err.context or "invalid YAML").split())
        raise InputError(f"invalid YAML at {where}{what}") from None
    except yaml.YAMLError as err:
        raise InputError(f"invalid YAML: {' '.join(str(err).split())}") from None
    except RecursionError:  # the pure-Python loader; libyaml stops at depth 1000 itself
        get_mark = getattr(loader, "get_mark", None)
        mark = get_mark() if get_mark else None
        where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        raise InputError(f"invalid YAML{where}: nesting is too deep") from None
    finally:
        loader.dispose()


def _children(node: Node) -> list[Node]:
    if isinstance(node, MappingNode):
        return [n for pair in node.value for n in pair]
    if isinstance(node, SequenceNode):
        return list(node.value)
    return []


def _check_aliases(root: Node) -> None:
    """Reject recursive aliases and aliases that expand past :data:`MAX_ALIAS_EXPANSION`.

    Iterative post-order over the composed graph, each node once: linear in the file size.
    """
    size: dict[int, int] = {}
    ancestors: set[int] = set()
    stack: list[tuple[Node, bool]] = [(root, False)]
    while stack:
        node, finished = stack.pop()
        key = id(node)
        if finished:
            ancestors.discard(key)
            total = 1 + sum(size[id(c)] for c in _children(node))
            size[key] = total
            if total - len(size) > MAX_ALIAS_EXPANSION:
                raise InputError(
                    f"YAML aliases at line {node.start_mark.line + 1} expand to more than "
                    f"{MAX_ALIAS_EXPANSION:,} nodes (an alias bomb?); not read"
                )
            continue
        if key in size:
            continue
        if key in ancestors:
            raise InputError(
                f"recursive YAML alias at line {node.start_mark.line + 1}: the value contains "
                "itself, which MedPerf cannot upload as JSON"
            )
        ancestors.add(key)
        stack.append((node, True))
        stack.extend((child, False) for child in _children(node))


def span_of(node: Node) -> Span:
    start, end = node.start_mark, node.end_mark
    return Span(start.line + 1, start.column + 1, end.line + 1, end.column + 1)


def is_string(node: Node) -> bool:
    return isinstance(node, ScalarNode) and node.tag == _STR_TAG


def type_name(node: Node) -> str:
    if isinstance(node, MappingNode):
        return "mapping"
    if isinstance(node, SequenceNode):
        return "list"
    tag = str(node.tag).rsplit(":", 1)[-1]
    return {"null": "null", "int": "number", "float": "number", "bool": "boolean"}.get(tag, tag)


def mapping(node: Node | None) -> dict[str, tuple[Node, Node]]:
    """Map each key's text to (key node, value node). A repeated key is an :class:`InputError`."""
    result: dict[str, tuple[Node, Node]] = {}
    if not isinstance(node, MappingNode):
        return result
    for key, value in node.value:
        if not isinstance(key, ScalarNode):
            continue
        name = str(key.value)
        if name in result:
            first = result[name][0].start_mark.line + 1
            raise InputError(
                f"duplicate key {name!r} at line {key.start_mark.line + 1} "
                f"(first defined at line {first})"
            )
        result[name] = (key, value)
    return result


def is_placeholder(node: Node) -> bool:
    """True for a template placeholder value: ``"{{ x }}"`` in a string, or the unquoted
    ``{{ x }}``, which YAML reads as a flow mapping whose only key is a flow mapping."""
    if isinstance(node, ScalarNode):
        return node.tag == _STR_TAG and _has_placeholder(str(node.value))
    if not isinstance(node, MappingNode) or not node.flow_style or len(node.value) != 1:
        return False
    key, value = node.value[0]
    return (
        isinstance(key, MappingNode)
        and bool(key.flow_style)
        and len(key.value) == 1
        and isinstance(value, ScalarNode)
        and value.tag == _NULL_TAG
    )


def walk_strings(root: Node, prefix: str = "") -> Iterator[tuple[str, ScalarNode]]:
    """Yield (dotted path, node) for every string scalar, visiting each node once.

    Template placeholders are skipped. Iterative, and memoised by node identity, so YAML
    alias bombs stay linear.
    """
    seen: set[int] = set()
    stack: list[tuple[str, Node]] = [(prefix, root)]
    while stack:
        path, node = stack.pop()
        if id(node) in seen:
            continue
        seen.add(id(node))
        if is_placeholder(node):
            continue
        if isinstance(node, ScalarNode):
            if node.tag == _STR_TAG:
                yield path, node
        elif isinstance(node, MappingNode):
            items = list(mapping(node).items()) if node.value else []
            for name, (_key, value) in reversed(items):
                stack.append((f"{path}.{name}" if path else name, value))
        elif isinstance(node, SequenceNode):
            for index in range(len(node.value) - 1, -1, -1):
                stack.append((f"{path}[{index}]", node.value[index]))
