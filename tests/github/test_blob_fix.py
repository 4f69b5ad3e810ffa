"""One `--fix` run turns a blob page on a branch into the raw URL at that branch's commit."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from ghkit import C3, api_overrides
from lintkit import lint_ref
from medperf_lint import cli
from servers.fake_github import FakeGitHub

BLOB = "https://github.com/mlcommons/medperf/blob/main/examples/w.tar.gz"
RAW = "https://raw.githubusercontent.com/mlcommons/medperf"
SELECT = "--select=github-page-url,github-unpinned-ref,github-commit-not-found"


def _manifest(tmp_path: Path) -> Path:
    path = tmp_path / "model.medperf.yaml"
    path.write_text(
        f"name: m\nadditional_files_tarball_url: {BLOB}  # the weights\n", encoding="utf-8"
    )
    return path


def test_online_fix_goes_straight_to_the_pinned_raw_url(github: FakeGitHub) -> None:
    report = lint_ref(BLOB, select=("github-page-url",), online=True, **api_overrides(github))
    assert [f.rule for f in report.findings] == ["github-page-url"]
    fix = report.findings[0].fix
    assert fix is not None and fix.replacement == f"{RAW}/{C3}/examples/w.tar.gz"
    assert "points at now" in fix.description
    assert github.paths() == ["/repos/mlcommons/medperf/commits/main"]


def test_online_fix_in_one_run(
    tmp_path: Path, github: FakeGitHub, capsys: pytest.CaptureFixture[str]
) -> None:
    path = _manifest(tmp_path)
    argv = [
        "--fix",
        "--format=json",
        SELECT,
        f"--github-api-url=https://api.github.com:{github.port}",
        f"--resolve=api.github.com:{github.port}:127.0.0.1",
        str(path),
    ]
    assert cli.main(argv) == 0
    assert path.read_text(encoding="utf-8") == (
        f"name: m\nadditional_files_tarball_url: {RAW}/{C3}/examples/w.tar.gz  # the weights\n"
    )
    out = json.loads(capsys.readouterr().out)
    assert out["findings"] == []
    assert github.paths().count("/repos/mlcommons/medperf/commits/main") == 1


def test_offline_fix_gives_raw_and_reports_the_pin(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = _manifest(tmp_path)
    assert cli.main(["--fix", "--offline", "--format=json", SELECT, str(path)]) == 1
    assert f"{RAW}/main/examples/w.tar.gz  # the weights" in path.read_text(encoding="utf-8")
    out = json.loads(capsys.readouterr().out)
    assert [(f["rule"], f["line"]) for f in out["findings"]] == [("github-unpinned-ref", 2)]


def test_offline_message_names_the_remaining_pin() -> None:
    report = lint_ref(BLOB, select=("github-page-url",))
    assert "main is not a commit SHA" in report.findings[0].message
    fix = report.findings[0].fix
    assert fix is not None and fix.replacement == f"{RAW}/main/examples/w.tar.gz"
