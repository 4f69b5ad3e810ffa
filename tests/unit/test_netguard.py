"""The loopback-only guard itself works, in this process and in the processes tests start."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

LOG = Path(os.environ["MEDPERF_LINT_NETGUARD_LOG"])


@pytest.fixture
def restore_log() -> Iterator[None]:
    """These tests trip the guard on purpose; put the log back so the autouse check passes."""
    before = LOG.read_text() if LOG.exists() else ""
    yield
    LOG.write_text(before)


@pytest.mark.usefixtures("restore_log")
def test_name_lookup_beyond_loopback_is_refused_in_process() -> None:
    with pytest.raises(PermissionError, match="netguard"):
        socket.getaddrinfo("example.invalid", 443)
    assert "name lookup of example.invalid" in LOG.read_text()


@pytest.mark.usefixtures("restore_log")
def test_connect_beyond_loopback_is_refused_in_a_child_process() -> None:
    code = "import socket; socket.create_connection(('192.0.2.1', 9), timeout=1)"
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert proc.returncode != 0
    assert "netguard" in proc.stderr
    assert "192.0.2.1" in LOG.read_text()  # refused at the lookup, before any packet


def test_loopback_is_allowed() -> None:
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(1)
    with server, socket.create_connection(server.getsockname(), timeout=5):
        pass
    assert socket.getaddrinfo("localhost", 80)


@pytest.mark.usefixtures("restore_log")
def test_connect_to_an_address_beyond_loopback_is_refused() -> None:
    sock = socket.socket()
    with sock, pytest.raises(PermissionError, match="netguard"):
        sock.connect(("192.0.2.1", 9))
    assert "connect to 192.0.2.1" in LOG.read_text()
