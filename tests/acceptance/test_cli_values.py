"""Command-line values are checked like config values: a bad one is a one-line usage error."""

from __future__ import annotations

import subprocess
import sys

import medperf_lint
import pytest


@pytest.mark.parametrize(
    ("flag", "value", "says"),
    [
        ("--synapse-concurrency", "0", "'--synapse-concurrency' must be at least 1"),
        ("--max-connections-per-host", "0", "'--max-connections-per-host' must be at least 1"),
        ("--retries", "-1", "'--retries' must be a non-negative whole number"),
        ("--timeout", "-5", "'--timeout' must be a finite non-negative number"),
        ("--deadline", "-1", "'--deadline' must be a finite non-negative number"),
        ("--timeout", "nan", "'--timeout' must be a finite non-negative number"),
        ("--deadline", "nan", "'--deadline' must be a finite non-negative number"),
        ("--connect-timeout", "inf", "'--connect-timeout' must be a finite non-negative number"),
        ("--read-timeout", "1e999", "'--read-timeout' must be a finite non-negative number"),
    ],
)
def test_bad_value_is_a_usage_error(flag: str, value: str, says: str) -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "medperf_lint", "--offline", "--ref", "synapse:syn1", flag, value],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert proc.returncode == 2
    assert proc.stderr.strip() == f"medperf-lint: error: command line: {says}"
    assert proc.stdout == ""


def test_api_overrides_are_checked_too() -> None:
    with pytest.raises(medperf_lint.ConfigError, match="'--retries' must be"):
        medperf_lint.lint_refs(["synapse:syn1"], online=False, overrides={"retries": -3})
    with pytest.raises(medperf_lint.ConfigError, match="'--retries' must be"):
        medperf_lint.lint_refs(
            ["synapse:syn1"],
            online=False,
            config=medperf_lint.Settings(),
            overrides={"retries": -3},
        )


def test_good_values_pass() -> None:
    report = medperf_lint.lint_refs(
        ["synapse:syn1"], online=False, overrides={"retries": 0, "select": ["invalid-reference"]}
    )
    assert report.exit_code() == 0


def test_overrides_in_settings_shape_are_accepted() -> None:
    from medperf_lint.findings import Severity

    report = medperf_lint.lint_refs(
        ["http://example.org/w.tar.gz"],
        online=False,
        overrides={
            "select": ("hash-missing", "insecure-http"),
            "severity": (("insecure-http", Severity.ERROR),),
            "per_file_ignores": (("*.yaml", ("hash-missing",)),),
        },
    )
    assert [(f.rule, f.severity.value) for f in report.findings] == [("insecure-http", "error")]


def test_severity_override_applies() -> None:
    report = medperf_lint.lint_refs(
        ["http://example.org/w.tar.gz"],
        online=False,
        overrides={"select": ["insecure-http"], "severity": {"insecure-http": "error"}},
    )
    assert [(f.rule, f.severity.value) for f in report.findings] == [("insecure-http", "error")]
