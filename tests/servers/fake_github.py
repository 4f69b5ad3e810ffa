"""A local HTTPS server that speaks the slice of GitHub's REST API the linter uses.

It serves ``/repos/O/R`` (default_branch), ``/repos/O/R/commits/REF`` (40-hex text with
``Accept: application/vnd.github.sha``), ``/repos/O/R/compare/BASE...HEAD`` (status),
``/repos/O/R/branches`` and ``/repos/O/R/tags``, with GitHub's 404 and 422 bodies. Repositories
are small commit graphs; ``network`` commits exist only through the fork network, the way an
impostor commit does. Every request is recorded (path and headers), and tests can spend the
rate limit, queue failures or redirect a path elsewhere.
"""

from __future__ import annotations

import json
import ssl
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, TypeVar
from urllib.parse import unquote, urlsplit


@dataclass
class FakeRepo:
    """One repository: commit -> parent, branch and tag tips, and fork-network-only commits."""

    parents: dict[str, str | None]
    branches: dict[str, str]
    tags: dict[str, str] = field(default_factory=dict)
    default_branch: str = "main"
    network: dict[str, str | None] = field(default_factory=dict)
    more_branches_pages: bool = False  # answer /branches with a Link: rel="next"
    # published releases: tag -> (immutable, asset names), as /releases/tags/TAG shows them
    releases: dict[str, tuple[bool, tuple[str, ...]]] = field(default_factory=dict)

    def known(self, sha: str) -> bool:
        return sha in self.parents or sha in self.network

    def ancestors(self, sha: str) -> set[str]:
        seen: set[str] = set()
        current: str | None = sha
        while current is not None and current not in seen:
            seen.add(current)
            current = self.parents.get(current, self.network.get(current))
        return seen

    def resolve(self, ref: str) -> str | None:
        if ref.startswith("heads/"):
            return self.branches.get(ref[len("heads/") :])
        if ref.startswith("tags/"):
            return self.tags.get(ref[len("tags/") :])
        if ref in self.branches:
            return self.branches[ref]
        if ref in self.tags:
            return self.tags[ref]
        lowered = ref.lower()
        if len(lowered) >= 7 and all(c in "0123456789abcdef" for c in lowered):
            matches = [s for s in (*self.parents, *self.network) if s.startswith(lowered)]
            if len(matches) == 1:
                return matches[0]
        return None


@dataclass(frozen=True)
class Recorded:
    host: str
    path: str
    headers: dict[str, str]  # lower-case names


@dataclass
class Canned:
    status: int
    headers: dict[str, str] = field(default_factory=dict)
    body: str = ""


_Server = TypeVar("_Server", bound="TLSServer")


class TLSServer:
    """A threaded HTTPS server on 127.0.0.1 with a given certificate; records every request."""

    def __init__(self, context: ssl.SSLContext, handler: type[BaseHTTPRequestHandler]) -> None:
        self.requests: list[Recorded] = []
        self.lock = threading.Lock()
        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self.httpd.daemon_threads = True
        self.httpd.socket = context.wrap_socket(self.httpd.socket, server_side=True)
        self.httpd.app = self  # type: ignore[attr-defined]
        self.port = self.httpd.server_address[1]
        self._thread = threading.Thread(
            target=self.httpd.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True
        )

    def __enter__(self: _Server) -> _Server:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()

    def record(self, handler: BaseHTTPRequestHandler) -> None:
        headers = {k.lower(): v for k, v in handler.headers.items()}
        with self.lock:
            self.requests.append(Recorded(headers.get("host", ""), handler.path, headers))

    def paths(self) -> list[str]:
        with self.lock:
            return [r.path for r in self.requests]

    def respond(self, _handler: BaseHTTPRequestHandler) -> Canned:
        return Canned(200, {"Content-Type": "text/plain"}, "ok\n")


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True  # headers and body are two writes; no 40 ms delayed-ACK stall

    def do_GET(self) -> None:
        app: TLSServer = self.server.app  # type: ignore[attr-defined]
        app.record(self)
        canned = app.respond(self)
        body = canned.body.encode()
        self.send_response(canned.status)
        for name, value in canned.headers.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: Any) -> None:
        pass


class RecordingServer(TLSServer):
    """Any other host: answers 200 and remembers who asked with which headers."""

    def __init__(self, context: ssl.SSLContext) -> None:
        super().__init__(context, _Handler)


class FakeGitHub(TLSServer):
    """The GitHub REST API over a dict of ``"owner/repo"`` -> :class:`FakeRepo`."""

    def __init__(self, context: ssl.SSLContext, repos: dict[str, FakeRepo] | None = None) -> None:
        super().__init__(context, _Handler)
        self.repos = {k.lower(): v for k, v in (repos or {}).items()}
        self.rate_remaining: int | None = None  # None: unlimited; counts down per request
        self.rate_reset = 1_795_500_000  # 2026-11-24T06:00:00Z
        self.queued: list[tuple[str, Canned]] = []  # (path prefix, answer), served first
        self.redirects: dict[str, str] = {}  # path -> Location

    def queue(self, prefix: str, canned: Canned, times: int = 1) -> None:
        self.queued.extend([(prefix, canned)] * times)

    def respond(self, handler: BaseHTTPRequestHandler) -> Canned:
        rate = self._rate()
        if rate is not None and rate.status != 200:
            return rate
        limits = rate.headers if rate is not None else {}
        canned = self._queued(handler.path) or self._route(handler)
        canned.headers = {**limits, **canned.headers}
        return canned

    def _rate(self) -> Canned | None:
        with self.lock:
            if self.rate_remaining is None:
                return None
            headers = {
                "x-ratelimit-limit": "60",
                "x-ratelimit-reset": str(self.rate_reset),
                "x-ratelimit-resource": "core",
            }
            if self.rate_remaining <= 0:
                headers["x-ratelimit-remaining"] = "0"
                body = {
                    "message": "API rate limit exceeded for 127.0.0.1.",
                    "documentation_url": "",
                }
                return Canned(
                    403, {**headers, "Content-Type": "application/json"}, json.dumps(body)
                )
            self.rate_remaining -= 1
            headers["x-ratelimit-remaining"] = str(self.rate_remaining)
            return Canned(200, headers)

    def _queued(self, path: str) -> Canned | None:
        with self.lock:
            for index, (prefix, canned) in enumerate(self.queued):
                if path.startswith(prefix):
                    del self.queued[index]
                    return Canned(canned.status, dict(canned.headers), canned.body)
        return None

    def _route(self, handler: BaseHTTPRequestHandler) -> Canned:
        parts = urlsplit(handler.path)
        if parts.path in self.redirects:
            return Canned(302, {"Location": self.redirects[parts.path]})
        seg = parts.path.strip("/").split("/")
        if len(seg) < 3 or seg[0] != "repos":
            return _json(404, {"message": "Not Found"})
        repo = self.repos.get(f"{unquote(seg[1])}/{unquote(seg[2])}".lower())
        if repo is None:
            return _json(404, {"message": "Not Found"})
        rest = seg[3:]
        if not rest:
            return _json(
                200, {"full_name": f"{seg[1]}/{seg[2]}", "default_branch": repo.default_branch}
            )
        tail = unquote("/".join(rest[1:]))
        if rest[0] == "commits" and tail:
            return self._commit(handler, repo, tail)
        if rest[0] == "compare" and "..." in tail:
            base, head = tail.split("...", 1)
            return self._compare(repo, base, head)
        if rest == ["branches"]:
            return self._list(repo.branches, repo.more_branches_pages)
        if rest == ["tags"]:
            return self._list(repo.tags, False)
        if rest[:2] == ["releases", "tags"] and tail:
            return self._release(seg[1], seg[2], repo, unquote(tail[len("tags/") :]))
        return _json(404, {"message": "Not Found"})

    def _commit(self, handler: BaseHTTPRequestHandler, repo: FakeRepo, ref: str) -> Canned:
        sha = repo.resolve(ref)
        if sha is None:
            return _json(422, {"message": f"No commit found for SHA: {ref}"})
        if handler.headers.get("Accept", "") == "application/vnd.github.sha":
            return Canned(200, {"Content-Type": "application/vnd.github.sha"}, sha)
        return _json(200, {"sha": sha})

    def _compare(self, repo: FakeRepo, base_ref: str, head_ref: str) -> Canned:
        base, head = repo.resolve(base_ref), repo.resolve(head_ref)
        if base is None or head is None:
            return _json(404, {"message": "Not Found"})
        if base == head:
            status = "identical"
        elif head in repo.ancestors(base):
            status = "behind"
        elif base in repo.ancestors(head):
            status = "ahead"
        else:
            status = "diverged"
        return _json(200, {"status": status, "commits": []})

    def _release(self, owner: str, name: str, repo: FakeRepo, tag: str) -> Canned:
        """A release object with GitHub's fields around ``immutable`` and ``assets``."""
        if tag not in repo.releases:
            return _json(404, {"message": "Not Found", "status": "404"})
        immutable, assets = repo.releases[tag]
        base = f"https://github.com/{owner}/{name}/releases/download/{tag}"
        return _json(
            200,
            {
                "id": 1,
                "tag_name": tag,
                "target_commitish": repo.default_branch,
                "draft": False,
                "prerelease": False,
                "immutable": immutable,
                "assets": [
                    {"id": i, "name": a, "state": "uploaded", "browser_download_url": f"{base}/{a}"}
                    for i, a in enumerate(assets)
                ],
            },
        )

    def _list(self, tips: dict[str, str], more: bool) -> Canned:
        items = [{"name": n, "commit": {"sha": s}} for n, s in tips.items()]
        canned = _json(200, items)
        if more:
            canned.headers["Link"] = '<https://api.github.com/x?page=2>; rel="next"'
        return canned


def _json(status: int, data: Any) -> Canned:
    return Canned(status, {"Content-Type": "application/json; charset=utf-8"}, json.dumps(data))


def linear(*shas: str) -> dict[str, str | None]:
    """A straight history: each commit's parent is the one before it."""
    return {sha: (shas[i - 1] if i else None) for i, sha in enumerate(shas)}


def sha(tag: str) -> str:
    """A readable fake 40-hex SHA: ``sha("a1")`` -> ``"a1a1a1…"``."""
    return (tag * 40)[:40]


def iter_headers(server: TLSServer, name: str) -> Iterator[tuple[str, str | None]]:
    """(path, header value or None) for every request the server saw."""
    for rec in list(server.requests):
        yield rec.path, rec.headers.get(name.lower())
