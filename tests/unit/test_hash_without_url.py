from __future__ import annotations

from pathlib import Path

import pytest
from lintkit import hits, lint_yaml, messages

RULE = ("hash-without-url",)
SHA = "71faabd59139bee698010a0ae3a69e16d97bc4f2dde799d9e187b94ff9157c00"


def test_additional_hash_without_url_quotes_the_server(tmp_path: Path) -> None:
    report = lint_yaml(
        tmp_path,
        f"""
        name: m
        additional_files_tarball_hash: {SHA}
        """,
        select=RULE,
    )
    assert hits(report) == [("hash-without-url", 2, 32)]
    message = messages(report)[0]
    assert "Additional files hash was provided without URL" in message
    assert "additional_files_tarball_url is missing" in message


def test_flag_names_and_other_pairs(tmp_path: Path) -> None:
    report = lint_yaml(
        tmp_path,
        f"""
        additional_hash: {SHA}
        demo_hash: {SHA}
        """,
        select=RULE,
    )
    assert hits(report) == [("hash-without-url", 1, 18), ("hash-without-url", 2, 12)]
    assert "additional_file is missing" in messages(report)[0]
    assert "demo_url is missing" in messages(report)[1]


def test_pairs_and_image_hash_alone_pass(tmp_path: Path) -> None:
    report = lint_yaml(
        tmp_path,
        f"""
        additional_files_tarball_url: https://example.org/w.tar.gz
        additional_files_tarball_hash: {SHA}
        image_hash: sha256:{SHA}
        demo_dataset_tarball_hash: ""
        """,
        select=RULE,
    )
    assert hits(report) == []


SERVER = ' (the server answers "Additional files hash was provided without URL")'


@pytest.mark.parametrize(
    ("field", "url_field", "server"),
    [
        ("additional_files_tarball_hash", "additional_files_tarball_url", SERVER),
        ("additional_hash", "additional_file", SERVER),
        ("demo_dataset_tarball_hash", "demo_dataset_tarball_url", ""),
        ("demo_hash", "demo_url", ""),
        ("asset_hash", "asset_url", ""),
        ("mlcube_hash", "git_mlcube_url", ""),
        ("parameters_hash", "git_parameters_url", ""),
        ("image_tarball_hash", "image_tarball_url", ""),
    ],
)
def test_every_hash_field_names_its_url_field(
    tmp_path: Path, field: str, url_field: str, server: str
) -> None:
    report = lint_yaml(tmp_path, f"name: x\n{field}: {'a' * 64}\n", select=("hash-without-url",))
    assert hits(report) == [("hash-without-url", 2, len(field) + 3)]
    assert messages(report) == [
        f"{field} is set but {url_field} is missing{server}; add the URL or remove the hash"
    ]
