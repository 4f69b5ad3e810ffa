"""GitHub Actions workflow commands: ``::error file=…,line=…,col=…,title=…::message``."""

from __future__ import annotations

from typing import TextIO

from medperf_lint.report import Report
from medperf_lint.reporters.locations import in_workspace
from medperf_lint.reporters.safe_text import safe
from medperf_lint.reporters.summary import summary_line

_LEVEL = {"error": "error", "warning": "warning", "info": "notice"}


def _data(text: str) -> str:
    """Redacted, controls escaped, then the workflow-command escapes."""
    return _command_escape(safe(text))


def _command_escape(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _prop(text: str) -> str:
    return _data(text).replace(":", "%3A").replace(",", "%2C")


def render_github(report: Report, out: TextIO) -> None:
    for problem in report.input_errors:
        where = f" file={_prop(in_workspace(problem.path))}," if problem.path else " "
        out.write(f"::error{where}title=medperf-lint input error::{_data(problem.message)}\n")
    for f in report.findings:
        props = []
        if f.path:
            props.append(f"file={_prop(in_workspace(f.path))}")
        if f.span:
            props += [f"line={f.span.line}", f"col={f.span.column}"]
            props += [f"endLine={f.span.end_line}", f"endColumn={f.span.end_column}"]
        props.append(f"title={_prop(f'{f.code} {f.rule}')}")
        message = _data(f.message)
        if f.path is None and f.reference:
            message = f"{_data(f.reference)}: {message}"
        if f.fix:
            kind = "fix" if f.fix.safe else "fix (unsafe)"
            message += _command_escape("\n") + _data(f"{kind}: {f.fix.description}: {f.fix.shown}")
        out.write(f"::{_LEVEL[f.severity.value]} {','.join(props)}::{message}\n")
    out.write(safe(summary_line(report)) + "\n")
