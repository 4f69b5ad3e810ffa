"""SARIF 2.1.0 for GitHub code scanning (``--format sarif``).

Written with the standard library's json rather than a SARIF package: the log is one small,
fixed-shape document, and a runtime dependency for it would have to install beside the MedPerf
client. The tests validate every log the suite produces against the official OASIS schema.

- One ``reportingDescriptor`` per registered rule (not only those that fired), with the full
  documentation, the examples and a ``helpUri`` into docs/rules.md.
- Every result has a region. ``--ref`` values have no file: their region points into an
  artifact that embeds the value itself.
- ``partialFingerprints`` hash the rule, the file and the reference value (or, for findings
  about a whole document, the message), plus an occurrence number among equal ones: line
  numbers are left out, so the fingerprint survives unrelated edits above the finding.
- A finding with a fix carries it as a SARIF ``fix``: the exact text ``--fix`` would write
  (quoting kept) over the value's region; ``properties.safe`` says whether ``--fix`` applies
  it without ``--unsafe-fixes``.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections import Counter
from pathlib import Path, PurePath
from typing import Any, TextIO
from urllib.parse import quote

from medperf_lint._version import __version__
from medperf_lint.catalogue import HOMEPAGE, documentation, example, help_uri, rule_help
from medperf_lint.findings import Finding, Span
from medperf_lint.fixer import _added_line, _render
from medperf_lint.report import Report
from medperf_lint.reporters.locations import in_workspace
from medperf_lint.reporters.safe_text import redact_tree
from medperf_lint.rule import Rule

SCHEMA_URI = (
    "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
)
FINGERPRINT_KEY = "medperfLint/v1"
_LEVEL = {"error": "error", "warning": "warning", "info": "note"}


def _artifact_uri(path: str) -> str:
    """A relative URI (against the repository root) when the file is under the working folder."""
    pure = PurePath(in_workspace(path))
    if pure.is_absolute():
        try:
            pure = PurePath(os.path.relpath(path))
        except ValueError:  # another drive on Windows
            return Path(path).as_uri()
        if pure.parts[:1] == ("..",):
            return Path(path).as_uri()
    return quote(pure.as_posix(), safe="/")


def _descriptor(rule: Rule) -> dict[str, Any]:
    doc = documentation(rule)
    return {
        "id": rule.code,
        "name": rule.name,
        "shortDescription": {"text": rule.summary},
        "fullDescription": {"text": doc},
        "help": {"text": rule_help(rule), "markdown": _help_markdown(rule, doc)},
        "helpUri": help_uri(rule),
        "defaultConfiguration": {"level": _LEVEL[rule.severity.value]},
        "properties": {
            "tags": ["medperf", "online" if rule.online else "offline"],
            "fix": rule.fix.value,
        },
    }


def _help_markdown(rule: Rule, doc: str) -> str:
    parts = [doc, "", f"Fix: {rule.fix.value}"]
    for title, text in (
        ("Config", rule.example_config),
        ("Fails", rule.example_failing),
        ("Passes", rule.example_passing),
    ):
        if text:
            lang = "toml" if title == "Config" else "yaml"
            parts += ["", f"{title}:", "", f"```{lang}", example(text), "```"]
    return "\n".join(parts)


def _region(span: Span | None) -> dict[str, int]:
    if span is None:  # a finding about a whole document: its first line
        return {"startLine": 1, "startColumn": 1}
    return {
        "startLine": span.line,
        "startColumn": span.column,
        "endLine": span.end_line,
        "endColumn": span.end_column,
    }


def _fingerprint(f: Finding, occurrence: int) -> str:
    subject = f.reference if f.reference is not None else f.message
    key = "\0".join((f.code, PurePath(f.path or "").as_posix(), subject, str(occurrence)))
    return hashlib.sha256(key.encode("utf-8")).hexdigest()


class _Sources:
    """Lines of the linted files, read once, to render a fix exactly as ``--fix`` writes it."""

    def __init__(self) -> None:
        self._lines: dict[str, list[str] | None] = {}

    def text(self, path: str, span: Span) -> str | None:
        if path not in self._lines:
            try:
                self._lines[path] = Path(path).read_text(encoding="utf-8").splitlines()
            except (OSError, UnicodeDecodeError):
                self._lines[path] = None
        lines = self._lines[path]
        if lines is None or span.line != span.end_line or span.line > len(lines):
            return None
        return lines[span.line - 1][span.column - 1 : span.end_column - 1]

    def line(self, path: str, span: Span) -> str | None:
        """The whole line the value stands on (known once :meth:`text` has read the file)."""
        lines = self._lines.get(path)
        return lines[span.line - 1] if lines is not None and span.line <= len(lines) else None


def _fix(f: Finding, location: dict[str, Any], sources: _Sources) -> dict[str, Any] | None:
    if f.fix is None or f.path is None or f.span is None:
        return None
    original = sources.text(f.path, f.span)
    if original is None:
        return None
    kind = "safe" if f.fix.safe else "unsafe (applied only with --unsafe-fixes)"
    inserted = _render(original, f.fix.replacement)
    if f.fix.adds is not None:  # the value stays, a line is added below it
        line = sources.line(f.path, f.span)
        added = _added_line(line, f.span.column - 1, f.fix.adds) if line is not None else None
        if added is None:
            return None
        inserted += "\n" + added.rstrip("\r\n")
    return {
        "description": {"text": f"{f.fix.description} ({kind} fix)"},
        "artifactChanges": [
            {
                "artifactLocation": location,
                "replacements": [
                    {
                        "deletedRegion": _region(f.span),
                        "insertedContent": {"text": inserted},
                    }
                ],
            }
        ],
        "properties": {"safe": f.fix.safe},
    }


def _ref_artifact(artifacts: list[dict[str, Any]], known: dict[str, int], reference: str) -> int:
    """The index of the artifact holding ``reference``, added once however many findings it
    has (SARIF requires the artifacts to be unique)."""
    if reference not in known:
        known[reference] = len(artifacts)
        artifacts.append(
            {"description": {"text": "a --ref value"}, "contents": {"text": reference}}
        )
    return known[reference]


def sarif_log(report: Report) -> dict[str, Any]:
    """The SARIF log of one run, as a JSON-ready dict."""
    from medperf_lint.rules import RULES

    index = {r.code: i for i, r in enumerate(RULES)}
    artifacts: list[dict[str, Any]] = []
    known: dict[str, int] = {}  # --ref value -> its artifact
    results: list[dict[str, Any]] = []
    seen: Counter[tuple[str, str, str, str]] = Counter()
    sources = _Sources()
    for f in report.findings:
        message = f.message
        if f.path is None:
            location: dict[str, Any] = {"index": _ref_artifact(artifacts, known, f.reference or "")}
            region = {"startLine": 1, "startColumn": 1, "endColumn": len(f.reference or "") + 1}
            message = f"--ref {f.reference!r}: {message}"
        else:
            location = {"uri": _artifact_uri(f.path), "uriBaseId": "%SRCROOT%"}
            region = _region(f.span)
        subject = (
            f.code,
            f.path or "",
            f.reference or "",
            f.message if f.reference is None else "",
        )
        occurrence = seen[subject]
        seen[subject] += 1
        result: dict[str, Any] = {
            "ruleId": f.code,
            "level": _LEVEL[f.severity.value],
            "message": {"text": message},
            "locations": [{"physicalLocation": {"artifactLocation": location, "region": region}}],
            "partialFingerprints": {FINGERPRINT_KEY: _fingerprint(f, occurrence)},
            "properties": {"rule": f.rule},
        }
        if f.code in index:
            result["ruleIndex"] = index[f.code]
        fix = _fix(f, location, sources) if f.path is not None else None
        if fix is not None:
            result["fixes"] = [fix]
        results.append(result)
    run: dict[str, Any] = {
        "tool": {
            "driver": {
                "name": "medperf-lint",
                "version": __version__,
                "semanticVersion": __version__,
                "informationUri": HOMEPAGE,
                "rules": [_descriptor(r) for r in RULES],
            }
        },
        "invocations": [
            {
                "executionSuccessful": not report.input_errors,
                "toolExecutionNotifications": [
                    _notification(p.path, p.message) for p in report.input_errors
                ],
            }
        ],
        "results": results,
        "columnKind": "unicodeCodePoints",
        "properties": {"online": report.online},
    }
    if artifacts:
        run["artifacts"] = artifacts
    return {"$schema": SCHEMA_URI, "version": "2.1.0", "runs": [run]}


def _notification(path: str | None, message: str) -> dict[str, Any]:
    note: dict[str, Any] = {"level": "error", "message": {"text": message}}
    if path:
        note["locations"] = [
            {"physicalLocation": {"artifactLocation": {"uri": _artifact_uri(path)}}}
        ]
    return note


def render_sarif(report: Report, out: TextIO) -> None:
    log = sarif_log(report)
    for run in log["runs"]:  # what came from inputs through the redactor; the rule docs as written
        for key in [k for k in run if k != "tool"]:
            run[key] = redact_tree(run[key])
    json.dump(log, out, indent=2, ensure_ascii=False)  # json escapes control characters itself
    out.write("\n")
