"""The counts every format reports, computed once."""

from __future__ import annotations

from typing import Any

from medperf_lint.report import Report


def summary_dict(report: Report) -> dict[str, Any]:
    return {
        "files": report.files,
        "references": report.references,
        "errors": len(report.errors),
        "warnings": len(report.warnings),
        "infos": len(report.infos),
        "input_errors": len(report.input_errors),
        "online": report.online,
        "network_checks_skipped": not report.online,
        "skipped_rules": list(report.skipped_online_rules),
    }


def summary_line(report: Report, *, infos_hidden: bool = False) -> str:
    """One line of counts; ``infos_hidden`` says the info findings were counted, not listed."""

    def count(n: int, word: str) -> str:
        return f"{n} {word}{'' if n == 1 else 's'}"

    parts = [count(len(report.errors), "error"), count(len(report.warnings), "warning")]
    if report.infos:
        them = "it" if len(report.infos) == 1 else "them"
        hidden = f" (advice, not shown; --show-info lists {them})" if infos_hidden else ""
        parts.append(count(len(report.infos), "info") + hidden)
    text = f"{', '.join(parts)} in {count(report.references, 'reference')}"
    if report.files:  # --ref values and guarded flags come from no file
        text += f" from {count(report.files, 'file')}"
    unread = sum(1 for p in report.input_errors if p.path)
    if unread:
        text += f"; {count(unread, 'input')} could not be read"
    if len(report.input_errors) > unread:  # a problem with no path: the run's settings
        text += f"; {count(len(report.input_errors) - unread, 'error')} in the settings"
    if not report.online:
        text += "; network checks skipped (--offline)"
    return text + "."
