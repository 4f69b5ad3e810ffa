"""A forward HTTP proxy on 127.0.0.1, as hospital networks run them: ``CONNECT`` tunnels for
https and absolute-URI requests (``GET http://host:port/path HTTP/1.1``) for plain http.

Clients reach it only through the proxy environment variables (``HTTPS_PROXY``,
``HTTP_PROXY``, ``ALL_PROXY``, lower case too). Target host names are resolved from the
proxy's own table (``names``), never by DNS, so a test can use names that only the proxy knows
(e.g. ``synapse.test``): a client that tried to connect directly would have to look the name
up, which fails (and the test netguard reports it). Literal IPs are connected to as given.
Every request is recorded as (method, target) in the order it arrived; unknown names get a
502. Absolute-URI requests are forwarded one per client connection, answered with
``Connection: close`` so clients never reuse a connection the proxy has closed.
"""

from __future__ import annotations

import asyncio
import contextlib
import ipaddress
import threading
from dataclasses import dataclass, field
from urllib.parse import urlsplit


@dataclass(frozen=True)
class ProxyRequest:
    method: str  # CONNECT, GET, POST, …
    target: str  # host:port for CONNECT, the absolute URI otherwise
    headers: tuple[tuple[str, str], ...] = ()


@dataclass
class ForwardProxy:
    """Start with ``with ForwardProxy({"synapse.test": "127.0.0.1"}) as proxy:``."""

    names: dict[str, str] = field(default_factory=dict)  # host name -> IP address
    requests: list[ProxyRequest] = field(default_factory=list)
    _loop: asyncio.AbstractEventLoop | None = None
    _server: asyncio.AbstractServer | None = None
    _thread: threading.Thread | None = None
    _port: int = 0

    @property
    def url(self) -> str:
        """The value for ``HTTPS_PROXY``/``HTTP_PROXY``."""
        return f"http://127.0.0.1:{self._port}"

    def targets(self, method: str | None = None) -> list[str]:
        return [r.target for r in self.requests if method is None or r.method == method]

    def __enter__(self) -> ForwardProxy:
        loop = asyncio.new_event_loop()
        self._loop = loop
        started = threading.Event()

        async def start() -> None:
            self._server = await asyncio.start_server(self._client, "127.0.0.1", 0)
            self._port = self._server.sockets[0].getsockname()[1]

        def run() -> None:
            asyncio.set_event_loop(loop)
            loop.run_until_complete(start())
            started.set()
            loop.run_forever()

        self._thread = threading.Thread(target=run, name="forward-proxy", daemon=True)
        self._thread.start()
        started.wait(10)
        return self

    def __exit__(self, *exc: object) -> None:
        loop = self._loop
        if loop is None:
            return

        async def stop() -> None:
            if self._server is not None:
                self._server.close()
            tasks = [t for t in asyncio.all_tasks() if t is not asyncio.current_task()]
            for task in tasks:
                task.cancel()
            # Let them unwind (their finally blocks close sockets) while the loop still runs:
            # left pending, they were closed by the garbage collector later, after loop.close(),
            # and their close() raised "Event loop is closed" into some other test.
            await asyncio.gather(*tasks, return_exceptions=True)

        asyncio.run_coroutine_threadsafe(stop(), loop).result(10)
        loop.call_soon_threadsafe(loop.stop)
        if self._thread is not None:
            self._thread.join(10)
        loop.close()

    # ---- serving ----

    def _address(self, host: str) -> str | None:
        host = host.strip("[]").lower()
        with contextlib.suppress(ValueError):
            return str(ipaddress.ip_address(host))
        return self.names.get(host)

    async def _client(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            head = await reader.readuntil(b"\r\n\r\n")
        except (asyncio.IncompleteReadError, asyncio.LimitOverrunError, ConnectionError):
            writer.close()
            return
        lines = head.decode("latin-1").split("\r\n")
        method, target, _version = [*lines[0].split(" ", 2), "", ""][:3]
        headers = tuple(
            (name.strip(), value.strip())
            for line in lines[1:]
            if ":" in line
            for name, value in [line.split(":", 1)]
        )
        self.requests.append(ProxyRequest(method, target, headers))
        try:
            if method == "CONNECT":
                await self._tunnel(target, reader, writer)
            else:
                await self._forward(method, target, headers, reader, writer)
        except (ConnectionError, asyncio.IncompleteReadError, OSError):
            pass
        finally:
            with contextlib.suppress(Exception):
                writer.close()

    async def _open(
        self, host: str, port: int, writer: asyncio.StreamWriter
    ) -> tuple[asyncio.StreamReader, asyncio.StreamWriter] | None:
        address = self._address(host)
        if address is None:
            writer.write(
                b"HTTP/1.1 502 Bad Gateway\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
            )
            await writer.drain()
            return None
        return await asyncio.open_connection(address, port)

    async def _tunnel(
        self, target: str, reader: asyncio.StreamReader, writer: asyncio.StreamWriter
    ) -> None:
        host, _, port = target.rpartition(":")
        upstream = await self._open(host, int(port or 443), writer)
        if upstream is None:
            return
        writer.write(b"HTTP/1.1 200 Connection established\r\n\r\n")
        await writer.drain()
        await _pipe_both(reader, writer, *upstream)

    async def _forward(
        self,
        method: str,
        target: str,
        headers: tuple[tuple[str, str], ...],
        reader: asyncio.StreamReader,
        writer: asyncio.StreamWriter,
    ) -> None:
        parts = urlsplit(target)
        if parts.scheme != "http" or not parts.hostname:
            writer.write(
                b"HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
            )
            await writer.drain()
            return
        upstream = await self._open(parts.hostname, parts.port or 80, writer)
        if upstream is None:
            return
        up_reader, up_writer = upstream
        path = parts.path or "/"
        if parts.query:
            path += "?" + parts.query
        kept = [
            (n, v)
            for n, v in headers
            if not n.lower().startswith("proxy-") and n.lower() != "connection"
        ]
        request = f"{method} {path} HTTP/1.1\r\n"
        request += "".join(f"{n}: {v}\r\n" for n, v in kept) + "Connection: close\r\n\r\n"
        up_writer.write(request.encode("latin-1"))
        length = next((int(v) for n, v in headers if n.lower() == "content-length"), 0)
        if length:
            up_writer.write(await reader.readexactly(length))
        await up_writer.drain()
        # The answer's head, with Connection: close, then the body as it comes.
        answer = await up_reader.readuntil(b"\r\n\r\n")
        head_lines = answer.decode("latin-1").split("\r\n")[:-2]
        head_lines = [h for h in head_lines if not h.lower().startswith("connection:")]
        writer.write(
            ("\r\n".join([*head_lines, "Connection: close"]) + "\r\n\r\n").encode("latin-1")
        )
        await _copy(up_reader, writer)
        up_writer.close()


async def _copy(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    try:
        while chunk := await reader.read(65536):
            writer.write(chunk)
            await writer.drain()
    finally:
        with contextlib.suppress(Exception):
            writer.write_eof()


async def _pipe_both(
    reader: asyncio.StreamReader,
    writer: asyncio.StreamWriter,
    up_reader: asyncio.StreamReader,
    up_writer: asyncio.StreamWriter,
) -> None:
    try:
        await asyncio.gather(_copy(reader, up_writer), _copy(up_reader, writer))
    finally:
        up_writer.close()
