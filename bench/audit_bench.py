"""Benchmark: ``medperf-lint audit`` of 1,000 entities against a plain lint of their URLs.

Not part of the test suite. The loopback hosts of ``online_vs_lychee.py`` (8 hosts, every
answer after 50 ms) serve 3,000 unique file URLs. A fake MedPerf server (the tests' own,
``tests/servers/fake_medperf.py``, over plain HTTP on 127.0.0.1) holds 1,000 containers, each
with 6 references (``container_config.image`` of a ``DockerArchive``, the additional-files
tarball and 4 URLs in ``parameters_config``): 6,000 references, each URL used twice. Both
servers run in processes of their own, as a user's network would: neither takes CPU from the
process that measures, and their CPU is counted apart. After one untimed run of each side
(which also gives the history file its first run), ``--rounds`` interleaved rounds (which side
goes first alternates), both as subprocesses with the HTTP rules only, ``--no-cache`` and the
same ``--format`` (default ``json``: both print the per-URL details):

1. ``medperf-lint audit --server … --history FILE`` (paging the API, linting, recording on top
   of the earlier runs, as a nightly audit does);
2. ``medperf-lint urls.yaml`` over the same 3,000 unique URLs.

Per side: the median wall time, the tool's CPU (user + system, from ``wait4``), the servers'
CPU during the run (from ``/proc``), and the requests the file hosts counted. Target: audit
within 1.3x of the plain lint (ratio of the medians). Separately, in-process: the history write
of one run of this size (7,000 rows: 6,000 references and 1,000 entities), first into an empty
file and then on top of earlier runs. Target: under 0.5 s.

Run: ``python bench/audit_bench.py [--rounds 3] [--format json|text]``.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT / "bench"), str(ROOT / "tests")]

import benchkit  # noqa: E402
from loopback import Hosts  # noqa: E402
from online_vs_lychee import HOSTS, HTTP_RULES, start_hosts  # noqa: E402
from procserver import Served  # noqa: E402
from servers import fake_medperf as fm  # noqa: E402

ENTITIES = 1000
PER_ENTITY = 6
UNIQUE = 3000
TARGET = 1.3
HISTORY_TARGET = 0.5
TOKEN = "bench-token"


def _entities(urls: list[str]) -> list[dict[str, object]]:
    out = []
    for i in range(ENTITIES):
        picks = [urls[(i * 3 + k) % UNIQUE] for k in range(PER_ENTITY)]
        cube = fm.container(
            i + 1,
            f"cube-{i}",
            image=picks[0],
            container_type="DockerArchive",
            additional=(picks[1], "a" * 64),
            parameters={"inputs": {f"file{k}": u for k, u in enumerate(picks[2:])}},
        )
        cube["image_hash"] = "b" * 64
        out.append(cube)
    return out


@dataclass(frozen=True)
class Timed:
    wall: float
    cpu: float  # the tool: user + system
    hosts_cpu: float  # the file hosts' process during the run
    medperf_cpu: float  # the fake MedPerf server's process during the run
    requests: int  # answered by the file hosts


def _run(args: list[str], hosts: Hosts, medperf: Served) -> Timed:
    """One run of ``args``, timed from outside (``benchkit.run``), with what each server
    process spent meanwhile; every reference is healthy, so any exit but 0 stops the bench."""
    hosts_before = hosts.reset().cpu
    medperf_before = float(medperf.stats()["cpu"])
    done = benchkit.run(args, env=os.environ, ok=(0,))
    hosts_after = hosts.stats()
    medperf_cpu = float(medperf.stats()["cpu"]) - medperf_before
    requests = sum(hosts_after.counts.values())
    return Timed(done.wall, done.cpu, hosts_after.cpu - hosts_before, medperf_cpu, requests)


def _history_write(folder: Path) -> tuple[float, float]:
    from medperf_lint.audit.history import History, RunInfo, Verdict, now

    verdicts = [
        Verdict("container", i, f"cube-{i}", f"field{k}", f"http://h/{i}/{k}", "ok")
        for i in range(ENTITIES)
        for k in range(PER_ENTITY + 1)
    ]
    path = folder / "history.sqlite3"
    times = []
    for _ in range(3):
        start = time.perf_counter()
        with History(path) as history:
            history.record(RunInfo("http://s", "bench", "containers", now()), verdicts)
        times.append(time.perf_counter() - start)
    return times[0], max(times[1:])


def _line(name: str, runs: list[Timed]) -> str:
    med = statistics.median
    return (
        f"  {name:<28} wall {med(r.wall for r in runs):5.2f} s {[round(r.wall, 2) for r in runs]}"
        f"  CPU {med(r.cpu for r in runs):4.2f} s  servers' CPU: hosts "
        f"{med(r.hosts_cpu for r in runs):4.2f} s, MedPerf {med(r.medperf_cpu for r in runs):4.2f} s"
        f"  requests {med(r.requests for r in runs):.0f}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--format", choices=("json", "text"), default="json")
    options = parser.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="medperf-lint-audit-bench-"))
    hosts = start_hosts()
    medperf: Served | None = None
    try:
        urls = hosts.urls(UNIQUE, "f", HOSTS)
        assert len(set(urls)) == UNIQUE
        plain = tmp / "urls.yaml"
        plain.write_text("urls:\n" + "".join(f"  - {u}\n" for u in urls))
        entities = tmp / "entities.json"
        entities.write_text(json.dumps(_entities(urls)))
        medperf = Served("medperf", entities=str(entities), token=TOKEN)
        common = ["--no-cache", "--allow-private-hosts", "--select", HTTP_RULES]
        common += ["--format", options.format]
        lint = [sys.executable, "-m", "medperf_lint", *common, str(plain)]
        audit = [sys.executable, "-m", "medperf_lint", "audit", "--server", medperf.hello["base"]]
        audit += [*common, "--entity", "containers"]
        os.environ["MEDPERF_LINT_MEDPERF_TOKEN"] = TOKEN
        audits: list[Timed] = []
        lints: list[Timed] = []
        audit += ["--history", str(tmp / "history.sqlite3")]
        _run(audit, hosts, medperf)  # untimed: the history's first run, and warm file caches
        _run(lint, hosts, medperf)
        for r in range(options.rounds):  # interleaved, the first side alternating
            for side in ("audit", "lint") if r % 2 == 0 else ("lint", "audit"):
                if side == "audit":
                    audits.append(_run(audit, hosts, medperf))
                else:
                    lints.append(_run(lint, hosts, medperf))
        a = statistics.median(r.wall for r in audits)
        p = statistics.median(r.wall for r in lints)
        paired = [x.wall / y.wall for x, y in zip(audits, lints, strict=True)]
        print(f"hosts: {HOSTS} loopback hosts, every answer after 50 ms; servers in own processes")
        print(f"audit: {ENTITIES} entities, {ENTITIES * PER_ENTITY} references, {UNIQUE} unique")
        print(f"both sides --format {options.format}, median of {options.rounds} rounds")
        print(_line("audit", audits))
        print(_line(f"plain lint of the {UNIQUE} URLs", lints))
        print(
            f"  ratio {a / p:.2f}x (target <= {TARGET}x): {'ok' if a / p <= TARGET else 'OVER'}"
            f"   per round {[round(x, 2) for x in paired]}"
        )
        cpu_a = statistics.median(r.cpu for r in audits)
        cpu_p = statistics.median(r.cpu for r in lints)
        print(f"  CPU ratio {cpu_a / cpu_p:.2f}x ({cpu_a - cpu_p:+.2f} s)")
        first, later = _history_write(tmp)
        verdict = "ok" if max(first, later) < HISTORY_TARGET else "OVER"
        print(
            f"history write of {ENTITIES * (PER_ENTITY + 1)} rows: {first:.3f} s into a new file, "
            f"{later:.3f} s on top of earlier runs (target < {HISTORY_TARGET} s): {verdict}"
        )
    finally:
        if medperf is not None:
            medperf.__exit__()
        hosts.close()
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
