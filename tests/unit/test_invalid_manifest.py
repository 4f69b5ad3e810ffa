from __future__ import annotations

from pathlib import Path

import medperf_lint
from lintkit import hits, lint_yaml, messages

RULE = ("invalid-manifest",)
CONFIG = "container_config.yaml"


def test_missing_container_type_lists_valid_ones(tmp_path: Path) -> None:
    report = lint_yaml(
        tmp_path,
        """
        image: mlcommons/model:1.0
        tasks:
          infer: {}
        """,
        name=CONFIG,
        select=RULE,
    )
    assert hits(report) == [("invalid-manifest", 1, 1)]
    message = messages(report)[0]
    assert "container_type is missing" in message
    assert "DockerImage" in message and "EncryptedSingularityFile" in message


def test_unknown_container_type_points_at_the_value(tmp_path: Path) -> None:
    report = lint_yaml(
        tmp_path,
        """
        # a model
        container_type: Docker
        image: mlcommons/model:1.0
        """,
        name=CONFIG,
        select=RULE,
    )
    assert hits(report) == [("invalid-manifest", 2, 17)]
    span = report.findings[0].span
    assert span is not None and span.end_column == 23
    assert "'Docker'" in messages(report)[0]


def test_mlcube_type_is_rejected(tmp_path: Path) -> None:
    report = lint_yaml(
        tmp_path,
        "container_type: mlcube\nimage: mlcommons/model:1.0\n",
        name=CONFIG,
        select=RULE,
    )
    assert hits(report) == [("invalid-manifest", 1, 17)]


def test_missing_image(tmp_path: Path) -> None:
    report = lint_yaml(tmp_path, "container_type: DockerImage\n", name=CONFIG, select=RULE)
    assert hits(report) == [("invalid-manifest", 1, 1)]
    assert "image is required" in messages(report)[0]


def test_both_problems_reported(tmp_path: Path) -> None:
    report = lint_yaml(
        tmp_path, "container_type: Singularity\ntasks: {}\n", name=CONFIG, select=RULE
    )
    assert hits(report) == [("invalid-manifest", 1, 1), ("invalid-manifest", 1, 17)]


def test_valid_config_passes(tmp_path: Path) -> None:
    report = lint_yaml(
        tmp_path,
        """
        container_type: DockerArchive
        image: https://storage.googleapis.com/medperf-storage/model_archive.tar
        """,
        name=CONFIG,
        select=RULE,
    )
    assert hits(report) == []


def test_inline_container_config_in_submission_entity() -> None:
    report = medperf_lint.check_submission(
        {
            "name": "m",
            "image_hash": "sha256:" + "a" * 64,
            "container_config": {"container_type": "Docker", "image": "a/b:1"},
        },
        online=False,
        config=medperf_lint.Settings(select=RULE),
    )
    assert hits(report) == [("invalid-manifest", 0, 0)]
    assert "container_config.container_type" in messages(report)[0]


def test_a_submission_manifest_that_is_not_a_mapping_is_refused(tmp_path: Path) -> None:
    """A list or a plain value in `*.medperf.yaml` names no field: 0 references is no pass."""
    for text, held in (("- a\n- b\n", "a list"), ("just text\n", "a string")):
        report = lint_yaml(tmp_path, text, name="body.medperf.yaml", select=RULE)
        assert hits(report) == [("invalid-manifest", 1, 1)]
        assert f"this one holds {held}" in messages(report)[0]
        assert report.exit_code() == 1


def test_a_submission_mapping_is_no_manifest_problem(tmp_path: Path) -> None:
    report = lint_yaml(tmp_path, "name: m\n", name="body.medperf.yaml", select=RULE)
    assert hits(report) == []
