"""A local MedPerf server: the REST API's JSON shapes, pagination and authentication.

Written for the tests from MedPerf's server code (``server/*/serializers.py``, ``urls.py``,
``medperf/settings.py``): Django REST Framework under ``/api/v0/``, ``LimitOffsetPagination``
(``count``, ``next``, ``previous``, ``results``; 32 a page; absolute ``next`` and ``previous``
links built from the request's Host), ``Authorization: Bearer <token>`` on every call (401 with
a ``detail`` otherwise), entities ordered as the server orders them. Serialized shapes:
containers (``/mlcubes/``) with every model field; models nesting their container or asset in
full; benchmarks without the auto-approval allow lists (``BenchmarkPublicSerializer``);
training experiments; ``/benchmarks/<id>/models/`` with ``model``, ``approval_status``,
``created_at``.

Test knobs: ``delay`` (seconds before each answer), ``malformed`` (paths answered with broken
JSON), ``next_host`` (the host ``next`` links name, to play a server pointing elsewhere),
``forbidden`` (paths answered 403). Requests are logged with their Authorization header, and
the most answers in flight at once is kept (``peak``).
"""

from __future__ import annotations

import json
import ssl
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit

PAGE_SIZE = 32
STAMP = "2026-01-05T10:00:00.000000Z"
COLLECTIONS = ("mlcubes", "models", "assets", "benchmarks", "training")


def _bookkeeping(ident: int, name: str, owner: int) -> dict[str, Any]:
    return {
        "id": ident,
        "name": name,
        "owner": owner,
        "state": "OPERATION",
        "is_valid": True,
        "metadata": {},
        "user_metadata": {},
        "created_at": STAMP,
        "modified_at": STAMP,
    }


def container(
    ident: int,
    name: str,
    *,
    owner: int = 1,
    image: str = "mlcommons/model:1.0",
    container_type: str = "DockerImage",
    image_hash: str = "",
    additional: tuple[str, str] = ("", ""),
    parameters: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """An mlcube as ``MlCubeSerializer`` (fields ``__all__``) returns it."""
    return {
        **_bookkeeping(ident, name, owner),
        "container_config": {"container_type": container_type, "image": image},
        "parameters_config": parameters,
        "image_hash": image_hash,
        "additional_files_tarball_url": additional[0],
        "additional_files_tarball_hash": additional[1],
    }


def legacy_container(
    ident: int,
    name: str,
    *,
    owner: int = 1,
    mlcube: tuple[str, str] = ("", ""),
    parameters: tuple[str, str] = ("", ""),
    image_tarball: tuple[str, str] = ("", ""),
    additional: tuple[str, str] = ("", ""),
    image_hash: str = "",
) -> dict[str, Any]:
    """An mlcube from an MLCube-era server (before MedPerf PR #642)."""
    return {
        **_bookkeeping(ident, name, owner),
        "git_mlcube_url": mlcube[0],
        "mlcube_hash": mlcube[1],
        "git_parameters_url": parameters[0],
        "parameters_hash": parameters[1],
        "image_tarball_url": image_tarball[0],
        "image_tarball_hash": image_tarball[1],
        "image_hash": image_hash,
        "additional_files_tarball_url": additional[0],
        "additional_files_tarball_hash": additional[1],
    }


def asset(ident: int, name: str, url: str, sha: str, *, owner: int = 1) -> dict[str, Any]:
    return {**_bookkeeping(ident, name, owner), "asset_url": url, "asset_hash": sha}


def model(
    ident: int,
    name: str,
    *,
    owner: int = 1,
    nested_container: dict[str, Any] | None = None,
    nested_asset: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """A model as ``ModelSerializer`` returns it: the container or asset nested in full."""
    return {
        **_bookkeeping(ident, name, owner),
        "type": "CONTAINER" if nested_container is not None else "ASSET",
        "container": nested_container,
        "asset": nested_asset,
    }


def benchmark(
    ident: int,
    name: str,
    *,
    owner: int = 1,
    demo: tuple[str, str] = ("", ""),
    docs_url: str = "",
    prep: int = 0,
    reference_model: int = 0,
    evaluator: int = 0,
) -> dict[str, Any]:
    return {
        **_bookkeeping(ident, name, owner),
        "description": "",
        "docs_url": docs_url,
        "demo_dataset_tarball_url": demo[0],
        "demo_dataset_tarball_hash": demo[1],
        "demo_dataset_generated_uid": "0" * 40,
        "data_preparation_mlcube": prep,
        "reference_model": reference_model,
        "data_evaluator_mlcube": evaluator,
        "is_active": True,
        "approval_status": "APPROVED",
        "dataset_auto_approval_mode": "NEVER",
        "model_auto_approval_mode": "NEVER",
        "approved_at": STAMP,
    }


def training(
    ident: int,
    name: str,
    *,
    owner: int = 1,
    demo: tuple[str, str] = ("link", "hash"),
    prep: int = 0,
) -> dict[str, Any]:
    return {
        **_bookkeeping(ident, name, owner),
        "description": "",
        "docs_url": "",
        "demo_dataset_tarball_url": demo[0],
        "demo_dataset_tarball_hash": demo[1],
        "demo_dataset_generated_uid": "0" * 40,
        "data_preparation_mlcube": prep,
        "fl_mlcube": prep,
        "fl_admin_mlcube": None,
        "approval_status": "APPROVED",
        "plan": None,
        "aggregator": None,
        "approved_at": STAMP,
    }


@dataclass(frozen=True)
class Seen:
    path: str
    authorization: str | None


@dataclass
class FakeMedPerf:
    context: ssl.SSLContext | None  # None: plain HTTP (loopback only, for bench/audit_bench.py)
    host: str = "api.medperf.org"
    token: str = "good-token"
    delay: float = 0.0
    malformed: set[str] = field(default_factory=set)
    forbidden: set[str] = field(default_factory=set)
    unavailable: dict[str, int] = field(default_factory=dict)  # path -> 503s before it answers
    moved: dict[str, str] = field(default_factory=dict)  # path -> where a 301 points
    next_host: str | None = None
    entities: dict[str, dict[int, dict[str, Any]]] = field(
        default_factory=lambda: {c: {} for c in COLLECTIONS}
    )
    benchmark_models: dict[int, list[int]] = field(default_factory=dict)
    log: list[Seen] = field(default_factory=list)
    peak: int = 0

    def __post_init__(self) -> None:
        self._lock = threading.Lock()
        self._busy = 0
        self._server = _Server(("127.0.0.1", 0), _handler(self))
        self._server.daemon_threads = True
        # the handshake happens on the handler's thread (first read), so a client that connects
        # and goes away never stalls the accepting thread
        if self.context is not None:
            self._server.socket = self.context.wrap_socket(
                self._server.socket, server_side=True, do_handshake_on_connect=False
            )
        self.port: int = self._server.server_address[1]
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def scheme(self) -> str:
        return "https" if self.context is not None else "http"

    @property
    def base(self) -> str:
        return f"{self.scheme}://{self.host}:{self.port}"

    def resolve(self) -> str:
        return f"{self.host}:{self.port}:127.0.0.1"

    def add(self, collection: str, *items: dict[str, Any]) -> None:
        for item in items:
            self.entities[collection][int(item["id"])] = item

    def __enter__(self) -> FakeMedPerf:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()

    # -- answering --

    def answer(self, path: str, query: dict[str, str], auth: str | None) -> tuple[int, Any]:
        with self._lock:
            self.log.append(Seen(path + (f"?{urlencode(query)}" if query else ""), auth))
        if auth != f"Bearer {self.token}":
            detail = (
                "Authentication credentials were not provided."
                if auth is None
                else "Given token not valid for any token type"
            )
            return 401, {"detail": detail}
        if path in self.moved:
            return 301, {"detail": "Moved permanently."}
        if self.unavailable.get(path, 0) > 0:
            with self._lock:
                self.unavailable[path] -= 1
            return 503, {"detail": "Service temporarily unavailable, try again later."}
        if path in self.forbidden:
            return 403, {"detail": "You do not have permission to perform this action."}
        parts = [p for p in path.split("/") if p]
        if len(parts) < 3 or parts[:2] != ["api", "v0"] or parts[2] not in COLLECTIONS:
            return 404, {"detail": "Not found."}
        items = self.entities[parts[2]]
        if len(parts) == 3:
            return 200, self._page(path, query, [items[k] for k in sorted(items)])
        if not parts[3].isdigit() or int(parts[3]) not in items:
            return 404, {"detail": "Not found."}
        if len(parts) == 4:
            return 200, items[int(parts[3])]
        if parts[2] == "benchmarks" and parts[4:] == ["models"]:
            links = [
                {"model": m, "approval_status": "APPROVED", "created_at": STAMP}
                for m in self.benchmark_models.get(int(parts[3]), [])
            ]
            return 200, self._page(path, query, links)
        return 404, {"detail": "Not found."}

    def _page(self, path: str, query: dict[str, str], items: list[Any]) -> dict[str, Any]:
        limit = int(query.get("limit", PAGE_SIZE))
        offset = int(query.get("offset", 0))
        host = self.next_host or f"{self.host}:{self.port}"

        def link(at: int) -> str:
            params = {"limit": str(limit)}
            if at > 0:
                params["offset"] = str(at)
            return f"{self.scheme}://{host}{path}?{urlencode(params)}"

        return {
            "count": len(items),
            "next": link(offset + limit) if offset + limit < len(items) else None,
            "previous": link(max(0, offset - limit)) if offset > 0 else None,
            "results": items[offset : offset + limit],
        }


class _Server(ThreadingHTTPServer):
    # socketserver's default backlog of 5 drops the SYNs of a client opening 8 connections at
    # once, and each dropped SYN is retried after 1 s (a real server listens far deeper)
    request_queue_size = 1024

    def handle_error(self, request: object, client_address: object) -> None:
        """A client that hangs up mid-answer (the linter stopping at a first error) is normal."""


def _handler(server: FakeMedPerf) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        timeout = 10  # an idle keep-alive connection ends its thread
        # headers and body are two writes: no 40 ms wait on the client's delayed ACK
        disable_nagle_algorithm = True

        def log_message(self, format: str, *args: object) -> None:
            pass

        def do_GET(self) -> None:
            with server._lock:
                server._busy += 1
                server.peak = max(server.peak, server._busy)
            try:
                if server.delay:
                    time.sleep(server.delay)
                parts = urlsplit(self.path)
                query = dict(parse_qsl(parts.query))
                status, body = server.answer(parts.path, query, self.headers.get("Authorization"))
                data = json.dumps(body).encode()
                if parts.path in server.malformed and status == 200:
                    data = data[: len(data) // 2]  # cut mid-document: not JSON any more
            finally:
                with server._lock:
                    server._busy -= 1
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            if status == 401:
                self.send_header("WWW-Authenticate", 'Bearer realm="api"')
            if status == 503:
                self.send_header("Retry-After", "0")
            if status == 301:
                self.send_header("Location", server.moved[parts.path])
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

    return Handler
