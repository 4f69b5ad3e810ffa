"""The library API a MedPerf client would call before it submits."""

from __future__ import annotations

import importlib.resources
from pathlib import Path

import medperf_lint
import pytest
from clikit import ROOT, SHA256, write
from medperf_lint import Report, Settings, SubmissionBlocked

ONLY_INVALID = Settings(select=("invalid-reference",))
CLEAN_CONTAINER = {
    "name": "chestxray-densenet",
    "additional_files_tarball_url": (
        "https://zenodo.org/records/10543210/files/densenet121_weights.tar.gz?download=1"
    ),
    "additional_files_tarball_hash": SHA256,
    "image_hash": "0eb3e36bfb24dcd9bb1d1bece1531216b59539a8fde17ee80224af0653c92aa3",
    "container_config": {
        "container_type": "EncryptedDockerArchive",
        "image": "synapse:syn51089171",
        "tasks": {"infer": {"input_volumes": {}, "output_volumes": {}}},
    },
    "parameters_config": {"num_classes": 14},
}


def _bad_container() -> dict[str, object]:
    return {**CLEAN_CONTAINER, "additional_files_tarball_url": "syn51089171"}


def test_check_submission_reports_findings_without_positions() -> None:
    report = medperf_lint.check_submission(_bad_container(), online=False, config=ONLY_INVALID)
    assert isinstance(report, Report)
    assert [(f.rule, f.reference, f.path, f.span) for f in report.findings] == [
        ("invalid-reference", "syn51089171", None, None)
    ]
    assert report.errors == list(report.findings)
    assert report.warnings == []
    assert report.exit_code() == 1


def test_raise_for_errors_lists_the_blocking_findings() -> None:
    report = medperf_lint.check_submission(_bad_container(), online=False, config=ONLY_INVALID)
    with pytest.raises(SubmissionBlocked) as caught:
        report.raise_for_errors()
    message = str(caught.value)
    assert message.splitlines()[0] == "1 problem(s) block submission:"
    assert (
        "MPL001 invalid-reference: syn51089171: a Synapse ID needs the synapse: prefix" in message
    )
    assert [f.rule for f in caught.value.findings] == ["invalid-reference"]


def test_clean_entity_passes_every_offline_rule() -> None:
    report = medperf_lint.check_submission(CLEAN_CONTAINER, online=False)
    assert report.errors == []
    assert report.warnings == []
    report.raise_for_errors()  # does not raise


def test_warnings_do_not_block_submission() -> None:
    as_warning = Settings(
        select=("invalid-reference",), severity=(("MPL001", medperf_lint.Severity.WARNING),)
    )
    report = medperf_lint.check_submission(_bad_container(), online=False, config=as_warning)
    assert [f.severity for f in report.findings] == [medperf_lint.Severity.WARNING]
    report.raise_for_errors()


def test_entity_that_is_not_json_blocks_with_an_input_error() -> None:
    entity: dict[str, object] = {"name": "loop"}
    entity["parameters_config"] = entity  # json.dumps, as MedPerf uploads it, fails here
    report = medperf_lint.check_submission(entity, online=False)
    assert len(report.input_errors) == 1
    assert "not JSON-serialisable" in report.input_errors[0].message
    with pytest.raises(SubmissionBlocked, match="not JSON-serialisable"):
        report.raise_for_errors()


def test_lint_paths_walks_folders_and_keeps_positions(tmp_path: Path) -> None:
    write(tmp_path / "m" / "model.medperf.yaml", "name: m\nasset_url: syn51089171\n")
    write(tmp_path / "m" / "README.yaml", "asset_url: syn51089171\n")  # not a manifest name
    report = medperf_lint.lint_paths([tmp_path / "m"], online=False, config=ONLY_INVALID)
    assert report.files == 1
    assert [(Path(f.path or "").name, f.span.line if f.span else 0) for f in report.findings] == [
        ("model.medperf.yaml", 2)
    ]
    assert report.findings[0].span == medperf_lint.Span(2, 12, 2, 23)


def test_lint_paths_reports_unreadable_files_as_input_errors(tmp_path: Path) -> None:
    report = medperf_lint.lint_paths([tmp_path / "gone.yaml"], online=False)
    assert [p.message for p in report.input_errors] == ["No such file or directory"]
    assert report.exit_code() == 2


def test_lint_refs() -> None:
    report = medperf_lint.lint_refs(
        ["syn51089171", "synapse:syn51089171"], online=False, config=ONLY_INVALID
    )
    assert [(f.rule, f.reference) for f in report.findings] == [
        ("invalid-reference", "syn51089171")
    ]
    assert report.findings[0].fix == medperf_lint.Fix(
        "synapse:syn51089171", "add the synapse: prefix", safe=True
    )


def test_good_examples_are_clean_through_the_api() -> None:
    report = medperf_lint.lint_paths([ROOT / "examples" / "good"], online=False)
    assert (report.files, report.errors, report.warnings) == (5, [], [])


def test_py_typed_marker_is_in_the_package() -> None:
    assert importlib.resources.files("medperf_lint").joinpath("py.typed").is_file()
