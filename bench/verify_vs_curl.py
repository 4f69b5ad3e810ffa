"""Benchmark: hash verification of one large file, medperf-lint against `curl | sha256sum`.

Not part of the test suite. Serves SIZE bytes (default 1 GiB; deterministic, incompressible)
from a loopback HTTP server in another process, then in one run, interleaved ``BENCH_ROUNDS``
times (default 3):

* ``curl -s URL | sha256sum``, the floor: the download and the hash run in two processes;
* ``medperf-lint --verify-hashes --select hash-mismatch,hash-computed`` on a manifest whose
  ``asset_url`` is that URL with its right ``asset_hash`` (assets are not tarballs to MedPerf,
  so this times the download and the hash alone).

Prints the median wall times, their ratio (target ≤ 1.25) and medperf-lint's peak RSS
(target < 100 MB), read from ``wait4`` of its process.

Run: ``python bench/verify_vs_curl.py [--size-mib 1024] [--rounds 3]``.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import shutil
import statistics
import sys
import tempfile
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from multiprocessing import Process, Queue
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from benchkit import MEDPERF_LINT, Row, X, ratio, run, secs

BLOCK = 1024 * 1024
ROUNDS = int(os.environ.get("BENCH_ROUNDS", "3"))
TARGET = 1.25
RSS_TARGET_MB = 100


def _block() -> bytes:
    return hashlib.shake_256(b"medperf-lint bench").digest(BLOCK)


def _serve(size: int, ports: Queue[int]) -> None:
    block = _block()

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, format: str, *args: object) -> None:
            pass

        def do_HEAD(self) -> None:
            self._head()

        def _head(self) -> None:
            self.send_response(200)
            self.send_header("Content-Type", "application/octet-stream")
            self.send_header("Content-Length", str(size))
            self.end_headers()

        def do_GET(self) -> None:
            self._head()
            left = size
            while left > 0:
                chunk = block if left >= BLOCK else block[:left]
                self.wfile.write(chunk)
                left -= len(chunk)

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    ports.put(server.server_address[1])
    server.serve_forever()


def _expected(size: int) -> str:
    digest = hashlib.sha256()
    block = _block()
    left = size
    while left > 0:
        chunk = block if left >= BLOCK else block[:left]
        digest.update(chunk)
        left -= len(chunk)
    return digest.hexdigest()


@dataclass(frozen=True)
class Verify:
    """Median wall seconds of both over ``rounds`` interleaved runs; medperf-lint's peak RSS."""

    size_mib: int
    rounds: int
    curl_wall: float
    ours_wall: float
    peak_kib: int

    def rows(self) -> list[Row]:
        size = f"{self.size_mib / 1024:g} GiB" if self.size_mib >= 1024 else f"{self.size_mib} MiB"
        peak_mb = self.peak_kib * 1024 / 1e6
        return [
            Row(
                f"{size} hash verification (--verify-hashes)",
                secs(self.ours_wall),
                f"curl -s URL | sha256sum {secs(self.curl_wall)}",
                ratio(self.ours_wall, self.curl_wall),
                f"≤ {TARGET}{X}",
                self.ours_wall / self.curl_wall <= TARGET,
                f"median of {self.rounds} interleaved runs",
            ),
            Row(
                f"peak RSS while verifying {size}",
                f"{peak_mb:.0f} MB",
                goal=f"< {RSS_TARGET_MB} MB",
                met=peak_mb < RSS_TARGET_MB,
                notes="wait4 of the medperf-lint process",
            ),
        ]


def measure(size_mib: int = 1024, rounds: int = ROUNDS) -> Verify:
    size = size_mib * BLOCK
    ports: Queue[int] = Queue()
    server = Process(target=_serve, args=(size, ports), daemon=True)
    server.start()
    folder = Path(tempfile.mkdtemp(prefix="medperf-lint-verify-bench-"))
    try:
        port = ports.get(timeout=30)
        url = f"http://127.0.0.1:{port}/weights.bin"
        sha = _expected(size)
        manifest = folder / "asset.medperf.yaml"
        manifest.write_text(f"asset_url: {url}\nasset_hash: {sha}\n")
        lint = [*MEDPERF_LINT, str(manifest), "--verify-hashes", "--no-cache"]
        lint += ["--allow-private-hosts", "--select", "hash-mismatch,hash-computed"]
        lint += ["--format", "json"]
        walls: dict[str, list[float]] = {"curl": [], "medperf-lint": []}
        peak_kib = 0
        for _ in range(rounds):
            done = run(f"curl -s {url} | sha256sum")
            assert done.stdout.split()[0] == sha, "curl | sha256sum disagrees with the hash"
            walls["curl"].append(done.wall)
            done = run(lint)
            assert json.loads(done.stdout)["findings"] == [], done.stdout[:500]
            walls["medperf-lint"].append(done.wall)
            peak_kib = max(peak_kib, done.max_rss_kib)
    finally:
        server.terminate()
        server.join(10)
        shutil.rmtree(folder, ignore_errors=True)
    med = statistics.median
    return Verify(size_mib, rounds, med(walls["curl"]), med(walls["medperf-lint"]), peak_kib)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--size-mib", type=int, default=1024)
    parser.add_argument("--rounds", type=int, default=ROUNDS)
    args = parser.parse_args()
    found = measure(args.size_mib, args.rounds)
    print(f"{args.size_mib} MiB over loopback, median of {args.rounds} interleaved runs")
    print(f"  curl -s URL | sha256sum : {found.curl_wall:.2f} s")
    print(f"  medperf-lint verify     : {found.ours_wall:.2f} s")
    print(
        f"  ratio                   : {found.ours_wall / found.curl_wall:.2f} (target <= {TARGET})"
    )
    print(
        f"  medperf-lint peak RSS   : {found.peak_kib / 1024:.0f} MiB (target < {RSS_TARGET_MB} MB)"
    )


if __name__ == "__main__":
    main()
