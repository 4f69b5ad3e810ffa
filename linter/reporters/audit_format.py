"""What ``medperf-lint audit`` prints before (text) or beside (JSON) the findings: the change.

Newly broken references first, then those still broken with since when, then the fixed ones;
unchanged healthy ones are only counted. Every value is redacted and defused like any other
output (server names and URLs are untrusted).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, TextIO

from medperf_lint.reporters.safe_text import redact_tree, safe

if TYPE_CHECKING:
    from medperf_lint.audit.history import Change
    from medperf_lint.audit.run import AuditResult


def where(change: Change) -> str:
    v = change.verdict
    from medperf_lint.entity import EntityRef

    label = EntityRef(v.kind, v.entity_id, v.entity_name, field=v.field or None).where
    return f"{label}: {v.reference}" if v.reference else label


def headline(result: AuditResult) -> str:
    """One line: what was audited and how it changed."""
    refs = sum(1 for v in result.verdicts if v.field)
    head = (
        f"medperf-lint audit of {result.server}: {len(result.entities)} entities, {refs} references"
    )
    c = result.changes
    if c is None:
        broken = len([v for v in result.verdicts if v.verdict == "broken"])
        return f"{head}; {broken} broken (no history: changes unknown)"
    last = f"last audit {c.previous_run}" if c.previous_run else "first audit of this server"
    return (
        f"{head}; newly broken {len(c.newly_broken)}, still broken {len(c.still_broken)}, "
        f"fixed {len(c.fixed)}, inconclusive {len(c.inconclusive)}, unchanged healthy "
        f"{c.healthy} ({last})"
    )


def render_changes_text(result: AuditResult, out: TextIO) -> None:
    out.write(safe(headline(result)) + "\n")
    c = result.changes
    if c is not None:
        sections: Sequence[tuple[str, Sequence[Change]]] = (
            ("newly broken", c.newly_broken),
            ("still broken", c.still_broken),
            ("fixed", c.fixed),
            ("inconclusive", c.inconclusive),
        )
        for title, items in sections:
            if items:
                out.write(f"{title}:\n")
            for item in items:
                out.write(f"  {safe(where(item))}{safe(_tail(item, title))}\n")
    for note in result.notes:
        out.write(f"note: {safe(note)}\n")
    out.write("\n")  # a history error is said once, on standard error


def _tail(change: Change, title: str) -> str:
    codes = f" ({', '.join(change.verdict.codes)})" if change.verdict.codes else ""
    if title == "still broken" and change.since:
        return f"{codes} since {change.since}"
    if change.verdict.verdict == "gone":
        return " (no longer on the entity)"
    return codes


def change_dict(change: Change, result: AuditResult) -> dict[str, Any]:
    v = change.verdict
    return {
        "kind": v.kind,
        "id": v.entity_id,
        "name": v.entity_name,
        "field": v.field,
        "reference": v.reference,
        "verdict": v.verdict,
        "codes": list(v.codes),
        "since": change.since,
        "before": change.before,
        "benchmarks": list(result.serves.get((v.kind, v.entity_id), ())),
    }


def audit_dict(result: AuditResult) -> dict[str, Any]:
    """The ``audit`` object of the JSON output."""
    c = result.changes

    def items(changes: Sequence[Change]) -> list[dict[str, Any]]:
        return [change_dict(x, result) for x in changes]

    return redact_tree(  # type: ignore[no-any-return]
        {
            "server": result.server,
            "entities": len(result.entities),
            "references": sum(1 for v in result.verdicts if v.field),
            "history": {
                "file": str(result.history_path) if result.history_path else None,
                "run_id": c.run_id if c else None,
                "previous_run": c.previous_run if c else None,
                "error": result.history_error,
            },
            "newly_broken": items(c.newly_broken) if c else [],
            "still_broken": items(c.still_broken) if c else [],
            "fixed": items(c.fixed) if c else [],
            "inconclusive": items(c.inconclusive) if c else [],
            "unchanged_healthy": c.healthy if c else 0,
            "notes": list(result.notes),
        }
    )
