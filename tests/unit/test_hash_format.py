from __future__ import annotations

from pathlib import Path

import medperf_lint
import pytest
from lintkit import hits, lint_yaml, messages

RULE = ("hash-format",)
SHA = "71faabd59139bee698010a0ae3a69e16d97bc4f2dde799d9e187b94ff9157c00"
URL = "additional_files_tarball_url: https://example.org/w.tar.gz\n"


def _lint(tmp_path: Path, field: str, value: str) -> medperf_lint.Report:
    return lint_yaml(tmp_path, f"{URL}{field}: {value}\n", select=RULE)


@pytest.mark.parametrize(
    ("value", "fixed", "hint"),
    [
        (SHA.upper(), SHA, "upper-case"),
        (f"sha256:{SHA}", SHA, "prefix"),
        (f"SHA256:{SHA.upper()}", SHA, "prefix"),
        (f'" {SHA} "', SHA, "whitespace"),
    ],
)
def test_fixable_file_hashes(tmp_path: Path, value: str, fixed: str, hint: str) -> None:
    report = _lint(tmp_path, "additional_files_tarball_hash", value)
    assert hits(report) == [("hash-format", 2, 32)]
    finding = report.findings[0]
    assert finding.severity.value == "error"
    assert hint in finding.message
    assert finding.fix is not None and finding.fix.replacement == fixed
    assert finding.span is not None and finding.span.end_column == 32 + len(value)


@pytest.mark.parametrize(
    ("value", "hint"),
    [
        ("4f5f1e4b2a2dcbc1b3a1f6b7e1b0c2f9c8d7e6a5", "SHA-256 in 2023"),
        ("d41d8cd98f00b204e9800998ecf8427e", "MD5"),
        ("hash", "not a SHA-256"),
        (SHA[:-1], "63 hex digits"),
        (SHA + "0", "65 hex digits"),
        (SHA[:-1] + "g", "not a SHA-256"),
    ],
)
def test_wrong_digests_have_no_fix(tmp_path: Path, value: str, hint: str) -> None:
    report = _lint(tmp_path, "additional_files_tarball_hash", value)
    assert hits(report) == [("hash-format", 2, 32)]
    assert hint in messages(report)[0]
    assert report.findings[0].fix is None


def test_image_hash_accepts_registry_digest_and_bare_hex(tmp_path: Path) -> None:
    for value in (f"sha256:{SHA}", SHA):
        report = lint_yaml(tmp_path, f"name: m\nimage_hash: {value}\n", select=RULE)
        assert hits(report) == []


def test_standalone_image_hash_is_checked(tmp_path: Path) -> None:
    report = lint_yaml(tmp_path, f"name: m\nimage_hash: sha256:{SHA.upper()}\n", select=RULE)
    assert hits(report) == [("hash-format", 2, 13)]
    fix = report.findings[0].fix
    assert fix is not None and fix.replacement == f"sha256:{SHA}"


def test_image_hash_sha1_is_an_error(tmp_path: Path) -> None:
    report = lint_yaml(
        tmp_path, "name: m\nimage_hash: 4f5f1e4b2a2dcbc1b3a1f6b7e1b0c2f9c8d7e6a5\n", select=RULE
    )
    assert hits(report) == [("hash-format", 2, 13)]


def test_hash_without_url_is_also_format_checked(tmp_path: Path) -> None:
    report = lint_yaml(tmp_path, "name: m\ndemo_hash: hash\n", select=RULE)
    assert hits(report) == [("hash-format", 2, 12)]


def test_valid_and_empty_hashes_pass(tmp_path: Path) -> None:
    assert hits(_lint(tmp_path, "additional_files_tarball_hash", SHA)) == []
    assert hits(_lint(tmp_path, "additional_files_tarball_hash", '""')) == []


def test_entity_without_positions() -> None:
    report = medperf_lint.check_submission(
        {
            "name": "m",
            "image_hash": SHA,
            "additional_files_tarball_url": "https://example.org/w",
            "additional_files_tarball_hash": SHA.upper(),
        },
        online=False,
        config=medperf_lint.Settings(select=RULE),
    )
    assert hits(report) == [("hash-format", 0, 0)]


EXACT = "MedPerf compares hashes as exact strings"
SHA256_NEEDED = "MedPerf needs the SHA-256 (64 hex digits): compute it with sha256sum FILE"
A64 = "a" * 64


def _formats(tmp_path: Path, field: str, value: str) -> list[tuple[str, object]]:
    if field == "image_hash":
        text = f'name: x\nimage_file: a\nimage_hash: "{value}"\n'
    else:
        url_field = {"mlcube_hash": "git_mlcube_url"}.get(field, field.replace("_hash", "_url"))
        text = f'name: x\n{url_field}: https://example.org/w\n{field}: "{value}"\n'
    report = lint_yaml(tmp_path, text, select=("hash-format",))
    return [
        (f.message, f.fix and (f.fix.replacement, f.fix.description, f.fix.safe))
        for f in report.findings
    ]


@pytest.mark.parametrize(
    ("field", "value", "message", "fix"),
    [
        (
            "additional_files_tarball_hash",
            "sha256:" + A64,
            "additional_files_tarball_hash has a sha256: prefix, which only image_hash (a registry digest) may have; "
            + EXACT,
            (A64, "drop the prefix", True),
        ),
        (
            "image_hash",
            "SHA256:" + A64.upper(),
            "image_hash has upper-case hex, which never equals hashlib's lower-case hexdigest and an upper-case sha256: prefix; "
            + EXACT,
            ("sha256:" + A64, "lower-case it and lower-case the prefix", True),
        ),
        (
            "additional_files_tarball_hash",
            " " + A64.upper(),
            "additional_files_tarball_hash has surrounding whitespace and upper-case hex, which never equals hashlib's lower-case hexdigest; "
            + EXACT,
            (A64, "trim it and lower-case it", True),
        ),
        (
            "image_hash",
            "Sha256:" + A64,
            "image_hash has an upper-case sha256: prefix; " + EXACT,
            ("sha256:" + A64, "lower-case the prefix", True),
        ),
        ("mlcube_hash", "b" * 32, "mlcube_hash is an MD5; " + SHA256_NEEDED, None),
        (
            "mlcube_hash",
            "b" * 40,
            "mlcube_hash is a SHA-1 (MedPerf switched to SHA-256 in 2023); " + SHA256_NEEDED,
            None,
        ),
        ("mlcube_hash", "b" * 128, "mlcube_hash is a SHA-512; " + SHA256_NEEDED, None),
        (
            "mlcube_hash",
            "b" * 63,
            "mlcube_hash is 63 hex digits, not a SHA-256; " + SHA256_NEEDED,
            None,
        ),
        (
            "image_hash",
            "xyz",
            "image_hash is not a SHA-256 hex digest (64 lower-case hex digits) or a sha256:<hex> registry digest; compute it with sha256sum FILE",
            None,
        ),
        (
            "mlcube_hash",
            "xyz",
            "mlcube_hash is not a SHA-256 hex digest (64 lower-case hex digits); compute it with sha256sum FILE",
            None,
        ),
    ],
)
def test_messages_and_fixes_in_full(
    tmp_path: Path, field: str, value: str, message: str, fix: object
) -> None:
    assert _formats(tmp_path, field, value) == [(message, fix)]
