"""bench/run, the one benchmark command, runs and prints its table.

The benchmarks stay out of the suite (timings depend on the machine); this runs only the
smallest row, which needs no peer from a package registry, to keep the command from rotting.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_bench_run_quick_prints_the_machine_and_a_table_row(tmp_path: Path) -> None:
    peers = tmp_path / "peers"
    done = subprocess.run(
        [str(ROOT / "bench" / "run"), "--quick", "--only", "warm-commit"],
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHON": sys.executable, "BENCH_PEERS": str(peers)},
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    out = done.stdout
    assert re.search(r"^- before: \d{4}-\d\d-\d\d .*\d+ cores, \S+, Python 3\.\d+", out, re.M), out
    assert re.search(r"^- after:  load average [\d.]+ [\d.]+ [\d.]+", out, re.M), out
    table = [line for line in out.splitlines() if line.startswith("|")]
    assert table[0] == "| Workload | medperf-lint | peer | ratio | goal | met | notes |"
    assert len(table) == 3, out  # header, rule, and the one row asked for
    cells = [c.strip() for c in table[2].strip("|").split(" | ")]
    assert cells[0] == "warm re-run, 20 commit-pinned URLs: requests sent"
    assert cells[1].isdigit() and cells[4] == "0" and cells[5] in ("met", "**not met**")
    assert re.fullmatch(r"cold run: [1-9]\d* requests", cells[6]), cells
    assert not peers.exists()  # a row without peers installs nothing
