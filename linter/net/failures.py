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
import functools
import socket
import ssl
import sys
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
    for match, kind, detail in _rules(tuple(name in sys.modules for name in _LIBRARIES)):
        for item in chain:
            if match(item):
                return kind, detail(item)
    return "connect-failed", f"cannot connect ({type(err).__name__})"


def _is(*types: type[BaseException]) -> Match:
    return lambda item: isinstance(item, types)


def _said(text: str) -> Detail:
    return lambda _item: text


# The libraries whose exception classes the table names, by module.
_LIBRARIES = ("aiohttp", "requests.exceptions", "urllib3.exceptions")


def _of(module: str, *names: str) -> tuple[type[BaseException], ...]:
    """The named classes of ``module`` when it is imported, else none: an exception of a library
    the run never imported cannot be in a chain, so classifying a failure imports nothing (an
    aiohttp run does not pay for requests, about 0.04 s of CPU)."""
    loaded = sys.modules.get(module)
    return tuple(getattr(loaded, name) for name in names if hasattr(loaded, name))


@lru_cache(maxsize=8)
def _rules(_loaded: tuple[bool, ...]) -> tuple[tuple[Match, str, Detail], ...]:
    """The table for the libraries loaded so far (``_loaded``, by :data:`_LIBRARIES`, keys the
    cache: a library imported later gets a table that names its classes)."""
    aio, rq, u3 = (functools.partial(_of, module) for module in _LIBRARIES)
    # urllib3 1.26 (synapseclient 4.1.1's) has no NameResolutionError: a gaierror says it there
    return (
        (_is(*aio("ClientProxyConnectionError")), "proxy", _said("cannot connect to the proxy")),
        (_is(*aio("ClientHttpProxyError")), "proxy", _proxy_refused),
        (_is(*rq("ProxyError")), "proxy", _said("cannot connect to the proxy")),
        (_is(AddressRefused), "blocked-address", str),
        (_is(NameNotResolved), "dns", lambda item: f"cannot resolve the host: {item}"),
        (_fd_shortage, "fd-shortage", _said("out of file descriptors on this machine")),
        (_is(ssl.SSLCertVerificationError), "tls", _certificate),
        (_is(ssl.SSLError, *aio("ClientSSLError")), "tls", _handshake),
        (_is(ConnectionRefusedError), "refused", _said("connection refused")),
        (
            _is(*aio("ClientConnectorDNSError"), socket.gaierror, *u3("NameResolutionError")),
            "dns",
            _said("cannot resolve the host"),
        ),
        (
            _is(
                *aio("ConnectionTimeoutError"),
                *rq("ConnectTimeout"),
                *u3("ConnectTimeoutError"),
            ),
            "connect-timeout",
            _said("no connection within the connect timeout"),
        ),
        (
            _is(asyncio.TimeoutError, TimeoutError, *rq("Timeout"), *u3("TimeoutError")),
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
                *aio("ServerDisconnectedError", "ClientPayloadError"),
                *rq("ChunkedEncodingError"),
                *u3("ProtocolError"),
            ),
            "reset",
            _said("the server closed the connection without a complete answer"),
        ),
        (_is(*aio("ClientResponseError")), "bad-response", _malformed),
        (_is(*aio("ClientConnectorError")), "connect-failed", _connector),
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
