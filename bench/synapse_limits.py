"""Wall time and peak memory of a run whose Synapse endpoint hangs, trickles or floods.

Each case runs ``medperf-lint --ref synapse:syn3000 --deadline D`` as a child process against
a fake Synapse whose bundle answer never comes (hang), comes at 20 KiB/s forever (trickle:
neither the read timeout nor the body cap fires) or comes as fast as it can forever (flood),
and prints the child's wall time (start-up included) and peak RSS (``wait4``). The limits say
the run ends within about a second of the deadline and memory stays flat; the suite asserts
them loosely (tests/synapse/test_synapse_limits.py), this prints the numbers.

    python bench/synapse_limits.py [--deadline 3]
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))

from servers.fake_synapse import Entity, FakeSynapse  # noqa: E402

CASES: dict[str, dict[str, object]] = {
    "hang": {"hang": {"syn3000"}},
    "trickle": {"stream": {"syn3000": (1024, 0.05)}},
    "flood": {"stream": {"syn3000": (256 * 1024, 0.0)}},
}
LIMIT = 60.0  # a run still alive after this is killed (and reported as such)


def measure(endpoint: str, deadline: float) -> tuple[float, float, int]:
    """(wall seconds, peak RSS in MiB, exit status) of one child run."""
    command = [
        sys.executable,
        "-m",
        "medperf_lint",
        *("--ref", "synapse:syn3000", "--synapse-endpoint", endpoint, "--allow-private-hosts"),
        *("--deadline", f"{deadline:g}", "--select", "inconclusive", "--no-cache", "-q"),
    ]
    started = time.monotonic()
    proc = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    killer = threading.Timer(LIMIT, proc.kill)
    killer.start()
    try:
        _pid, status, usage = os.wait4(proc.pid, 0)
    finally:
        killer.cancel()
    proc.returncode = os.waitstatus_to_exitcode(status)
    return time.monotonic() - started, usage.ru_maxrss / 1024, proc.returncode


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--deadline", type=float, default=3.0)
    args = parser.parse_args()
    os.environ["HOME"] = tempfile.mkdtemp(prefix="synapse-limits-home-")
    for var in ("SYNAPSE_AUTH_TOKEN", "SYNAPSE_PROFILE"):
        os.environ.pop(var, None)
    print(f"deadline {args.deadline:g} s; wall time includes interpreter start-up")
    for name, behaviour in CASES.items():
        entities = {"syn3000": Entity()}
        with FakeSynapse(entities=entities, **behaviour) as fake:  # type: ignore[arg-type]
            seconds, rss, code = measure(fake.endpoint, args.deadline)
        killed = " (killed)" if code < 0 else ""
        print(f"{name:8} wall {seconds:6.2f} s   peak RSS {rss:8.1f} MiB   exit {code}{killed}")


if __name__ == "__main__":
    main()
