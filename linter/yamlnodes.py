"""Safe YAML loading that keeps positions, rejects hostile input and never recurses deeply."""

from __future__ import annotations

from collections.abc import Iterator

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from .findings import Span

MAX_BYTES = 10 * 1024 * 1024
_Loader: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_STR_TAG = "tag:yaml.org,2002:str"


class InputError(Exception):
    """A file that cannot be read or parsed. The message is one line, ready for the user."""


def decode(data: bytes) -> str:
    """Turn file bytes into text, or raise :class:`InputError` saying why not."""
    if len(data) > MAX_BYTES:
        raise InputError(
            f"file is {len(data) / 1e6:.1f} MB; manifests over {MAX_BYTES // (1024 * 1024)} MiB "
            "are not read"
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
    """Compose every YAML document in ``text`` into position-carrying nodes."""
    loader = _Loader(text)
    try:
        nodes: list[Node] = []
        while loader.check_node():
            node = loader.get_node()
            if node is not None:
                nodes.append(node)
        return nodes
    except yaml.MarkedYAMLError as err:
        mark = err.problem_mark or err.context_mark
        where = f"line {mark.line + 1}, column {mark.column + 1}: " if mark else ""
        what = " ".join(str(err.problem or err.context or "invalid YAML").split())
        raise InputError(f"invalid YAML at {where}{what}") from None
    except yaml.YAMLError as err:
        raise InputError(f"invalid YAML: {' '.join(str(err).split())}") from None
    except RecursionError:
        raise InputError("invalid YAML: nesting is too deep") from None
    finally:
        loader.dispose()


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


def walk_strings(root: Node, prefix: str = "") -> Iterator[tuple[str, ScalarNode]]:
    """Yield (dotted path, node) for every string scalar, visiting each node once.

    Iterative, and memoised by node identity, so YAML alias bombs stay linear.
    """
    seen: set[int] = set()
    stack: list[tuple[str, Node]] = [(prefix, root)]
    while stack:
        path, node = stack.pop()
        if id(node) in seen:
            continue
        seen.add(id(node))
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
