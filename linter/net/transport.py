"""The one HTTP transport of an online run: one aiohttp session, one policy, hard limits.

Why aiohttp: the prober sends thousands of HEADs and ranged GETs that each read a few KiB, so
the client's CPU matters. aiohttp keeps the single event loop (measured: 0.37 s user CPU for
1,000 URLs against 1.42 s for requests with 64 threads) and brings what a hand-written client
got wrong: a maintained HTTP/1.1 parser (bare LF, bodies longer than announced), proxies with
CONNECT, decompression, IDNA host names (yarl) and every resolved address tried in turn.

The policy, applied here so no caller can forget it:

* **Addresses** are checked at connect time by :class:`PolicyResolver`, on every hop (callers
  follow redirects themselves) and for every address tried: ``--resolve`` overrides first, then
  :func:`.addresses.blocked_reason`; all permitted addresses are returned so a refusing first
  one falls through to the next. ``--allow-private-hosts`` lifts the check. Hosts the user named
  (a proxy; the GitHub API and the ``gitlab-hosts``/``gitea-hosts`` instances, from the start)
  are exempt. A literal IP in a URL is checked before sending, also through a proxy (which
  resolves host names itself).
* **Proxies** are picked exactly as requests picks them (``HTTP_PROXY``, ``HTTPS_PROXY``,
  ``ALL_PROXY``, ``NO_PROXY``, any case), because MedPerf downloads with requests.
* **Encodings**: ``Accept-Encoding`` as requests sends it; bodies arrive decoded (the bytes
  MedPerf saves) and the ``Content-Encoding`` is recorded.
* **Limits**: every body read stops at the caller's cap; one connection cap for the whole run
  from ``RLIMIT_NOFILE``; tokens only on requests to their own origin.

Everything runs on one event loop in a daemon thread (:func:`open_transport`), shared by the
providers of a run, so a caller blocked past the deadline never keeps the process alive.
Imported only by an online run.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import os
import socket
import sys
import threading
import time
from collections.abc import (
    AsyncIterator,
    Awaitable,
    Callable,
    Coroutine,
    Iterator,
    Mapping,
    Sequence,
)
from dataclasses import dataclass
from functools import cached_property
from typing import Any, Protocol, TypeVar
from urllib.parse import urljoin, urlsplit

from medperf_lint.input.config import Settings
from medperf_lint.net.addresses import (
    AddressPolicy,
    AddressRefused,
    NameNotResolved,
    lookup_addresses,
    parse_overrides,
    wire_host,
)
from medperf_lint.net.failures import FD_SHORTAGE, describe_failure
from medperf_lint.net.identity import USER_AGENT, accept_encoding, ca_bundle
from medperf_lint.net.policy import (
    FD_WAIT,
    MAX_REDIRECTS,
    MAX_WAIT,
    REDIRECT_STATUSES,
    RETRY_FAILURES,
    backoff,
    redirect_location,
    retry_delay,
)
from medperf_lint.net.tls import FirstHandshakeContext, no_default_ca_store
from medperf_lint.net.util import DEFAULT_PORTS, default_port

with no_default_ca_store():  # aiohttp's own default contexts would go unused: see net/tls.py
    import aiohttp
    from aiohttp.abc import AbstractResolver, ResolveResult
    from yarl import URL

T = TypeVar("T")

__all__ = [
    "FD_SHORTAGE",
    "REDIRECT_STATUSES",
    "AddressRefused",
    "NameNotResolved",
    "describe_failure",
]

FD_RESERVE = 32  # descriptors left for files, the cache, logging and the resolver's threads
FD_PER_CONNECTION = 2  # happy eyeballs may hold two sockets while one connection opens
MAX_CONNECTIONS = 512
TARGETS_KEPT = 1024  # parsed URLs a transport keeps (a yarl URL is immutable)


def origin(url: str | URL) -> tuple[str, str, int]:
    """(scheme, host, port) as the transport connects: IDNA host, default port filled in."""
    parsed = url if isinstance(url, URL) else URL(url)
    scheme = (parsed.scheme or "").lower()
    host = (parsed.raw_host or "").lower().rstrip(".")
    return scheme, host, parsed.port or default_port(scheme)


idna_host = wire_host  # ``host`` as it goes on the wire (``xn--`` labels), lower case


def connection_cap(per_host: int) -> int:
    """Open connections the whole run may hold, so the process never runs out of descriptors.

    Derived from the soft ``RLIMIT_NOFILE`` minus what is already open and a reserve; an fd
    shortage must slow the run down, never turn into an "unreachable" verdict.
    """
    try:
        import resource

        soft, _hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    except (ImportError, OSError, ValueError):  # pragma: no cover - not POSIX
        return min(MAX_CONNECTIONS, 64)
    if soft == resource.RLIM_INFINITY:
        soft = 1 << 16
    usable = soft - _open_descriptors() - FD_RESERVE
    return max(2, min(MAX_CONNECTIONS, usable // FD_PER_CONNECTION, max(per_host, 1) * 64))


def _open_descriptors() -> int:
    for folder in ("/proc/self/fd", "/dev/fd"):
        with contextlib.suppress(OSError):
            return len(os.listdir(folder))
    return 16


class PolicyResolver(AbstractResolver):
    """aiohttp resolver applying ``--resolve`` and the address policy to every connection."""

    def __init__(self, overrides: Mapping[tuple[str, int], tuple[str, ...]], allow_private: bool):
        self.policy = AddressPolicy(overrides, allow_private)
        self.exempt = self.policy.exempt

    async def resolve(
        self,
        host: str,
        port: int = 0,
        family: socket.AddressFamily = socket.AF_INET,  # noqa: ARG002 (aiohttp's AbstractResolver signature; both families are asked)
    ) -> list[ResolveResult]:
        found = self.policy.override(host, port)
        if found is None:
            found = tuple(await self._lookup(host, port))
        return [_result(host, addr, port) for addr in self.policy.permitted(host, port, found)]

    async def _lookup(self, host: str, port: int) -> list[str]:
        loop = asyncio.get_running_loop()
        try:
            infos = await loop.getaddrinfo(host, port, type=socket.SOCK_STREAM)
        except (socket.gaierror, UnicodeError) as err:
            raise NameNotResolved(str(getattr(err, "strerror", None) or err)) from None
        return lookup_addresses(host, port, infos)

    async def close(self) -> None:
        return None


def _result(host: str, address: str, port: int) -> ResolveResult:
    family = socket.AF_INET6 if ":" in address else socket.AF_INET
    return {
        "hostname": host,
        "host": address,
        "port": port,
        "family": family,
        "proto": 0,
        "flags": socket.AI_NUMERICHOST,
    }


def proxy_for(url: str) -> str | None:
    """The proxy requests would use for ``url`` (environment variables, ``NO_PROXY``).

    requests itself decides. Where proxies come only from the environment (not macOS or
    Windows, which also read the system settings) and no ``*_proxy`` variable is set, it picks
    none: that case skips asking it."""
    if sys.platform not in ("darwin", "win32") and not any(
        name.lower().endswith("_proxy") and value for name, value in os.environ.items()
    ):
        return None
    from requests.utils import get_environ_proxies, select_proxy

    proxy: str | None = select_proxy(url, get_environ_proxies(url))
    return proxy or None


@dataclass(frozen=True)
class Timeouts:
    connect: float
    read: float


@dataclass(frozen=True)
class Response:
    """One answer: decoded body up to the caller's cap, headers with lower-case names."""

    status: int
    headers: Mapping[str, str]  # repeated headers joined with ", "
    body: bytes
    truncated: bool  # the body went on past the cap (the connection was dropped)
    proxy: str | None  # the proxy the request went through, None when direct

    @property
    def content_encoding(self) -> str | None:
        value = self.headers.get("content-encoding", "").strip().lower()
        return None if value in ("", "identity") else value

    @property
    def text(self) -> str:
        return self.body.decode("utf-8", "replace")


class TransportError(Exception):
    """A failed exchange: ``kind`` (dns, blocked-address, refused, reset, tls, timeout,
    connect-timeout, connect-failed, bad-response, fd-shortage) and a ``detail`` that never
    quotes the URL."""

    def __init__(self, kind: str, detail: str):
        super().__init__(detail)
        self.kind, self.detail = kind, detail


class Transport:
    """One session and its policy; use from coroutines on :attr:`loop`."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        overrides = parse_overrides(settings.resolve)  # ValueError names a bad entry
        self.resolver = PolicyResolver(overrides, settings.allow_private_hosts)
        for api in settings.named_apis:  # the user named them: exempt before any request
            with contextlib.suppress(ValueError):
                self.exempt(api)
        # Per run, not per request: the aiohttp timeouts of each (connect, read) pair, the
        # origins whose proxy and literal address have passed the checks in _proxy (the exempt
        # set only grows, so a pass stays a pass; connections are still checked by the
        # resolver, every hop and every address), and recent URLs parsed (a probe's HEAD and
        # GET); the headers every request sends are _base_headers.
        self._client_timeouts: dict[Timeouts, aiohttp.ClientTimeout] = {}
        self._cleared: set[tuple[str, str, int]] = set()
        self._targets: dict[str, URL] = {}
        self.cap = connection_cap(settings.max_connections_per_host)
        # the bundle is named now (the environment is read once per run) and loaded at the
        # first TLS handshake: a run of http:// URLs, or one answered by its cache, needs none
        self.tls = FirstHandshakeContext.of(ca_bundle())
        self._session: aiohttp.ClientSession | None = None
        # requests' choice depends on the scheme, host and port only, and reading the
        # environment for every request costs more CPU than the request itself
        self._proxies: dict[tuple[str, str, int], str | None] = {}

    @cached_property
    def accept_encoding(self) -> str:
        """Read at the first request: a run answered by its cache sends none."""
        return accept_encoding()

    @property
    def session(self) -> aiohttp.ClientSession:
        if self._session is None:
            connector = aiohttp.TCPConnector(
                limit=self.cap,
                limit_per_host=max(1, self.settings.max_connections_per_host),
                resolver=self.resolver,
                ssl=self.tls,
                keepalive_timeout=5.0,
            )
            self._session = aiohttp.ClientSession(
                connector=connector,
                trust_env=False,  # proxies are chosen per URL by proxy_for, as requests does
                cookie_jar=aiohttp.DummyCookieJar(),
                auto_decompress=True,
                skip_auto_headers=("User-Agent", "Accept-Encoding"),
            )
        return self._session

    @functools.cached_property
    def _base_headers(self) -> dict[str, str]:
        """The headers every request sends, built once (aiohttp copies what it is given)."""
        return {"User-Agent": USER_AGENT, "Accept": "*/*", "Accept-Encoding": self.accept_encoding}

    def exempt(self, url: str) -> None:
        """Let connections to ``url``'s host:port skip the address policy (the user named it)."""
        _scheme, host, port = origin(url)
        self.resolver.exempt.add((host, port))

    async def close(self) -> None:
        if self._session is not None:
            await self._session.close()
            self._session = None

    async def request(
        self,
        method: str,
        url: str,
        *,
        headers: Mapping[str, str] | None = None,
        limit: int,
        timeouts: Timeouts,
        token: tuple[tuple[str, str, int], str] | None = None,
        keep: bool = True,
    ) -> Response:
        """Send one request (no redirects followed); read at most ``limit`` decoded bytes.

        ``token`` is (origin, bearer token): sent only when ``url`` has that very origin.
        ``keep=False`` closes the connection afterwards (nobody will reuse it).
        """
        resp, proxy = await self._open(method, url, headers, timeouts, token)
        try:
            body, truncated = await _read(resp, limit) if method != "HEAD" else (b"", False)
        except (aiohttp.ClientError, OSError, asyncio.TimeoutError, ValueError) as err:
            resp.close()
            raise _failure(err, proxy) from err
        answer = Response(resp.status, _headers(resp.headers), body, truncated, _shown(proxy))
        if truncated or not keep:
            resp.close()
        else:
            resp.release()
        return answer

    async def _open(
        self,
        method: str,
        url: str,
        headers: Mapping[str, str] | None,
        timeouts: Timeouts,
        token: tuple[tuple[str, str, int], str] | None = None,
        decode: bool = True,
    ) -> tuple[aiohttp.ClientResponse, str | None]:
        """Send one request under the policy (no redirects followed) and return the answer,
        its body unread, with the proxy it went through; failures become TransportError."""
        target = self._target(url)
        proxy = self._proxy(url, target)
        sent = {**self._base_headers, **headers} if headers else self._base_headers
        if token is not None and origin(target) == token[0]:
            sent = {**sent, "Authorization": f"Bearer {token[1]}"}
        try:
            resp = await self.session.request(
                method,
                target,
                headers=sent,  # aiohttp copies it, so the shared dict is never changed
                allow_redirects=False,
                proxy=proxy,
                timeout=self._client_timeout(timeouts),
                auto_decompress=decode,
            )
        except (aiohttp.ClientError, OSError, asyncio.TimeoutError, ValueError) as err:
            raise _failure(err, proxy) from err
        return resp, proxy

    def _target(self, url: str) -> URL:
        """:func:`_target` of ``url``, parsed once for the requests sent to it side by side."""
        found = self._targets.get(url)
        if found is None:
            found = _target(url)
            if len(self._targets) >= TARGETS_KEPT:
                self._targets.clear()
            self._targets[url] = found
        return found

    def _client_timeout(self, timeouts: Timeouts) -> aiohttp.ClientTimeout:
        """aiohttp's form of ``timeouts``, built once per distinct pair (a few per run: the
        settings' own, and the shorter ones of probes near the end of their budget)."""
        found = self._client_timeouts.get(timeouts)
        if found is None:
            found = aiohttp.ClientTimeout(
                total=None, sock_connect=timeouts.connect, sock_read=timeouts.read
            )
            if len(self._client_timeouts) < 64:
                self._client_timeouts[timeouts] = found
        return found

    def _proxy(self, url: str, target: URL) -> str | None:
        """The proxy for ``url`` as requests picks it (None: direct; chosen once per origin),
        after the address policy has been applied to a literal IP in ``url`` (once per origin
        that passes; a refused one is checked, and refused, every time)."""
        key = origin(target)
        if key in self._cleared:
            return self._proxies[key]
        if key not in self._proxies:
            try:
                self._proxies[key] = proxy_for(url)
            except ValueError:
                self._proxies[key] = None
        proxy = self._proxies[key]
        if proxy is not None:
            try:
                proxy_url = URL(proxy)
            except (ValueError, TypeError):
                proxy_url = None
            if proxy_url is None or proxy_url.scheme not in DEFAULT_PORTS or not proxy_url.host:
                raise TransportError(
                    "proxy",
                    f"the proxy {_shown(proxy)!r} from the environment is not an http(s) URL",
                )
            self.exempt(proxy)
        self._check_literal(key)
        self._cleared.add(key)
        return proxy

    async def fetch(
        self,
        method: str,
        url: str,
        *,
        limit: int,
        timeouts: Timeouts,
        headers: Mapping[str, str] | None = None,
        token: tuple[tuple[str, str, int], str] | None = None,
        retries: int = 0,
        pause: Pause | None = None,
        max_redirects: int = MAX_REDIRECTS,
        on_hop: Hop | None = None,
    ) -> tuple[Response, str]:
        """``request`` under the whole policy: each hop retried as :func:`retrying` says,
        redirects followed by :func:`follow` (``max_redirects=0``: none); the answer and the
        URL that gave it."""

        async def hop(target: str) -> Response:
            async def once() -> Response:
                return await self.request(
                    method, target, headers=headers, limit=limit, timeouts=timeouts, token=token
                )

            return await retrying(once, retries=retries, pause=pause)

        return await follow(hop, url, max_redirects=max_redirects, on_hop=on_hop)

    @contextlib.asynccontextmanager
    async def stream(
        self,
        url: str,
        *,
        timeouts: Timeouts,
        headers: Mapping[str, str] | None = None,
        max_redirects: int = MAX_REDIRECTS,
        decode: bool = True,
        retries: int = 0,
        pause: Pause | None = None,
    ) -> AsyncIterator[Stream]:
        """GET ``url`` as MedPerf's ``requests.get(url, stream=True)`` does: redirects followed
        (each hop under the address policy, each retried as the policy says), the body read in
        chunks by the caller, decoded unless ``decode=False`` asks for the bytes on the wire.
        Only the exchange becomes TransportError: what the caller's own code raises while it
        reads (a full disk under ``--keep``) passes through unchanged."""

        async def hop(target: str) -> Stream:
            async def once() -> Stream:
                resp, proxy = await self._open("GET", target, headers, timeouts, decode=decode)
                return Stream(resp, _shown(proxy), target, decode)

            return await retrying(once, retries=retries, pause=pause, discard=Stream.drop)

        answer, _final = await follow(hop, url, max_redirects=max_redirects, discard=Stream.drop)
        try:
            yield answer
        finally:
            answer.release()  # back to the pool when read to the end, else closed

    def _check_literal(self, key: tuple[str, str, int]) -> None:
        """A literal IP in a URL never reaches the resolver (aiohttp connects to it directly,
        and through a proxy the proxy does), so the policy is applied to it (its
        :func:`origin`) here."""
        _scheme, host, port = key
        try:
            self.resolver.policy.check_literal(host, port)
        except AddressRefused as err:
            raise TransportError("blocked-address", str(err)) from None


def _target(url: str) -> URL:
    """``url`` as the transport sends it, or TransportError when it cannot be sent."""
    try:
        target = URL(url, encoded=False)
    except (ValueError, TypeError) as err:
        raise TransportError("bad-url", f"the URL cannot be sent: {err}") from None
    if target.scheme not in DEFAULT_PORTS or not target.raw_host:
        raise TransportError("bad-url", "not an http(s) URL with a host")
    return target


class Stream:
    """An answer whose body the caller reads in chunks (see :meth:`Transport.stream`)."""

    def __init__(
        self, resp: aiohttp.ClientResponse, proxy: str | None, final_url: str, decoded: bool
    ):
        self._resp = resp
        self._decoded = decoded
        self.status = resp.status
        self.headers = _headers(resp.headers)
        self.proxy = proxy
        self.final_url = final_url

    def drop(self) -> None:
        """Close an answer nobody reads (a redirect, an answer asked again)."""
        self._resp.close()

    def release(self) -> None:
        self._resp.release()

    @property
    def content_encoding(self) -> str | None:
        value = self.headers.get("content-encoding", "").strip().lower()
        return None if value in ("", "identity") else value

    @property
    def length(self) -> int | None:
        """The announced size of what the caller reads (unknown once an encoding is decoded)."""
        text = self.headers.get("content-length", "").strip()
        if not text.isdigit() or (self.content_encoding and self._decoded):
            return None
        return int(text)

    async def chunks(self, size: int) -> AsyncIterator[bytes]:
        try:
            async for chunk in self._resp.content.iter_chunked(size):
                yield chunk
        except (aiohttp.ClientError, OSError, asyncio.TimeoutError, ValueError) as err:
            raise _failure(err, self.proxy) from err


def _failure(err: BaseException, proxy: str | None) -> TransportError:
    """The TransportError for a failed exchange; a proxy failure names the proxy."""
    kind, detail = describe_failure(err)
    if kind == "proxy":
        detail = f"{detail} {_shown(proxy)} (set by the environment)"
    return TransportError(kind, detail)


async def _read(resp: aiohttp.ClientResponse, limit: int) -> tuple[bytes, bool]:
    """At most ``limit`` decoded bytes, and whether more were coming."""
    chunks: list[bytes] = []
    size = 0
    while size < limit:
        chunk = await resp.content.read(limit - size)
        if not chunk:
            return b"".join(chunks), False
        chunks.append(chunk)
        size += len(chunk)
    if resp.content_length == size and "content-encoding" not in resp.headers:
        return b"".join(chunks), False  # exactly the announced body
    more = not resp.content.at_eof()
    if more:
        more = bool(await _peek(resp))
    return b"".join(chunks), more


async def _peek(resp: aiohttp.ClientResponse) -> bytes:
    """One more byte, to tell a body of exactly ``limit`` bytes from a longer one."""
    try:
        return await asyncio.wait_for(resp.content.read(1), 0.5)
    except asyncio.TimeoutError:
        return b"?"  # still streaming


def _headers(raw: Mapping[str, str]) -> dict[str, str]:
    out: dict[str, str] = {}
    items: Any = raw.items()
    for name, value in items:
        key = str(name).lower()
        out[key] = f"{out[key]}, {value}" if key in out else str(value)
    return out


def _shown(proxy: str | None) -> str | None:
    """The proxy as reports show it: credentials removed."""
    if proxy is None:
        return None
    with contextlib.suppress(ValueError):
        return str(URL(proxy).with_user(None))
    return proxy


# ---------------------------------------------------------------------------------------------
# The one retry loop and the one redirect loop (their policy: medperf_lint.net.policy)


class Answer(Protocol):
    """What the loops look at: a status and headers with lower-case names."""

    @property
    def status(self) -> int: ...

    @property
    def headers(self) -> Mapping[str, str]: ...


A = TypeVar("A", bound=Answer)
# Waits ``delay`` seconds before the next try (the answer that asked for it, None after a
# failure); raises to give up instead (a time budget, a deadline, a rate limit).
Pause = Callable[[float, Answer | None], Awaitable[None]]
Hop = Callable[[int, str], None]  # (redirect status, absolute target); raises to stop there


class BadRedirect(TransportError):
    """A redirect not followed (a loop, not http(s), one hop too many); ``status`` is its."""

    def __init__(self, kind: str, detail: str, status: int):
        super().__init__(kind, detail)
        self.status = status


async def wait_within_policy(delay: float, answer: Answer | None) -> None:
    """The default pause: sleep, unless the server asked for more than ``MAX_WAIT``."""
    if delay > MAX_WAIT:
        status = f"HTTP {answer.status}: " if answer is not None else ""
        raise TransportError("wait", f"{status}asked to wait {delay:g} s, beyond {MAX_WAIT:g} s")
    await asyncio.sleep(delay)


async def retrying(
    send: Callable[[], Awaitable[A]],
    *,
    retries: int,
    pause: Pause | None = None,
    discard: Callable[[A], None] | None = None,
) -> A:
    """``send()`` again while the policy says an answer or failure is worth another try, at
    most ``retries`` more times; the last answer is returned as it is (callers tell a final
    408/429/5xx by :func:`~medperf_lint.net.policy.retry_delay`). A shortage of file
    descriptors is this machine's, not the server's: it is waited out and never counted."""
    wait = pause or wait_within_policy
    attempt = 0
    while True:
        try:
            answer: A | None = await send()
        except TransportError as err:
            if err.kind == "fd-shortage":
                await asyncio.sleep(FD_WAIT)  # the caller's budget is checked as it sends
                continue
            if err.kind not in RETRY_FAILURES or attempt >= retries:
                raise
            answer, delay = None, backoff(attempt)
        else:
            assert answer is not None
            delay_or_none = retry_delay(answer.status, answer.headers, attempt)
            if delay_or_none is None or attempt >= retries:
                return answer
            delay = delay_or_none
            if discard is not None:
                discard(answer)
        attempt += 1
        await wait(delay, answer)


async def follow(
    send: Callable[[str], Awaitable[A]],
    url: str,
    *,
    max_redirects: int = MAX_REDIRECTS,
    on_hop: Hop | None = None,
    visited: Sequence[str] = (),
    discard: Callable[[A], None] | None = None,
) -> tuple[A, str]:
    """``send(url)`` and then each redirect's target, hop by hop (so the transport applies
    the address policy to each); ``on_hop`` sees every hop before it is checked. Ends with
    the first answer that is no redirect and the URL that gave it; a loop, a target that is
    not http(s), or more than ``max_redirects`` hops raise TransportError. ``visited``: the
    hops already made on the way to ``url`` (they count, and going back to one is a loop)."""
    current = url
    seen = {url, *visited}
    answer = await send(current)
    hops = len(visited)
    while max_redirects and (location := redirect_location(answer.status, answer.headers)):
        target = urljoin(current, location)
        hops += 1
        if on_hop is not None:
            on_hop(answer.status, target)
        if discard is not None:
            discard(answer)
        _check_hop(target, seen, hops, max_redirects, answer.status)
        seen.add(target)
        current = target
        answer = await send(current)
    return answer, current


def _check_hop(target: str, seen: set[str], hops: int, limit: int, status: int) -> None:
    scheme = urlsplit(target).scheme.lower()
    if scheme not in DEFAULT_PORTS:
        why = f"redirects to a {scheme or 'scheme-less'}: URL, which cannot be downloaded over HTTP"
        raise BadRedirect("bad-redirect-scheme", why, status)
    if target in seen:
        raise BadRedirect("redirect-loop", f"redirect loop back to {target}", status)
    if hops > limit:
        raise BadRedirect("too-many-redirects", f"more than {limit} redirects", status)


# ---------------------------------------------------------------------------------------------
# One loop and one transport per run, shared by the providers that run side by side


class _Shared:
    """A daemon event-loop thread and the run's transport, reference-counted by its users."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.loop = asyncio.new_event_loop()
        self.users = 0
        self.thread = threading.Thread(
            target=self.loop.run_forever, name="medperf-lint-transport", daemon=True
        )
        self.thread.start()
        try:
            self.transport = self.call(self._make())
        except BaseException:
            self.loop.call_soon_threadsafe(self.loop.stop)
            raise

    async def _make(self) -> Transport:
        return Transport(self.settings)

    def call(self, coro: Coroutine[Any, Any, T], timeout: float | None = None) -> T:
        future = asyncio.run_coroutine_threadsafe(coro, self.loop)
        try:
            return future.result(timeout)
        except BaseException:
            future.cancel()
            raise

    def shut(self) -> None:
        with contextlib.suppress(Exception):
            self.call(self.transport.close(), timeout=0.5)
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(0.5)
        if not self.thread.is_alive():  # else a stuck callback holds it: the daemon thread dies
            self.loop.close()  # with the process, and nothing waits for it


_lock = threading.Lock()
_shared: dict[int, _Shared] = {}


@contextlib.contextmanager
def open_transport(settings: Settings) -> Iterator[_Shared]:
    """The run's transport (one per ``settings`` object while any provider uses it).

    Coroutines go to it with ``shared.call(coro, timeout)``; they run on its own daemon thread,
    so a caller that stops waiting at the deadline leaves nothing that keeps the process alive.
    """
    with _lock:
        shared = _shared.get(id(settings))
        if shared is None:
            shared = _shared[id(settings)] = _Shared(settings)
        shared.users += 1
    try:
        yield shared
    finally:
        with _lock:
            shared.users -= 1
            last = shared.users == 0
            if last:
                del _shared[id(settings)]
        if last:
            shared.shut()


def call_until(
    settings: Settings,
    make: Callable[[Transport], Coroutine[Any, Any, T]],
    until: float | None,
) -> T | None:
    """``make(transport)`` run on the run's transport; None when ``until`` (a
    ``time.monotonic()`` instant) passes first. A malformed ``--resolve`` is a ConfigError."""
    from medperf_lint.input.config import ConfigError

    budget = None if until is None else max(0.0, until - time.monotonic())
    try:
        with open_transport(settings) as shared:
            return shared.call(asyncio.wait_for(make(shared.transport), budget))
    except ValueError as err:
        raise ConfigError(str(err)) from None
    except asyncio.TimeoutError:
        return None
