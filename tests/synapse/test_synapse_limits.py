"""Hard limits on the Synapse check: the run's deadline ends the process, bodies are capped.

Each case runs the real command in a child process against a fake Synapse that hangs, streams
an endless body fast, or trickles one slowly (so that neither the read timeout nor the body cap
ever fires). Wall time and peak memory are asserted loosely (the deadline plus the child's
start-up measured on this machine, tests/deadlinekit.py): they catch a process kept alive by a
stuck thread, or one that reads without end.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path

import pytest
from deadlinekit import budget
from servers.fake_synapse import FakeSynapse
from synkit import TOKEN, USER, entities

DEADLINE = 3.0
MAX_RSS_MB = 200


@dataclass(frozen=True)
class Measured:
    returncode: int
    seconds: float
    max_rss_mb: float
    output: str


# ru_maxrss of a child is useless here: Linux folds the parent's (pytest's, hundreds of MB late
# in a run) peak into it at exec. VmHWM of the child's own address space is not, so the linter
# runs under this wrapper, which writes its own VmHWM (KiB) to a file at exit.
_PEAK_WRAPPER = """
import atexit, runpy, sys
peak = sys.argv[1]
def report():
    with open("/proc/self/status") as status:
        kib = next(int(line.split()[1]) for line in status if line.startswith("VmHWM:"))
    with open(peak, "w") as out:
        out.write(str(kib))
atexit.register(report)
sys.argv = ["medperf-lint", *sys.argv[4:]]
runpy.run_module("medperf_lint", run_name="__main__", alter_sys=True)
"""


def run_measured(
    args: list[str], folder: Path, limit: float = 60.0, env: dict[str, str] | None = None
) -> Measured:
    """Run the command; its wall time and its own peak RSS, killed after ``limit``."""
    out = folder / "stdout.txt"
    err = folder / "stderr.txt"
    peak = folder / "peak-kib.txt"
    wrapped = args[1:3] == ["-m", "medperf_lint"] and Path("/proc/self/status").exists()
    if wrapped:
        args = [args[0], "-c", _PEAK_WRAPPER, str(peak), *args[1:]]
    with out.open("wb") as stdout, err.open("wb") as stderr:
        started = time.monotonic()
        proc = subprocess.Popen(args, stdout=stdout, stderr=stderr, env=env)
        killer = threading.Timer(limit, proc.kill)
        killer.start()
        try:
            _pid, status, usage = os.wait4(proc.pid, 0)
        finally:
            killer.cancel()
        seconds = time.monotonic() - started
    proc.returncode = os.waitstatus_to_exitcode(status)
    kib = int(peak.read_text()) if wrapped and peak.exists() else usage.ru_maxrss
    return Measured(proc.returncode, seconds, kib / 1024, out.read_text() + err.read_text())


def lint_command(fake: FakeSynapse, *extra: str) -> list[str]:
    return [
        sys.executable,
        "-m",
        "medperf_lint",
        "--ref",
        "synapse:syn3000",
        "--synapse-endpoint",
        fake.endpoint,
        "--select",
        "inconclusive,synapse-not-found",
        "--format",
        "json",
        "--no-cache",
        "--allow-private-hosts",
        *extra,
    ]


def inconclusive_messages(output: str) -> list[str]:
    start = output.index("{")
    payload = json.loads(output[start : output.rindex("}") + 1])
    return [f["message"] for f in payload["findings"] if f["rule"] == "inconclusive"]


@pytest.mark.parametrize(
    ("behaviour", "expected"),
    [
        ({"hang": {"syn3000"}}, "deadline (3 s) ran out"),
        ({"stream": {"syn3000": (1024, 0.05)}}, "deadline (3 s) ran out"),  # a slow trickle
        ({"stream": {"syn3000": (256 * 1024, 0.0)}}, "longer than 4194304 bytes"),  # a flood
    ],
    ids=["hangs", "trickles", "floods"],
)
def test_deadline_and_body_cap_end_the_run(
    tmp_path: Path, behaviour: dict[str, object], expected: str
) -> None:
    with FakeSynapse(entities=entities(), **behaviour) as fake:  # type: ignore[arg-type]
        # The default read timeout (20 s) is far beyond the deadline: only the deadline (or
        # the cap) can end these runs in time.
        measured = run_measured(lint_command(fake, "--deadline", f"{DEADLINE:g}"), tmp_path)
    assert measured.returncode == 0, measured.output  # inconclusive is a warning
    assert [m for m in inconclusive_messages(measured.output) if expected in m], measured.output
    assert measured.seconds < budget(DEADLINE), (measured, budget(DEADLINE))
    assert measured.max_rss_mb < MAX_RSS_MB, measured


def test_a_flood_is_cut_off_without_a_deadline(tmp_path: Path) -> None:
    with FakeSynapse(entities=entities(), stream={"syn3000": (256 * 1024, 0.0)}) as fake:
        measured = run_measured(lint_command(fake), tmp_path)
    assert measured.returncode == 0, measured.output
    (message,) = inconclusive_messages(measured.output)
    assert "stopped reading: the answer is longer than 4194304 bytes" in message
    assert measured.max_rss_mb < MAX_RSS_MB, measured


def test_a_login_that_hangs_ends_at_the_deadline(tmp_path: Path) -> None:
    """Cut off while logging in: inconclusive, and not mistaken for missing credentials."""
    env = {**os.environ, "SYNAPSE_AUTH_TOKEN": TOKEN}
    with FakeSynapse(entities=entities(), tokens={TOKEN: USER}, profile_hangs=True) as fake:
        command = lint_command(fake, "--deadline", f"{DEADLINE:g}")
        command[command.index("--select") + 1] += ",synapse-auth-missing"
        measured = run_measured(command, tmp_path, env=env)
    assert measured.returncode == 0, measured.output
    assert inconclusive_messages(measured.output) == [
        "could not check Synapse entity syn3000: the run's deadline (3 s) ran out"
    ]
    assert "synapse-auth-missing" not in measured.output
    assert measured.seconds < budget(DEADLINE), (measured, budget(DEADLINE))
