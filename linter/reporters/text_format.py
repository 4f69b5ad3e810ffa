"""``path:line:col: CODE name message``, the fix on the next line, then a summary line.

What breaks comes first: info findings (advice such as "pin this tag by digest") are counted
in the summary line and listed only with ``--show-info``; JSON and SARIF keep them all."""

from __future__ import annotations

from typing import TextIO

from medperf_lint.findings import Finding, Severity
from medperf_lint.report import InputProblem, Report
from medperf_lint.reporters.safe_text import safe
from medperf_lint.reporters.summary import summary_line

_STYLE = {"error": "bold red", "warning": "yellow", "info": "cyan"}


def location(f: Finding) -> str:
    if f.entity is not None:  # an audited server entity: `container 42 "x" · field`
        return safe(f.entity.where)
    if f.path is None:  # a --ref value, a submission body's field or a guarded flag
        origin = safe(f.field or "--ref")
        return f"{origin} {safe(repr(f.reference))}" if f.reference is not None else "<input>"
    if f.span is None:
        return safe(f.path)
    return f"{safe(f.path)}:{f.span.line}:{f.span.column}"


def _listed(f: Finding, quiet: bool, show_info: bool) -> bool:
    if quiet:
        return f.severity is Severity.ERROR
    return show_info or f.severity is not Severity.INFO


def input_error_line(problem: InputProblem) -> str:
    """``path: error: message``; a problem with the run's settings has no path."""
    where = safe(problem.path) if problem.path else "medperf-lint"
    return f"{where}: error: {safe(problem.message)}"


def render_text(
    report: Report,
    out: TextIO,
    *,
    quiet: bool = False,
    color: bool = False,
    show_info: bool = False,
) -> None:
    lines: list[tuple[str, str]] = []  # (text, style)
    for problem in report.input_errors:
        lines.append((input_error_line(problem), "bold red"))
    for f in report.findings:
        if not _listed(f, quiet, show_info):
            continue
        lines.append(
            (
                f"{location(f)}: {f.code} {f.rule} [{f.severity.value}] {safe(f.message)}",
                _STYLE[f.severity.value],
            )
        )
        if f.fix is not None:
            kind = "fix" if f.fix.safe else "fix (unsafe)"
            fix = f"{safe(f.fix.description)}: {safe(f.fix.shown)}"
            lines.append((f"    {kind}: {fix}", "green"))
    summary = summary_line(report, infos_hidden=not show_info)
    if color:
        from rich.console import Console
        from rich.markup import escape

        console = Console(file=out, highlight=False, soft_wrap=True)
        for text, style in lines:
            console.print(f"[{style}]{escape(text)}[/]")
        if not quiet or report.errors or report.input_errors:
            console.print(f"[bold]{escape(summary)}[/]")
        return
    for text, _style in lines:
        out.write(text + "\n")
    if not quiet or report.errors or report.input_errors:
        out.write(summary + "\n")
