"""Text output leads with what breaks: info advice is counted, listed only with --show-info."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from clikit import medperf_lint, write

DIGEST = "sha256:" + "0123456789abcdef" * 4
# one warning (insecure-http) here and one info (a tag without digest) in each file
MANIFEST = """
    name: segmenter
    docker:
      image: mlcommons/segmenter:1.0.0
    tasks:
      infer:
        parameters:
          inputs: {weights: {type: file, default: "http://example.org/w.pt"}}
"""
CONFIG = """
    container_type: DockerImage
    image: mlcommons/segmenter:1.0.0
"""
INFO_LINE = "container_config.yaml:2:8: MPL301 docker-image-unpinned [info]"
WARNING_LINE = "mlcube.yaml:7:47: MPL003 insecure-http [warning]"


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    write(tmp_path / "mlcube.yaml", MANIFEST)
    write(tmp_path / "container_config.yaml", CONFIG)
    return tmp_path


def test_text_counts_infos_and_lists_what_breaks(folder: Path) -> None:
    run = medperf_lint("--offline", ".", cwd=folder)
    assert run.code == 0
    lines = run.out.splitlines()
    assert [line.split(" [")[0] for line in lines[:-1] if not line.startswith("    ")] == [
        WARNING_LINE.split(" [")[0]
    ]
    assert lines[-1] == (
        "0 errors, 1 warning, 2 infos (advice, not shown; --show-info lists them) in 3 "
        "references from 2 files; network checks skipped (--offline)."
    )


def test_show_info_lists_them(folder: Path) -> None:
    run = medperf_lint("--offline", "--show-info", ".", cwd=folder)
    assert run.code == 0
    assert sum(" [info] " in line for line in run.out.splitlines()) == 2
    assert any(line.startswith(INFO_LINE) for line in run.out.splitlines())
    assert run.out.splitlines()[-1].startswith("0 errors, 1 warning, 2 infos in 3 references")


def test_one_hidden_info_is_it(tmp_path: Path) -> None:
    write(tmp_path / "container_config.yaml", CONFIG)
    run = medperf_lint("--offline", ".", cwd=tmp_path)
    assert run.out == (
        "0 errors, 0 warnings, 1 info (advice, not shown; --show-info lists it) in 1 reference "
        "from 1 file; network checks skipped (--offline).\n"
    )


@pytest.mark.parametrize("fmt", ["json", "sarif", "github"])
def test_machine_formats_keep_every_info(folder: Path, fmt: str) -> None:
    run = medperf_lint("--offline", "--format", fmt, ".", cwd=folder)
    if fmt == "json":
        severities = [f["severity"] for f in json.loads(run.out)["findings"]]
    elif fmt == "sarif":
        results = json.loads(run.out)["runs"][0]["results"]
        severities = [r["level"] for r in results]
        severities = ["info" if s == "note" else s for s in severities]
    else:
        severities = [line.split(" ")[0] for line in run.out.splitlines() if line.startswith("::")]
        severities = ["info" if s.startswith("::notice") else s for s in severities]
    assert severities.count("info") == 2


def test_quiet_still_shows_only_errors(folder: Path) -> None:
    run = medperf_lint("--offline", "--quiet", "--show-info", ".", cwd=folder)
    assert (run.code, run.out) == (0, "")
