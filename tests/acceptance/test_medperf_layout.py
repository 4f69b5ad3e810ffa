"""A repository laid out like MedPerf's own (mlcommons/medperf at 5f3c4c4), in miniature.

Each file reproduces a situation found there: empty and comment-only parameters files,
manifest names beyond the exact ones, cookiecutter templates, and non-manifest YAML that a
walk must leave alone. The true findings (a BraTS model's floating ``:latest``) must stay.
"""

from __future__ import annotations

import textwrap
from pathlib import Path

import medperf_lint
from medperf_lint import Report

PINNED = "mlcommons/m@sha256:" + "a" * 64
LAYOUT: dict[str, str] = {
    # an mlcube.yaml whose workspace/parameters.yaml is empty (BraTS/data_prep)
    "BraTS/data_prep/mlcube/mlcube.yaml": f"docker:\n  image: {PINNED}\n",
    "BraTS/data_prep/mlcube/workspace/parameters.yaml": "",
    # comment-only parameters (BraTS/metrics); a floating image that must stay reported
    "BraTS/model/mlcube/mlcube.yaml": "docker:\n  image: fets/deepmedic:latest\n",
    "BraTS/model/mlcube/workspace/parameters.yaml": "# File for parametrizing\n\n",
    # names the old walk skipped (cc/rano, BraTS2023, BraTS2024, tests/)
    "rano/prep_container_config.yaml": f"container_type: DockerImage\nimage: {PINNED}\n",
    "rano/metrics_container_config.yaml": "container_type: DockerImage\nimage: m/metrics\n",
    "rano/prep_parameters.yaml": "url: https://drive.google.com/file/d/1AbC/view\n",
    "synth/mlcube/mlcube_gpu.yaml": f"docker:\n  image: {PINNED}\n",
    "synth/mlcube/workspace/parameters_gpu.yaml": "gpu: true\n",
    "prep/workspace/parameters-rt.yaml": "mode: rt\n",
    "tests/metrics/workspace/parameters2.yaml": "# nothing yet\n",
    # cookiecutter templates (cli/medperf/templates)
    "templates/model/{{cookiecutter.slug}}/container_config.yaml": (
        "container_type: DockerImage\nimage: {{ cookiecutter.image_name }}\n"
    ),
    "templates/gandlf/{{cookiecutter.slug}}/mlcube.yaml": (
        "name: {{ cookiecutter.project_name }}\n"
        "authors:\n - {name: {{ cookiecutter.author_name }}}\n"
        "docker:\n  image: {{ cookiecutter.docker_image_name }}\n"
        "  build_file: '{{ cookiecutter.docker_build_file }}'\n"
    ),
    "templates/model/{{cookiecutter.slug}}/workspace/parameters.yaml": "",
    # not MedPerf manifests: never linted in a walk
    ".github/workflows/ci.yml": "on: push\njobs:\n  t:\n    runs-on: ubuntu-latest\n",
    "mkdocs.yml": "site_name: MedPerf\nrepo_url: https://github.com/o/r/tree/main\n",
    "docker-compose.yml": "services:\n  s:\n    image: x:latest\n",
    "server/cloudbuild.yaml": "steps:\n  - name: gcr.io/x:latest\n",
    "server/fixtures/parameters_fixture.yaml": (
        "- model: mlcube.mlcube\n  fields:\n    url: http://localhost/x\n"
    ),
    "deploy/parameters_compose.yml": "services:\n  s:\n    image: x:latest\n",
}


def _write(root: Path) -> None:
    for name, text in LAYOUT.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")


def _lint(root: Path) -> Report:
    return medperf_lint.lint_paths([root], online=False)


def test_every_manifest_is_found_and_nothing_else(tmp_path: Path) -> None:
    _write(tmp_path)
    report = _lint(tmp_path)
    assert report.input_errors == ()
    foreign = (".github/", "mkdocs.yml", "docker-compose.yml", "cloudbuild", "fixtures", "deploy/")
    expected = sum(1 for name in LAYOUT if not any(f in name for f in foreign))
    assert report.files == expected == 14
    paths = {Path(f.path).relative_to(tmp_path).as_posix() for f in report.findings if f.path}
    assert not any(any(f in p for f in foreign) for p in paths)


def test_true_findings_stay_and_templates_are_quiet(tmp_path: Path) -> None:
    _write(tmp_path)
    report = _lint(tmp_path)
    found = sorted(
        (Path(f.path).relative_to(tmp_path).as_posix(), f.rule, f.severity.value)
        for f in report.findings
        if f.path and f.severity.value != "info"
    )
    assert found == [
        ("BraTS/model/mlcube/mlcube.yaml", "docker-image-unpinned", "warning"),
        ("rano/metrics_container_config.yaml", "docker-image-unpinned", "warning"),
        ("rano/prep_parameters.yaml", "mutable-url", "warning"),
        ("rano/prep_parameters.yaml", "viewer-page-url", "error"),
    ]
    assert not any("cookiecutter" in (f.path or "") for f in report.findings)


def test_an_mlcube_pulls_in_its_empty_parameters_without_error(tmp_path: Path) -> None:
    _write(tmp_path)
    report = medperf_lint.lint_paths(
        [tmp_path / "BraTS/data_prep/mlcube/mlcube.yaml"], online=False
    )
    assert report.input_errors == ()
    assert report.files == 2
    assert report.findings == ()


def test_empty_files_of_other_kinds_are_still_input_errors(tmp_path: Path) -> None:
    path = tmp_path / "container_config.yaml"
    path.write_text("# only a comment\n", encoding="utf-8")
    report = medperf_lint.lint_paths([path], online=False)
    assert [p.message for p in report.input_errors] == [
        "file holds no YAML document (only comments or blank lines)"
    ]


def test_a_foreign_file_named_explicitly_is_linted(tmp_path: Path) -> None:
    path = tmp_path / "docker-compose.yml"
    path.write_text(textwrap.dedent("services:\n  s:\n    url: http://e.org/x\n"), "utf-8")
    report = medperf_lint.lint_paths([path], online=False)
    assert [f.rule for f in report.findings] == ["insecure-http"]


def test_a_quoted_placeholder_inside_a_url_is_skipped(tmp_path: Path) -> None:
    path = tmp_path / "parameters.yaml"
    path.write_text(
        "weights: 'https://github.com/o/r/blob/{{ cookiecutter.ref }}/w.tar.gz'\n"
        "data: https://github.com/o/r/blob/main/d.tar.gz\n",
        encoding="utf-8",
    )
    report = medperf_lint.lint_paths([path], online=False)
    assert {(f.span.line if f.span else 0, f.rule) for f in report.findings} == {
        (2, "github-page-url")
    }
