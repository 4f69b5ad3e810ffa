"""The seam to the real synapseclient: construct it safely, log in, ask for one entity bundle.

Imported only when a Synapse reference is checked (synapseclient costs ~1 s to import). What
makes it safe to run from a linter, on synapseclient 4.1.1 (MedPerf's pin) through newest 4.x:

* ``skip_checks=True``: no endpoint probes, no version check against PyPI.
* a private config file and cache folder in a temporary directory: the user's
  ``~/.synapseConfig`` cannot redirect endpoints or override our token, and nothing is
  written under ``~/.synapseCache``.
* a ``requests.Session`` that reads the environment as requests (and so MedPerf) does: the
  proxy variables (``HTTPS_PROXY``, ``HTTP_PROXY``, ``ALL_PROXY``, ``NO_PROXY``, either case,
  CONNECT tunnels for https) and ``REQUESTS_CA_BUNDLE``/``CURL_CA_BUNDLE``. It never reads
  ``~/.netrc`` (a session-level no-op auth stops requests from looking). It bounds every request
  with the configured connect/read timeouts, never follows redirects, and sends the token only
  to the exact origin (scheme, host, port) of ``synapse-endpoint``: any other request has its
  ``Authorization`` header removed at the last step before it is sent.
* a transport adapter (:class:`CappedAdapter`) that reads at most ``MAX_BODY`` bytes of any
  answer, so an endpoint that streams forever cannot grow the process.
* a short retry policy everywhere, including the ``GET /userProfile`` inside ``login()``, which
  takes no retry argument: synapseclient's default retries for about 30 minutes.
"""

from __future__ import annotations

import inspect
import json
import socket
import sys
import threading
import time
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import requests
from medperf_lint.input.config import DEFAULT_SYNAPSE_ENDPOINT, Settings
from medperf_lint.net.addresses import AddressPolicy, AddressRefused, parse_overrides
from medperf_lint.net.failures import classify, describe_failure
from medperf_lint.net.policy import MAX_WAIT, RETRY_FAILURES, backoff, retry_delay
from medperf_lint.net.util import DEFAULT_PORTS, exception_chain
from requests.adapters import HTTPAdapter
from requests.auth import AuthBase

PRODUCTION_ENDPOINTS = {
    "repoEndpoint": "https://repo-prod.prod.sagebase.org/repo/v1",
    "authEndpoint": "https://auth-prod.prod.sagebase.org/auth/v1",
    "fileHandleEndpoint": "https://file-prod.prod.sagebase.org/file/v1",
    "portalEndpoint": "https://www.synapse.org/",
}

# One POST answers everything: existence, type, version, file handle, restrictions, permissions.
BUNDLE_REQUEST = {
    "includeEntity": True,
    "includeAnnotations": False,
    "includeFileHandles": True,
    "includeRestrictionInformation": True,
    "includePermissions": True,
}

# A bundle2 answer is a few KiB; 4 MiB leaves room for many file handles and error pages.
MAX_BODY = 4 * 1024 * 1024
_CHUNK = 64 * 1024


class BodyTooLarge(requests.RequestException):
    """An answer longer than the cap: reading stopped, the connection was dropped."""


@dataclass(frozen=True)
class Reply:
    """What one call produced: a status and JSON body, or why there is none."""

    status: int | None
    body: Mapping[str, Any] | None = None
    reason: str | None = None  # the server's ``reason``, or a short local explanation
    failed: bool = False  # True when no usable answer came back (timeout, connection, non-JSON)


def endpoints(repo: str) -> dict[str, str]:
    """All four endpoints from the repo endpoint: production's, or siblings of a custom one."""
    if repo.rstrip("/") == DEFAULT_SYNAPSE_ENDPOINT:
        return dict(PRODUCTION_ENDPOINTS)
    base = repo.rstrip("/")
    root = base[: -len("/repo/v1")] if base.endswith("/repo/v1") else base
    return {
        "repoEndpoint": base,
        "authEndpoint": root + "/auth/v1",
        "fileHandleEndpoint": root + "/file/v1",
        "portalEndpoint": PRODUCTION_ENDPOINTS["portalEndpoint"],
    }


def retry_policy() -> dict[str, Any]:
    """synapseclient's own retries, off: the session's adapter retries every request by the
    one policy (:mod:`medperf_lint.net.policy`), ``login()``'s ``/userProfile`` included.
    The key names are the same in synapseclient 4.1.1 and newest 4.x."""
    policy: dict[str, Any] = {
        "retries": 0,
        "retry_status_codes": [],
        "retry_errors": [],
        "retry_exceptions": [],
    }
    from synapseclient.core.retry import with_retry

    accepted = inspect.signature(with_retry).parameters
    return {k: v for k, v in policy.items() if k in accepted}


def origin(url: str) -> tuple[str, str, int] | None:
    """(scheme, host, port) as urllib3 parses the URL it connects to; None if unparseable."""
    from urllib3.util import parse_url

    try:
        parts = parse_url(url)
    except ValueError:
        return None
    scheme = (parts.scheme or "").lower()
    if not parts.host or scheme not in DEFAULT_PORTS:
        return None
    return scheme, parts.host.lower().rstrip("."), parts.port or DEFAULT_PORTS[scheme]


class CappedAdapter(HTTPAdapter):
    """The request policy on a requests session, as the transport applies it to aiohttp:

    * connections go where ``--resolve`` and the address policy say (every resolved address
      checked, a literal IP in a URL too, the proxy exempt as the user named it);
    * each answer's body is read here, at most ``max_bytes`` of it (decoded), whatever the
      caller asked: requests would otherwise read an endless body into memory;
    * answers and failures are retried by the one classifier
      (:func:`medperf_lint.net.policy.retry_delay`), ``retries`` times at most."""

    def __init__(
        self,
        max_bytes: int = MAX_BODY,
        policy: AddressPolicy | None = None,
        retries: int = 0,
    ):
        self.policy = policy or AddressPolicy({}, allow_private=True)
        self.retries = retries
        self.max_bytes = max_bytes
        super().__init__()

    def init_poolmanager(self, *args: Any, **kwargs: Any) -> None:
        super().init_poolmanager(*args, **kwargs)
        self.poolmanager.pool_classes_by_scheme = _policy_pools(self.policy)

    def proxy_manager_for(self, proxy: str, **kwargs: Any) -> Any:
        """The proxy's pools connect by the same policy; the proxy itself is exempt."""
        found = origin(proxy)
        if found is not None:
            self.policy.exempt.add((found[1].strip("[]"), found[2]))
        manager = super().proxy_manager_for(proxy, **kwargs)
        manager.pool_classes_by_scheme = _policy_pools(self.policy)
        return manager

    def send(self, request: requests.PreparedRequest, *args: Any, **kwargs: Any) -> Any:
        target = origin(request.url or "")
        if target is not None:
            try:
                self.policy.check_literal(target[1], target[2])
            except AddressRefused as err:
                raise requests.ConnectionError(err, request=request) from err
        attempt = 0
        while True:
            try:
                response = self._read(request, *args, **kwargs)
            except requests.RequestException as err:
                if classify(err)[0] not in RETRY_FAILURES or attempt >= self.retries:
                    raise
                delay = backoff(attempt)
            else:
                headers = {k.lower(): v for k, v in response.headers.items()}
                delay_or_none = retry_delay(response.status_code, headers, attempt)
                if delay_or_none is None or delay_or_none > MAX_WAIT or attempt >= self.retries:
                    return response
                delay = delay_or_none
            attempt += 1
            time.sleep(delay)

    def _read(self, request: requests.PreparedRequest, *args: Any, **kwargs: Any) -> Any:
        kwargs["stream"] = True
        response = super().send(request, *args, **kwargs)
        body = bytearray()
        try:
            for chunk in response.iter_content(_CHUNK):
                body += chunk
                if len(body) > self.max_bytes:
                    raise BodyTooLarge(
                        f"the answer is longer than {self.max_bytes} bytes", request=request
                    )
        except BaseException:
            response.close()
            raise
        response._content = bytes(body)
        response._content_consumed = True  # type: ignore[attr-defined]  # as requests does
        response.raw.release_conn()  # read to the end: the connection may serve the next call
        return response


def _policy_pools(policy: AddressPolicy) -> dict[str, type[Any]]:
    """urllib3 pool classes whose connections open by ``policy`` (``--resolve``, then every
    permitted address in turn), keeping the name for the Host header, SNI and certificate."""
    from urllib3.connection import HTTPConnection, HTTPSConnection
    from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool

    class Plain(HTTPConnection):
        def _new_conn(self) -> socket.socket:
            return _connect(self, policy)

    class Secure(HTTPSConnection):
        def _new_conn(self) -> socket.socket:
            return _connect(self, policy)

    class PlainPool(HTTPConnectionPool):
        ConnectionCls = Plain

    class SecurePool(HTTPSConnectionPool):
        ConnectionCls = Secure

    return {"http": PlainPool, "https": SecurePool}


def _connect(conn: Any, policy: AddressPolicy) -> socket.socket:
    """The socket for ``conn``: each permitted address tried in turn, as urllib3 would."""
    from urllib3.exceptions import ConnectTimeoutError, NewConnectionError
    from urllib3.util.connection import create_connection

    try:
        addresses = policy.resolve(conn._dns_host, conn.port)
    except OSError as err:
        raise NewConnectionError(conn, f"Failed to establish a new connection: {err}") from err
    failure: Exception | None = None
    for address in addresses:
        try:
            sock = create_connection(
                (address, conn.port),
                conn.timeout,
                source_address=conn.source_address,
                socket_options=conn.socket_options,
            )
        except TimeoutError as err:
            failure = ConnectTimeoutError(conn, f"Connection to {conn.host} timed out")
            failure.__cause__ = err
        except OSError as err:
            failure = NewConnectionError(conn, f"Failed to establish a new connection: {err}")
            failure.__cause__ = err
        else:
            sys.audit("http.client.connect", conn, conn.host, conn.port)
            return sock
    assert failure is not None
    raise failure


class _NoAuth(AuthBase):
    """A session-level auth that adds nothing: with one set, requests never reads ~/.netrc."""

    def __call__(self, request: requests.PreparedRequest) -> requests.PreparedRequest:
        return request


class BoundedSession(requests.Session):
    """Every request gets our timeouts and no redirects, whatever the caller passed; the
    token goes to ``token_origin`` (and ``also``, the file-handle service of the same
    configured endpoint) only; every body is capped."""

    def __init__(
        self,
        timeout: tuple[float, float],
        token_origin: tuple[str, str, int] | None,
        max_body: int = MAX_BODY,
        also: tuple[str, str, int] | None = None,
        policy: AddressPolicy | None = None,
        retries: int = 0,
    ):
        super().__init__()
        self.trust_env = True  # proxies and CA bundle from the environment, as requests does
        self.auth = _NoAuth()  # ...but never credentials from ~/.netrc
        self._timeout = timeout
        self._token_origin = token_origin
        self._token_origins = {o for o in (token_origin, also) if o is not None}
        adapter = CappedAdapter(max_body, policy, retries)
        self.mount("https://", adapter)
        self.mount("http://", adapter)

    def request(self, method: str | bytes, url: str | bytes, *args: Any, **kwargs: Any) -> Any:
        kwargs["timeout"] = self._timeout
        kwargs["allow_redirects"] = False
        return super().request(method, url, *args, **kwargs)

    def send(self, request: requests.PreparedRequest, **kwargs: Any) -> Any:
        """The last step before the wire: no token leaves for any other origin."""
        kwargs["allow_redirects"] = False
        if origin(request.url or "") not in self._token_origins:
            request.headers.pop("Authorization", None)
        return super().send(request, **kwargs)


def request_timeout(settings: Settings) -> tuple[float, float]:
    read = (
        min(settings.read_timeout, settings.timeout) if settings.timeout else settings.read_timeout
    )
    return (settings.connect_timeout, read)


class SynapseChecker:
    """One synapseclient instance; one session per worker thread (requests sessions are not
    documented as thread-safe); the logged-in credentials are shared read-only."""

    def __init__(self, settings: Settings, workdir: Path):
        self._settings = settings
        self._timeout = request_timeout(settings)
        self._endpoints = endpoints(settings.synapse_endpoint)
        self._token_origin = origin(self._endpoints["repoEndpoint"])
        self._file_origin = origin(self._endpoints["fileHandleEndpoint"])
        self._policy = retry_policy()
        # ValueError names a bad --resolve entry (a usage error, as on the transport)
        self._addresses = AddressPolicy(
            parse_overrides(settings.resolve), settings.allow_private_hosts
        )
        self._local = threading.local()
        self._sessions: list[BoundedSession] = []
        self._lock = threading.Lock()
        config = workdir / "synapseConfig"
        config.write_text("", encoding="utf-8")
        self._syn = _make_client(settings, workdir, config, self._session(), self._policy)

    def _session(self) -> BoundedSession:
        session: BoundedSession | None = getattr(self._local, "session", None)
        if session is None:
            session = BoundedSession(
                self._timeout,
                self._token_origin,
                also=self._file_origin,
                policy=self._addresses,
                retries=self._settings.retries,
            )
            self._local.session = session
            with self._lock:
                self._sessions.append(session)
        return session

    def login(self, token: str) -> tuple[str | None, Reply | None]:
        """(user name, None) on success, else (None, what went wrong)."""
        kwargs: dict[str, Any] = {"authToken": token, "silent": True}
        if "cache_client" in inspect.signature(self._syn.login).parameters:
            kwargs["cache_client"] = False
        try:
            self._syn.login(**kwargs)
        except Exception as exc:
            reply = reply_from_exception(exc, self._timeout)
            if reply.status is None and type(exc).__name__ == "SynapseAuthenticationError":
                # Refused before any request, e.g. a token without the "view" scope.
                reply = Reply(None, None, f"synapseclient refused the token: {exc}"[:200])
            return None, reply
        name = getattr(self._syn.credentials, "username", None)
        return (str(name) if name else "(unknown)"), None

    def bundle(self, syn_id: str) -> Reply:
        """``POST /entity/{id}/bundle2``: exactly one request per ID, plus short retries."""
        try:
            body = self._syn.restPOST(
                f"/entity/{syn_id}/bundle2",
                body=json.dumps(BUNDLE_REQUEST),
                retryPolicy=self._policy,
                requests_session=self._session(),
            )
        except Exception as exc:
            return reply_from_exception(exc, self._timeout)
        if not isinstance(body, dict) or not isinstance(body.get("entity"), dict):
            # e.g. a redirect (never followed) or a proxy's page: no answer about the entity
            return Reply(None, None, "Synapse's answer carried no entity", failed=True)
        return Reply(200, body)

    def download_url(self, syn_id: str, file_handle_id: str) -> Reply:
        """``POST /fileHandle/batch`` for the File's pre-signed download URL, as synapseclient's
        download does; the body is ``{"url": …}`` or a failure with Synapse's code."""
        request = {
            "requestedFiles": [
                {
                    "fileHandleId": file_handle_id,
                    "associateObjectId": syn_id,
                    "associateObjectType": "FileEntity",
                }
            ],
            "includePreSignedURLs": True,
            "includeFileHandles": False,
        }
        try:
            body = self._syn.restPOST(
                "/fileHandle/batch",
                body=json.dumps(request),
                endpoint=self._endpoints["fileHandleEndpoint"],
                retryPolicy=self._policy,
                requests_session=self._session(),
            )
        except Exception as exc:
            return reply_from_exception(exc, self._timeout)
        files = body.get("requestedFiles") if isinstance(body, dict) else None
        first = files[0] if isinstance(files, list) and files else None
        url = first.get("preSignedURL") if isinstance(first, dict) else None
        if isinstance(url, str) and url.startswith(("https://", "http://")):
            return Reply(200, {"url": url})
        code = first.get("failureCode") if isinstance(first, dict) else None
        return Reply(None, None, f"no download URL ({code or 'no answer'})", failed=True)

    def close(self) -> None:
        with self._lock:
            for session in self._sessions:
                session.close()
            self._sessions.clear()


def _make_client(
    settings: Settings,
    workdir: Path,
    config: Path,
    session: requests.Session,
    policy: Mapping[str, Any],
) -> Any:
    from synapseclient import Synapse

    class BoundedSynapse(Synapse):  # type: ignore[misc]
        """Applies our retry policy to calls that take none (``login``'s ``/userProfile``)."""

        def _build_retry_policy(self, retryPolicy: Mapping[str, Any] | None = None) -> Any:
            merged = dict(super()._build_retry_policy({}))
            merged.update(policy)
            merged.update(retryPolicy or {})
            return merged

    wanted: dict[str, Any] = {
        **endpoints(settings.synapse_endpoint),
        "skip_checks": True,
        "silent": True,
        "debug": False,
        "configPath": str(config),
        "cache_root_dir": str(workdir / "cache"),
        "requests_session": session,
        "cache_client": False,  # newer 4.x: don't register as the module-wide client
        "http_timeout_seconds": max(1, round(request_timeout(settings)[1])),
    }
    accepted = inspect.signature(Synapse.__init__).parameters
    return BoundedSynapse(**{k: v for k, v in wanted.items() if k in accepted})


def reply_from_exception(exc: BaseException, timeout: tuple[float, float]) -> Reply:
    """Turn synapseclient/requests errors into a Reply without ever quoting request headers."""
    chain = list(exception_chain(exc))
    too_large = next((e for e in chain if isinstance(e, BodyTooLarge)), None)
    if too_large is not None:
        return Reply(None, None, f"stopped reading: {too_large}", failed=True)
    response = _response_of(exc)
    if response is not None:
        return Reply(int(response.status_code), None, _reason_of(response))
    if not any(isinstance(e, requests.RequestException) for e in chain):
        return Reply(None, None, f"synapseclient failed: {type(exc).__name__}", failed=True)
    return Reply(None, None, _failed_exchange(exc, chain, timeout), failed=True)


def _failed_exchange(
    exc: BaseException, chain: list[BaseException], timeout: tuple[float, float]
) -> str:
    """One line for a failed exchange, by the shared classifier."""
    kind, detail = describe_failure(exc)
    if kind == "connect-timeout":
        return f"no connection within {timeout[0]:g} s (connect timeout)"
    if kind == "timeout":
        return f"no answer within {timeout[1]:g} s (read timeout)"
    if kind == "blocked-address":
        return f"{detail}; refusing to connect (use --allow-private-hosts if this is intended)"
    request = next(
        (getattr(e, "request", None) for e in chain if getattr(e, "request", None)), None
    )
    host = urlsplit(str(getattr(request, "url", "") or "")).netloc
    where = f" to {host}" if host else ""
    return f"could not connect{where}: {detail}"


def _response_of(exc: BaseException) -> Any:
    # SynapseAuthenticationError (401/403 while logged out) is raised *from* the HTTP error.
    for err in exception_chain(exc):
        response = getattr(err, "response", None)
        if response is not None and getattr(response, "status_code", None) is not None:
            return response
    return None


def _reason_of(response: Any) -> str | None:
    try:
        data = response.json()
    except ValueError:
        text = (response.text or "").strip()
        return text[:200] or None
    if isinstance(data, dict) and isinstance(data.get("reason"), str):
        return str(data["reason"])
    return None
