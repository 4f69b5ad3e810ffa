from __future__ import annotations

from pathlib import Path

import pytest
from lintkit import hits, lint_ref, lint_yaml, messages

RULE = ("synapse-id-syntax",)


@pytest.mark.parametrize(
    ("value", "fixed"),
    [
        ("synapse:SYN123", "synapse:syn123"),
        ("synapse:Syn123", "synapse:syn123"),
        ("synapse:syn1.2", "synapse:syn1"),
        ("synapse: syn123", "synapse:syn123"),
        ("synapse:syn123 ", "synapse:syn123"),
        ("synapse:syn123\n", "synapse:syn123"),
        (" synapse:syn123", "synapse:syn123"),
        ("synapse:123", "synapse:syn123"),
        ("synapse:syn\u0661\u0662\u0663", "synapse:syn123"),  # Arabic-Indic digits
        ("synapse:synapse:syn123", "synapse:syn123"),
        ("synapse:SYN0123.4", "synapse:syn123"),
        ("synapse:https://www.synapse.org/#!Synapse:syn51060790/files", "synapse:syn51060790"),
        ("synapse:https://example.org/w.tar.gz", "https://example.org/w.tar.gz"),
        ("synapse:http://example.org/w.tar.gz", "http://example.org/w.tar.gz"),
        ("synapse:https://synapse.org/Synapse:syn7", "synapse:syn7"),
    ],
)
def test_errors_with_a_clear_fix(value: str, fixed: str) -> None:
    report = lint_ref(value, select=RULE)
    assert hits(report) == [("synapse-id-syntax", 0, 0)]
    finding = report.findings[0]
    assert finding.severity.value == "error"
    assert finding.fix is not None and finding.fix.replacement == fixed


@pytest.mark.parametrize(
    "value",
    [
        "synapse:",
        "synapse:syn353tt",
        "synapse:syn",
        "synapse:  ",
        "synapse:ftp://example.org/w.tar.gz",  # no download MedPerf could make of it
        "synapse:https://notsynapse.org/Synapse:syn7",  # an ID on another site: no guess
    ],
)
def test_errors_without_a_guess(value: str) -> None:
    report = lint_ref(value, select=RULE)
    assert hits(report) == [("synapse-id-syntax", 0, 0)]
    assert report.findings[0].fix is None


def test_version_message_explains_medperf_cannot_pin() -> None:
    message = messages(lint_ref("synapse:syn51089171.2", select=RULE))[0]
    assert "cannot pin a Synapse version" in message
    assert "hash" in message


def test_leading_zero_is_a_warning() -> None:
    report = lint_ref("synapse:syn0123", select=RULE)
    assert hits(report) == [("synapse-id-syntax", 0, 0)]
    finding = report.findings[0]
    assert finding.severity.value == "warning"
    assert finding.fix is not None and finding.fix.replacement == "synapse:syn123"


@pytest.mark.parametrize(
    "value",
    [
        "synapse:syn51089171",
        "synapse:syn0",
        "https://www.synapse.org/#!Synapse:syn51060790",  # a URL, not a synapse: reference
        "syn123",  # no prefix: invalid-reference's business
        "Synapse:syn123",
    ],
)
def test_valid_or_not_synapse_references_pass(value: str) -> None:
    assert hits(lint_ref(value, select=RULE)) == []


def test_position_in_manifest_and_free_yaml(tmp_path: Path) -> None:
    report = lint_yaml(
        tmp_path,
        """
        name: m
        additional_files_tarball_url: synapse:SYN51089171
        additional_files_tarball_hash: 71faabd59139bee698010a0ae3a69e16d97bc4f2dde799d9e187b94ff9157c00
        """,
        select=RULE,
    )
    assert hits(report) == [("synapse-id-syntax", 2, 31)]
    params = lint_yaml(
        tmp_path, "weights:\n  - synapse:syn1.2\n", name="parameters.yaml", select=RULE
    )
    assert hits(params) == [("synapse-id-syntax", 2, 5)]


def test_block_scalar_trailing_newline(tmp_path: Path) -> None:
    report = lint_yaml(
        tmp_path,
        """
        additional_file: |
          synapse:syn123
        """,
        select=RULE,
    )
    assert hits(report) == [("synapse-id-syntax", 1, 18)]
    assert "line break" in messages(report)[0]


def test_not_applied_to_docker_images(tmp_path: Path) -> None:
    report = lint_yaml(
        tmp_path,
        "container_type: DockerImage\nimage: synapse:SYN1\n",
        name="container_config.yaml",
        select=RULE,
    )
    assert hits(report) == []


NEEDS = 'MedPerf accepts only synapse:syn<digits> (re.match(r"syn\\d+$"))'


@pytest.mark.parametrize(
    ("value", "message", "fix"),
    [
        (
            " synapse:syn123",
            f"whitespace in the reference: {NEEDS}",
            ("synapse:syn123", "remove the whitespace", True),
        ),
        (
            "synapse: syn123",
            f"whitespace in the reference: {NEEDS}",
            ("synapse:syn123", "remove the whitespace", True),
        ),
        (
            "synapse:https://www.synapse.org/#!Synapse:syn51060790/files",
            f"synapse: takes a Synapse ID, not a URL; {NEEDS}",
            ("synapse:syn51060790", "use the Synapse ID from that page", False),
        ),
        (
            "synapse:http://example.org/w.tar.gz",
            f"synapse: takes a Synapse ID, not a URL; {NEEDS}",
            ("http://example.org/w.tar.gz", "a direct download URL needs no synapse: prefix", True),
        ),
    ],
)
def test_messages_and_fixes_in_full(value: str, message: str, fix: tuple[str, str, bool]) -> None:
    report = lint_ref(value, select=RULE)
    assert messages(report) == [message]
    found = report.findings[0].fix
    assert found is not None and (found.replacement, found.description, found.safe) == fix
