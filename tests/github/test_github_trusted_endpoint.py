"""A linted repository's own config cannot redirect the CI's GitHub token (issue #9).

Two real HTTPS servers on 127.0.0.1: the GitHub API the user configured (through
``MEDPERF_LINT_GITHUB_API_URL``) and the host a pull request's ``pyproject.toml`` names.
"""

from __future__ import annotations

from pathlib import Path

import medperf_lint
import pytest
from ghkit import API_HOST, C2, OTHER_HOST
from servers.fake_github import FakeGitHub, RecordingServer

TOKEN = "ghp_trustedsettings0123456789abcdef0123"


def test_project_config_cannot_choose_the_github_api(
    github: FakeGitHub, other: RecordingServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("GITHUB_TOKEN", TOKEN)
    monkeypatch.setenv("MEDPERF_LINT_GITHUB_API_URL", f"https://{API_HOST}:{github.port}")
    (tmp_path / "pyproject.toml").write_text(
        "[tool.medperf-lint]\n"
        f'github-api-url = "https://{OTHER_HOST}:{other.port}"\n'
        "allow-private-hosts = true\n"
    )
    url = f"https://raw.githubusercontent.com/mlcommons/medperf/{C2}/mlcube.yaml"
    (tmp_path / "model.medperf.yaml").write_text(f"git_mlcube_url: {url}\n")
    resolve = (f"{API_HOST}:{github.port}:127.0.0.1", f"{OTHER_HOST}:{other.port}:127.0.0.1")
    report = medperf_lint.lint_paths(
        [tmp_path],
        overrides={
            "resolve": resolve,
            "allow_private_hosts": True,  # guard lifted: a request to `other` would get through
            "select": ("github-commit-not-found", "ignored-setting"),
        },
    )
    assert other.requests == []  # the pull request's host heard nothing
    assert {r.headers.get("authorization") for r in github.requests} == {f"Bearer {TOKEN}"}
    warned = sorted(f.message.split("'")[1] for f in report.findings if f.rule == "ignored-setting")
    assert warned == ["allow-private-hosts", "github-api-url"]
    assert not [f for f in report.findings if f.rule == "github-commit-not-found"]
