"""Shared test setup: no test may reach beyond loopback, and no test reads the user's config."""

from __future__ import annotations

import atexit
import os
import shutil
import signal
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

# With PYTHONDONTWRITEBYTECODE set, every process the suite starts (hundreds of command-line
# runs, and each xdist worker rewriting the test modules' asserts) compiled the checkout's
# modules again: about 30 s of the suite's 240 s of CPU. They are compiled once per run
# instead, into a folder of the run's own (PYTHONPYCACHEPREFIX), so the checkout still gets no
# __pycache__. Workers and children inherit the environment; the first process here chooses.
if os.environ.pop("PYTHONDONTWRITEBYTECODE", None):
    if "PYTHONPYCACHEPREFIX" not in os.environ:
        os.environ["PYTHONPYCACHEPREFIX"] = tempfile.mkdtemp(prefix="medperf-lint-pycache-")
        atexit.register(shutil.rmtree, os.environ["PYTHONPYCACHEPREFIX"], ignore_errors=True)
    sys.pycache_prefix = os.environ["PYTHONPYCACHEPREFIX"]
    sys.dont_write_bytecode = False

# A suite started as a background job of a non-interactive shell has SIGINT ignored, and every
# process it starts inherits that: the Ctrl-C tests then wait on a child that cannot hear
# SIGINT. A handled signal is reset to the default at exec, so catching it here (as Python
# does by default) gives the children the Ctrl-C a user's terminal gives them.
if signal.getsignal(signal.SIGINT) is signal.SIG_IGN:
    signal.signal(signal.SIGINT, signal.default_int_handler)

NETGUARD = Path(__file__).resolve().parent / "netguard"
OUTPUTCHECK = Path(__file__).resolve().parent / "outputcheck"
_LOG = Path(tempfile.mkdtemp(prefix="medperf-lint-netguard-")) / "violations.log"
# Every JSON and SARIF document any process writes is validated against its schema (see
# tests/outputcheck/outputcheck.py); a test during which one was invalid fails.
OUTPUT_LOG = _LOG.parent / "outputs.log"
os.environ["MPL_TESTS_OUTPUT_LOG"] = str(OUTPUT_LOG)
# Every Python process started by a test loads tests/netguard/sitecustomize.py, and so does
# this one: a connection or name lookup beyond loopback is refused and logged.
os.environ["MPL_TESTS_NETGUARD_LOG"] = str(_LOG)
os.environ["PYTHONPATH"] = os.pathsep.join(
    p for p in (str(NETGUARD), str(OUTPUTCHECK), os.environ.get("PYTHONPATH")) if p
)
sys.path.insert(0, str(NETGUARD))
sys.path.insert(1, str(OUTPUTCHECK))
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
    for name in (  # the trusted settings' variables (not the test hooks' MEDPERF_LINT_* ones)
        "MEDPERF_LINT_GITHUB_API_URL",
        "MEDPERF_LINT_SYNAPSE_ENDPOINT",
        "MEDPERF_LINT_ALLOW_PRIVATE_HOSTS",
        "MEDPERF_LINT_CACHE_DIR",
        "MEDPERF_LINT_DEBUG",
    ):
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


@pytest.fixture(autouse=True)
def _outputs_match_their_schemas() -> Iterator[None]:
    before = OUTPUT_LOG.read_text() if OUTPUT_LOG.exists() else ""
    yield
    after = OUTPUT_LOG.read_text() if OUTPUT_LOG.exists() else ""
    invalid = [line for line in after[len(before) :].splitlines() if " invalid " in line]
    assert not invalid, "output does not match its schema:\n" + "\n".join(invalid)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """The tests that install from the package registry (tens of seconds each) run first: under
    pytest-xdist they then start at once and the short tests fill the other workers around
    them, instead of one of them starting last and ending the run alone."""
    items.sort(key=lambda item: item.get_closest_marker("registry") is None)  # stable


def pytest_xdist_auto_num_workers(config: pytest.Config) -> int:  # noqa: ARG001 (the hook's)
    """``-n auto``: one worker more than there are cores. Much of the suite waits on child
    processes, sockets and deadlines, so a core-count of workers leaves CPU idle; more than
    one extra only adds workers that each collect the whole suite (measured on 2 cores: 3
    workers beat 2 and did no worse than 4)."""
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    return (cores or 1) + 1
