"""The stable JSON contract (``"version": 1``), documented in the README."""

from __future__ import annotations

import json
from typing import Any, TextIO

from medperf_lint.findings import Finding
from medperf_lint.report import Report
from medperf_lint.reporters.safe_text import redact_tree
from medperf_lint.reporters.summary import summary_dict


def entity_dict(f: Finding) -> dict[str, Any] | None:
    """The MedPerf server entity an audit finding is about (kind, ID, name, owner, field)."""
    e = f.entity
    if e is None:
        return None
    return {
        "kind": e.kind,
        "id": e.id,
        "name": e.name,
        "owner": e.owner,
        "url": e.url,
        "field": e.field,
        "remote_file": e.remote,
        "remote_field": e.inner,
    }


def finding_dict(f: Finding) -> dict[str, Any]:
    found = _finding_fields(f)
    if f.entity is not None:
        found["entity"] = entity_dict(f)
    return found


def _finding_fields(f: Finding) -> dict[str, Any]:
    return {
        "path": f.path,
        "line": f.span.line if f.span else None,
        "column": f.span.column if f.span else None,
        "end_line": f.span.end_line if f.span else None,
        "end_column": f.span.end_column if f.span else None,
        "code": f.code,
        "rule": f.rule,
        "severity": f.severity.value,
        "message": f.message,
        "reference": f.reference,
        "fix": {
            "replacement": f.fix.replacement,
            "description": f.fix.description,
            "safe": f.fix.safe,
            "adds": {"key": f.fix.adds[0], "value": f.fix.adds[1]} if f.fix.adds else None,
        }
        if f.fix
        else None,
    }


def url_details(report: Report) -> list[dict[str, Any]]:
    """Per-URL probe facts (final URL, status, size, sniffed type), when online; not yet
    redacted: :func:`render_json` redacts the whole payload in one pass."""
    if report.network is None:
        return []
    return [result.to_dict(redacted=False) for result in report.network.probes.values()]


def synapse_details(report: Report) -> list[dict[str, Any]]:
    """Per-ID Synapse facts (type, version, download access, as whom), when online."""
    if report.network is None:
        return []
    out = []
    for lookup in report.network.synapse.values():
        entry = lookup.to_dict()
        entry.pop("kind", None)
        out.append(entry)
    return out


SCHEMA_FILE = "schemas/json-output-v1.schema.json"


def json_schema() -> dict[str, Any]:
    """The JSON Schema of this output, shipped in the package (``medperf_lint/schemas/``)."""
    from importlib.resources import files

    loaded: dict[str, Any] = json.loads(
        files("medperf_lint").joinpath(SCHEMA_FILE).read_text(encoding="utf-8")
    )
    return loaded


def render_json(report: Report, out: TextIO, audit: dict[str, Any] | None = None) -> None:
    """The run as JSON; ``audit`` (from ``medperf-lint audit``) adds what changed since the
    last audit of the server."""
    payload: dict[str, Any] = {
        "version": 1,
        "findings": [finding_dict(f) for f in report.findings],
        "errors": [{"path": p.path, "message": p.message} for p in report.input_errors],
        "urls": url_details(report),
        "synapse": synapse_details(report),
        "summary": summary_dict(report),
    }
    if audit is not None:
        payload["audit"] = audit
    # One write: json.dump would hand the stream tens of thousands of small pieces.
    out.write(json.dumps(redact_tree(payload), indent=2) + "\n")  # controls come out escaped
