"""How long a child run of the linter may take with ``--deadline``: the deadline plus its own
start-up and shut-down, measured here rather than a fixed number.

A busy machine (the suite in parallel on two cores, beside other work) stretches a child's
start-up and shut-down several-fold, so a fixed margin either flakes there or is loose
everywhere. The start-up is measured once per test process, on this machine under its load
then: the wall time of an online run that gives up at once (``--deadline 0``), which starts,
imports what an online run imports, reports and exits. The budget stays below what a run that
ignores the deadline costs (a hang ends at the 20 s read timeout, a trickle when it is killed),
so the deadline tests still fail such a run.
"""

from __future__ import annotations

import functools
import json
import socket
import subprocess
import sys
import time

FACTOR = 2.0  # the load may grow between the measurement and the run it bounds
SLACK = 1.0  # seconds: the run's own wind-down at the deadline (cancelling, reporting)
IGNORED = 20.0  # seconds at least, for a run that ignores the deadline: the default read timeout


def _unused_port() -> int:
    with socket.create_server(("127.0.0.1", 0)) as probe:
        port: int = probe.getsockname()[1]
        return port


def idle_command(port: int) -> list[str]:
    """An online run over every provider the deadline tests hang, with nothing to wait for."""
    return [
        sys.executable,
        "-m",
        "medperf_lint",
        *("--ref", f"http://127.0.0.1:{port}/w.tar.gz"),
        *("--ref", "https://raw.githubusercontent.com/o/r/main/w.tar.gz"),
        *("--ref", "synapse:syn3000"),
        *("--resolve", "raw.githubusercontent.com:443:127.0.0.1"),
        *("--github-api-url", f"http://127.0.0.1:{port}"),
        *("--synapse-endpoint", f"http://127.0.0.1:{port}/repo/v1"),
        "--allow-private-hosts",
        *("--deadline", "0", "--select", "inconclusive", "--format", "json", "--no-cache"),
    ]


@functools.cache
def startup() -> float:
    """Seconds an idle online run takes, start to exit: the slower of two runs, now."""
    command = idle_command(_unused_port())
    slowest = 0.0
    for _ in range(2):
        started = time.monotonic()
        proc = subprocess.run(command, capture_output=True, text=True, timeout=60, check=False)
        slowest = max(slowest, time.monotonic() - started)
        assert proc.returncode == 0, proc.stdout + proc.stderr
        summary = json.loads(proc.stdout)["summary"]  # an online run over the three references
        assert summary["online"] and summary["references"] == 3, proc.stdout
    return slowest


def budget(deadline: float) -> float:
    """The longest a run with ``--deadline deadline`` may take, start to exit."""
    allowed = deadline + SLACK + FACTOR * startup()
    assert allowed < IGNORED, (
        f"an idle run took {startup():.2f} s: too busy a machine to tell a run that stops at "
        f"a {deadline:g} s deadline from one that ignores it"
    )
    return allowed
