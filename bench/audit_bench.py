"""Benchmark: ``medperf-lint audit`` of 1,000 entities against a plain lint of their URLs.

Not part of the test suite. The loopback hosts of ``online_vs_lychee.py`` (8 hosts, every
answer after 50 ms) serve 3,000 unique file URLs. A fake MedPerf server (the tests' own,
``tests/servers/fake_medperf.py``, over plain HTTP on 127.0.0.1) holds 1,000 containers, each
with 6 references (``container_config.image`` of a ``DockerArchive``, the additional-files
tarball and 4 URLs in ``parameters_config``): 6,000 references, each URL used twice. Then,
median of ``--rounds`` interleaved runs, both as subprocesses with the HTTP rules only and
``--no-cache``:

1. ``medperf-lint audit --server … --history FILE`` (paging the API, linting, recording);
2. ``medperf-lint urls.yaml`` over the same 3,000 unique URLs.

Target: audit within 1.3x of the plain lint. Separately, in-process: the history write of one
run of this size (7,000 rows: 6,000 references and 1,000 entities), first into an empty file and
then on top of earlier runs. Target: under 0.5 s.

Run: ``python bench/audit_bench.py [--rounds 3]``.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT / "bench"), str(ROOT / "tests")]

from online_vs_lychee import HOSTS, HTTP_RULES, start_hosts  # noqa: E402
from servers import fake_medperf as fm  # noqa: E402

ENTITIES = 1000
PER_ENTITY = 6
UNIQUE = 3000
TARGET = 1.3
HISTORY_TARGET = 0.5


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


def _run(args: list[str]) -> float:
    start = time.perf_counter()
    done = subprocess.run(args, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    wall = time.perf_counter() - start
    if done.returncode not in (0, 1):
        raise SystemExit(f"{args[:4]} failed ({done.returncode}): {done.stderr[-500:]}")
    return wall


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


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=3)
    options = parser.parse_args()
    hosts = start_hosts()
    tmp = Path(tempfile.mkdtemp(prefix="medperf-lint-audit-bench-"))
    try:
        urls = hosts.urls(UNIQUE, "f", HOSTS)
        assert len(set(urls)) == UNIQUE
        plain = tmp / "urls.yaml"
        plain.write_text("urls:\n" + "".join(f"  - {u}\n" for u in urls))
        with fm.FakeMedPerf(None, host="127.0.0.1", token="bench-token") as server:
            server.add("mlcubes", *_entities(urls))
            common = ["--no-cache", "--allow-private-hosts", "--select", HTTP_RULES]
            lint = [sys.executable, "-m", "medperf_lint", *common, str(plain)]
            audit = [sys.executable, "-m", "medperf_lint", "audit", "--server", server.base]
            audit += [*common, "--entity", "containers", "--format", "json"]
            os.environ["MEDPERF_LINT_MEDPERF_TOKEN"] = server.token
            audits, lints = [], []
            for r in range(options.rounds):
                history = tmp / f"history-{r}.sqlite3"
                audits.append(_run([*audit, "--history", str(history)]))
                lints.append(_run(lint))
        a, p = statistics.median(audits), statistics.median(lints)
        print(f"hosts: {HOSTS} loopback hosts, every answer after 50 ms")
        print(f"audit: {ENTITIES} entities, {ENTITIES * PER_ENTITY} references, {UNIQUE} unique")
        print(f"  audit (median of {options.rounds}): {a:.2f} s  {[round(x, 2) for x in audits]}")
        print(f"  plain lint of the {UNIQUE} URLs:    {p:.2f} s  {[round(x, 2) for x in lints]}")
        print(f"  ratio {a / p:.2f}x (target <= {TARGET}x): {'ok' if a / p <= TARGET else 'OVER'}")
        first, later = _history_write(tmp)
        verdict = "ok" if max(first, later) < HISTORY_TARGET else "OVER"
        print(
            f"history write of {ENTITIES * (PER_ENTITY + 1)} rows: {first:.3f} s into a new file, "
            f"{later:.3f} s on top of earlier runs (target < {HISTORY_TARGET} s): {verdict}"
        )
    finally:
        hosts.close()


if __name__ == "__main__":
    main()
