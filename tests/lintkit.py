"""Helpers for rule tests: lint a snippet and read back (rule, line, column) triples."""

from __future__ import annotations

import textwrap
from pathlib import Path
from typing import Any

import medperf_lint
from medperf_lint import Report


def lint_yaml(
    tmp_path: Path,
    text: str,
    name: str = "submission.medperf.yaml",
    *,
    select: tuple[str, ...] = (),
    online: bool = False,
    **overrides: Any,
) -> Report:
    """Write ``text`` (dedented) to ``tmp_path/name`` and lint it."""
    path = tmp_path / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")
    if select:
        overrides["select"] = select
    return medperf_lint.lint_paths([path], online=online, overrides=overrides)


def lint_ref(
    value: str, *, select: tuple[str, ...] = (), online: bool = False, **overrides: Any
) -> Report:
    if select:
        overrides["select"] = select
    return medperf_lint.lint_refs([value], online=online, overrides=overrides)


def hits(report: Report, rule: str | None = None) -> list[tuple[str, int, int]]:
    """(rule, line, column) for each finding, optionally of one rule; refs use (rule, 0, 0)."""
    return [
        (f.rule, f.span.line if f.span else 0, f.span.column if f.span else 0)
        for f in report.findings
        if rule is None or f.rule == rule
    ]


def messages(report: Report, rule: str | None = None) -> list[str]:
    return [f.message for f in report.findings if rule is None or f.rule == rule]
