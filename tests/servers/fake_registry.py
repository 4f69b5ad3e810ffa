"""A local container registry speaking the OCI distribution (Docker Registry HTTP API v2) read
side and its anonymous bearer-token flow, as Docker Hub and ghcr.io do.

``GET /v2/<name>/manifests/<ref>`` (and HEAD) without a token answers 401 with
``WWW-Authenticate: Bearer realm=…,service=…,scope=repository:<name>:pull``; ``GET <realm>``
hands out a token for that scope; with it, the manifest (or the tag's manifest) is served with
its ``Docker-Content-Digest``. Unknown names and tags answer 404 with the registry's error JSON.
Requests are counted and logged so tests can see what the client sent where.
"""

from __future__ import annotations

import hashlib
import json
import ssl
import threading
from collections import Counter
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

from servers.answering import GetHeadHandler

INDEX_TYPE = "application/vnd.oci.image.index.v1+json"
MANIFEST_TYPE = "application/vnd.docker.distribution.manifest.v2+json"


def manifest_bytes(seed: str, media_type: str = INDEX_TYPE) -> bytes:
    """A small, valid-looking manifest whose bytes (and so digest) depend on ``seed``."""
    return json.dumps(
        {"schemaVersion": 2, "mediaType": media_type, "manifests": [], "annotations": {"s": seed}},
        sort_keys=True,
    ).encode()


def digest_of(data: bytes) -> str:
    return "sha256:" + hashlib.sha256(data).hexdigest()


@dataclass
class FakeRegistry:
    """Images by (repository, tag); digests are computed from the stored manifest bytes."""

    context: ssl.SSLContext | None = None
    auth: bool = True  # False: anonymous reads need no token
    digest_header: bool = True  # False: HEAD gives no Docker-Content-Digest (GET must hash)
    images: dict[tuple[str, str], tuple[bytes, str]] = field(default_factory=dict)
    counts: Counter[str] = field(default_factory=Counter)
    log: list[tuple[str, str, dict[str, str]]] = field(
        default_factory=list
    )  # method, path, headers
    status_override: int | None = None  # answer every manifest request with this (e.g. 500)

    def __post_init__(self) -> None:
        self._lock = threading.Lock()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), _handler_for(self))
        self._server.daemon_threads = True
        if self.context is not None:
            self._server.socket = self.context.wrap_socket(self._server.socket, server_side=True)
        self.port: int = self._server.server_address[1]
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self.realm_host = "127.0.0.1"

    @property
    def scheme(self) -> str:
        return "https" if self.context is not None else "http"

    def push(
        self, repository: str, tag: str, media_type: str = INDEX_TYPE, manifest: bytes | None = None
    ) -> str:
        """Store an image under ``repository:tag``; returns its manifest digest."""
        data = manifest or manifest_bytes(f"{repository}:{tag}:{len(self.images)}", media_type)
        self.images[(repository, tag)] = (data, media_type)
        self.images[(repository, digest_of(data))] = (data, media_type)
        return digest_of(data)

    def token_for(self, repository: str) -> str:
        return f"anon-{repository.replace('/', '-')}"

    def record(self, method: str, path: str, headers: dict[str, str]) -> None:
        with self._lock:
            self.counts[path.split("?", 1)[0]] += 1
            self.log.append((method, path, headers))

    def __enter__(self) -> FakeRegistry:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()


def _handler_for(registry: FakeRegistry) -> type[BaseHTTPRequestHandler]:
    return type("Handler", (_Handler,), {"registry": registry})


class _Handler(GetHeadHandler):
    """Answers for ``registry`` (set per server by :func:`_handler_for`)."""

    registry: FakeRegistry

    def _send(self, status: int, body: bytes, headers: dict[str, str], head: bool) -> None:
        self.send_response(status)
        for name, value in headers.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if not head:
            self.wfile.write(body)

    def _error(
        self, status: int, code: str, head: bool, extra: dict[str, str] | None = None
    ) -> None:
        body = json.dumps({"errors": [{"code": code, "message": code.lower()}]}).encode()
        self._send(status, body, {"Content-Type": "application/json", **(extra or {})}, head)

    def _answer(self, head: bool) -> None:
        headers = {k.lower(): v for k, v in self.headers.items()}
        parts = urlsplit(self.path)
        self.registry.record(self.command, self.path, headers)
        if parts.path == "/token":
            scope = parse_qs(parts.query).get("scope", [""])[0]
            repository = scope.split(":")[1] if scope.count(":") >= 2 else ""
            body = json.dumps({"token": self.registry.token_for(repository), "expires_in": 300})
            self._send(200, body.encode(), {"Content-Type": "application/json"}, head)
        elif parts.path in ("/v2/", "/v2"):
            self._send(200, b"{}", {"Content-Type": "application/json"}, head)
        elif not parts.path.startswith("/v2/") or "/manifests/" not in parts.path:
            self._error(404, "NOT_FOUND", head)
        else:
            repository, _, reference = parts.path[len("/v2/") :].rpartition("/manifests/")
            if self._authorized(repository, headers, head):
                self._manifest(repository, reference, head)

    def _authorized(self, repository: str, headers: dict[str, str], head: bool) -> bool:
        """True when no token is needed or the right one came; else a 401 challenge is sent."""
        registry = self.registry
        if not registry.auth or headers.get("authorization") == (
            f"Bearer {registry.token_for(repository)}"
        ):
            return True
        realm = f"{registry.scheme}://{registry.realm_host}:{registry.port}/token"
        challenge = (
            f'Bearer realm="{realm}",service="registry.test",scope="repository:{repository}:pull"'
        )
        self._error(401, "UNAUTHORIZED", head, {"WWW-Authenticate": challenge})
        return False

    def _manifest(self, repository: str, reference: str, head: bool) -> None:
        registry = self.registry
        if registry.status_override is not None:
            self._error(registry.status_override, "UNAVAILABLE", head)
            return
        found = registry.images.get((repository, reference))
        if found is None:
            known = any(repo == repository for repo, _ in registry.images)
            self._error(404, "MANIFEST_UNKNOWN" if known else "NAME_UNKNOWN", head)
            return
        data, media_type = found
        extra = {"Content-Type": media_type}
        if registry.digest_header:
            extra["Docker-Content-Digest"] = digest_of(data)
        self._send(200, data, extra, head)
