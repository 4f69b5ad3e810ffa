"""``medperf-lint audit --format markdown``: a report for ``$GITHUB_STEP_SUMMARY`` or an issue.

A line of counts, then a table per benchmark (and one for entities no audited benchmark uses)
of newly broken, still broken and fixed references, each with links to its rules' pages.
Server names and values are untrusted: every ASCII punctuation character in them is
backslash-escaped (so nothing becomes a link, an image, HTML or a table cell border) after
redaction and control-character escaping.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import TYPE_CHECKING, TextIO

from medperf_lint.reporters.audit_format import headline
from medperf_lint.reporters.safe_text import safe

if TYPE_CHECKING:
    from medperf_lint.audit.history import Change
    from medperf_lint.audit.run import AuditResult

_PUNCTUATION = re.compile(r"([!-/:-@\[-`{-~])")
_ROWS = (
    ("🆕 newly broken", "newly_broken"),
    ("❌ still broken", "still_broken"),
    ("✅ fixed", "fixed"),
)


def text(value: str) -> str:
    """Untrusted text as inert Markdown."""
    return _PUNCTUATION.sub(r"\\\1", safe(value))


def _rules(codes: Iterable[str]) -> str:
    from medperf_lint.catalogue import help_uri
    from medperf_lint.rules import lookup

    links = []
    for code in codes:
        rule = lookup(code)
        links.append(f"[{code} {rule.name}]({help_uri(rule)})" if rule else text(code))
    return ", ".join(links)


def _row(status: str, change: Change) -> str:
    v = change.verdict
    entity = text(f'{v.kind} {v.entity_id} "{v.entity_name}"')
    reference = text(v.reference) if v.reference else "—"
    since = text(change.since) if change.since and status != "✅ fixed" else ""
    rules = _rules(v.codes) if v.verdict != "gone" else "no longer on the entity"
    return f"| {status} | {entity} | {text(v.field) or '—'} | {reference} | {rules} | {since} |"


def render_markdown(result: AuditResult, out: TextIO) -> None:
    out.write(f"## {text('medperf-lint audit')}\n\n{text(headline(result))}\n\n")
    for note in result.notes:
        out.write(f"> {text(note)}\n\n")
    if result.history_error:
        out.write(f"> **error:** {text(result.history_error)}\n\n")
    changes = result.changes
    if changes is None:
        return
    groups: dict[int | None, list[str]] = {}
    for status, attr in _ROWS:
        for change in getattr(changes, attr):
            key = (change.verdict.kind, change.verdict.entity_id)
            for bench in result.serves.get(key, ()) or (None,):
                groups.setdefault(bench, []).append(_row(status, change))
    if not groups:
        out.write("Nothing newly broken, still broken or fixed.\n")
        return
    for bench in sorted(groups, key=lambda b: (b is None, b or 0)):
        if bench is None:
            title = "Entities no audited benchmark uses"
        else:
            title = text(f'Benchmark {bench} "{result.benchmark_names.get(bench, "")}"')
        out.write(f"### {title}\n\n| Status | Entity | Field | Reference | Rules | Since |\n")
        out.write("|---|---|---|---|---|---|\n")
        out.write("\n".join(groups[bench]) + "\n\n")
