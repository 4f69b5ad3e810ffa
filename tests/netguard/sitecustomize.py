"""Loopback-only guard, loaded into the test process and every Python process it starts.

An audit hook watches ``socket.connect`` and ``socket.getaddrinfo``. A connection to, or a
name lookup of, anything outside 127.0.0.0/8 and ::1 is refused and written to the file named
by ``MPL_TESTS_NETGUARD_LOG``; tests/conftest.py fails the test that caused it. Tests that
must reach the package registry (pre-commit installing its hook environment, the
synapseclient 4.1.1 venv) start their tools without this folder on PYTHONPATH.
"""

from __future__ import annotations

import ipaddress
import os
import sys
from typing import Any

_NAMES = {"localhost", "localhost.localdomain", "ip6-localhost"}


def _is_loopback(host: object) -> bool:
    if host is None:
        return True
    if isinstance(host, bytes):
        host = host.decode("ascii", "replace")
    if not isinstance(host, str):
        return True
    name = host.strip("[]").split("%", 1)[0].lower().rstrip(".")
    if name in _NAMES or name == "":
        return True
    try:
        return ipaddress.ip_address(name).is_loopback
    except ValueError:
        return False


def _violation(what: str) -> None:
    log = os.environ.get("MPL_TESTS_NETGUARD_LOG")
    if log:
        with open(log, "a", encoding="utf-8") as handle:
            handle.write(f"{os.getpid()} {what}\n")
    raise PermissionError(f"netguard: tests may only use loopback, not {what}")


def _hook(event: str, args: tuple[Any, ...]) -> None:
    if event == "socket.connect":
        address = args[1]
        if isinstance(address, tuple) and not _is_loopback(address[0]):
            _violation(f"connect to {address[0]}")
    elif event == "socket.getaddrinfo":
        if not _is_loopback(args[0]):
            _violation(f"name lookup of {args[0]}")
    elif event == "socket.gethostbyname" and not _is_loopback(args[0]):
        _violation(f"name lookup of {args[0]}")


if os.environ.get("MPL_TESTS_NETGUARD_LOG"):
    sys.addaudithook(_hook)

if os.environ.get("MPL_TESTS_OUTPUT_LOG"):  # not the net guard: tests/outputcheck validates
    import outputcheck  # every JSON and SARIF output, in this process and its children

    outputcheck.install()
