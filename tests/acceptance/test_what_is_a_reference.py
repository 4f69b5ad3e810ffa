"""Only values MedPerf or the container downloads are references: proxies, environment and
build arguments, authors and homepages are settings and pages, and no rule (or fix) sees them.

The manifests are modelled on real MLCube manifests (the MLCube docker runner's keys:
``image``, ``build_context``, ``build_file``, ``env_args``, ``build_args``, ``gpu_args``)."""

from __future__ import annotations

from pathlib import Path

import pytest
from clikit import medperf_lint, write
from medperf_lint.input.documents import PAGE_KEYS, SETTING_SECTIONS, is_setting

MLCUBE = """
    name: brats-segmenter
    description: Tumour segmentation
    authors:
      - {name: Example Lab, url: "http://lab.example.org/"}
    homepage: http://lab.example.org/segmenter
    platform:
      accelerator_count: 1
    docker:
      image: ghcr.io/example-lab/segmenter:1.0.0@sha256:71faabd59139bee698010a0ae3a69e16d97bc4f2dde799d9e187b94ff9157c00
      build_context: "../project"
      build_file: "Dockerfile"
      env_args:
        http_proxy: http://proxy:8088
        https_proxy: http://proxy:8088
        no_proxy: localhost,127.0.0.1
      build_args:
        HTTP_PROXY: http://proxy:8088
        PIP_INDEX_URL: http://mirror.example.org/pypi/simple
      gpu_args: --gpus=all
    tasks:
      infer:
        parameters:
          inputs:
            data_path: data/
            weights: {type: file, default: "http://example.org/weights.pt"}
          outputs: {output_path: {type: directory, default: predictions}}
"""
# The keys README "What it reads" lists as pages for people, written out (not read back).
PAGES = frozenset(
    {"homepage", "home_page", "website", "documentation", "documentation_url", "docs"}
    | {"docs_url", "doc_url"}
)
PARAMETERS = """
    model_url: http://example.org/model.onnx
    HTTPS_PROXY: http://proxy.internal:3128
    documentation: http://docs.example.org/model
    website: http://lab.example.org/
"""


def test_mlcube_settings_are_not_references(tmp_path: Path) -> None:
    path = write(tmp_path / "mlcube.yaml", MLCUBE)
    run = medperf_lint("--offline", "--format", "json", path, cwd=tmp_path)
    findings = run.json()["findings"]
    # the task's default is passed to the container, which downloads it: still a reference
    assert {(f["line"], f["rule"]) for f in findings} == {(25, "insecure-http")}
    assert run.json()["summary"]["references"] == 2  # docker.image and the task default


def test_unsafe_fixes_never_touch_a_proxy(tmp_path: Path) -> None:
    path = write(tmp_path / "mlcube.yaml", MLCUBE)
    before = path.read_text(encoding="utf-8")
    run = medperf_lint("--offline", "--fix", "--unsafe-fixes", path, cwd=tmp_path)
    assert "fixed 1 value(s) in 1 file(s)" in run.err
    after = path.read_text(encoding="utf-8")
    assert after == before.replace(
        "http://example.org/weights.pt", "https://example.org/weights.pt"
    )
    assert "http_proxy: http://proxy:8088" in after
    assert "HTTP_PROXY: http://proxy:8088" in after


def test_free_form_yaml_keeps_urls_but_not_proxies_or_pages(tmp_path: Path) -> None:
    path = write(tmp_path / "parameters.yaml", PARAMETERS)
    run = medperf_lint("--offline", "--format", "json", path, cwd=tmp_path)
    assert [(f["line"], f["rule"]) for f in run.json()["findings"]] == [(1, "insecure-http")]


@pytest.mark.parametrize(
    "dotted",
    [
        "docker.env_args.http_proxy",
        "docker.env_args.MODEL_URL",  # environment of `docker run`, a setting
        "docker.build_args.PIP_INDEX_URL",  # the author's `docker build`, not a download
        "singularity.build_args.x",
        "authors[0].url",
        "authors[1]",
        "https_proxy",
        "HTTP_PROXY",
        "no_proxy",
        "all-proxy",
        "proxy",
        "meta.Homepage",
        *sorted(PAGES),
    ],
)
def test_settings_and_pages(dotted: str) -> None:
    assert is_setting(dotted)


@pytest.mark.parametrize(
    "dotted",
    [
        "docker.image",
        "weights_url",
        "tasks.infer.parameters.inputs.weights.default",
        "env",  # a plain key named like a section is a value, not a section
        "mirrors[0]",
        "proxy_config.url",  # a URL under a key that merely starts with proxy
        "documents",
        "build_url",
    ],
)
def test_references(dotted: str) -> None:
    assert not is_setting(dotted)


def test_the_tables_are_what_the_readme_lists() -> None:
    assert {"env_args", "build_args", "authors"} == SETTING_SECTIONS
    assert PAGE_KEYS == PAGES
