"""A small asyncio HTTP/1.1 client for probing: one request, at most a window of body.

Why not requests here: a probe sends thousands of HEADs and ranged GETs that each read a few
KiB. Through requests and a thread per connection, the client's CPU (and the GIL passed
between 64 threads) was the bottleneck, not the network. One event loop with plain streams
does the same work for a fraction of the CPU. The GitHub and Synapse clients keep requests:
they make few calls.

What it does: connects to a given (already checked) address while sending the real host in
``Host`` and in TLS SNI, verifies the certificate for that host, keeps idle connections per
(scheme, host, port, address) for reuse, reads a response head, and reads a body only up to
``limit`` bytes (closing the connection when the rest is not read). It follows nothing:
redirects, retries and policy belong to the caller.
"""

from __future__ import annotations

import asyncio
import ssl
from collections import defaultdict
from collections.abc import Coroutine
from dataclasses import dataclass
from typing import Any, TypeVar
from urllib.parse import quote, urlsplit

T = TypeVar("T")
MAX_HEAD = 64 * 1024  # bytes of status line and headers
_SAFE_PATH = "/%:@!$&'()*+,;=-._~"
_SAFE_QUERY = _SAFE_PATH + "?"


class WireError(Exception):
    """A failed exchange: ``kind`` (refused, reset, tls, timeout, connect-timeout,
    connect-failed, bad-response) and a human ``detail`` that never quotes the URL."""

    def __init__(self, kind: str, detail: str):
        super().__init__(detail)
        self.kind = kind
        self.detail = detail


@dataclass(frozen=True)
class WireResponse:
    status: int
    headers: dict[str, str]  # lower-case names; repeated headers joined with ", "
    body: bytes


@dataclass
class _Conn:
    reader: asyncio.StreamReader
    writer: asyncio.StreamWriter

    def close(self) -> None:
        self.writer.close()


def tls_context(ca: str | bool) -> ssl.SSLContext:
    """Verification as requests does it: the given bundle, else certifi's, else the system's."""
    if isinstance(ca, str):
        import os

        if os.path.isdir(ca):
            return ssl.create_default_context(capath=ca)
        return ssl.create_default_context(cafile=ca)
    try:
        import certifi

        return ssl.create_default_context(cafile=certifi.where())
    except ImportError:  # pragma: no cover - certifi comes with requests
        return ssl.create_default_context()


def request_target(url: str) -> str:
    """The path and query to send, with characters that are not allowed in them encoded."""
    parts = urlsplit(url)
    target = quote(parts.path or "/", safe=_SAFE_PATH)
    if parts.query:
        target += "?" + quote(parts.query, safe=_SAFE_QUERY)
    return target


class WireClient:
    """Pooled connections; one instance per run, used from one event loop."""

    def __init__(self, tls: ssl.SSLContext, headers: dict[str, str]):
        self._tls = tls
        self._headers = headers
        self._idle: dict[tuple[str, str, int, str], list[_Conn]] = defaultdict(list)

    async def request(
        self,
        method: str,
        url: str,
        address: str,
        headers: dict[str, str],
        *,
        connect_timeout: float,
        read_timeout: float,
        limit: int,
    ) -> WireResponse:
        parts = urlsplit(url)
        scheme = parts.scheme.lower()
        host = (parts.hostname or "").lower()
        port = parts.port or (443 if scheme == "https" else 80)
        key = (scheme, host, port, address)
        default_port = port == (443 if scheme == "https" else 80)
        host_header = host if ":" not in host else f"[{host}]"
        if not default_port:
            host_header += f":{port}"
        lines = [f"{method} {request_target(url)} HTTP/1.1", f"Host: {host_header}"]
        lines += [f"{k}: {v}" for k, v in {**self._headers, **headers}.items()]
        payload = ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1", "replace")
        reused = self._take(key)
        conn = reused or await self._connect(scheme, host, port, address, connect_timeout)
        try:
            return await self._exchange(conn, key, method, payload, read_timeout, limit)
        except WireError as err:
            if reused is not None and err.kind == "reset":
                # A kept-alive connection the server had already closed: one fresh try.
                fresh = await self._connect(scheme, host, port, address, connect_timeout)
                return await self._exchange(fresh, key, method, payload, read_timeout, limit)
            raise

    def _take(self, key: tuple[str, str, int, str]) -> _Conn | None:
        idle = self._idle.get(key)
        while idle:
            conn = idle.pop()
            if not conn.reader.at_eof() and not conn.writer.is_closing():
                return conn
            conn.close()
        return None

    async def _connect(
        self, scheme: str, host: str, port: int, address: str, timeout: float
    ) -> _Conn:
        tls = self._tls if scheme == "https" else None
        try:
            reader, writer = await _within(
                timeout,
                asyncio.open_connection(
                    address,
                    port,
                    ssl=tls,
                    server_hostname=host if tls is not None else None,
                    limit=MAX_HEAD,
                ),
            )
        except asyncio.TimeoutError:
            raise WireError("connect-timeout", "no connection within the connect timeout") from None
        except ssl.SSLCertVerificationError as err:
            raise WireError(
                "tls", f"TLS certificate check failed: {err.verify_message or err.reason}"
            ) from None
        except ssl.SSLError as err:
            raise WireError(
                "tls", f"TLS handshake failed: {err.reason or type(err).__name__}"
            ) from None
        except ConnectionRefusedError:
            raise WireError("refused", "connection refused") from None
        except (ConnectionResetError, BrokenPipeError):
            raise WireError("reset", "connection reset by the server") from None
        except OSError as err:
            raise WireError("connect-failed", f"cannot connect: {err.strerror or err}") from None
        return _Conn(reader, writer)

    async def _exchange(
        self,
        conn: _Conn,
        key: tuple[str, str, int, str],
        method: str,
        payload: bytes,
        timeout: float,
        limit: int,
    ) -> WireResponse:
        """Send and read back, all within ``timeout`` (one timer per request: cheap)."""
        outcome: list[bool] = [False]  # whether the connection may be kept
        try:
            return await _within(timeout, self._talk(conn, method, payload, limit, outcome))
        except asyncio.TimeoutError:
            raise WireError("timeout", "no response within the read timeout") from None
        except (ConnectionResetError, BrokenPipeError, asyncio.IncompleteReadError):
            raise WireError(
                "reset", "the server closed the connection without a complete answer"
            ) from None
        except ssl.SSLError as err:
            raise WireError("tls", f"TLS error: {err.reason or type(err).__name__}") from None
        except (asyncio.LimitOverrunError, ValueError) as err:
            raise WireError("bad-response", f"malformed HTTP response ({err})") from None
        except OSError as err:
            raise WireError("reset", f"connection failed: {err.strerror or err}") from None
        finally:
            if outcome[0]:
                self._idle[key].append(conn)
            else:
                conn.close()

    @staticmethod
    async def _talk(
        conn: _Conn, method: str, payload: bytes, limit: int, outcome: list[bool]
    ) -> WireResponse:
        conn.writer.write(payload)
        await conn.writer.drain()
        while True:
            status, version, headers = await _read_head(conn.reader)
            if status >= 200 or status == 101:
                break  # 1xx interim answers are skipped
        body, complete = await _read_body(conn.reader, method, status, headers, limit)
        outcome[0] = complete and _keep_alive(version, headers)
        return WireResponse(status, headers, body)

    def close(self) -> None:
        for conns in self._idle.values():
            for conn in conns:
                conn.close()
        self._idle.clear()


async def _within(timeout: float, work: Coroutine[Any, Any, T]) -> T:
    """``work`` bounded by ``timeout``; raises asyncio.TimeoutError.

    ``asyncio.timeout`` (3.11+) is a timer on the running task; ``wait_for`` wraps the work
    in a new task each time, which is measurable at thousands of requests.
    """
    scope = getattr(asyncio, "timeout", None)
    if scope is None:  # Python 3.10
        return await asyncio.wait_for(work, timeout)
    async with scope(timeout):
        return await work


async def _read_head(reader: asyncio.StreamReader) -> tuple[int, str, dict[str, str]]:
    raw = await reader.readuntil(b"\r\n\r\n")
    text = raw.decode("latin-1")
    status_line, _, rest = text.partition("\r\n")
    version, _, remainder = status_line.partition(" ")
    if not version.startswith("HTTP/"):
        raise ValueError("no HTTP status line")
    status = int(remainder.strip()[:3])
    headers: dict[str, str] = {}
    for line in rest.split("\r\n"):
        if not line or ":" not in line:
            continue
        name, _, value = line.partition(":")
        name = name.strip().lower()
        value = value.strip()
        headers[name] = f"{headers[name]}, {value}" if name in headers else value
    return status, version, headers


async def _read_body(
    reader: asyncio.StreamReader,
    method: str,
    status: int,
    headers: dict[str, str],
    limit: int,
) -> tuple[bytes, bool]:
    """(at most ``limit`` body bytes, whether the whole body was consumed)."""
    if method == "HEAD" or status in (204, 304) or status < 200:
        return b"", True
    if "chunked" in headers.get("transfer-encoding", "").lower():
        return await _read_chunked(reader, limit)
    length = headers.get("content-length", "").strip()
    if length.isdigit():
        size = int(length)
        body = await reader.readexactly(min(size, limit))
        return body, size <= limit
    chunks: list[bytes] = []
    got = 0
    while got < limit:  # no length: read until the window is full or the server closes
        chunk = await reader.read(limit - got)
        if not chunk:
            return b"".join(chunks), False
        chunks.append(chunk)
        got += len(chunk)
    return b"".join(chunks), False


async def _read_chunked(reader: asyncio.StreamReader, limit: int) -> tuple[bytes, bool]:
    chunks: list[bytes] = []
    got = 0
    while got < limit:
        size_line = await reader.readuntil(b"\r\n")
        size = int(size_line.split(b";", 1)[0].strip() or b"0", 16)
        if size == 0:
            while (await reader.readuntil(b"\r\n")) != b"\r\n":
                pass  # trailers
            return b"".join(chunks), True
        take = min(size, limit - got)
        chunks.append(await reader.readexactly(take))
        got += take
        if take < size:
            return b"".join(chunks), False
        await reader.readexactly(2)  # CRLF after the chunk
    return b"".join(chunks), False


def _keep_alive(version: str, headers: dict[str, str]) -> bool:
    connection = headers.get("connection", "").lower()
    if "close" in connection:
        return False
    return version != "HTTP/1.0" or "keep-alive" in connection
