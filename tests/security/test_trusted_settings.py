"""Trusted settings come from the command line, the environment or the user's own config only.

Per-file rule settings still come from the nearest project config; network settings are one
per run, whichever folder the run starts in.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from dataclasses import fields
from pathlib import Path

import pytest
from medperf_lint.input.config import (
    DEFAULT_GITHUB_API,
    DEFAULT_SYNAPSE_ENDPOINT,
    ConfigError,
    ConfigResolver,
    Settings,
    is_trusted,
    run_root,
)

HOSTILE = (
    "[tool.medperf-lint]\n"
    'github-api-url = "https://attacker.example/api"\n'
    'synapse-endpoint = "https://attacker.example/repo/v1"\n'
    "allow-private-hosts = true\n"
    'cache-dir = "forged-cache"\n'
    "timeout = 7\n"
)
TRUSTED_KEYS = ["allow-private-hosts", "cache-dir", "github-api-url", "synapse-endpoint"]


def _tree(tmp_path: Path, config: str = HOSTILE) -> Path:
    repo = tmp_path / "repo"
    (repo / "sub").mkdir(parents=True)
    (repo / "pyproject.toml").write_text(config)
    (repo / "sub" / "model.medperf.yaml").write_text("docs_url: https://docs.medperf.org/\n")
    return repo


def _cli(
    *args: str, cwd: Path, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "medperf_lint", *args],
        cwd=cwd,
        env={**os.environ, **(env or {})},
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_trusted_keys_in_a_project_config_are_ignored(tmp_path: Path) -> None:
    repo = _tree(tmp_path)
    resolver = ConfigResolver(run_root=repo)
    for settings in (
        resolver.run_settings(),
        resolver.for_path(repo / "sub" / "model.medperf.yaml"),
    ):
        assert settings.github_api_url == DEFAULT_GITHUB_API
        assert settings.synapse_endpoint == DEFAULT_SYNAPSE_ENDPOINT
        assert settings.allow_private_hosts is False
        assert settings.cache_dir is None
        assert settings.timeout == 7.0  # an untrusted network setting still applies
        assert sorted(settings.ignored_settings) == TRUSTED_KEYS


def test_one_warning_per_key_names_where_to_put_it(tmp_path: Path) -> None:
    repo = _tree(tmp_path)
    run = _cli("--offline", "--format", "json", ".", cwd=repo)
    data = json.loads(run.stdout)
    warnings = [f for f in data["findings"] if f["rule"] == "ignored-setting"]
    assert sorted(w["message"].split("'")[1] for w in warnings) == TRUSTED_KEYS
    for w in warnings:
        key = w["message"].split("'")[1]
        assert w["severity"] == "warning" and w["path"].endswith("pyproject.toml")
        assert f"--{key}" in w["message"]
        assert "MEDPERF_LINT_" + key.upper().replace("-", "_") in w["message"]
        assert "medperf-lint/config.toml" in w["message"]


def test_environment_and_user_config_are_trusted(tmp_path: Path) -> None:
    repo = _tree(tmp_path)
    xdg = tmp_path / "xdg"
    (xdg / "medperf-lint").mkdir(parents=True)
    (xdg / "medperf-lint" / "config.toml").write_text(
        'synapse-endpoint = "https://synapse.example.org/repo/v1"\ncache-dir = "/tmp/mine"\n'
    )
    env = {
        "XDG_CONFIG_HOME": str(xdg),
        "MEDPERF_LINT_GITHUB_API_URL": "https://ghe.example.org/api/v3",
        "MEDPERF_LINT_ALLOW_PRIVATE_HOSTS": "1",
    }
    settings = ConfigResolver(run_root=repo, environ=env).run_settings()
    assert settings.github_api_url == "https://ghe.example.org/api/v3"
    assert settings.synapse_endpoint == "https://synapse.example.org/repo/v1"
    assert settings.allow_private_hosts is True
    assert settings.cache_dir == "/tmp/mine"
    overridden = ConfigResolver(
        run_root=repo, environ=env, overrides={"github_api_url": "https://cli.example.org"}
    ).run_settings()
    assert overridden.github_api_url == "https://cli.example.org"  # command line wins


def test_empty_environment_values_mean_unset() -> None:
    empty = {"MEDPERF_LINT_CACHE_DIR": "", "MEDPERF_LINT_ALLOW_PRIVATE_HOSTS": " "}
    settings = ConfigResolver(environ=empty).run_settings()
    assert settings.cache_dir is None and settings.allow_private_hosts is False


@pytest.mark.parametrize(
    ("name", "value", "says"),
    [
        ("MEDPERF_LINT_ALLOW_PRIVATE_HOSTS", "maybe", "must be true or false"),
        ("MEDPERF_LINT_GITHUB_API_URL", "ftp://x.example", "must be an http\\(s\\) URL"),
        ("MEDPERF_LINT_SYNAPSE_ENDPOINT", "https://u:p@x.example/", "no user-info"),
    ],
)
def test_bad_environment_value_is_one_line(
    tmp_path: Path, name: str, value: str, says: str
) -> None:
    with pytest.raises(ConfigError, match=says):
        ConfigResolver(environ={name: value})
    run = _cli("--offline", "--ref", "synapse:syn1", cwd=tmp_path, env={name: value})
    assert run.returncode == 2 and "Traceback" not in run.stderr
    assert run.stderr.count("\n") == 1 and name in run.stderr


@pytest.mark.parametrize(
    ("name", "says"),
    [
        ("MEDPERF_LINT_TIMEOUT", "set --timeout or 'timeout' in the config instead"),
        ("MEDPERF_LINT_GITHUB_API", "did you mean MEDPERF_LINT_GITHUB_API_URL?"),
        ("MEDPERF_LINT_SYNAPSE_ENDPIONT", "did you mean MEDPERF_LINT_SYNAPSE_ENDPOINT?"),
    ],
)
def test_a_medperf_lint_variable_the_run_does_not_read_is_an_error(
    tmp_path: Path, name: str, says: str
) -> None:
    """Only the trusted settings come from the environment; any other MEDPERF_LINT_* variable
    (a network setting, a typo) would otherwise look applied while the run ignored it."""
    with pytest.raises(ConfigError, match=re.escape(says)):
        ConfigResolver(environ={name: "5"})
    run = _cli("--offline", "--ref", "synapse:syn1", cwd=tmp_path, env={name: "5"})
    assert run.returncode == 2 and "Traceback" not in run.stderr
    assert run.stderr.count("\n") == 1
    assert run.stderr.startswith(f"medperf-lint: error: environment {name}: not read")


def test_variables_that_are_not_near_ours_are_not_refused() -> None:
    """The ones read elsewhere, a CI system's own (MEDPERF_LINT_VERSION), and an empty value
    (a template that expanded to nothing) mean nothing to the settings."""
    env = {
        "MEDPERF_LINT_DEBUG": "1",
        "MEDPERF_LINT_MEDPERF_TOKEN": "t",
        "MEDPERF_LINTX": "1",
        "MEDPERF_LINT_VERSION": "0.1.0",
        "MEDPERF_LINT_TIMEOUT": "",
    }
    assert ConfigResolver(environ=env).run_settings().timeout == Settings().timeout


def test_network_settings_do_not_depend_on_the_working_directory(tmp_path: Path) -> None:
    repo = _tree(tmp_path, "[tool.medperf-lint]\ntimeout = 11\n")
    (repo / "sub" / ".medperf-lint.toml").write_text("timeout = 3\nselect = ['hash-missing']\n")
    target = str(repo / "sub" / "model.medperf.yaml")
    here = Path.cwd()
    seen = []
    try:
        for cwd in (repo, repo / "sub", tmp_path):
            os.chdir(cwd)
            resolver = ConfigResolver(run_root=run_root([str(repo)]))
            seen.append((resolver.run_settings().timeout, resolver.for_path(Path(target)).timeout))
    finally:
        os.chdir(here)
    assert seen == [(11.0, 11.0)] * 3  # one value per run, from the run's folder


def test_rule_settings_stay_per_file(tmp_path: Path) -> None:
    repo = _tree(tmp_path, "[tool.medperf-lint]\nselect = ['insecure-http']\n")
    (repo / "sub" / ".medperf-lint.toml").write_text("select = ['hash-missing']\n")
    resolver = ConfigResolver(run_root=repo)
    assert resolver.for_path(repo / "sub" / "model.medperf.yaml").select == ("hash-missing",)
    assert resolver.for_path(repo / "pyproject.toml").select == ("insecure-http",)


def test_explicit_config_from_the_tree_is_not_trusted_either(tmp_path: Path) -> None:
    repo = _tree(tmp_path)
    settings = ConfigResolver(repo / "pyproject.toml").run_settings()
    assert settings.github_api_url == DEFAULT_GITHUB_API
    assert settings.allow_private_hosts is False


def test_endpoint_and_address_settings_are_declared_trusted() -> None:
    """A future endpoint, address or cache setting must carry the TRUSTED declaration."""
    risky = ("url", "endpoint", "private", "dir", "resolve", "proxy", "token", "ca_")
    for f in fields(Settings):
        if f.name in ("allowed_hosts", "config_path"):  # a rule setting; where settings came from
            continue
        if any(word in f.name for word in risky):
            assert is_trusted(f.name), f.name
    assert not is_trusted("select") and not is_trusted("timeout")
