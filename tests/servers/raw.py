"""A plain-TCP HTTP server that answers with exactly the bytes a test gives, byte for byte.

For what a well-behaved server (http.server) never sends: bare LF line endings, a body longer
than its Content-Length. Requests on one connection are answered in turn, so a test can see
what the client does with the next response after a malformed one. Every request line is
recorded with the connection it came on.
"""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import TypeVar

# (method, path) -> the whole response, or chunks sent one by one (an endless stream)
Answer = Callable[[str, str], bytes | Iterable[bytes]]


_Server = TypeVar("_Server", bound="RawServer")


@dataclass
class RawServer:
    answer: Answer
    seen: list[tuple[int, str, str]] = field(default_factory=list)  # (connection, method, path)

    def __post_init__(self) -> None:
        self._sock = socket.socket()
        self._sock.bind(("127.0.0.1", 0))
        self._sock.listen(64)
        self.port: int = self._sock.getsockname()[1]
        self._lock = threading.Lock()
        self._connections = 0
        self._stop = threading.Event()

    @property
    def stopping(self) -> threading.Event:
        return self._stop

    def url(self, host: str, path: str) -> str:
        return f"http://{host}:{self.port}{path}"

    def __enter__(self: _Server) -> _Server:
        threading.Thread(target=self._accept, daemon=True).start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._sock.close()

    def _accept(self) -> None:
        while not self._stop.is_set():
            try:
                conn, _ = self._sock.accept()
            except OSError:
                return
            with self._lock:
                self._connections += 1
                number = self._connections
            threading.Thread(target=self._serve, args=(conn, number), daemon=True).start()

    def respond(self, method: str, path: str, head: str) -> bytes | Iterable[bytes]:  # noqa: ARG002 (head is for overrides)
        """The answer to one request (``head``: its request line and headers)."""
        return self.answer(method, path)

    def _serve(self, conn: socket.socket, number: int) -> None:
        buffer = b""
        with conn:
            conn.settimeout(10)
            while True:
                while b"\r\n\r\n" not in buffer:
                    try:
                        data = conn.recv(65536)
                    except OSError:
                        return
                    if not data:
                        return
                    buffer += data
                head, buffer = buffer.split(b"\r\n\r\n", 1)
                method, path = head.split(b"\r\n", 1)[0].decode("latin-1").split(" ")[:2]
                with self._lock:
                    self.seen.append((number, method, path))
                answer = self.respond(method, path, head.decode("latin-1"))
                chunks = [answer] if isinstance(answer, bytes) else answer
                try:
                    for chunk in chunks:
                        if self._stop.is_set():
                            return
                        conn.sendall(chunk)
                except OSError:
                    return


def endless(head: bytes, chunk: bytes, pause: float, stop: threading.Event) -> Iterable[bytes]:
    """``head``, then ``chunk`` every ``pause`` seconds until ``stop`` (chunked encoding)."""
    yield head
    frame = f"{len(chunk):x}\r\n".encode() + chunk + b"\r\n"
    while not stop.is_set():
        yield frame
        if pause:
            time.sleep(pause)


def silence(stop: threading.Event) -> Iterable[bytes]:
    """No answer at all, until the server stops."""
    stop.wait(60)
    return
    yield b""
