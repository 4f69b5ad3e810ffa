"""A local HTTP(S) server that plays several real hosts at once, routed by the Host header.

Tests reach it through ``--resolve HOST:PORT:127.0.0.1`` with a trustme certificate for every
name, so the linter sends the real Host header and SNI. Each route answers with a script of
replies (the last one repeats), which is how "503, then 200" or "429 with Retry-After, then
200" are played. Every request is counted per (host, path) and logged with its method and
headers. Replies can also hang (until the server stops) or reset the connection.
"""

from __future__ import annotations

import socket
import ssl
import struct
import threading
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit

from servers.answering import GetHeadHandler

# The real host names the servers play; the test CA's certificate names them all.
HOSTS = (
    "raw.githubusercontent.com",
    "media.githubusercontent.com",
    "github.com",
    "objects.githubusercontent.com",
    "drive.google.com",
    "drive.usercontent.google.com",
    "accounts.google.com",
    "www.dropbox.com",
    "storage.googleapis.com",
    "bucket.s3.amazonaws.com",
    "zenodo.org",
)


@dataclass(frozen=True)
class Reply:
    """One scripted answer. ``ranged`` bodies honour ``Range: bytes=A-B`` with a 206."""

    status: int = 200
    body: bytes = b""
    headers: tuple[tuple[str, str], ...] = ()
    content_type: str | None = "application/octet-stream"
    ranged: bool = True
    head_status: int | None = None  # answer HEAD with this status instead (e.g. 405)
    hang: bool = False  # never answer (until the server stops)
    reset: bool = False  # close the connection with a TCP RST, no answer
    head_reset: bool = False  # reset only HEAD requests
    trickle: bool = False  # announce a large body, then send the body slowly, forever
    # the body is stored gzip-encoded, as GCS keeps an object with Content-Encoding metadata:
    # "always" sends it with Content-Encoding: gzip; "accepted" only to a client whose
    # Accept-Encoding has gzip, and decoded (without the header) to any other (GCS transcoding)
    gzip_encoded: str | None = None


def redirect(status: int, location: str) -> Reply:
    return Reply(status, headers=(("Location", location),), content_type=None, ranged=False)


def page(html: str, status: int = 200, content_type: str = "text/html; charset=utf-8") -> Reply:
    return Reply(status, html.encode(), content_type=content_type, ranged=False)


@dataclass(frozen=True)
class Seen:
    method: str
    host: str
    path: str
    headers: dict[str, str]  # lower-case names


@dataclass
class _Route:
    replies: Sequence[Reply]
    served: int = 0

    def next(self) -> Reply:
        reply = self.replies[min(self.served, len(self.replies) - 1)]
        self.served += 1
        return reply


@dataclass
class HostsServer:
    """Serve scripted routes on 127.0.0.1; HTTPS when given a server SSL context."""

    context: ssl.SSLContext | None = None
    routes: dict[tuple[str, str], _Route] = field(default_factory=dict)
    counts: Counter[tuple[str, str]] = field(default_factory=Counter)
    log: list[Seen] = field(default_factory=list)
    stopping: threading.Event = field(default_factory=threading.Event)

    def __post_init__(self) -> None:
        self._lock = threading.Lock()
        self._server = _Server(("127.0.0.1", 0), _handler_for(self))
        self._server.daemon_threads = True
        if self.context is not None:
            self._server.socket = self.context.wrap_socket(self._server.socket, server_side=True)
        self.port: int = self._server.server_address[1]
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def scheme(self) -> str:
        return "https" if self.context is not None else "http"

    def url(self, host: str, path: str) -> str:
        return f"{self.scheme}://{host}:{self.port}{path}"

    def resolve(self, *hosts: str) -> tuple[str, ...]:
        """``--resolve`` entries sending each host on this server's port to 127.0.0.1."""
        return tuple(f"{h}:{self.port}:127.0.0.1" for h in hosts)

    def route(self, host: str, path: str, *replies: Reply) -> str:
        """Answer ``host`` + ``path`` with ``replies`` in turn; returns the URL."""
        self.routes[(host, path)] = _Route(replies or (Reply(),))
        return self.url(host, path)

    def hits(self, host: str, path: str) -> int:
        return self.counts[(host, path)]

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    def record(self, method: str, host: str, path: str, headers: dict[str, str]) -> Reply | None:
        with self._lock:
            self.counts[(host, path)] += 1
            self.log.append(Seen(method, host, path, headers))
            route = self.routes.get((host, path))
            return route.next() if route else None

    def __enter__(self) -> HostsServer:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stopping.set()
        self._server.shutdown()
        self._server.server_close()


class _Server(ThreadingHTTPServer):
    # A full accept queue drops connections the client already counts as open, which looks
    # like a server that never answers; many hosts at once need more than the default 5.
    request_queue_size = 1024


def _handler_for(server: HostsServer) -> type[BaseHTTPRequestHandler]:
    class Handler(GetHeadHandler):
        def _answer(self, head: bool) -> None:
            host = (self.headers.get("Host") or "").rsplit(":", 1)[0].lower()
            path = urlsplit(self.path).path + (
                "?" + urlsplit(self.path).query if urlsplit(self.path).query else ""
            )
            headers = {k.lower(): v for k, v in self.headers.items()}
            reply = server.record(self.command, host, path, headers)
            if reply is None:
                reply = page("<html><body>no such route</body></html>", 404)
            if reply.hang:
                server.stopping.wait(30)
                self.close_connection = True
                return
            if reply.trickle and not head:
                _trickle(self, reply, server)
                return
            if reply.reset or (head and reply.head_reset):
                _reset(self.connection)
                self.close_connection = True
                return
            status = reply.head_status if head and reply.head_status else reply.status
            body, extra = _encoded(reply, headers)
            body, status, ranges = _ranged(reply, status, body, headers.get("range", ""))
            extra += ranges
            self.send_response(status)
            if reply.content_type:
                self.send_header("Content-Type", reply.content_type)
            for name, value in (*reply.headers, *extra):
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            if not head:
                self.wfile.write(body)

    return Handler


def _trickle(handler: BaseHTTPRequestHandler, reply: Reply, server: HostsServer) -> None:
    """Promise a huge body and send it slowly until the server stops."""
    handler.send_response(200)
    handler.send_header("Content-Type", "application/octet-stream")
    handler.send_header("Content-Length", str(1 << 30))
    handler.end_headers()
    while not server.stopping.wait(0.05):
        try:
            handler.wfile.write(reply.body[:4096] or b"x" * 4096)
            handler.wfile.flush()
        except OSError:
            break
    handler.close_connection = True


def _encoded(reply: Reply, headers: dict[str, str]) -> tuple[bytes, list[tuple[str, str]]]:
    """The body as sent and its Content-Encoding header: gzip when stored so and accepted
    (or always), else decoded."""
    if reply.gzip_encoded is None:
        return reply.body, []
    if reply.gzip_encoded == "always" or "gzip" in headers.get("accept-encoding", ""):
        return reply.body, [("Content-Encoding", "gzip")]
    import gzip

    return gzip.decompress(reply.body), []


def _ranged(
    reply: Reply, status: int, body: bytes, wanted: str
) -> tuple[bytes, int, list[tuple[str, str]]]:
    """A ``Range: bytes=…`` answer (206 and the slice) where the route serves ranges."""
    if not reply.ranged:
        return body, status, []
    extra = [("Accept-Ranges", "bytes")]
    if status == 200 and wanted.startswith("bytes=") and body:
        first, _, last = wanted[len("bytes=") :].partition("-")
        start, end = int(first or 0), min(int(last or len(body) - 1), len(body) - 1)
        extra.insert(0, ("Content-Range", f"bytes {start}-{end}/{len(body)}"))
        body, status = body[start : end + 1], 206
    return body, status, extra


def _reset(conn: socket.socket) -> None:
    """Drop the connection with RST (SO_LINGER 0), the way an overloaded proxy does."""
    raw = conn
    if isinstance(conn, ssl.SSLSocket):
        raw = socket.socket(fileno=conn.detach())
    raw.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    raw.close()


def gzip_bytes(size: int = 20000) -> bytes:
    """A real gzip stream of ``size`` bytes of varied content."""
    import gzip
    import random

    rng = random.Random(7)
    data = gzip.compress(bytes(rng.getrandbits(8) for _ in range(size)))
    return data


def tar_bytes() -> bytes:
    """A real (uncompressed) tar archive with one member."""
    import io
    import tarfile

    out = io.BytesIO()
    with tarfile.open(fileobj=out, mode="w") as tar:
        data = b"weights" * 100
        info = tarfile.TarInfo("model/weights.bin")
        info.size = len(data)
        tar.addfile(info, io.BytesIO(data))
    return out.getvalue()
