"""What every benchmark here shares: finding the peers, timing a child process, the table row.

The benchmark scripts and ``bench/run`` import these, so a number printed by a script alone and
the same number in ``bench/run``'s table come from one implementation.
"""

from __future__ import annotations

import datetime
import os
import platform
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BENCH = ROOT / "bench"
PEERS = Path(os.environ.get("BENCH_PEERS", BENCH / ".peers"))

# Installed packages carry compiled bytecode; a checkout run with PYTHONDONTWRITEBYTECODE set
# would recompile medperf-lint's sources on every start while the peers' stay compiled.
ENV = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}


def _medperf_lint() -> list[str]:
    """The console script users run (beside this interpreter), else ``python -m``."""
    script = Path(sys.executable).parent / "medperf-lint"
    return [str(script)] if script.exists() else [sys.executable, "-m", "medperf_lint"]


MEDPERF_LINT = _medperf_lint()
X = "\u00d7"  # the table's multiplication sign
DASH = "\u2013"  # an empty cell


def tool(name: str, env_var: str | None = None) -> str:
    """A peer's executable: ``$ENV_VAR``, then bench/.peers (what ``bench/run`` installs), then
    beside this interpreter, then PATH. Exits with a hint when there is none."""
    if env_var and os.environ.get(env_var):
        return os.environ[env_var]
    for folder in (PEERS / "venv" / "bin", PEERS / "npm" / "node_modules" / ".bin"):
        if (folder / name).exists():
            return str(folder / name)
    beside = Path(sys.executable).parent / name
    found = str(beside) if beside.exists() else shutil.which(name)
    if found is None:
        sys.exit(
            f"{name} not found in {PEERS}, next to {sys.executable} or on PATH (bench/run installs it)"
        )
    return found


@dataclass(frozen=True)
class Run:
    """One finished child process, as ``wait4`` saw it: its own CPU and peak RSS only."""

    wall: float
    user: float
    system: float
    max_rss_kib: int
    returncode: int
    stdout: str
    stderr: str

    @property
    def cpu(self) -> float:
        return self.user + self.system


def _limit_files(nofile: int) -> None:
    resource.setrlimit(resource.RLIMIT_NOFILE, (nofile, nofile))


def run(
    cmd: Sequence[str] | str,
    *,
    env: Mapping[str, str] | None = None,
    nofile: int | None = None,
    ok: Sequence[int] = (0, 1),
) -> Run:
    """Run ``cmd`` (a string goes through the shell) and time it from outside.

    ``nofile`` sets RLIMIT_NOFILE (soft and hard) in the child, as ``ulimit -n`` would. Output
    goes to temporary files so that a large report cannot block the child on a full pipe.
    """
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        start = time.perf_counter()
        proc = subprocess.Popen(
            cmd,
            shell=isinstance(cmd, str),
            stdout=out,
            stderr=err,
            stdin=subprocess.DEVNULL,
            env=dict(env if env is not None else ENV),
            preexec_fn=(lambda: _limit_files(nofile)) if nofile else None,
        )
        _pid, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - start
        proc.returncode = code = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        done = Run(
            wall,
            usage.ru_utime,
            usage.ru_stime,
            usage.ru_maxrss,
            code,
            out.read().decode(errors="replace"),
            err.read().decode(errors="replace"),
        )
    if code not in ok:
        shown = cmd if isinstance(cmd, str) else " ".join(cmd)
        sys.exit(f"{shown[:300]} exited {code}: {done.stderr[-800:]}")
    return done


# ---------------------------------------------------------------------------------------------
# The table


@dataclass(frozen=True)
class Row:
    """One line of the table: what was measured, both values, their ratio and the goal."""

    workload: str
    ours: str
    peer: str = DASH
    ratio: str = DASH
    goal: str = DASH
    met: bool | None = None  # None: reported, no goal to meet
    notes: str = ""

    def markdown(self) -> str:
        met = DASH if self.met is None else ("met" if self.met else "**not met**")
        cells = (self.workload, self.ours, self.peer, self.ratio, self.goal, met, self.notes)
        return "| " + " | ".join(c.replace("|", "\\|") for c in cells) + " |"


HEADER = (
    "| Workload | medperf-lint | peer | ratio | goal | met | notes |\n|---|---|---|---|---|---|---|"
)


def ratio(ours: float, theirs: float) -> str:
    return f"{ours / theirs:.2f}{X}" if theirs > 0 else DASH


def ms(seconds: float) -> str:
    return f"{seconds * 1000:.1f} ms"


def secs(seconds: float) -> str:
    return f"{seconds:.2f} s"


def machine() -> str:
    """Date, cores, architecture, Python and load average: the facts a table is read with."""
    one, five, fifteen = os.getloadavg()
    return (
        f"{datetime.datetime.now().astimezone():%Y-%m-%d %H:%M %Z}; {os.cpu_count()} cores, "
        f"{platform.machine()}, Python {platform.python_version()}; "
        f"load average {one:.2f} {five:.2f} {fifteen:.2f}"
    )


def load_average() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())
