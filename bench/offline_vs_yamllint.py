"""Start-up cost of an offline run, against yamllint on the same file.

An offline medperf-lint run sits in pre-commit hooks next to yamllint, so it should cost about
the same: the goal is a median wall ratio medperf-lint / yamllint of at most 1.0.

    python bench/offline_vs_yamllint.py [--runs 20] [FILE]

Both tools run as subprocesses, alternately, so drift in machine load hits both alike; each
run's CPU (user + system) is its own, from ``wait4``.
"""

from __future__ import annotations

import argparse
import statistics
import sys
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from benchkit import MEDPERF_LINT, ROOT, Row, X, ms, ratio, run, tool

DEFAULT_FILE = ROOT / "examples" / "good" / "container.medperf.yaml"
TARGET = 1.0


@dataclass(frozen=True)
class Offline:
    """Median wall and CPU seconds of each tool over ``runs`` interleaved runs."""

    runs: int
    ours_wall: float
    theirs_wall: float
    ours_cpu: float
    theirs_cpu: float
    ours_walls: tuple[float, ...]
    theirs_walls: tuple[float, ...]

    @property
    def ratio(self) -> float:
        return self.ours_wall / self.theirs_wall

    def rows(self) -> list[Row]:
        return [
            Row(
                "offline, one manifest (start-up + lint), wall",
                ms(self.ours_wall),
                f"yamllint {ms(self.theirs_wall)}",
                ratio(self.ours_wall, self.theirs_wall),
                f"≤ {TARGET:.1f}{X}",
                self.ratio <= TARGET,
                f"median of {self.runs} interleaved runs",
            ),
            Row(
                "offline, one manifest, CPU (user + system)",
                ms(self.ours_cpu),
                f"yamllint {ms(self.theirs_cpu)}",
                ratio(self.ours_cpu, self.theirs_cpu),
                notes="same runs",
            ),
        ]


def measure(path: Path = DEFAULT_FILE, runs: int = 20) -> Offline:
    ours = [*MEDPERF_LINT, "--offline", str(path)]
    theirs = [tool("yamllint"), str(path)]
    run(ours), run(theirs)  # warm the file cache and the .pyc files
    walls: dict[str, list[float]] = {"ours": [], "theirs": []}
    cpus: dict[str, list[float]] = {"ours": [], "theirs": []}
    for _ in range(runs):
        for name, cmd in (("ours", ours), ("theirs", theirs)):
            done = run(cmd)
            walls[name].append(done.wall)
            cpus[name].append(done.cpu)
    med = statistics.median
    return Offline(
        runs,
        med(walls["ours"]),
        med(walls["theirs"]),
        med(cpus["ours"]),
        med(cpus["theirs"]),
        tuple(walls["ours"]),
        tuple(walls["theirs"]),
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("file", nargs="?", type=Path, default=DEFAULT_FILE)
    parser.add_argument("--runs", type=int, default=20, help="runs of each tool (default 20)")
    args = parser.parse_args()
    found = measure(args.file, args.runs)
    print(f"file: {args.file}  runs: {args.runs} each, interleaved")
    for name, walls, cpu in (
        ("medperf-lint", found.ours_walls, found.ours_cpu),
        ("yamllint", found.theirs_walls, found.theirs_cpu),
    ):
        print(
            f"{name:<13} wall median {statistics.median(walls) * 1000:7.1f} ms"
            f" (min {min(walls) * 1000:6.1f}, max {max(walls) * 1000:6.1f})"
            f"   cpu median {cpu * 1000:7.1f} ms"
        )
    verdict = "within" if found.ratio <= TARGET else "OVER"
    print(f"ratio medperf-lint/yamllint: wall {found.ratio:.2f} ({verdict} the {TARGET} target)")
    print(f"                             cpu  {found.ours_cpu / found.theirs_cpu:.2f}")
    return 0 if found.ratio <= TARGET else 1


if __name__ == "__main__":
    sys.exit(main())
