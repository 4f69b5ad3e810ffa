"""Helpers for Synapse tests: lint against the fake with short timeouts."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import medperf_lint
from medperf_lint import Report
from servers.fake_synapse import Entity, FakeSynapse

TOKEN = "fake-token-4b1d"  # not a JWT: synapseclient passes it through unchecked
USER = "alice"


def entities() -> dict[str, Entity]:
    return {
        "syn3000": Entity(name="weights.tar.gz", version=3),
        "syn1000": Entity(kind="folder", name="models"),
        "syn2000": Entity(kind="project", name="My project"),
        "syn2500": Entity(kind="table", name="results", include_entity_type=False),
        "syn4000": Entity(public=False, can_download=False),
        "syn4001": Entity(can_download=False),
        "syn4002": Entity(file_handle=False),
        "syn5000": Entity(restriction_level="RESTRICTED_BY_TERMS_OF_USE", unmet=True),
        "syn5001": Entity(restriction_level="CONTROLLED_BY_ACT", unmet=True),
        "syn6000": Entity(trashed=True),
        "syn7000": Entity(open_data=True, name="open.tar.gz", version=2),
    }


SYNAPSE_RULES = (
    "synapse-not-found",
    "synapse-not-a-file",
    "synapse-no-access",
    "synapse-access-requirements",
    "synapse-auth-missing",
    "synapse-auth-invalid",
    "synapse-mutable-version",
)


def fast(fake: FakeSynapse, **overrides: Any) -> dict[str, Any]:
    values: dict[str, Any] = {
        "synapse_endpoint": fake.endpoint,
        "select": SYNAPSE_RULES,
        "connect_timeout": 1.0,
        "read_timeout": 1.0,
        "retries": 2,
        "allow_private_hosts": True,  # the fake listens on 127.0.0.1
    }
    values.update(overrides)
    return values


def lint_ids(fake: FakeSynapse, *ids: str, **overrides: Any) -> Report:
    refs = [f"synapse:{i}" for i in ids]
    return medperf_lint.lint_refs(refs, online=True, overrides=fast(fake, **overrides))


def lint_file(fake: FakeSynapse, path: Path, **overrides: Any) -> Report:
    return medperf_lint.lint_paths([path], online=True, overrides=fast(fake, **overrides))


def rules_of(report: Report) -> list[tuple[str, str]]:
    """(rule, reference) for every finding, in report order."""
    return [(f.rule, f.reference or "") for f in report.findings]


def only(report: Report, rule: str) -> list[str]:
    return [f.message for f in report.findings if f.rule == rule]
