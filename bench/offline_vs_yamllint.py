"""Start-up cost of an offline run, against yamllint on the same file.

An offline medperf-lint run sits in pre-commit hooks next to yamllint, so it should cost about
the same: the target is a median ratio medperf-lint / yamllint of at most 1.25.

    python bench/offline_vs_yamllint.py [--runs 20] [FILE]

Both tools run as subprocesses, alternately, so drift in machine load hits both alike.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_FILE = ROOT / "examples" / "good" / "container.medperf.yaml"
TARGET = 1.25


def _tool(name: str) -> str:
    beside = Path(sys.executable).parent / name
    found = str(beside) if beside.exists() else shutil.which(name)
    if found is None:
        sys.exit(f"{name} not found next to {sys.executable} or on PATH")
    return found


# Installed packages carry compiled bytecode; a checkout run with PYTHONDONTWRITEBYTECODE set
# would recompile medperf-lint's sources on every start while yamllint's stay compiled.
ENV = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}


def _time(cmd: list[str]) -> tuple[float, float]:
    """Wall time and CPU time (user + system) of one run of ``cmd``."""
    before = os.times()
    start = time.perf_counter()
    proc = subprocess.run(cmd, capture_output=True, env=ENV)
    elapsed = time.perf_counter() - start
    after = os.times()
    if proc.returncode not in (0, 1):
        sys.exit(f"{' '.join(cmd)} exited {proc.returncode}: {proc.stderr.decode()[-500:]}")
    cpu = (after.children_user - before.children_user) + (
        after.children_system - before.children_system
    )
    return elapsed, cpu


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("file", nargs="?", type=Path, default=DEFAULT_FILE)
    parser.add_argument("--runs", type=int, default=20, help="runs of each tool (default 20)")
    args = parser.parse_args()
    ours = [_tool("medperf-lint"), "--offline", str(args.file)]
    theirs = [_tool("yamllint"), str(args.file)]
    _time(ours), _time(theirs)  # warm the file cache and the .pyc files
    wall: dict[str, list[float]] = {"medperf-lint": [], "yamllint": []}
    cpu: dict[str, list[float]] = {"medperf-lint": [], "yamllint": []}
    for _ in range(args.runs):
        for name, cmd in (("medperf-lint", ours), ("yamllint", theirs)):
            w, c = _time(cmd)
            wall[name].append(w)
            cpu[name].append(c)
    print(f"file: {args.file}  runs: {args.runs} each, interleaved")
    for name in wall:
        print(
            f"{name:<13} wall median {statistics.median(wall[name]) * 1000:7.1f} ms"
            f" (min {min(wall[name]) * 1000:6.1f}, max {max(wall[name]) * 1000:6.1f})"
            f"   cpu median {statistics.median(cpu[name]) * 1000:7.1f} ms"
        )
    ratio = statistics.median(wall["medperf-lint"]) / statistics.median(wall["yamllint"])
    cpu_ratio = statistics.median(cpu["medperf-lint"]) / statistics.median(cpu["yamllint"])
    verdict = "within" if ratio <= TARGET else "OVER"
    print(f"ratio medperf-lint/yamllint: wall {ratio:.2f} ({verdict} the {TARGET} target)")
    print(f"                             cpu  {cpu_ratio:.2f}")
    return 0 if ratio <= TARGET else 1


if __name__ == "__main__":
    sys.exit(main())
