"""A server playing the hostile mix of an attack on ``--deadline``: each host name is one trap.

Every name resolves to the one raw server (``--resolve NAME:PORT:127.0.0.1``) and the Host
header picks the trap: a body that never ends (fast, or a trickle), headers that never end
(slowly, or in bulk), a gzip bomb, a redirect loop, an echo of the request, redirects to a
signed URL and to one with user:password, and a GitHub API that streams endless JSON.
"""

from __future__ import annotations

import threading
import time
import zlib
from collections.abc import Iterable, Iterator

from servers.raw import RawServer, endless

API = "api.github.test"
RAW = "raw.githubusercontent.com"
TRAPS = (
    "endless.test",
    "trickle.test",
    "slow-headers.test",
    "huge-headers.test",
    "bomb.test",
    "loop.test",
    "echo.test",
    "signed.test",
    "userinfo.test",
)
CHUNKED = (
    b"HTTP/1.1 200 OK\r\nContent-Type: application/octet-stream\r\nTransfer-Encoding: chunked\r\n"
)


def _drip(data: bytes, pause: float, stop: threading.Event) -> Iterator[bytes]:
    yield data
    while not stop.is_set():
        time.sleep(pause)
        yield b"a"


def _bomb(stop: threading.Event) -> Iterator[bytes]:
    """A gzip body of zeros that never ends, about 1000:1."""
    yield CHUNKED + b"Content-Encoding: gzip\r\n\r\n"
    packer = zlib.compressobj(9, zlib.DEFLATED, 31)
    zeros = bytes(1 << 20)
    while not stop.is_set():
        piece = packer.compress(zeros)
        if piece:
            yield f"{len(piece):x}\r\n".encode() + piece + b"\r\n"


def _redirect(location: str) -> bytes:
    return f"HTTP/1.1 302 Found\r\nLocation: {location}\r\nContent-Length: 0\r\n\r\n".encode()


class HostileMix(RawServer):
    """``with HostileMix() as mix:`` then ``mix.urls()`` and ``mix.options()``."""

    def __init__(self) -> None:
        super().__init__(lambda _method, _path: b"")

    def urls(self) -> list[str]:
        traps = [f"http://{name}:{self.port}/w.tar.gz" for name in TRAPS]
        pinned = f"http://{RAW}:{self.port}/o/r/{'1' * 40}/w.tar.gz"  # asks GET /repos/o/r
        return [*traps, f"http://{RAW}:{self.port}/o/r/main/w.tar.gz", pinned]

    def options(self) -> list[str]:
        at = [
            a for name in (*TRAPS, API, RAW) for a in ("--resolve", f"{name}:{self.port}:127.0.0.1")
        ]
        return [*at, "--github-api-url", f"http://{API}:{self.port}", "--allow-private-hosts"]

    def respond(self, method: str, path: str, head: str) -> bytes | Iterable[bytes]:  # noqa: ARG002 (RawServer's signature)
        host = next(
            (
                line.split(":", 1)[1].strip()
                for line in head.split("\r\n")
                if line.lower().startswith("host:")
            ),
            "",
        )
        return trap_for(host, path, self.port, self.stopping)


def trap_for(host: str, path: str, port: int, stop: threading.Event) -> bytes | Iterable[bytes]:
    """The answer of the trap named by ``host`` (its name without the port)."""
    name = host.split(":", 1)[0]
    if name == API or (name == RAW and path.startswith("/o/")):
        return endless(CHUNKED.replace(b"octet-stream", b"json") + b"\r\n", b"[" * 256, 0.01, stop)
    if name == "endless.test":
        return endless(CHUNKED + b"\r\n", b"x" * 65536, 0.0, stop)
    if name == "trickle.test":
        return endless(CHUNKED + b"\r\n", b"x", 0.05, stop)
    if name == "slow-headers.test":
        return _drip(b"HTTP/1.1 200 OK\r\nX-Slow: ", 0.05, stop)
    if name == "huge-headers.test":
        return _huge_headers(stop)
    if name == "bomb.test":
        return _bomb(stop)
    if name == "loop.test":
        return _redirect(f"http://loop.test:{port}{path}x")
    if name == "signed.test":
        return _redirect(f"http://echo.test:{port}/s?X-Amz-Signature=abcd&X-Amz-Credential=k")
    if name == "userinfo.test":
        return _redirect(f"http://user:hunter2@echo.test:{port}/u")
    return _echo(path)


def _huge_headers(stop: threading.Event) -> Iterator[bytes]:
    yield b"HTTP/1.1 200 OK\r\n"
    line = b"X-Big: " + b"b" * 4000 + b"\r\n"
    while not stop.is_set():
        yield line * 16


def _echo(path: str) -> bytes:
    body = ("GET " + path + " " + "e" * 200_000).encode()
    head = f"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: {len(body)}\r\n\r\n"
    return head.encode() + body
