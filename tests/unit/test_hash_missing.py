from __future__ import annotations

from pathlib import Path

from lintkit import hits, lint_ref, lint_yaml, messages

RULE = ("hash-missing",)
SHA = "71faabd59139bee698010a0ae3a69e16d97bc4f2dde799d9e187b94ff9157c00"


def test_missing_hash_field_points_at_the_url(tmp_path: Path) -> None:
    report = lint_yaml(
        tmp_path,
        """
        name: m
        additional_files_tarball_url: https://example.org/w.tar.gz
        """,
        select=RULE,
    )
    assert hits(report) == [("hash-missing", 2, 31)]
    message = messages(report)[0]
    assert "trust on first use" in message
    assert "additional_files_tarball_hash" in message
    assert report.findings[0].severity.value == "warning"


def test_hash_field_named_in_the_style_of_the_url_field(tmp_path: Path) -> None:
    report = lint_yaml(
        tmp_path,
        """
        additional_file: https://example.org/w.tar.gz
        demo_url: https://example.org/demo.tar.gz
        image_file: https://example.org/image.tar
        """,
        select=RULE,
    )
    assert hits(report) == [
        ("hash-missing", 1, 18),
        ("hash-missing", 2, 11),
        ("hash-missing", 3, 13),
    ]
    add, demo, image = messages(report)
    assert "add additional_hash " in add
    assert "add demo_hash " in demo
    assert "add image_hash " in image


def test_empty_hash_like_the_web_ui_sends(tmp_path: Path) -> None:
    report = lint_yaml(
        tmp_path,
        """
        additional_files_tarball_url: synapse:syn51089171
        additional_files_tarball_hash: ""
        """,
        select=RULE,
    )
    assert hits(report) == [("hash-missing", 1, 31)]


def test_present_hash_passes(tmp_path: Path) -> None:
    report = lint_yaml(
        tmp_path,
        f"""
        additional_files_tarball_url: https://example.org/w.tar.gz
        additional_files_tarball_hash: {SHA}
        """,
        select=RULE,
    )
    assert hits(report) == []


def test_slots_without_a_hash_pass(tmp_path: Path) -> None:
    """--ref values, container config images and free YAML URLs carry no hash field."""
    assert hits(lint_ref("https://example.org/w.tar.gz", select=RULE)) == []
    report = lint_yaml(
        tmp_path,
        "container_type: DockerArchive\nimage: https://example.org/image.tar\n",
        name="container_config.yaml",
        select=RULE,
    )
    assert hits(report) == []
    params = lint_yaml(tmp_path, "w: https://example.org/w\n", name="parameters.yaml", select=RULE)
    assert hits(params) == []
