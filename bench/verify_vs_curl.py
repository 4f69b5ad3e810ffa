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

Run: ``python bench/verify_vs_curl.py [--size-mib 1024]``.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import statistics
import subprocess
import sys
import tempfile
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from multiprocessing import Process, Queue
from pathlib import Path

BLOCK = 1024 * 1024
ROUNDS = int(os.environ.get("BENCH_ROUNDS", "3"))


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


def _timed(command: list[str], shell: bool = False) -> tuple[float, int, str]:
    """Wall seconds, the process's own peak RSS in KiB (from wait4), and its stdout."""
    start = time.perf_counter()
    proc = subprocess.Popen(
        " ".join(command) if shell else command,
        shell=shell,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    assert proc.stdout is not None
    out = proc.stdout.read()
    _pid, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode not in (0, 1):
        sys.exit(f"command failed ({proc.returncode}): {command}")
    return wall, usage.ru_maxrss, out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--size-mib", type=int, default=1024)
    args = parser.parse_args()
    size = args.size_mib * BLOCK
    ports: Queue[int] = Queue()
    server = Process(target=_serve, args=(size, ports), daemon=True)
    server.start()
    port = ports.get(timeout=30)
    url = f"http://127.0.0.1:{port}/weights.bin"
    sha = _expected(size)
    folder = Path(tempfile.mkdtemp(prefix="medperf-lint-verify-bench-"))
    manifest = folder / "asset.medperf.yaml"
    manifest.write_text(f"asset_url: {url}\nasset_hash: {sha}\n")
    lint = [
        sys.executable,
        "-m",
        "medperf_lint",
        str(manifest),
        "--verify-hashes",
        "--no-cache",
        "--allow-private-hosts",
        "--select",
        "hash-mismatch,hash-computed",
        "--format",
        "json",
    ]
    curl = ["curl", "-s", url, "|", "sha256sum"]
    walls: dict[str, list[float]] = {"curl": [], "medperf-lint": []}
    peak_kib = 0
    for _ in range(ROUNDS):
        wall, _peak, out = _timed(curl, shell=True)
        assert out.split()[0] == sha, "curl | sha256sum disagrees with the expected hash"
        walls["curl"].append(wall)
        wall, peak, out = _timed(lint)
        assert '"findings": []' in out.replace("\n", "").replace("  ", ""), out[:500]
        walls["medperf-lint"].append(wall)
        peak_kib = max(peak_kib, peak)
    server.terminate()
    curl_median = statistics.median(walls["curl"])
    lint_median = statistics.median(walls["medperf-lint"])
    print(f"{args.size_mib} MiB over loopback, median of {ROUNDS} interleaved runs")
    print(f"  curl -s URL | sha256sum : {curl_median:.2f} s")
    print(f"  medperf-lint verify     : {lint_median:.2f} s")
    print(f"  ratio                   : {lint_median / curl_median:.2f} (target <= 1.25)")
    print(f"  medperf-lint peak RSS   : {peak_kib / 1024:.0f} MiB (target < 100 MB)")


if __name__ == "__main__":
    main()
