"""``path:line:col: CODE name message``, the fix on the next line, then a summary line."""

from __future__ import annotations

from typing import TextIO

from ..findings import Finding
from ..report import Report
from .summary import summary_line

_STYLE = {"error": "bold red", "warning": "yellow", "info": "cyan"}


def location(f: Finding) -> str:
    if f.path is None:
        return f"--ref {f.reference!r}" if f.reference is not None else "<input>"
    if f.span is None:
        return f.path
    return f"{f.path}:{f.span.line}:{f.span.column}"


def render_text(report: Report, out: TextIO, *, quiet: bool = False, color: bool = False) -> None:
    lines: list[tuple[str, str]] = []  # (text, style)
    for problem in report.input_errors:
        lines.append((f"{problem.path or '<input>'}: error: {problem.message}", "bold red"))
    for f in report.findings:
        if quiet and f.severity.value != "error":
            continue
        lines.append(
            (
                f"{location(f)}: {f.code} {f.rule} [{f.severity.value}] {f.message}",
                _STYLE[f.severity.value],
            )
        )
        if f.fix is not None:
            kind = "fix" if f.fix.safe else "fix (unsafe)"
            lines.append((f"    {kind}: {f.fix.description}: {f.fix.replacement}", "green"))
    summary = summary_line(report)
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
