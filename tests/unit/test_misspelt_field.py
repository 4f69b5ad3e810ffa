"""misspelt-field: a submission field one or two letters off a field MedPerf reads."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from lintkit import hits, lint_yaml, messages

RULE = ("misspelt-field",)
URL = "https://zenodo.org/records/1/files/w.tar.gz?download=1"


@pytest.mark.parametrize(
    ("key", "meant"),
    [
        ("additonal_files_tarball_url", "additional_files_tarball_url"),
        ("additional_files", "additional_file"),
        ("parameter-file", "parameters_file"),  # a flag name, read with - as _
        ("git_parameter_url", "git_parameters_url"),
        ("Docs_URL", "docs_url"),  # the server's names are case-sensitive
        ("assets_url", "asset_url"),
        ("demo_dataset_tarbal_hash", "demo_dataset_tarball_hash"),
    ],
)
def test_a_near_miss_is_a_warning_naming_the_field(tmp_path: Path, key: str, meant: str) -> None:
    report = lint_yaml(tmp_path, f"name: m\n{key}: {URL}\n", select=RULE)
    assert hits(report) == [("misspelt-field", 2, 1)]
    assert messages(report) == [
        f"{key!r} is not a field MedPerf reads; did you mean {meant!r}? The server ignores "
        "fields it does not know, so this value would not be submitted"
    ]
    assert report.exit_code() == 0 and report.exit_code(strict=True) == 1


def test_fields_medperf_reads_and_fields_unlike_them_pass(tmp_path: Path) -> None:
    """Every field MedPerf reads, in server and flag spelling, and the other fields a body
    carries: none is reported (no field name is within reach of another)."""
    text = """
        name: m
        description: a model
        state: OPERATION
        is_valid: true
        metadata: {}
        user_metadata: {}
        type: CONTAINER
        additional_files_tarball_url: URL
        additional_files_tarball_hash: abc
        additional-file: URL
        additional-hash: abc
        demo_dataset_tarball_url: URL
        demo_dataset_tarball_hash: abc
        demo_url: URL
        demo_hash: abc
        docs_url: URL
        git_mlcube_url: URL
        mlcube_hash: abc
        git_parameters_url: URL
        parameters_hash: abc
        image_tarball_url: URL
        image_tarball_hash: abc
        image_hash: abc
        asset_url: URL
        asset_hash: abc
        container-config-file: cc.yaml
        decryption_key: k
        data_preparation_mlcube: 1
        reference_model_mlcube: 2
        data_evaluator_mlcube: 3
    """.replace("URL", URL)
    assert hits(lint_yaml(tmp_path, text, select=RULE)) == []


def test_a_nested_model_body_is_read_too(tmp_path: Path) -> None:
    text = f'{{"type": "ASSET", "asset": {{"aset_url": "{URL}"}}}}\n'
    report = lint_yaml(tmp_path, text, "model.medperf.json", select=RULE)
    assert messages(report)[0].startswith("'aset_url' is not a field MedPerf reads; did you mean")


def test_other_manifests_are_not_read_for_fields(tmp_path: Path) -> None:
    """parameters.yaml and MLCube manifests hold the container's own keys."""
    report = lint_yaml(tmp_path, f"additional_files: {URL}\n", "parameters.yaml", select=RULE)
    assert hits(report) == []


def test_long_hostile_keys_cost_nothing_extra(tmp_path: Path) -> None:
    """Every pattern on input text runs in linear time: doubling the keys' length may not
    more than ~2.5x the run's CPU (the rule compares no key over twice the longest field)."""

    def run(length: int) -> float:
        keys = "".join(f"additional_files_tarball_url{'x' * length}{i}: v\n" for i in range(50))
        start = time.process_time()
        lint_yaml(tmp_path, keys, select=RULE)
        return time.process_time() - start

    run(10)  # warm
    small, large = run(20_000), run(40_000)
    assert large < 2.5 * small + 0.05
