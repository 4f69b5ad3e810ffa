"""action.yml: its shell steps run here as the runner would run them, offline.

A virtual environment stands in for actions/setup-python (it sees the test environment's
packages through a .pth file, so installing needs no index), the expressions are replaced by
the inputs, and each ``run:`` script goes through ``bash --noprofile --norc -eo pipefail``
(GitHub's ``shell: bash``) with the step's ``env:``.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import sysconfig
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import outputcheck
import pytest
import yaml
from clikit import HANG_GUARD, ROOT, SHA256, write
from medperf_lint import __version__

ACTION: dict[str, Any] = yaml.safe_load((ROOT / "action.yml").read_text(encoding="utf-8"))
STEPS: list[dict[str, Any]] = ACTION["runs"]["steps"]
_EXPRESSION = re.compile(r"\$\{\{\s*([^}]*?)\s*\}\}")
_NOT_SOURCE = shutil.ignore_patterns(
    ".git", "build", "dist", "*.egg-info", "__pycache__", ".*cache", ".venv", "venv"
)


@dataclass(frozen=True)
class StepRun:
    code: int
    out: str
    err: str
    outputs: dict[str, str]


def _defaults() -> dict[str, str]:
    return {name: str(spec.get("default", "")) for name, spec in ACTION["inputs"].items()}


def _expand(value: str, inputs: dict[str, str], action_path: Path) -> str:
    def one(match: re.Match[str]) -> str:
        expr = match.group(1)
        if expr.startswith("inputs."):
            return inputs[expr[len("inputs.") :]]
        if expr == "github.action_path":
            return str(action_path)
        raise AssertionError(f"the test does not know the expression {expr!r}")

    return _EXPRESSION.sub(one, value)


def _run_step(
    step: dict[str, Any], inputs: dict[str, str], action_path: Path, runner: Path, cwd: Path
) -> StepRun:
    assert step["shell"] == "bash"
    output_file = cwd.parent / f"github-output-{step.get('id', 'step')}"
    output_file.write_text("")
    env = {
        **os.environ,
        "PATH": f"{runner / 'bin'}{os.pathsep}{os.environ['PATH']}",
        "GITHUB_ACTIONS": "true",
        "GITHUB_OUTPUT": str(output_file),
        "PIP_NO_INDEX": "1",  # nothing may come from a package index
        "PIP_NO_BUILD_ISOLATION": "0",  # pip's inverted spelling of --no-build-isolation
    }
    env.pop("VIRTUAL_ENV", None)
    env.update({k: _expand(str(v), inputs, action_path) for k, v in step.get("env", {}).items()})
    script = cwd.parent / "step.sh"
    script.write_text(_expand(step["run"], inputs, action_path))
    proc = subprocess.run(
        ["bash", "--noprofile", "--norc", "-eo", "pipefail", str(script)],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=HANG_GUARD * 5,
    )
    outputs = dict(
        line.split("=", 1) for line in output_file.read_text().splitlines() if "=" in line
    )
    return StepRun(proc.returncode, proc.stdout, proc.stderr, outputs)


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """(runner venv, action checkout) after the action's install step ran."""
    base = tmp_path_factory.mktemp("action")
    action_path = base / "action"
    shutil.copytree(ROOT, action_path, ignore=_NOT_SOURCE)
    runner = base / "runner"
    # No pip or setuptools of its own: the test environment's (current) ones come in via .pth.
    subprocess.run(
        [sys.executable, "-m", "venv", "--without-pip", str(runner)], check=True, timeout=300
    )
    [site] = (runner / "lib").glob("python3*/site-packages")
    (site / "test-env.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    install = next(s for s in STEPS if "pip install" in s.get("run", ""))
    work = base / "work"
    work.mkdir()
    run = _run_step(install, _defaults(), action_path, runner, work)
    assert run.code == 0, run.out + run.err
    assert f"medperf-lint {__version__}" in run.out
    binary = runner / "bin" / "medperf-lint"
    assert binary.exists()  # installed into the runner, not borrowed from the test env
    return runner, action_path


def _lint(installed: tuple[Path, Path], workspace: Path, **inputs: str) -> StepRun:
    runner, action_path = installed
    values = {**_defaults(), **{k.replace("_", "-"): v for k, v in inputs.items()}}
    step = next(s for s in STEPS if s.get("id") == "lint")
    return _run_step(step, values, action_path, runner, workspace)


@pytest.fixture
def workspace(tmp_path: Path) -> Path:
    repo = tmp_path / "repo"
    write(
        repo / "models" / "bad.medperf.yaml",
        f"""
        name: bad
        additional_files_tarball_url: http://example.org/weights.tar.gz
        additional_files_tarball_hash: {SHA256}
        demo_dataset_tarball_url: https://github.com/o/r/blob/main/demo.tar.gz
        demo_dataset_tarball_hash: {SHA256}
        """,
    )
    write(repo / "models" / "empty.medperf.yaml", "name: nothing-to-download\n")
    return repo


def test_the_action_is_composite_with_the_documented_inputs() -> None:
    assert ACTION["runs"]["using"] == "composite"
    assert set(ACTION["inputs"]) == {
        "paths",
        "args",
        "online",
        "sarif-file",
        "python-version",
        "mode",
        "audit-server",
        "audit-history",
    }
    assert STEPS[0]["uses"].startswith("actions/setup-python@")
    assert [s.get("id") for s in STEPS if "run" in s] == [None, "lint"]
    assert set(ACTION["outputs"]) == {"exit-code", "sarif-file"}


def test_pull_request_run_annotates_and_fails(
    installed: tuple[Path, Path], workspace: Path
) -> None:
    run = _lint(installed, workspace)
    assert run.code == 1
    assert run.outputs["exit-code"] == "1"
    lines = run.out.splitlines()
    assert any(line.startswith("::error file=models/bad.medperf.yaml,line=4,") for line in lines)
    assert any(line.startswith("::warning file=models/bad.medperf.yaml,line=2,") for line in lines)
    assert "network checks skipped (--offline)" in run.out


def test_sarif_file_for_upload(installed: tuple[Path, Path], workspace: Path) -> None:
    run = _lint(
        installed,
        workspace,
        paths="models/bad.medperf.yaml\nmodels/empty.medperf.yaml",
        sarif_file="results/medperf-lint.sarif",
    )
    assert run.code == 1
    assert run.outputs == {"exit-code": "1", "sarif-file": "results/medperf-lint.sarif"}
    text = (workspace / "results" / "medperf-lint.sarif").read_text()
    assert outputcheck.problems("sarif", text) == []
    results = json.loads(text)["runs"][0]["results"]
    uris = {r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] for r in results}
    assert uris == {"models/bad.medperf.yaml"}
    assert "::error" not in run.out  # SARIF replaces the annotations


def test_extra_args_are_passed_on(installed: tuple[Path, Path], workspace: Path) -> None:
    run = _lint(installed, workspace, args="--select insecure-http  --strict")
    assert run.code == 1  # a warning fails with --strict
    findings = [line for line in run.out.splitlines() if line.startswith("::")]
    assert len(findings) == 1 and "MPL003 insecure-http" in findings[0]
    clean = _lint(
        installed, workspace, args="--select insecure-http", paths="models/empty.medperf.yaml"
    )
    assert (clean.code, clean.outputs["exit-code"]) == (0, "0")


def test_online_input(installed: tuple[Path, Path], workspace: Path) -> None:
    # A manifest without references: an online run that needs no network.
    online = _lint(installed, workspace, online="true", paths="models/empty.medperf.yaml")
    assert online.code == 0, online.out + online.err
    assert "--offline" not in online.out
    wrong = _lint(installed, workspace, online="yes")
    assert wrong.code == 2
    assert "online must be true or false, not 'yes'" in wrong.out


def test_glob_characters_are_not_expanded(installed: tuple[Path, Path], workspace: Path) -> None:
    run = _lint(installed, workspace, paths="models/*.yaml")
    assert run.code == 2  # the literal name does not exist; the shell did not expand it
    assert "models/*.yaml" in run.out


def test_readme_workflow_uses_only_real_inputs() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    block = readme.split("# .github/workflows/medperf-lint.yml\n", 1)[1].split("```", 1)[0]
    workflow = yaml.safe_load(block)
    uses = [
        step
        for job in workflow["jobs"].values()
        for step in job["steps"]
        if step.get("uses", "").startswith("mlcommons/medperf-lint@")
    ]
    assert len(uses) == 2
    for step in uses:
        assert set(step.get("with", {})) <= set(ACTION["inputs"])
    online = workflow["jobs"]["online"]
    assert online["permissions"]["security-events"] == "write"
    upload = online["steps"][-1]
    assert upload["uses"].startswith("github/codeql-action/upload-sarif@")
    assert upload["with"]["sarif_file"] == uses[1]["with"]["sarif-file"]


def test_audit_mode_annotates_writes_the_summary_and_keeps_the_history(
    installed: tuple[Path, Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Audit mode against a local fake MedPerf server, twice: the second run finds the history
    the first one left (what actions/cache keeps between scheduled runs)."""
    from servers import fake_medperf as fm
    from servers.fake_medperf import FakeMedPerf
    from servers.tlskit import tls_for

    bundle, context = tls_for(tmp_path, "api.medperf.org")
    runner, action_path = installed
    step = next(s for s in STEPS if s.get("id") == "lint")
    workspace = tmp_path / "work"
    workspace.mkdir()
    summary = tmp_path / "summary.md"
    with FakeMedPerf(context) as server:
        server.add("assets", fm.asset(1, "weights", "ftp://zenodo.org/w.tar", SHA256))
        inputs = {
            **_defaults(),
            "mode": "audit",
            "audit-server": server.base,
            "args": f"--resolve {server.resolve()} --allow-private-hosts --select MPL002",
        }
        monkeypatch.setenv("MEDPERF_LINT_MEDPERF_TOKEN", server.token)
        monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(summary))
        monkeypatch.setenv("REQUESTS_CA_BUNDLE", str(bundle))
        first = _run_step(step, inputs, action_path, runner, workspace)
        second = _run_step(step, inputs, action_path, runner, workspace)
    assert (first.code, first.outputs["exit-code"]) == (1, "1"), first.err
    assert '::error title=MPL002 unsupported-scheme::asset 1 "weights" · asset_url' in first.out
    assert (workspace / "medperf-lint-history" / "audit-history.sqlite3").is_file()
    assert second.code == 1
    reports = summary.read_text(encoding="utf-8").split("## medperf\\-lint audit")[1:]
    assert len(reports) == 2
    assert "newly broken 1" in reports[0] and "first audit of this server" in reports[0]
    assert "newly broken 0, still broken 1" in reports[1].replace("\\,", ",")
