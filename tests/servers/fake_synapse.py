"""A local Synapse REST server: the slice of the repo API that ``syn.restPOST(bundle2)`` and
``syn.login()`` use, with Synapse's JSON shapes and error bodies.

It answers ``POST /repo/v1/entity/{id}/bundle2`` from a table of entities (File, Folder,
Project, …, with permissions, file handles and restriction information) and
``GET /repo/v1/userProfile`` for known tokens. Unknown IDs get 404 "Resource: … does not
exist", trashed ones 404 "Entity … is in trash can.", private ones 403 for anonymous callers,
bad tokens 401 with ``WWW-Authenticate``. Tests can queue answers per ID (429 then 200),
make an ID answer 503 forever, make it hang, make it stream a body that never ends (fast, or a
trickle), or add latency to every answer. Every request is recorded with its headers. Plain
HTTP on 127.0.0.1, or HTTPS with a given server context; synapseclient is pointed at it with
``--synapse-endpoint`` (``endpoint_as(name)`` for a name only a test proxy resolves).
"""

from __future__ import annotations

import json
import re
import ssl
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

ANONYMOUS_READ_REFUSED = "You lack READ access to the requested entity."
INVALID_TOKEN = "Invalid access token"
_BUNDLE = re.compile(r"^/repo/v1/entity/(syn\d+)(?:/version/(\d+))?/bundle2$")
_CONCRETE = {
    "file": "org.sagebionetworks.repo.model.FileEntity",
    "folder": "org.sagebionetworks.repo.model.Folder",
    "project": "org.sagebionetworks.repo.model.Project",
    "table": "org.sagebionetworks.repo.model.table.TableEntity",
    "link": "org.sagebionetworks.repo.model.Link",
}


@dataclass
class Entity:
    """One entity and what the (anonymous or logged-in) caller may do with it."""

    kind: str = "file"
    name: str = "weights.tar.gz"
    version: int = 1
    public: bool = True  # anonymous callers have READ
    open_data: bool = False  # anonymous callers may also download
    can_download: bool = True  # what a logged-in caller gets
    file_handle: bool = True  # the bundle carries the data file handle (when downloadable)
    restriction_level: str = "OPEN"
    unmet: bool = False
    trashed: bool = False
    include_entity_type: bool = True  # older servers: only concreteType


@dataclass(frozen=True)
class Canned:
    status: int
    body: Any
    headers: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class Recorded:
    method: str
    path: str
    headers: dict[str, str]
    body: str


@dataclass
class FakeSynapse:
    """The server state; start it with ``with FakeSynapse(...) as fake:``."""

    entities: dict[str, Entity] = field(default_factory=dict)
    tokens: dict[str, str] = field(default_factory=dict)  # token -> userName
    latency: float = 0.0
    hang: set[str] = field(default_factory=set)  # IDs whose bundle never answers
    # IDs whose bundle is a 200 that never ends: (bytes per write, pause between writes)
    stream: dict[str, tuple[int, float]] = field(default_factory=dict)
    ssl_context: ssl.SSLContext | None = None  # serve HTTPS with this server context
    always: dict[str, Canned] = field(default_factory=dict)  # ID -> the same answer forever
    profile_answer: Canned | None = None  # replaces every /userProfile answer (e.g. a 503)
    profile_hangs: bool = False  # login's /userProfile never answers
    requests: list[Recorded] = field(default_factory=list)
    # ID -> the pre-signed URL ``POST /file/v1/fileHandle/batch`` hands out for its file
    downloads: dict[str, str] = field(default_factory=dict)
    _queued: dict[str, list[Canned]] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _stop: threading.Event = field(default_factory=threading.Event)
    _httpd: ThreadingHTTPServer | None = None
    active: int = 0
    max_active: int = 0  # the most requests in flight at once

    def __enter__(self) -> FakeSynapse:
        fake = self

        class Handler(_Handler):
            server_state = fake

        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._httpd.daemon_threads = True
        if self.ssl_context is not None:
            self._httpd.socket = self.ssl_context.wrap_socket(self._httpd.socket, server_side=True)
        threading.Thread(
            target=self._httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        ).start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        if self._httpd is not None:
            self._httpd.shutdown()
            self._httpd.server_close()

    @property
    def endpoint(self) -> str:
        return self.endpoint_as("127.0.0.1")

    @property
    def port(self) -> int:
        assert self._httpd is not None
        return int(self._httpd.server_address[1])

    def endpoint_as(self, host: str) -> str:
        scheme = "https" if self.ssl_context is not None else "http"
        return f"{scheme}://{host}:{self.port}/repo/v1"

    def queue(self, syn_id: str, *answers: Canned) -> None:
        """Answer the next bundle requests for ``syn_id`` with these, then normally."""
        self._queued.setdefault(syn_id, []).extend(answers)

    def bundle_requests(self, syn_id: str | None = None) -> list[Recorded]:
        return [
            r
            for r in self.requests
            if r.path.endswith("/bundle2") and (syn_id is None or f"/entity/{syn_id}/" in r.path)
        ]

    def authorizations(self) -> Iterator[str | None]:
        for r in self.requests:
            yield r.headers.get("authorization")

    # ---- routing ----

    def answer(
        self, method: str, path: str, headers: dict[str, str], body: str = ""
    ) -> Canned | None:
        """None means: hang until the server stops."""
        token = _bearer(headers.get("authorization"))
        if token is not None and token not in self.tokens:
            return Canned(
                401,
                {"reason": INVALID_TOKEN},
                (("WWW-Authenticate", 'Bearer realm="Synapse Repository Services"'),),
            )
        user = self.tokens.get(token) if token else None
        if method == "GET" and path == "/repo/v1/userProfile":
            if self.profile_hangs:
                return None
            return self.profile_answer or _profile(user)
        if method == "POST" and path == "/file/v1/fileHandle/batch":
            return self._batch(body, user)
        match = _BUNDLE.match(path)
        if method != "POST" or match is None:
            return Canned(404, {"reason": f"No handler for {method} {path}"})
        syn_id = match.group(1)
        if syn_id in self.hang:
            return None
        if syn_id in self.stream:
            size, pause = self.stream[syn_id]
            return Canned(200, _Endless(size, pause))
        with self._lock:
            queued = self._queued.get(syn_id)
            if queued:
                return queued.pop(0)
        if syn_id in self.always:
            return self.always[syn_id]
        return self._bundle(syn_id, user)

    def _batch(self, body: str, user: str | None) -> Canned:
        """Pre-signed URLs for the requested file handles of downloadable File entities."""
        try:
            wanted = json.loads(body).get("requestedFiles", [])
        except (ValueError, AttributeError):
            return Canned(400, {"reason": "bad request body"})
        answers = []
        for item in wanted:
            syn_id = str(item.get("associateObjectId", ""))
            entity = self.entities.get(syn_id)
            allowed = (
                entity is not None
                and not entity.unmet
                and (entity.can_download if user is not None else entity.open_data)
            )
            if allowed and syn_id in self.downloads:
                answers.append(
                    {
                        "fileHandleId": item.get("fileHandleId"),
                        "preSignedURL": self.downloads[syn_id],
                    }
                )
            else:
                answers.append(
                    {"fileHandleId": item.get("fileHandleId"), "failureCode": "UNAUTHORIZED"}
                )
        return Canned(201, {"requestedFiles": answers})

    def _bundle(self, syn_id: str, user: str | None) -> Canned:
        entity = self.entities.get(syn_id)
        if entity is None:
            return Canned(404, {"reason": f"Resource: '{syn_id}' does not exist"})
        if entity.trashed:
            return Canned(404, {"reason": f"Entity {syn_id} is in trash can."})
        if user is None and not entity.public:
            return Canned(403, {"reason": ANONYMOUS_READ_REFUSED})
        can_download = not entity.unmet and (
            entity.can_download if user is not None else entity.open_data
        )
        return Canned(200, _bundle_body(syn_id, entity, can_download))


def _bundle_body(syn_id: str, entity: Entity, can_download: bool) -> dict[str, Any]:
    number = int(syn_id[3:])
    body: dict[str, Any] = {
        "entity": {
            "id": syn_id,
            "name": entity.name,
            "etag": "e1",
            "parentId": "syn1",
            "versionNumber": entity.version,
            "concreteType": _CONCRETE.get(entity.kind, "org.sagebionetworks.repo.model.Other"),
        },
        "restrictionInformation": {
            "objectId": number,
            "restrictionLevel": entity.restriction_level,
            "hasUnmetAccessRequirement": entity.unmet,
            "restrictionDetails": (
                [{"accessRequirementId": 9, "isApproved": False, "isMet": False, "isExempt": False}]
                if entity.unmet
                else []
            ),
            "userEntityPermissions": {"canView": True, "canDownload": can_download},
        },
        "permissions": {
            "canView": True,
            "canDownload": can_download,
            "canEdit": False,
            "isEntityOpenData": entity.open_data,
            "canPublicRead": entity.public,
        },
        "fileHandles": [],
    }
    if entity.include_entity_type:
        body["entityType"] = entity.kind
    if entity.kind == "file":
        body["entity"]["dataFileHandleId"] = "456"
        if can_download and entity.file_handle:
            body["fileHandles"] = [
                {
                    "id": "456",
                    "concreteType": "org.sagebionetworks.repo.model.file.S3FileHandle",
                    "fileName": entity.name,
                    "contentSize": 10,
                    "contentMd5": "0" * 32,
                    "contentType": "application/gzip",
                }
            ]
    return body


def _profile(user: str | None) -> Canned:
    if user is None:
        return Canned(200, {"ownerId": "273950", "userName": "anonymous"})
    return Canned(200, {"ownerId": "1", "userName": user, "displayName": user.title()})


def _bearer(value: str | None) -> str | None:
    if value and value.startswith("Bearer "):
        return value[len("Bearer ") :]
    return None


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    # Headers and body go out in two writes; with Nagle on, the client's delayed ACK stalls
    # every keep-alive answer by ~40 ms, which would swamp the benchmark's 50 ms latency.
    disable_nagle_algorithm = True
    server_state: FakeSynapse

    def do_GET(self) -> None:
        self._serve("GET")

    def do_POST(self) -> None:
        self._serve("POST")

    def _serve(self, method: str) -> None:
        state = self.server_state
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length).decode("utf-8", "replace") if length else ""
        headers = {k.lower(): v for k, v in self.headers.items()}
        with state._lock:
            state.requests.append(Recorded(method, self.path, headers, body))
            state.active += 1
            state.max_active = max(state.max_active, state.active)
        try:
            if state.latency:
                time.sleep(state.latency)
            canned = state.answer(method, self.path, headers, body)
            if canned is None:
                state._stop.wait(30)
                return
            self._send(canned)
        finally:
            with state._lock:
                state.active -= 1

    def _send(self, canned: Canned) -> None:
        if isinstance(canned.body, _Endless):
            self._send_endless(canned.body)
            return
        data = json.dumps(canned.body).encode()
        self.send_response(canned.status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        for name, value in canned.headers:
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(data)

    def _send_endless(self, endless: _Endless) -> None:
        """A JSON document that never ends: ``{`` and then whitespace, until the client leaves."""
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Connection", "close")
        self.end_headers()
        self.close_connection = True
        chunk = b" " * endless.size
        try:
            self.wfile.write(b"{")
            while not self.server_state._stop.is_set():
                self.wfile.write(chunk)
                if endless.pause:
                    self.server_state._stop.wait(endless.pause)
        except OSError:  # the client stopped reading and hung up
            pass

    def log_message(self, format: str, *args: Any) -> None:
        pass


@dataclass(frozen=True)
class _Endless:
    size: int
    pause: float
