"""requests plumbing for the GitHub client: anonymous sessions that connect only to checked
addresses. (The URL prober has its own asyncio client, :mod:`.http_wire`.)

The caller resolves each hop itself (:mod:`.addresses`) and pins the connection to the
address it checked. The URL keeps its host name, so the Host header, TLS SNI and certificate
hostname verification all still use the real host: exactly curl's ``--resolve``.
Imported only by an online run.
"""

from __future__ import annotations

import socket
import ssl
import threading
from http.cookiejar import DefaultCookiePolicy
from typing import Any, cast

import requests
from requests.adapters import HTTPAdapter
from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool
from urllib3.exceptions import ConnectTimeoutError, NewConnectionError
from urllib3.util import connection as connection_util
from urllib3.util import parse_url

from .http_identity import USER_AGENT


def _urllib3(obj: object) -> Any:
    """``obj`` untyped: urllib3 1.26 (stubs) and 2.x (inline types) disagree on these calls,
    and the project installs either, depending on the synapseclient pip picks."""
    return obj


class _Pinned:
    """Connection mixin: open the socket to ``pinned_address`` instead of resolving ``host``."""

    pinned_address: str = ""
    port: int
    timeout: Any
    source_address: Any
    socket_options: Any

    def _new_conn(self) -> socket.socket:
        if not self.pinned_address:
            raise NewConnectionError(cast(Any, self), "refusing an unpinned connection")
        extra: dict[str, Any] = {}
        if self.source_address:
            extra["source_address"] = self.source_address
        if self.socket_options:
            extra["socket_options"] = self.socket_options
        try:
            sock: socket.socket = _urllib3(connection_util).create_connection(
                (self.pinned_address, self.port), self.timeout, **extra
            )
            return sock
        except TimeoutError:
            raise ConnectTimeoutError(
                cast(Any, self), f"connect to {self.pinned_address} timed out"
            ) from None
        except OSError as err:
            raise NewConnectionError(
                cast(Any, self), f"cannot connect to {self.pinned_address}: {err}"
            ) from err


class _PinnedHTTPConnection(_Pinned, HTTPConnection):
    pass


class _PinnedHTTPSConnection(_Pinned, HTTPSConnection):
    pass


class _PinnedHTTPPool(HTTPConnectionPool):
    ConnectionCls = _PinnedHTTPConnection
    pinned_address = ""

    def _new_conn(self) -> Any:
        conn = _urllib3(super())._new_conn()
        conn.pinned_address = self.pinned_address
        return conn


class _PinnedHTTPSPool(HTTPSConnectionPool):
    ConnectionCls = _PinnedHTTPSConnection
    pinned_address = ""

    def _new_conn(self) -> Any:
        conn = _urllib3(super())._new_conn()
        conn.pinned_address = self.pinned_address
        return conn


class PinnedAdapter(HTTPAdapter):
    """One pool per (scheme, host, port, address); the address comes from :meth:`pin`."""

    def __init__(self, pool_maxsize: int):
        super().__init__(pool_connections=1, pool_maxsize=pool_maxsize, max_retries=0)
        self._maxsize = pool_maxsize
        self._pools: dict[tuple[str, str, int, str], HTTPConnectionPool] = {}
        self._lock = threading.Lock()
        self._local = threading.local()

    def pin(self, address: str) -> None:
        """Connect the calling thread's next requests to ``address``."""
        self._local.address = address

    def _pool(self, url: str) -> HTTPConnectionPool:
        address = getattr(self._local, "address", None)
        if not address:
            raise requests.exceptions.ConnectionError("refusing an unpinned connection")
        parsed = parse_url(url)
        scheme = (parsed.scheme or "http").lower()
        host = parsed.host or ""
        port = parsed.port or (443 if scheme == "https" else 80)
        key = (scheme, host, port, address)
        with self._lock:
            pool = self._pools.get(key)
            if pool is None:
                cls = _PinnedHTTPSPool if scheme == "https" else _PinnedHTTPPool
                pool = cls(host, port, maxsize=self._maxsize, block=False)
                pool.pinned_address = address
                self._pools[key] = pool
            return pool

    def get_connection_with_tls_context(
        self,
        request: requests.PreparedRequest,
        verify: Any,
        proxies: Any = None,
        cert: Any = None,
    ) -> HTTPConnectionPool:
        return self._pool(request.url or "")

    def get_connection(
        self, url: Any, proxies: Any = None
    ) -> HTTPConnectionPool:  # requests < 2.32
        return self._pool(str(url))

    def close(self) -> None:
        with self._lock:
            pools, self._pools = list(self._pools.values()), {}
        for pool in pools:
            pool.close()
        _urllib3(super()).close()


def new_session(adapter: PinnedAdapter) -> requests.Session:
    """An anonymous session like MedPerf's download: no .netrc, env proxies, cookies or auth."""
    session = requests.Session()
    session.trust_env = False
    session.cookies.set_policy(DefaultCookiePolicy(allowed_domains=[]))
    session.headers.clear()
    session.headers.update(
        {"User-Agent": USER_AGENT, "Accept": "*/*", "Accept-Encoding": "identity"}
    )
    session.mount("http://", adapter)
    session.mount("https://", adapter)
    return session


def describe_failure(err: BaseException) -> tuple[str, str]:
    """(kind, human detail) for a requests/urllib3 exception, without quoting the URL."""
    chain = list(_chain(err))
    for item in chain:
        if isinstance(item, ssl.SSLCertVerificationError):
            return "tls", f"TLS certificate check failed: {item.verify_message or item.reason}"
    for item in chain:
        if isinstance(item, ssl.SSLError):
            return "tls", f"TLS handshake failed: {item.reason or item.__class__.__name__}"
    if isinstance(err, requests.exceptions.SSLError):
        return "tls", "TLS handshake failed"
    for item in chain:
        if isinstance(item, ConnectionRefusedError):
            return "refused", "connection refused"
    for item in chain:
        if isinstance(item, ConnectionResetError | BrokenPipeError):
            return "reset", "connection reset by the server"
    if isinstance(err, requests.exceptions.ConnectTimeout) or any(
        isinstance(i, ConnectTimeoutError) for i in chain
    ):
        return "connect-timeout", "no connection within the connect timeout"
    if isinstance(err, requests.exceptions.Timeout) or any(
        isinstance(i, TimeoutError) for i in chain
    ):
        return "timeout", "no response within the read timeout"
    names = {type(i).__name__ for i in chain}
    if names & {"RemoteDisconnected", "ProtocolError", "IncompleteRead", "ChunkedEncodingError"}:
        return "reset", "the server closed the connection without a complete answer"
    for item in chain:
        if isinstance(item, OSError) and item.strerror:
            return "connect-failed", f"cannot connect: {item.strerror}"
    return "connect-failed", f"cannot connect ({type(err).__name__})"


def _chain(err: BaseException) -> Any:
    """The exception, its causes, contexts, wrapped ``reason``s and exception args."""
    seen: set[int] = set()
    stack: list[BaseException] = [err]
    while stack:
        item = stack.pop()
        if id(item) in seen:
            continue
        seen.add(id(item))
        yield item
        for nxt in (item.__cause__, item.__context__, getattr(item, "reason", None), *item.args):
            if isinstance(nxt, BaseException):
                stack.append(nxt)
