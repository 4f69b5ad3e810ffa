"""The public API is pinned: what ``import medperf_lint`` offers, the four entry points'
signatures, the CLI entry point and the JSON contract's fields. A change here is a change for
callers (MedPerf's server-side gate, CI scripts) and must be made on purpose, here too."""

from __future__ import annotations

import dataclasses
import inspect
import json
import sys
from importlib.metadata import entry_points
from pathlib import Path
from typing import Any

import medperf_lint
import pytest

if sys.version_info >= (3, 11):
    import tomllib
else:
    import tomli as tomllib

ROOT = Path(__file__).resolve().parents[2]
SCHEMA = ROOT / "linter" / "schemas" / "json-output-v1.schema.json"

EXPORTS = [  # medperf_lint.__all__, in its order
    "ConfigError", "Finding", "Fix", "InputProblem", "Report", "Settings", "Severity", "Span",
    "SubmissionBlocked", "__version__", "check_submission", "lint", "lint_paths", "lint_refs",
]  # fmt: skip
_KEYWORDS = (
    "*, online: 'bool' = True, config: 'ConfigArg' = None, "
    "overrides: 'Mapping[str, Any] | None' = None"
)
SIGNATURES = {
    "lint": (
        "(paths: 'Iterable[str | os.PathLike[str]]' = (), refs: 'Iterable[str]' = (), "
        "*, online: 'bool' = True, config: 'ConfigArg' = None, "
        "overrides: 'Mapping[str, Any] | None' = None, progress: 'Progress | None' = None, "
        "entities: 'Iterable[Mapping[str, Any]]' = ()) -> 'Report'"
    ),
    "check_submission": (
        "(entity: 'Mapping[str, Any]', *, online: 'bool' = True, config: 'ConfigArg' = None, "
        "verify_hashes: 'bool' = False, overrides: 'Mapping[str, Any] | None' = None) "
        "-> 'Report'"
    ),
    "lint_paths": f"(paths: 'Iterable[str | os.PathLike[str]]', {_KEYWORDS}) -> 'Report'",
    "lint_refs": f"(refs: 'Iterable[str]', {_KEYWORDS}) -> 'Report'",
}
FIELDS = {
    "Finding": ["path", "span", "code", "rule", "severity", "message", "reference", "fix", "field"],
    "Fix": ["replacement", "description", "safe", "adds"],
    "Span": ["line", "column", "end_line", "end_column"],
    "InputProblem": ["path", "message"],
    "Report": [
        "findings",
        "input_errors",
        "files",
        "references",
        "online",
        "network",
        "skipped_online_rules",
        "sources",
    ],
}
# Every field of --format json version 1. The schema says fields may be added, never renamed
# or removed: this list may grow, and nothing in it may go.
JSON_FIELDS = {
    "version", "findings", "errors", "urls", "synapse", "summary",
    "#finding.code", "#finding.rule", "#finding.severity", "#finding.message",
    "#finding.path", "#finding.line", "#finding.column", "#finding.end_line",
    "#finding.end_column", "#finding.reference", "#finding.fix", "#finding.fix.replacement",
    "#finding.fix.description", "#finding.fix.safe", "#finding.fix.adds",
    "#finding.fix.adds.key", "#finding.fix.adds.value",
    "#inputError.path", "#inputError.message",
    "#summary.errors", "#summary.warnings", "#summary.infos", "#summary.files",
    "#summary.references", "#summary.input_errors", "#summary.online",
    "#summary.network_checks_skipped", "#summary.skipped_rules",
    "#url.url", "#url.final_url", "#url.status", "#url.size", "#url.sniffed_type",
    "#url.content_encoding", "#url.proxy", "#url.redirects", "#url.redirects[].status",
    "#url.redirects[].location", "#url.error", "#url.inconclusive",
    "#synapse.synapse_id", "#synapse.status", "#synapse.reason", "#synapse.entity_type",
    "#synapse.concrete_type", "#synapse.name", "#synapse.version", "#synapse.can_download",
    "#synapse.has_file_handle", "#synapse.file_handle_id", "#synapse.file_name",
    "#synapse.restriction_level", "#synapse.unmet_requirements", "#synapse.inconclusive",
    "#synapse.auth",
}  # fmt: skip


def test_the_package_exports_what_it_exported() -> None:
    assert medperf_lint.__all__ == EXPORTS
    for name in EXPORTS:
        assert hasattr(medperf_lint, name), name


@pytest.mark.parametrize("name", sorted(SIGNATURES))
def test_entry_point_signatures(name: str) -> None:
    assert str(inspect.signature(getattr(medperf_lint, name))) == SIGNATURES[name]


@pytest.mark.parametrize("name", sorted(FIELDS))
def test_exported_values_keep_their_fields(name: str) -> None:
    fields = [f.name for f in dataclasses.fields(getattr(medperf_lint, name))]
    assert fields == FIELDS[name]


def test_severities() -> None:
    assert [s.value for s in medperf_lint.Severity] == ["error", "warning", "info"]


def test_the_cli_entry_point() -> None:
    scripts = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["scripts"]
    assert scripts == {"medperf-lint": "medperf_lint.cli:main"}
    installed = [e for e in entry_points(group="console_scripts") if e.name == "medperf-lint"]
    assert [e.value for e in installed] == ["medperf_lint.cli:main"]
    from medperf_lint.cli import main

    assert installed[0].load() is main
    assert list(inspect.signature(main).parameters) == ["argv"]


def _fields(node: Any, path: str, out: set[str]) -> None:
    """Every property of a JSON Schema, as dotted paths (``#name`` for a definition)."""
    if not isinstance(node, dict):
        return
    for key, sub in node.get("properties", {}).items():
        here = f"{path}.{key}" if path else key
        out.add(here)
        _fields(sub, here, out)
    if "items" in node:
        _fields(node["items"], f"{path}[]", out)
    for key, sub in node.get("$defs", {}).items():
        _fields(sub, f"#{key}", out)
    for combined in ("oneOf", "anyOf", "allOf"):
        for sub in node.get(combined, []):
            _fields(sub, path, out)


def test_the_json_contract_keeps_every_field() -> None:
    schema = json.loads(SCHEMA.read_text(encoding="utf-8"))
    assert schema["$id"].endswith("/linter/schemas/json-output-v1.schema.json")
    assert schema["properties"]["version"] == {"const": 1}
    found: set[str] = set()
    _fields(schema, "", found)
    assert JSON_FIELDS - found == set(), "fields of the JSON contract were renamed or removed"
    assert set(schema["required"]) == {
        "version",
        "findings",
        "errors",
        "urls",
        "synapse",
        "summary",
    }
