from __future__ import annotations

from pathlib import Path

import pytest
from lintkit import hits, lint_ref, lint_yaml, messages

RULE = ("invalid-reference",)


@pytest.mark.parametrize(
    "value",
    [
        "syn123",
        "direct:syn4444",
        "some string",
        "direct:some string",
        "http://minio:9000/weights.tar.gz",
        "https://example.com:1/w.tar.gz",
        "https://example.com/a file.tar.gz",
        " https://example.com/w.tar.gz",
        "",
    ],
)
def test_rejected_like_medperf(value: str) -> None:
    report = lint_ref(value, select=RULE)
    assert hits(report) == [("invalid-reference", 0, 0)]
    assert "Invalid resource input" in report.findings[0].message


@pytest.mark.parametrize(
    "value",
    [
        "https://storage.googleapis.com/medperf-storage/x.tar.gz",
        "direct:https://storage.googleapis.com/medperf-storage/x.tar.gz",
        "http://localhost:8000/f",
        "synapse:syn51089171",
        "synapse:syn1.2",  # synapse-id-syntax owns synapse: values
        "s3://bucket/key",  # unsupported-scheme owns other schemes
    ],
)
def test_accepted_or_left_to_other_rules(value: str) -> None:
    assert hits(lint_ref(value, select=RULE)) == []


def test_bare_synapse_id_gets_prefix_fix() -> None:
    report = lint_ref("syn123", select=RULE)
    fix = report.findings[0].fix
    assert fix is not None and fix.replacement == "synapse:syn123"


def test_position_in_submission_manifest(tmp_path: Path) -> None:
    report = lint_yaml(
        tmp_path,
        """
        name: my model
        additional_files_tarball_url: syn51089171
        additional_files_tarball_hash: 71faabd59139bee698010a0ae3a69e16d97bc4f2dde799d9e187b94ff9157c00
        """,
        select=RULE,
    )
    assert hits(report) == [("invalid-reference", 2, 31)]
    assert report.findings[0].span is not None and report.findings[0].span.end_column == 42


def test_non_string_value(tmp_path: Path) -> None:
    report = lint_yaml(tmp_path, "additional_file: 12345\n", select=RULE)
    assert hits(report) == [("invalid-reference", 1, 18)]
    assert "found a number" in messages(report)[0]


def test_no_tld_reason() -> None:
    report = lint_ref("http://minio:9000/w.tar.gz", select=RULE)
    assert "no top-level domain" in messages(report)[0]


def test_upper_case_synapse_prefix() -> None:
    report = lint_ref("Synapse:syn51089171", select=RULE)
    assert hits(report) == [("invalid-reference", 0, 0)]
    assert "lower case" in messages(report)[0]
    fix = report.findings[0].fix
    assert fix is not None and fix.replacement == "synapse:syn51089171"


# Free-form YAML (parameters.yaml): only a broken direct: prefix is MedPerf syntax there.
@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("direct:weights.tar.gz", "direct: must be followed by an http(s) URL"),
        ("direct:syn4444", "a Synapse ID needs the synapse: prefix"),
        ("direct:", "empty reference"),
        ("direct:https://example.org/a b.tar.gz", "example.org"),
    ],
)
def test_broken_direct_in_free_form_yaml(tmp_path: Path, value: str, expected: str) -> None:
    report = lint_yaml(
        tmp_path,
        f"weights: '{value}'\n",
        "workspace/parameters.yaml",
        select=("invalid-reference",),
    )
    assert hits(report) == [("invalid-reference", 1, 10)]
    assert expected in messages(report)[0]


@pytest.mark.parametrize(
    "value",
    [
        "direct:https://example.org/w.tar.gz",
        "https://example.org/w.tar.gz",
        "http://minio:9000/w.tar.gz",  # not MedPerf syntax in free-form YAML: no opinion
        "see https://example.org/docs",
        "directory: /data",
        "direct",
    ],
)
def test_free_form_yaml_is_otherwise_left_alone(tmp_path: Path, value: str) -> None:
    report = lint_yaml(
        tmp_path,
        f"weights: '{value}'\n",
        "workspace/parameters.yaml",
        select=("invalid-reference",),
    )
    assert hits(report) == []


MEDPERF = (
    '; MedPerf rejects this: "Invalid resource input: {}. A Resource must be a url or in the '
    "following format: '<source_prefix>:<resource_identifier>'.\""
)


@pytest.mark.parametrize(
    ("value", "reason"),
    [
        ("https://ex ample.org/w", "the URL contains whitespace (encode spaces as %20)"),
        (
            "http://minio/w",
            "host 'minio' has no top-level domain, which MedPerf's URL check requires",
        ),
        (
            "http://minio:9000/w",
            "host 'minio' has no top-level domain, which MedPerf's URL check requires",
        ),
        ("https://example.org:9/w", "a one-digit port fails MedPerf's URL check"),
        ("http://localhost:8/w", "a one-digit port fails MedPerf's URL check"),
        ("https://-x.org/w", "MedPerf's URL check (validators.url) rejects this URL"),
        ("https://x.c/w", "MedPerf's URL check (validators.url) rejects this URL"),
    ],
)
def test_each_url_reason_in_full(value: str, reason: str) -> None:
    report = lint_ref(value, select=RULE)
    assert messages(report) == [reason + MEDPERF.format(value)]
    assert report.findings[0].fix is None


def test_whitespace_around_a_valid_reference_is_fixed_safely() -> None:
    report = lint_ref("https://example.org/w ", select=RULE)
    assert messages(report) == [
        "leading or trailing whitespace" + MEDPERF.format("https://example.org/w ")
    ]
    fix = report.findings[0].fix
    assert fix is not None and (fix.replacement, fix.safe) == ("https://example.org/w", True)
    # Whitespace around a value that stays invalid is not offered as the fix.
    inner = lint_ref(" http://minio/w ", select=RULE)
    assert inner.findings[0].fix is None
    assert messages(inner)[0].startswith("host 'minio' has no top-level domain")
