"""Inline suppressions end to end: what they silence, and what unused-suppression reports."""

from __future__ import annotations

from pathlib import Path

import medperf_lint
import pytest
from lintkit import hits, lint_yaml, messages

SHA = "71faabd59139bee698010a0ae3a69e16d97bc4f2dde799d9e187b94ff9157c00"
RULES = ("invalid-reference", "hash-missing", "unused-suppression", "unknown-rule")
HASH_LINE = f"additional_files_tarball_hash: {SHA}\n"


def _lint(tmp_path: Path, text: str, select: tuple[str, ...] = RULES) -> medperf_lint.Report:
    return lint_yaml(tmp_path, text, select=select)


def test_unsuppressed_finding_for_reference(tmp_path: Path) -> None:
    report = _lint(tmp_path, "additional_files_tarball_url: syn123\n" + HASH_LINE)
    assert hits(report) == [("invalid-reference", 1, 31)]


@pytest.mark.parametrize(
    "text",
    [
        "additional_files_tarball_url: syn123  # medperf-lint: ignore[invalid-reference] legacy\n"
        + HASH_LINE,
        "# medperf-lint: ignore[invalid-reference] the server has it this way\n"
        "additional_files_tarball_url: syn123\n" + HASH_LINE,
        "additional_files_tarball_url: syn123  # medperf-lint: ignore[MPL001]\n" + HASH_LINE,
        "additional_files_tarball_url: syn123  # medperf-lint: ignore[mpl001]\n" + HASH_LINE,
        # both names silence something: no hash line, so hash-missing fires too
        "additional_files_tarball_url: syn123  #medperf-lint:ignore[ hash-missing , MPL001 ]\n",
    ],
)
def test_suppression_silences(tmp_path: Path, text: str) -> None:
    assert hits(_lint(tmp_path, text)) == []


def test_suppression_covers_only_the_named_rule(tmp_path: Path) -> None:
    report = _lint(
        tmp_path, "additional_files_tarball_url: syn123  # medperf-lint: ignore[hash-missing]\n"
    )
    assert hits(report) == [("invalid-reference", 1, 31)]


def test_comment_above_covers_only_the_next_line(tmp_path: Path) -> None:
    report = _lint(
        tmp_path,
        "# medperf-lint: ignore[invalid-reference]\n"
        "name: m\n"
        "additional_files_tarball_url: syn123\n" + HASH_LINE,
    )
    assert hits(report) == [("unused-suppression", 1, 1), ("invalid-reference", 3, 31)]


def test_unused_suppression_at_the_comment(tmp_path: Path) -> None:
    report = _lint(
        tmp_path,
        "additional_files_tarball_url: synapse:syn123  # medperf-lint: ignore[invalid-reference]\n"
        + HASH_LINE,
    )
    assert hits(report) == [("unused-suppression", 1, 47)]
    assert report.findings[0].severity.value == "warning"
    assert "matches no finding" in messages(report)[0]


def test_malformed_pragma_is_reported(tmp_path: Path) -> None:
    report = _lint(
        tmp_path,
        "additional_files_tarball_url: syn123  # medperf-lint: ignor[invalid-reference]\n"
        + HASH_LINE,
    )
    assert hits(report) == [("invalid-reference", 1, 31), ("unused-suppression", 1, 39)]
    assert "malformed" in messages(report, "unused-suppression")[0]


def test_not_reported_when_the_rule_is_off(tmp_path: Path) -> None:
    report = _lint(
        tmp_path,
        "additional_files_tarball_url: synapse:syn123  # medperf-lint: ignore[invalid-reference]\n"
        + HASH_LINE,
        select=("invalid-reference",),
    )
    assert hits(report) == []


def test_unused_names_in_a_multi_rule_suppression(tmp_path: Path) -> None:
    report = _lint(
        tmp_path,
        "additional_files_tarball_url: syn123  "
        "# medperf-lint: ignore[invalid-reference, MPL201, hash-format]\n" + HASH_LINE,
        select=(*RULES, "hash-format"),
    )
    assert hits(report) == [("unused-suppression", 1, 39)]
    assert messages(report) == [
        "suppression ignore[invalid-reference, MPL201, hash-format]: MPL201, hash-format match "
        "no finding on this line; remove them from the list"
    ]


def test_every_name_used_is_quiet(tmp_path: Path) -> None:
    report = _lint(
        tmp_path,
        "additional_files_tarball_url: syn123  # medperf-lint: ignore[MPL001, hash-missing]\n",
    )
    assert hits(report) == []


def test_idle_name_of_a_rule_that_did_not_run_is_not_reported(tmp_path: Path) -> None:
    report = _lint(
        tmp_path,
        "additional_files_tarball_url: syn123  # medperf-lint: ignore[MPL001, not-public]\n"
        + HASH_LINE,
    )
    assert hits(report) == []  # not-public is online: an --offline run cannot judge it
