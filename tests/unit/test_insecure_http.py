from __future__ import annotations

from pathlib import Path

import pytest
from lintkit import hits, lint_ref, lint_yaml

RULE = ("insecure-http",)


@pytest.mark.parametrize(
    ("value", "fixed"),
    [
        ("http://example.org/w.tar.gz", "https://example.org/w.tar.gz"),
        ("direct:http://example.org/w.tar.gz", "direct:https://example.org/w.tar.gz"),
        ("HTTP://example.org/w.tar.gz", "https://example.org/w.tar.gz"),
    ],
)
def test_plain_http_warns_with_https_fix(value: str, fixed: str) -> None:
    report = lint_ref(value, select=RULE)
    assert hits(report) == [("insecure-http", 0, 0)]
    finding = report.findings[0]
    assert finding.severity.value == "warning"
    assert finding.fix is not None and finding.fix.replacement == fixed


@pytest.mark.parametrize(
    "value",
    ["https://example.org/w.tar.gz", "ftp://example.org/w", "synapse:syn1", "httpx://a.org/b"],
)
def test_other_values_pass(value: str) -> None:
    assert hits(lint_ref(value, select=RULE)) == []


def test_position_and_hash_aware_message(tmp_path: Path) -> None:
    report = lint_yaml(
        tmp_path,
        """
        additional_files_tarball_url: http://example.org/w.tar.gz
        additional_files_tarball_hash: 71faabd59139bee698010a0ae3a69e16d97bc4f2dde799d9e187b94ff9157c00
        demo_dataset_tarball_url: http://example.org/demo.tar.gz
        """,
        select=RULE,
    )
    assert hits(report) == [("insecure-http", 1, 31), ("insecure-http", 3, 27)]
    hashed, unhashed = (f.message for f in report.findings)
    assert "hash would stop" in hashed
    assert "no hash" in unhashed


def test_free_yaml_url(tmp_path: Path) -> None:
    report = lint_yaml(
        tmp_path, "model: http://example.org/w.pt\n", name="parameters.yaml", select=RULE
    )
    assert hits(report) == [("insecure-http", 1, 8)]
