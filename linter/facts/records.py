"""Facts as JSON records: the one reader and writer of a cached fact's shape.

A record's shape is read from its frozen dataclass (the fields and their type hints), so a field
added to a fact is stored and checked with no second list to keep in step. Reading is strict: a
record with a missing, extra or wrong-typed field is refused as a whole (``None``), because a
cache entry is data on disk that anything may have written. A field whose metadata says
``stored: False`` (see :func:`not_stored`) is run-local and never part of the record.
"""

from __future__ import annotations

import enum
import types
from dataclasses import Field, field, fields, is_dataclass
from typing import Any, Literal, TypeVar, Union, get_args, get_origin, get_type_hints

T = TypeVar("T")
_STORED = "stored"


class RecordError(ValueError):
    """A record does not have the shape its dataclass declares."""


def not_stored(default: bool | int) -> Any:
    """A field kept out of records (it says how this run got the value, e.g. ``from_cache``,
    or what it cost, e.g. the API calls a lookup sent)."""
    return field(default=default, metadata={_STORED: False})


def stored_fields(cls: type[Any]) -> tuple[Field[Any], ...]:
    """The fields of ``cls`` a record holds."""
    return tuple(f for f in fields(cls) if f.metadata.get(_STORED, True))


def to_record(value: Any) -> dict[str, Any]:
    """``value`` (a dataclass instance) as JSON-ready data: tuples become lists, enums values."""
    return {f.name: _plain(getattr(value, f.name)) for f in stored_fields(type(value))}


def from_record(cls: type[T], record: object, **run_local: Any) -> T | None:
    """The ``cls`` that ``record`` describes, or None when it has any other shape.

    ``run_local`` sets fields that are not stored (``from_cache=True``). Raises ``TypeError``
    only when ``cls`` declares a type records cannot hold: a bug, which the tests catch.
    """
    try:
        return cls(**_values(cls, record), **run_local)
    except RecordError:
        return None


def _values(cls: type[Any], record: object) -> dict[str, Any]:
    stored = stored_fields(cls)
    if not isinstance(record, dict) or set(record) != {f.name for f in stored}:
        raise RecordError(f"{cls.__name__}: not a record with exactly its stored fields")
    hints = get_type_hints(cls)
    return {f.name: _value(hints[f.name], record[f.name]) for f in stored}


def _plain(value: Any) -> Any:
    if isinstance(value, tuple):
        return [_plain(v) for v in value]
    if isinstance(value, enum.Enum):
        return value.value
    if is_dataclass(value) and not isinstance(value, type):
        return to_record(value)
    return value


def _value(hint: Any, data: object) -> Any:
    """``data`` as a value of type ``hint``; RecordError when it is not one."""
    origin = get_origin(hint)
    if origin is Union or origin is types.UnionType:
        return _union(get_args(hint), data)
    if origin is tuple:
        return _tuple(get_args(hint), data)
    if origin is Literal:
        if any(data == arm and type(data) is type(arm) for arm in get_args(hint)):
            return data
        raise RecordError(f"{data!r} is none of {get_args(hint)}")
    if isinstance(hint, type):
        return _scalar(hint, data)
    if hint is None:
        return _scalar(type(None), data)
    raise TypeError(f"records cannot hold {hint!r}")


def _union(arms: tuple[Any, ...], data: object) -> Any:
    for arm in arms:
        try:
            return _value(arm, data)
        except RecordError:
            continue
    raise RecordError(f"{data!r} is none of {arms}")


def _tuple(args: tuple[Any, ...], data: object) -> tuple[Any, ...]:
    if not isinstance(data, list):
        raise RecordError(f"{data!r} is not a list")
    if len(args) == 2 and args[1] is Ellipsis:
        return tuple(_value(args[0], item) for item in data)
    if len(data) != len(args):
        raise RecordError(f"{data!r} does not have {len(args)} items")
    return tuple(_value(arg, item) for arg, item in zip(args, data, strict=True))


def _scalar(hint: type[Any], data: object) -> Any:
    if is_dataclass(hint):
        return hint(**_values(hint, data))
    if issubclass(hint, enum.Enum):
        members = [m for m in hint if m.value == data and type(m.value) is type(data)]
        if members:
            return members[0]
        raise RecordError(f"{data!r} is not a {hint.__name__}")
    if hint not in _SCALARS:
        raise TypeError(f"records cannot hold {hint!r}")
    if not _SCALARS[hint](data):
        raise RecordError(f"{data!r} is not a {hint.__name__}")
    return float(data) if hint is float else data  # type: ignore[arg-type]


# bool is an int to isinstance; a record keeps them apart. An int is a float, as in typing.
_SCALARS: dict[type[Any], Any] = {
    str: lambda d: isinstance(d, str),
    bool: lambda d: isinstance(d, bool),
    int: lambda d: isinstance(d, int) and not isinstance(d, bool),
    float: lambda d: isinstance(d, (int, float)) and not isinstance(d, bool),
    type(None): lambda d: d is None,
}
