"""The one exception classifier: what kind of failure an exchange ended in, for both HTTP
stacks (aiohttp in the transport, requests/urllib3 in the Synapse session).

A table, read top to bottom: the first rule that matches anything in the exception's chain
(causes, contexts, wrapped errors) decides. The kinds are the ``TransportError`` kinds: dns,
blocked-address, proxy, refused, reset, tls, timeout, connect-timeout, connect-failed,
bad-response, fd-shortage. Details never quote a URL; a library's text goes through the
redactor, and only its start is kept.
"""

from __future__ import annotations

import asyncio
import errno
import socket
import ssl
from collections.abc import Callable
from functools import lru_cache

from medperf_lint.net.addresses import AddressRefused, NameNotResolved
from medperf_lint.net.util import exception_chain

FD_SHORTAGE = frozenset({errno.EMFILE, errno.ENFILE})
MAX_DETAIL = 300  # characters of a failure's detail: one line, whatever a library quoted
_REDACTED_WINDOW = 4 * MAX_DETAIL  # what of a detail is redacted (a parser quotes what it got)

Match = Callable[[BaseException], bool]
Detail = Callable[[BaseException], str]


def describe_failure(err: BaseException) -> tuple[str, str]:
    """(kind, human detail) for a failed exchange, from the whole exception chain.

    Only the start of a detail is redacted and kept: a parser's message may quote a whole
    hostile answer, and redacting megabytes would hold the interpreter lock past the deadline.
    """
    from medperf_lint.refs.redact import redact_text

    kind, detail = classify(err)
    shown = redact_text(detail[:_REDACTED_WINDOW])
    return kind, shown if len(shown) <= MAX_DETAIL else shown[: MAX_DETAIL - 1] + "…"


def classify(err: BaseException) -> tuple[str, str]:
    """(kind, unredacted detail) by the first rule of the table that matches the chain."""
    chain = list(exception_chain(err))
    for match, kind, detail in _rules():
        for item in chain:
            if match(item):
                return kind, detail(item)
    return "connect-failed", f"cannot connect ({type(err).__name__})"


def _is(*types: type[BaseException]) -> Match:
    return lambda item: isinstance(item, types)


def _said(text: str) -> Detail:
    return lambda _item: text


@lru_cache(maxsize=1)
def _rules() -> tuple[tuple[Match, str, Detail], ...]:
    import aiohttp
    import requests
    import urllib3.exceptions as u3

    # urllib3 1.26 (synapseclient 4.1.1's) has no NameResolutionError: a gaierror says it there
    name_error: type[BaseException] = getattr(u3, "NameResolutionError", socket.gaierror)
    return (
        (_is(aiohttp.ClientProxyConnectionError), "proxy", _said("cannot connect to the proxy")),
        (_is(aiohttp.ClientHttpProxyError), "proxy", _proxy_refused),
        (_is(requests.exceptions.ProxyError), "proxy", _said("cannot connect to the proxy")),
        (_is(AddressRefused), "blocked-address", str),
        (_is(NameNotResolved), "dns", lambda item: f"cannot resolve the host: {item}"),
        (_fd_shortage, "fd-shortage", _said("out of file descriptors on this machine")),
        (_is(ssl.SSLCertVerificationError), "tls", _certificate),
        (_is(ssl.SSLError, aiohttp.ClientSSLError), "tls", _handshake),
        (_is(ConnectionRefusedError), "refused", _said("connection refused")),
        (
            _is(aiohttp.ClientConnectorDNSError, socket.gaierror, name_error),
            "dns",
            _said("cannot resolve the host"),
        ),
        (
            _is(aiohttp.ConnectionTimeoutError, requests.ConnectTimeout, u3.ConnectTimeoutError),
            "connect-timeout",
            _said("no connection within the connect timeout"),
        ),
        (
            _is(asyncio.TimeoutError, TimeoutError, requests.Timeout, u3.TimeoutError),
            "timeout",
            _said("no response within the read timeout"),
        ),
        (
            _is(ConnectionResetError, BrokenPipeError),
            "reset",
            _said("connection reset by the server"),
        ),
        (
            _is(
                aiohttp.ServerDisconnectedError,
                aiohttp.ClientPayloadError,
                requests.exceptions.ChunkedEncodingError,
                u3.ProtocolError,
            ),
            "reset",
            _said("the server closed the connection without a complete answer"),
        ),
        (_is(aiohttp.ClientResponseError), "bad-response", _malformed),
        (_is(aiohttp.ClientConnectorError), "connect-failed", _connector),
        (_os_error, "connect-failed", _strerror),
    )


def _fd_shortage(item: BaseException) -> bool:
    return isinstance(item, OSError) and item.errno in FD_SHORTAGE


def _os_error(item: BaseException) -> bool:
    return isinstance(item, OSError) and bool(item.strerror)


def _proxy_refused(item: BaseException) -> str:
    return f"the proxy refused the request ({getattr(item, 'status', '?')})"


def _certificate(item: BaseException) -> str:
    why = getattr(item, "verify_message", None) or getattr(item, "reason", None)
    return f"TLS certificate check failed: {why or 'not trusted'}"


def _handshake(item: BaseException) -> str:
    reason = getattr(item, "reason", None)
    return f"TLS handshake failed: {reason or item.__class__.__name__}"


def _malformed(item: BaseException) -> str:
    return f"the server sent a malformed response ({getattr(item, 'message', item)})"


def _connector(item: BaseException) -> str:
    os_error = getattr(item, "os_error", None)
    return f"cannot connect: {getattr(os_error, 'strerror', None) or item}"


def _strerror(item: BaseException) -> str:
    return f"cannot connect: {getattr(item, 'strerror', None) or item}"
