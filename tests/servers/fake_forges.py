"""A local HTTPS server that plays GitLab, Bitbucket Cloud, Gitea/Codeberg and Hugging Face at
once, routed by the Host header: the commit APIs the linter asks and the file URLs it probes.

The JSON shapes follow each forge's API documentation (only the fields that matter, plus a few
around them): GitLab ``GET /api/v4/projects/:id/repository/commits/:sha`` (``id``,
``short_id``, ``parent_ids``) and ``GET /api/v4/projects/:id`` with its ``404 Project Not
Found`` / ``404 Commit Not Found`` messages; Bitbucket ``GET /2.0/repositories/WS/REPO/commit/
REF`` (``type: commit``, ``hash``) and its ``{"type": "error", "error": {...}}`` bodies; Gitea
``GET /api/v1/repos/O/R/git/commits/REF`` (``sha``, ``commit``, ``parents``); Hugging Face
``GET /api/models/REPO/revision/REV`` (``sha``, ``siblings``) with ``X-Error-Code:
RevisionNotFound`` (404) and ``RepoNotFound`` (401), and files under ``/resolve/REV/`` that
carry ``X-Repo-Commit`` unless a test turns it off. Private projects answer as anonymous callers
see them; a host in ``limited`` answers every API call 429 with ``Retry-After``; ``script``
puts answers (a 503, a redirect) before a path's usual one. Every request is recorded (method,
host, path, headers).
"""

from __future__ import annotations

import json
import ssl
import threading
from collections import Counter
from dataclasses import dataclass, field
from http.server import ThreadingHTTPServer
from typing import Any
from urllib.parse import unquote, urlsplit

from servers.answering import GetHeadHandler
from servers.hosts import Seen

GITLAB = "gitlab.com"
SELF_HOSTED_GITLAB = "git.example.org"
BITBUCKET = "bitbucket.org"
BITBUCKET_API = "api.bitbucket.org"
CODEBERG = "codeberg.org"
HUGGING_FACE = "huggingface.co"
HOSTS = (GITLAB, SELF_HOSTED_GITLAB, BITBUCKET, BITBUCKET_API, CODEBERG, HUGGING_FACE)
BODY = b"\x1f\x8b\x08\x00" + b"weights" * 64  # starts like gzip, as a .tar.gz does


@dataclass
class Project:
    """One repository: branch and tag tips, every commit it has, its files, who may see it."""

    branches: dict[str, str]
    tags: dict[str, str] = field(default_factory=dict)
    commits: set[str] = field(default_factory=set)
    private: bool = False

    def resolve(self, ref: str) -> str | None:
        ref = ref.removeprefix("refs/heads/").removeprefix("refs/tags/")
        if ref in self.branches:
            return self.branches[ref]
        if ref in self.tags:
            return self.tags[ref]
        known = {*self.commits, *self.branches.values(), *self.tags.values()}
        matches = [c for c in known if len(ref) >= 7 and c.startswith(ref.lower())]
        return matches[0] if len(matches) == 1 else None


@dataclass
class Answer:
    status: int
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)


def _json(status: int, data: Any, **headers: str) -> Answer:
    return Answer(
        status,
        json.dumps(data).encode(),
        {"Content-Type": "application/json; charset=utf-8", **headers},
    )


class FakeForges:
    """Projects per (host, path): ``gitlab.com``/``git.example.org`` "group/repo",
    ``bitbucket.org`` "ws/repo", ``codeberg.org`` "owner/repo", ``huggingface.co``
    "owner/model" or "datasets/owner/name"."""

    def __init__(self, context: ssl.SSLContext) -> None:
        self.projects: dict[tuple[str, str], Project] = {}
        self.limited: set[str] = set()  # hosts whose API answers 429
        self.repo_commit_header = True  # Hugging Face's X-Repo-Commit on /resolve/ answers
        self.scripted: dict[tuple[str, str], list[Answer]] = {}  # answered first, in order
        self.log: list[Seen] = []
        self.lock = threading.Lock()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(self))
        self._server.daemon_threads = True
        self._server.socket = context.wrap_socket(self._server.socket, server_side=True)
        self.port: int = self._server.server_address[1]
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True
        )

    def __enter__(self) -> FakeForges:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()

    def add(self, host: str, path: str, project: Project) -> None:
        self.projects[(host, path)] = project

    def script(self, host: str, path: str, *answers: Answer) -> None:
        """Answer the next requests for ``path`` on ``host`` with ``answers``, then as usual."""
        self.scripted[(host, path)] = list(answers)

    def resolve(self) -> tuple[str, ...]:
        return tuple(f"{h}:{self.port}:127.0.0.1" for h in HOSTS)

    def url(self, host: str, path: str) -> str:
        return f"https://{host}:{self.port}{path}"

    def api_calls(self) -> list[str]:
        """``host path`` of every API request, in order."""
        with self.lock:
            return [f"{s.host} {s.path}" for s in self.log if _is_api(s.host, s.path)]

    def counts(self) -> Counter[str]:
        return Counter(self.api_calls())

    # -- routing ---------------------------------------------------------------------------

    def answer(self, method: str, host: str, target: str, headers: dict[str, str]) -> Answer:
        with self.lock:
            self.log.append(Seen(method, host, target, headers))
        path = urlsplit(target).path
        with self.lock:
            queue = self.scripted.get((host, path))
            if queue:
                return queue.pop(0)
        if _is_api(host, path) and host in self.limited:
            return _json(
                429,
                {"message": "429 Too Many Requests"},
                **{"Retry-After": "3600", "RateLimit-Remaining": "0"},
            )
        route = {
            GITLAB: self._gitlab,
            SELF_HOSTED_GITLAB: self._gitlab,
            BITBUCKET: lambda _host, path: self._bitbucket_file(path),
            BITBUCKET_API: lambda _host, path: self._bitbucket_api(path),
            CODEBERG: self._gitea,
            HUGGING_FACE: self._hugging_face,
        }.get(host)
        return route(host, path) if route else Answer(404, b"no such host")

    def _project(self, host: str, path: str) -> Project | None:
        project = self.projects.get((host, path))
        return None if project is None or project.private else project

    def _file(self, project: Project | None, ref: str, **headers: str) -> Answer:
        sha = project.resolve(ref) if project is not None else None
        if sha is None:
            return Answer(404, b"Not Found", {"Content-Type": "text/plain"})
        return Answer(200, BODY, {"Content-Type": "application/octet-stream", **headers})

    def _gitlab(self, host: str, path: str) -> Answer:
        seg = path.strip("/").split("/")
        if seg[:3] == ["api", "v4", "projects"] and len(seg) >= 4:
            project = self._project(host, unquote(seg[3]))
            if project is None:
                return _json(404, {"message": "404 Project Not Found"})
            if len(seg) == 4:
                return _json(200, _gitlab_project(seg[3], project))
            if seg[4:6] == ["repository", "commits"] and len(seg) == 7:
                sha = project.resolve(unquote(seg[6]))
                if sha is None:
                    return _json(404, {"message": "404 Commit Not Found"})
                return _json(200, _gitlab_commit(sha))
            return _json(404, {"error": "404 Not Found"})
        if "-" in seg and seg[seg.index("-") + 1 : seg.index("-") + 2] == ["raw"]:
            index = seg.index("-")
            return self._file(self._project(host, "/".join(seg[:index])), seg[index + 2])
        return Answer(404, b"Not Found")

    def _bitbucket_api(self, path: str) -> Answer:
        seg = path.strip("/").split("/")
        if seg[:2] != ["2.0", "repositories"] or len(seg) < 4:
            return _json(404, {"type": "error", "error": {"message": "Resource not found"}})
        name = f"{seg[2]}/{seg[3]}"
        known = self.projects.get((BITBUCKET, name))
        if known is not None and known.private:
            message = "Access denied. You must have write or admin access."
            return _json(403, {"type": "error", "error": {"message": message}})
        if known is None:
            message = f"Repository {name} not found"
            return _json(404, {"type": "error", "error": {"message": message}})
        if len(seg) == 4:
            return _json(200, _bitbucket_repo(name))
        if seg[4] == "commit" and len(seg) == 6:
            sha = known.resolve(unquote(seg[5]))
            if sha is None:
                message = f"Commit not found: {unquote(seg[5])}"
                return _json(404, {"type": "error", "error": {"message": message}})
            return _json(200, _bitbucket_commit(name, sha))
        return _json(404, {"type": "error", "error": {"message": "Resource not found"}})

    def _bitbucket_file(self, path: str) -> Answer:
        seg = path.strip("/").split("/")
        if len(seg) >= 5 and seg[2] == "raw":
            return self._file(self._project(BITBUCKET, f"{seg[0]}/{seg[1]}"), seg[3])
        return Answer(404, b"Not Found")

    def _gitea(self, host: str, path: str) -> Answer:
        seg = path.strip("/").split("/")
        if seg[:3] == ["api", "v1", "repos"] and len(seg) >= 5:
            project = self._project(host, f"{seg[3]}/{seg[4]}")
            if project is None:
                return _json(404, _gitea_not_found("The target couldn't be found."))
            if len(seg) == 5:
                return _json(200, _gitea_repo(f"{seg[3]}/{seg[4]}"))
            if seg[5:7] == ["git", "commits"] and len(seg) == 8:
                sha = project.resolve(unquote(seg[7]))
                if sha is None:
                    return _json(404, _gitea_not_found(f"object does not exist [id: {seg[7]}]"))
                return _json(200, _gitea_commit(host, f"{seg[3]}/{seg[4]}", sha))
            return _json(404, _gitea_not_found("The target couldn't be found."))
        if len(seg) >= 6 and seg[2] == "raw" and seg[3] in ("branch", "tag", "commit"):
            return self._file(self._project(host, f"{seg[0]}/{seg[1]}"), seg[4])
        return Answer(404, b"Not Found")

    def _hugging_face(self, host: str, path: str) -> Answer:
        seg = path.strip("/").split("/")
        if seg[:1] == ["api"] and len(seg) >= 4:
            prefix = "" if seg[1] == "models" else seg[1] + "/"
            name = f"{seg[2]}/{seg[3]}"
            project = self._project(host, prefix + name)
            if project is None:
                return _json(
                    401,
                    {"error": "Repository Not Found for url"},
                    **{"X-Error-Code": "RepoNotFound"},
                )
            if len(seg) == 4:
                return _json(200, _hf_info(name, project.branches.get("main", "")))
            if seg[4] == "revision" and len(seg) == 6:
                sha = project.resolve(unquote(seg[5]))
                if sha is None:
                    return _json(
                        404,
                        {"error": f"Invalid rev id: {unquote(seg[5])}"},
                        **{"X-Error-Code": "RevisionNotFound"},
                    )
                return _json(200, _hf_info(name, sha))
        prefix = seg[0] + "/" if seg and seg[0] in ("datasets", "spaces") else ""
        rest = seg[1:] if prefix else seg
        if len(rest) >= 5 and rest[2] == "resolve":
            project = self._project(host, prefix + f"{rest[0]}/{rest[1]}")
            sha = project.resolve(unquote(rest[3])) if project is not None else None
            extra = {"X-Repo-Commit": sha} if sha and self.repo_commit_header else {}
            return self._file(project, unquote(rest[3]), **extra)
        return Answer(404, b"Not Found")


def _is_api(host: str, path: str) -> bool:
    return host == BITBUCKET_API or path.startswith(("/api/v4/", "/api/v1/", "/api/"))


def _gitlab_project(quoted: str, project: Project) -> dict[str, Any]:
    name = unquote(quoted)
    return {
        "id": 4242,
        "path_with_namespace": name,
        "default_branch": "main",
        "visibility": "private" if project.private else "public",
        "web_url": f"https://gitlab.com/{name}",
    }


def _gitlab_commit(sha: str) -> dict[str, Any]:
    return {
        "id": sha,
        "short_id": sha[:8],
        "title": "Add weights",
        "message": "Add weights\n",
        "parent_ids": [],
        "committed_date": "2025-01-02T03:04:05.000+00:00",
        "web_url": f"https://gitlab.com/-/commit/{sha}",
    }


def _bitbucket_repo(name: str) -> dict[str, Any]:
    return {
        "type": "repository",
        "full_name": name,
        "is_private": False,
        "mainbranch": {"type": "branch", "name": "main"},
    }


def _bitbucket_commit(name: str, sha: str) -> dict[str, Any]:
    return {
        "type": "commit",
        "hash": sha,
        "date": "2025-01-02T03:04:05+00:00",
        "message": "Add weights\n",
        "parents": [],
        "repository": {"type": "repository", "full_name": name},
    }


def _gitea_not_found(message: str) -> dict[str, Any]:
    return {"errors": [message], "message": "The target couldn't be found.", "url": ""}


def _gitea_repo(name: str) -> dict[str, Any]:
    return {"id": 7, "full_name": name, "private": False, "default_branch": "main"}


def _gitea_commit(host: str, name: str, sha: str) -> dict[str, Any]:
    return {
        "url": f"https://{host}/api/v1/repos/{name}/git/commits/{sha}",
        "sha": sha,
        "created": "2025-01-02T03:04:05Z",
        "html_url": f"https://{host}/{name}/commit/{sha}",
        "commit": {"message": "Add weights\n", "tree": {"sha": "0" * 40}},
        "parents": [],
    }


def _hf_info(name: str, sha: str) -> dict[str, Any]:
    return {
        "_id": "65f0c0ffee",
        "id": name,
        "modelId": name,
        "sha": sha,
        "private": False,
        "siblings": [{"rfilename": "weights.tar.gz"}],
    }


def _handler(app: FakeForges) -> type[GetHeadHandler]:
    class Handler(GetHeadHandler):
        disable_nagle_algorithm = True

        def _answer(self, head: bool) -> None:
            host = (self.headers.get("Host") or "").rsplit(":", 1)[0].lower()
            headers = {k.lower(): v for k, v in self.headers.items()}
            answer = app.answer(self.command, host, self.path, headers)
            self.send_response(answer.status)
            for name, value in answer.headers.items():
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(answer.body)))
            self.end_headers()
            if not head:
                self.wfile.write(answer.body)

    return Handler
