from __future__ import annotations

from pathlib import Path

import pytest
from lintkit import hits, lint_ref, lint_yaml, messages

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


def test_the_message_and_fix_in_full(tmp_path: Path) -> None:
    bare = lint_ref("http://example.org/w.tar.gz", select=("insecure-http",))
    assert messages(bare) == [
        "plain http:// can be read or altered in transit and with no hash MedPerf accepts "
        "whatever arrives; use https://"
    ]
    fix = bare.findings[0].fix
    assert fix is not None
    assert (fix.replacement, fix.description, fix.safe) == (
        "https://example.org/w.tar.gz",
        "use https (if the host serves it)",
        False,
    )
    hashed = lint_yaml(
        tmp_path,
        "name: m\nadditional_files_tarball_url: http://example.org/w.tar.gz\n"
        "additional_files_tarball_hash: " + "a" * 64 + "\n",
        select=("insecure-http",),
    )
    assert messages(hashed) == [
        "plain http:// can be read or altered in transit (the hash would stop a swapped file, "
        "failing the run); use https://"
    ]
