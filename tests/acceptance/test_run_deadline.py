"""``--deadline`` ends the whole process, whichever provider is stuck.

One server accepts every connection and never answers: the HTTP probes (plain and TLS), the
GitHub API and Synapse all hang on it at once. The command runs in a child process, so what is
measured is the process itself: it must exit soon after the deadline (within its start-up
measured on this machine, tests/deadlinekit.py; not a benchmark) with every unfinished check
reported inconclusive, whatever threads are stuck.
"""

from __future__ import annotations

import json
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator

import pytest
from deadlinekit import budget

DEADLINE = 3.0


@pytest.fixture
def silent_port() -> Iterator[int]:
    """A port on 127.0.0.1 that accepts connections and never sends a byte."""
    listener = socket.create_server(("127.0.0.1", 0))
    held: list[socket.socket] = []
    stop = threading.Event()

    def accept() -> None:
        listener.settimeout(0.1)
        while not stop.is_set():
            try:
                conn, _ = listener.accept()
            except OSError:
                continue
            held.append(conn)

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    yield listener.getsockname()[1]
    stop.set()
    thread.join(5)
    for conn in held:
        conn.close()
    listener.close()


def test_every_provider_stuck_still_ends_at_the_deadline(silent_port: int) -> None:
    port = silent_port
    raw = f"https://raw.githubusercontent.com:{port}/o/r/main/w.tar.gz"  # a TLS handshake hangs
    plain = f"http://127.0.0.1:{port}/w.tar.gz"
    command = [
        sys.executable,
        "-m",
        "medperf_lint",
        *("--ref", raw, "--ref", plain, "--ref", "synapse:syn3000"),
        *("--resolve", f"raw.githubusercontent.com:{port}:127.0.0.1"),
        *("--github-api-url", f"http://127.0.0.1:{port}"),
        *("--synapse-endpoint", f"http://127.0.0.1:{port}/repo/v1"),
        "--allow-private-hosts",
        *("--deadline", f"{DEADLINE:g}", "--select", "inconclusive"),
        *("--format", "json", "--no-cache"),
    ]
    started = time.monotonic()
    proc = subprocess.run(command, capture_output=True, text=True, timeout=60, check=False)
    seconds = time.monotonic() - started
    assert proc.returncode == 0, proc.stdout + proc.stderr
    findings = json.loads(proc.stdout)["findings"]
    messages = sorted((f["reference"], f["message"]) for f in findings)
    assert [ref for ref, _ in messages] == [plain, raw, raw, "synapse:syn3000"], messages
    assert all("deadline" in message for _, message in messages), messages
    assert seconds < budget(DEADLINE), (seconds, budget(DEADLINE), proc.stderr)
