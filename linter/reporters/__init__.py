"""Reporters turn a :class:`Report` into text, JSON or GitHub annotations."""

from __future__ import annotations

from typing import TextIO

from medperf_lint.report import Report

FORMATS = ("text", "json", "github", "sarif")


def render(
    report: Report,
    fmt: str,
    out: TextIO,
    *,
    quiet: bool = False,
    color: bool = False,
    show_info: bool = False,
) -> None:
    """``show_info`` lists info findings in text too (JSON, SARIF and GitHub list them all)."""
    if fmt == "json":
        from medperf_lint.reporters.json_format import render_json

        render_json(report, out)
    elif fmt == "sarif":
        from medperf_lint.reporters.sarif_format import render_sarif

        render_sarif(report, out)
    elif fmt == "github":
        from medperf_lint.reporters.github_format import render_github

        render_github(report, out)
    else:
        from medperf_lint.reporters.text_format import render_text

        render_text(report, out, quiet=quiet, color=color, show_info=show_info)
