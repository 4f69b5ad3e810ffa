"""The pre-commit hooks, run by the real pre-commit, which pip-installs the project itself."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from clikit import ROOT, SHA256, write
from medperf_lint.input.paths import is_manifest_name
from netenv import without_netguard

HOOKS = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"))
BY_ID = {hook["id"]: hook for hook in HOOKS}
INSTALL_GUARD = 900  # seconds; pre-commit pip-installs the project and its dependencies

_NOT_SOURCE = shutil.ignore_patterns(
    ".git", "build", "dist", "*.egg-info", "__pycache__", ".*cache", ".ci-venv", ".venv", "venv"
)


def test_hooks_are_offline_and_online_over_the_same_files() -> None:
    offline, online = BY_ID["medperf-lint"], BY_ID["medperf-lint-online"]
    assert offline["entry"] == "medperf-lint --offline"
    assert online["entry"] == "medperf-lint"
    for hook in (offline, online):
        assert hook["language"] == "python"
        assert hook["types_or"] == ["yaml", "json"]
        assert hook["require_serial"] is True
    assert offline["files"] == online["files"]


@pytest.mark.parametrize(
    "path",
    [
        "mlcube.yaml",
        "cube/mlcube.yml",
        "container_config.yaml",
        "m/container_config_gpu.yml",
        "cube/workspace/parameters.yaml",
        "benchmark.medperf.yaml",
        "x/model.medperf.yml",
        "x/model.medperf.json",
        "Container_Config.YAML",
        "other.yaml",
        "config.json",
        "mlcube.yaml.bak",
        "xmlcube.yaml",
        "notparameters.yaml",
        "medperf.yaml",
        "mlcube_gpu.yaml",
        "BraTS2024-dummy-model_mlcube.yaml",
        "samples/legacy-chestxray_mlcube.yml",
        "rano/prep_container_config.yaml",
        "metrics_container_config.yml",
        "workspace/parameters_MEN.yaml",
        "workspace/parameters-rt.yaml",
        "prep_parameters.yaml",
        "parameters2.yml",
        "docker-compose.yml",
        "mkdocs.yml",
        ".github/workflows/ci.yml",
        "cloudbuild.yaml",
        "parameters.json",
    ],
)
def test_hook_file_pattern_agrees_with_the_folder_walk(path: str) -> None:
    pattern = re.compile(BY_ID["medperf-lint"]["files"])
    assert bool(pattern.search(path)) == is_manifest_name(path.rsplit("/", 1)[-1])


def _pre_commit() -> str:
    beside = Path(sys.executable).parent / "pre-commit"
    found = str(beside) if beside.exists() else shutil.which("pre-commit")
    if found is None:
        pytest.skip("pre-commit is not installed (pip install -e '.[test]')")
    return found


def _git(cwd: Path, *args: str) -> None:
    subprocess.run(["git", *args], cwd=cwd, check=True, capture_output=True, timeout=120)


def _repo(path: Path) -> Path:
    path.mkdir(parents=True, exist_ok=True)
    _git(path, "init", "-q")
    _git(path, "config", "user.email", "tests@example.org")
    _git(path, "config", "user.name", "medperf-lint tests")
    _git(path, "config", "commit.gpgsign", "false")
    return path


@pytest.fixture(scope="module")
def hook_repo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The working tree as it is now, committed in a throwaway repo.

    ``try-repo`` on a dirty tree snapshots only tracked files under a fresh commit each call,
    so every call would reinstall; a clean snapshot is installed once and reused.
    """
    repo = tmp_path_factory.mktemp("hook") / "medperf-lint"
    shutil.copytree(ROOT, repo, ignore=_NOT_SOURCE)
    _repo(repo)
    _git(repo, "add", "-A")
    _git(repo, "commit", "-q", "-m", "snapshot")
    return repo


@pytest.fixture(scope="module")
def pre_commit_home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("pre-commit-home")


def _try_repo(hook_repo: Path, project: Path, home: Path) -> subprocess.CompletedProcess[str]:
    # pre-commit installs the hook's environment from the package registry.
    env = without_netguard(
        {**os.environ, "PRE_COMMIT_HOME": str(home), "PRE_COMMIT_COLOR": "never"}
    )
    return subprocess.run(
        [_pre_commit(), "try-repo", str(hook_repo), "medperf-lint", "--all-files"],
        cwd=project,
        env=env,
        capture_output=True,
        text=True,
        timeout=INSTALL_GUARD,
    )


@pytest.mark.registry  # pre-commit pip-installs the hook's environment from the registry
def test_offline_hook_passes_a_good_manifest_and_fails_a_bad_one(
    tmp_path: Path, hook_repo: Path, pre_commit_home: Path
) -> None:
    project = _repo(tmp_path / "project")
    write(
        project / "model" / "container.medperf.yaml",
        f"""
        name: demo
        additional_files_tarball_url: https://zenodo.org/records/10543210/files/w.tar.gz?download=1
        additional_files_tarball_hash: {SHA256}
        """,
    )
    write(project / "notes.yaml", "asset_url: syn51089171\n")  # not a manifest: never passed
    _git(project, "add", "-A")
    good = _try_repo(hook_repo, project, pre_commit_home)
    assert good.returncode == 0, good.stdout + good.stderr
    assert "medperf-lint (offline)" in good.stdout
    assert "Passed" in good.stdout

    write(
        project / "model" / "legacy.medperf.yaml", "name: demo\ngit_parameters_url: syn51089171\n"
    )
    _git(project, "add", "-A")
    bad = _try_repo(hook_repo, project, pre_commit_home)
    assert bad.returncode == 1, bad.stdout + bad.stderr
    assert "Failed" in bad.stdout
    assert "model/legacy.medperf.yaml:2:21: MPL001 invalid-reference [error]" in bad.stdout
    assert "notes.yaml" not in bad.stdout
    assert "network checks skipped (--offline)" in bad.stdout
