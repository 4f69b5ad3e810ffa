"""The loopback-only guard itself works, in this process and in the processes tests start."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from xml.etree import ElementTree

import pytest

LOG = Path(os.environ["MPL_TESTS_NETGUARD_LOG"])


@pytest.fixture
def restore_log() -> Iterator[None]:
    """These tests trip the guard on purpose; put the log back so the autouse check passes."""
    before = LOG.read_text() if LOG.exists() else ""
    yield
    LOG.write_text(before)


@pytest.mark.usefixtures("restore_log")
def test_name_lookup_beyond_loopback_is_refused_in_process() -> None:
    with pytest.raises(PermissionError, match="netguard"):
        socket.getaddrinfo("example.invalid", 443)
    assert "name lookup of example.invalid" in LOG.read_text()


@pytest.mark.usefixtures("restore_log")
def test_connect_beyond_loopback_is_refused_in_a_child_process() -> None:
    code = "import socket; socket.create_connection(('192.0.2.1', 9), timeout=1)"
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert proc.returncode != 0
    assert "netguard" in proc.stderr
    assert "192.0.2.1" in LOG.read_text()  # refused at the lookup, before any packet


def test_loopback_is_allowed() -> None:
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(1)
    with server, socket.create_connection(server.getsockname(), timeout=5):
        pass
    assert socket.getaddrinfo("localhost", 80)


@pytest.mark.usefixtures("restore_log")
def test_connect_to_an_address_beyond_loopback_is_refused() -> None:
    sock = socket.socket()
    with sock, pytest.raises(PermissionError, match="netguard"):
        sock.connect(("192.0.2.1", 9))
    assert "connect to 192.0.2.1" in LOG.read_text()


# Two groups, so that --dist loadgroup runs each on its own worker: a violation in each, and
# tests that stay on loopback beside them.
PLANTED = """
import os
import socket
import subprocess
import sys

import pytest


def _ran_here(name):
    with open(os.environ["PLANTED_WORKERS"], "a") as out:
        out.write(f"{name} {os.environ.get('PYTEST_XDIST_WORKER', '-')}\\n")


@pytest.mark.xdist_group("a")
def test_reaches_out_in_process():
    _ran_here("in_process")
    with pytest.raises(PermissionError):
        socket.getaddrinfo("example.invalid", 443)


@pytest.mark.xdist_group("a")
@pytest.mark.parametrize("n", range(3))
def test_stays_on_loopback(n):
    assert socket.getaddrinfo("localhost", 80)


@pytest.mark.xdist_group("b")
def test_reaches_out_in_a_child():
    _ran_here("child")
    code = "import socket; socket.create_connection(('192.0.2.1', 9), timeout=1)"
    subprocess.run([sys.executable, "-c", code], capture_output=True, timeout=60)


@pytest.mark.xdist_group("b")
@pytest.mark.parametrize("n", range(3, 6))
def test_stays_on_loopback_too(n):
    assert socket.getaddrinfo("localhost", 80)


@pytest.mark.xdist_group("b")
def test_writes_an_invalid_json_output():
    import outputcheck

    outputcheck.check("json", "{}")
"""


def test_under_xdist_each_worker_fails_the_test_that_reached_out(tmp_path: Path) -> None:
    """The guard's log is one per process (tests/conftest.py): under pytest-xdist each worker
    has its own, so a violation fails the test that caused it, on whichever worker, and no
    other. A planted suite runs on two workers with this suite's conftest as a plugin."""
    (tmp_path / "test_planted.py").write_text(PLANTED, encoding="utf-8")
    tests = str(Path(__file__).resolve().parents[1])
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join((tests, os.environ.get("PYTHONPATH", ""))),
        "PLANTED_WORKERS": str(tmp_path / "workers.txt"),
    }
    report = tmp_path / "report.xml"
    run = subprocess.run(
        [
            *(sys.executable, "-m", "pytest", "test_planted.py", "-p", "conftest"),
            *("-p", "no:cacheprovider", "-n", "2", "--dist", "loadgroup"),
            f"--junitxml={report}",
        ],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert run.returncode == 1, run.stdout + run.stderr
    outcomes = {}
    for case in ElementTree.parse(report).getroot().iter("testcase"):
        problems = [p.get("message", "") for p in case if p.tag in ("error", "failure")]
        outcomes[case.get("name")] = " ".join(problems)
    assert len(outcomes) == 9, outcomes
    assert "test reached beyond loopback" in outcomes.pop("test_reaches_out_in_process")
    assert "test reached beyond loopback" in outcomes.pop("test_reaches_out_in_a_child")
    invalid = outcomes.pop("test_writes_an_invalid_json_output")
    assert "output does not match its schema" in invalid
    assert outcomes == {
        **{f"test_stays_on_loopback[{n}]": "" for n in range(3)},
        **{f"test_stays_on_loopback_too[{n}]": "" for n in range(3, 6)},
    }
    workers = dict(line.split() for line in (tmp_path / "workers.txt").read_text().splitlines())
    assert workers["in_process"] != workers["child"], workers  # one on each worker
