"""Shared test setup: no test may reach beyond loopback, and no test reads the user's config."""

from __future__ import annotations

import os
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

NETGUARD = Path(__file__).resolve().parent / "netguard"
_LOG = Path(tempfile.mkdtemp(prefix="medperf-lint-netguard-")) / "violations.log"
# Every Python process started by a test loads tests/netguard/sitecustomize.py, and so does
# this one: a connection or name lookup beyond loopback is refused and logged.
os.environ["MEDPERF_LINT_NETGUARD_LOG"] = str(_LOG)
os.environ["PYTHONPATH"] = os.pathsep.join(
    p for p in (str(NETGUARD), os.environ.get("PYTHONPATH")) if p
)
sys.path.insert(0, str(NETGUARD))
import sitecustomize  # noqa: E402,F401  (installs the audit hook in this process)


@pytest.fixture(autouse=True)
def _loopback_only() -> Iterator[None]:
    before = _LOG.read_text() if _LOG.exists() else ""
    yield
    after = _LOG.read_text() if _LOG.exists() else ""
    new = after[len(before) :]
    assert not new, f"test reached beyond loopback:\n{new}"


@pytest.fixture(autouse=True)
def _isolated_env(
    tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    home = tmp_path_factory.mktemp("home")
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("XDG_CACHE_HOME", str(home / ".cache"))
    monkeypatch.delenv("XDG_CONFIG_HOME", raising=False)  # the user config is under HOME
    for name in [v for v in os.environ if v.startswith("MEDPERF_LINT_") and "NETGUARD" not in v]:
        monkeypatch.delenv(name, raising=False)
    for var in (
        "GITHUB_ACTIONS",
        "GITHUB_TOKEN",
        "GH_TOKEN",
        "SYNAPSE_AUTH_TOKEN",
        "SYNAPSE_PROFILE",
        "SYNAPSE_TOKEN_AWS_SSM_PARAMETER_NAME",
        "HTTP_PROXY",
        "HTTPS_PROXY",
        "http_proxy",
        "https_proxy",
        "ALL_PROXY",
        "all_proxy",
    ):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("NO_PROXY", "*")
    os.environ.pop("REQUESTS_CA_BUNDLE", None)
