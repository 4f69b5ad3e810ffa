"""GitHub REST facts for GitHub file URLs: the commit a ref names, and whether a pinned commit
belongs to the repository it is linked from (see docs: hosts.md §1, linters.md §2a).

One lookup per unique (owner, repo, ref) key per run, at ``settings.github_api_url`` (GitHub
Enterprise works the same way). Call budget per key, 404/422 never retried:

* branch, tag, ``heads/x``, ``tags/x`` or short SHA: 1 call,
  ``GET /repos/O/R/commits/REF`` with ``Accept: application/vnd.github.sha`` (40-hex text).
* full 40-hex SHA: that same call (404/422 means it is not in the repository; a 404 costs one
  more call, ``GET /repos/O/R``, to tell a missing commit from a missing or private repository).
  When it exists, the impostor check asks whether a branch or tag of O/R contains it, because
  GitHub serves any commit of the whole fork network under every fork's name:
  ``GET /repos/O/R`` (default branch), ``GET /repos/O/R/compare/DEFAULT...SHA`` (``identical``
  or ``behind``: contained). Only if that fails: ``GET /repos/O/R/branches`` and ``/tags`` (first
  page of 100 each), tip equality, then compare against at most ``MAX_COMPARES`` more tips,
  branches first. Repository, branch and tag answers are fetched once per repository per run,
  so the worst case is 5 + ``MAX_COMPARES`` calls for the first SHA of a repository.

Retries: 5xx, 429 and connection errors, at most ``settings.retries`` times, jittered backoff;
a wait over ``MAX_WAIT`` seconds is not worth it and makes the lookup inconclusive instead.
Rate limit: once ``x-ratelimit-remaining`` reaches 0 (or a 403/429 says so), no further call is
made and every remaining lookup is inconclusive with the reset time. Until the first answer
arrives only one request is in flight, so a spent limit costs exactly one call.

The token (``GITHUB_TOKEN`` or ``GH_TOKEN``) goes only to the API origin (scheme, host, port):
redirects are followed here, hop by hop, and the header is added only to requests for that
origin. It is never logged nor put in a result. Connections use the prober's transport
(:mod:`.http_transport`, :mod:`.addresses`): ``--resolve`` is honoured with Host, SNI and
certificate checks kept, and a redirect off the API host is held to the private-address policy.
requests is imported lazily: an offline run never loads it.
"""

from __future__ import annotations

import os
import random
import threading
import time
from collections.abc import Callable, Iterable, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import TYPE_CHECKING, Any, Generic, TypeVar
from urllib.parse import quote, urljoin, urlsplit

from ._version import __version__
from .github_facts import RefLookup, RepoRefs
from .hosts import RefKey, github_ref_key, is_full_sha

if TYPE_CHECKING:
    import requests

    from .config import Settings

SHA_MEDIA_TYPE = "application/vnd.github.sha"
JSON_MEDIA_TYPE = "application/vnd.github+json"
API_VERSION = "2022-11-28"
WORKERS = 4  # GitHub's secondary limits punish bursts
MAX_COMPARES = 16  # compare calls per SHA beyond the default branch
MAX_REDIRECTS = 5
MAX_WAIT = 30.0  # seconds; a longer retry-after makes the lookup inconclusive
BACKOFF = 0.25  # first retry waits about this long, then doubles
CONTAINED = frozenset({"identical", "behind"})  # compare BASE...SHA: SHA is in BASE's history
TOKEN_VARS = ("GITHUB_TOKEN", "GH_TOKEN")

__all__ = ["RefLookup", "RepoRefs", "resolve_urls"]


def github_token() -> str | None:
    for var in TOKEN_VARS:
        value = os.environ.get(var, "").strip()
        if value:
            return value
    return None


def resolve_urls(urls: Iterable[str], settings: Settings) -> dict[RefKey, RefLookup]:
    """Look up every GitHub ref that ``urls`` depend on, each key once, a few at a time."""
    keys = sorted({k for u in urls if (k := github_ref_key(u)) is not None})
    if not keys:
        return {}
    try:
        client = GitHubClient(settings)
    except ValueError as err:
        return {k: RefLookup(inconclusive=str(err)) for k in keys}
    try:
        with ThreadPoolExecutor(max_workers=min(WORKERS, len(keys))) as pool:
            return dict(zip(keys, pool.map(client.lookup, keys), strict=True))
    finally:
        client.close()


class Inconclusive(Exception):
    """This lookup cannot be answered; ``reason`` says why in one line."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class Reply:
    status: int
    text: str
    has_next_page: bool = False

    def json(self) -> Any:
        import json

        try:
            return json.loads(self.text)
        except ValueError:
            return None

    @property
    def message(self) -> str:
        data = self.json()
        if isinstance(data, dict) and isinstance(data.get("message"), str):
            return str(data["message"])
        return self.text.strip()[:200]


def iso_utc(epoch: float) -> str:
    return datetime.fromtimestamp(epoch, timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


class RateBudget:
    """Shared across threads: the calls GitHub still allows, and why we stopped if we did.

    Until a first answer arrives only one request may be in flight; afterwards each request
    reserves one unit of the last known ``x-ratelimit-remaining``, so the run never sends a call
    GitHub has already said it will refuse.
    """

    def __init__(self, deadline: float | None = None) -> None:
        self._cond = threading.Condition()
        self._remaining: int | None = None
        self._reset: float | None = None
        self._answered = False
        self._in_flight = 0
        self._deadline = deadline
        self.stopped: str | None = None

    def acquire(self, unauthenticated: bool) -> None:
        with self._cond:
            while self.stopped is None and not self._answered and self._in_flight:
                self._cond.wait()
            deadline = self._deadline
            if self.stopped is None and deadline is not None and time.monotonic() > deadline:
                self.stopped = "the run's network deadline passed before GitHub was asked"
            if self.stopped is None and self._remaining is not None and self._remaining <= 0:
                self.stopped = _spent_reason(self._reset, unauthenticated)
            if self.stopped is not None:
                raise Inconclusive(self.stopped)
            if self._remaining is not None:
                self._remaining -= 1
            self._in_flight += 1

    def release(self, headers: Mapping[str, str] | None) -> None:
        with self._cond:
            self._in_flight -= 1
            self._answered = True
            if headers is not None:
                self._observe(headers)
            self._cond.notify_all()

    def _observe(self, headers: Mapping[str, str]) -> None:
        remaining = _int(headers.get("x-ratelimit-remaining"))
        reset = _int(headers.get("x-ratelimit-reset"))
        if remaining is None:
            return
        new_window = reset is not None and self._reset is not None and reset > self._reset
        if self._remaining is None or new_window:
            self._remaining = remaining - self._in_flight
        else:
            self._remaining = min(self._remaining, remaining)
        if reset is not None:
            self._reset = float(reset)

    def stop(self, reason: str) -> Inconclusive:
        with self._cond:
            if self.stopped is None:
                self.stopped = reason
            self._cond.notify_all()
            return Inconclusive(self.stopped)


def _spent_reason(reset: float | None, unauthenticated: bool) -> str:
    when = f"; resets at {iso_utc(reset)}" if reset is not None else ""
    hint = (
        " (unauthenticated: 60 calls an hour; set GITHUB_TOKEN or GH_TOKEN)"
        if unauthenticated
        else ""
    )
    return f"GitHub API rate limit spent{when}{hint}"


def _int(value: str | None) -> int | None:
    try:
        return int(value) if value is not None else None
    except ValueError:
        return None


K = TypeVar("K")
V = TypeVar("V")


class Once(Generic[K, V]):
    """Compute each key's value once, even when several threads ask at the same time."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._locks: dict[K, threading.Lock] = {}
        self._values: dict[K, V] = {}

    def get(self, key: K, compute: Callable[[], V]) -> V:
        with self._lock:
            if key in self._values:
                return self._values[key]
            lock = self._locks.setdefault(key, threading.Lock())
        with lock:
            with self._lock:
                if key in self._values:
                    return self._values[key]
            value = compute()  # an exception leaves the key uncached, so the next asker retries
            with self._lock:
                self._values[key] = value
            return value


class GitHubClient:
    """Blocking REST client for the few endpoints the linter needs, safe to share by threads."""

    def __init__(self, settings: Settings) -> None:
        from .addresses import Resolver
        from .http_identity import ca_bundle
        from .http_transport import PinnedAdapter, new_session

        self.base = settings.github_api_url.rstrip("/")
        parts = urlsplit(self.base)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ValueError(f"github-api-url {settings.github_api_url!r} is not an http(s) URL")
        self.origin = _origin(self.base)
        # The API URL is the user's own setting (GitHub Enterprise often has a private address);
        # a redirect to any other host is held to the prober's address policy.
        self.api_resolver = Resolver(settings.resolve, allow_private=True)
        self.resolver = Resolver(settings.resolve, allow_private=settings.allow_private_hosts)
        self.adapter = PinnedAdapter(pool_maxsize=WORKERS)
        self.session: requests.Session = new_session(self.adapter)
        self.verify = ca_bundle()
        self.timeout = (settings.connect_timeout, settings.read_timeout)
        self.retries = settings.retries
        self._token = github_token()
        deadline = None if settings.deadline is None else time.monotonic() + settings.deadline
        self.budget = RateBudget(deadline)
        self._repos: Once[tuple[str, str], Reply] = Once()
        self._refs: Once[tuple[str, str], RepoRefs] = Once()

    def close(self) -> None:
        self.session.close()

    # -- one lookup ------------------------------------------------------------------------

    def lookup(self, key: RefKey) -> RefLookup:
        owner, repo, ref = key
        sha: str | None = None
        try:
            reply = self.get(
                f"{_repo_path(owner, repo)}/commits/{quote(ref, safe='')}", SHA_MEDIA_TYPE
            )
            if reply.status in (404, 422):
                return self._missing(owner, repo, reply)
            if reply.status != 200:
                return RefLookup(inconclusive=_unexpected(reply, f"commits/{ref}"))
            sha = reply.text.strip().lower()
            if not is_full_sha(sha):
                return RefLookup(
                    inconclusive=f"GitHub answered commits/{ref} with {sha[:60]!r}, not a commit SHA"
                )
            if not is_full_sha(ref) or sha != ref.lower():
                return RefLookup(sha=sha, exists=True, repo_exists=True)
            return self._membership(owner, repo, sha)
        except Inconclusive as err:
            return RefLookup(sha=sha, exists=True if sha else None, inconclusive=err.reason)

    def _missing(self, owner: str, repo: str, reply: Reply) -> RefLookup:
        """A 422 (no such commit) or 404 (no such repository, or no such ref in it)."""
        said = _said(reply)
        repo_exists = True
        if reply.status == 404:
            info = self.repo(owner, repo)
            if info.status == 404:
                repo_exists = False
                said = _said(info)
        return RefLookup(exists=False, repo_exists=repo_exists, detail=said)

    def _membership(self, owner: str, repo: str, sha: str) -> RefLookup:
        """Is ``sha`` in the history of a branch or tag of owner/repo, or only in a fork's?"""
        found = RefLookup(sha=sha, exists=True, repo_exists=True)
        info = self.repo(owner, repo).json()
        default = info.get("default_branch") if isinstance(info, dict) else None
        if isinstance(default, str) and self.contains(owner, repo, default, sha):
            return found
        refs = self.refs(owner, repo)
        if sha in {tip for _, tip in (*refs.branches, *refs.tags)}:
            return found
        branches = [tip for name, tip in refs.branches if name != default]
        candidates = [*branches, *(tip for _, tip in refs.tags)]
        for tip in candidates[:MAX_COMPARES]:
            if self.contains(owner, repo, tip, sha):
                return found
        if not refs.complete or len(branches) > MAX_COMPARES:
            return RefLookup(
                sha=sha,
                exists=True,
                repo_exists=True,
                inconclusive=(
                    f"commit {sha} is not on {owner}/{repo}'s default branch and the repository "
                    f"has more branches or tags than this check compares ({MAX_COMPARES})"
                ),
            )
        tags_compared = min(len(candidates), MAX_COMPARES) - len(branches)
        return RefLookup(
            sha=sha,
            exists=True,
            impostor=True,
            repo_exists=True,
            detail=(
                f"it is not in the history of the default branch {default!r} nor of any of "
                f"{len(refs.branches)} branch(es), is the tip of none of {len(refs.tags)} tag(s), "
                f"and is in the history of none of the {tags_compared} tag(s) compared"
            ),
        )

    # -- endpoints -------------------------------------------------------------------------

    def repo(self, owner: str, repo: str) -> Reply:
        return self._repos.get((owner, repo), lambda: self.get(_repo_path(owner, repo)))

    def refs(self, owner: str, repo: str) -> RepoRefs:
        def fetch() -> RepoRefs:
            branches = self.get(f"{_repo_path(owner, repo)}/branches?per_page=100")
            tags = self.get(f"{_repo_path(owner, repo)}/tags?per_page=100")
            return RepoRefs(
                _tips(branches),
                _tips(tags),
                complete=not (branches.has_next_page or tags.has_next_page)
                and branches.status == 200
                and tags.status == 200,
            )

        return self._refs.get((owner, repo), fetch)

    def contains(self, owner: str, repo: str, base: str, sha: str) -> bool:
        path = f"{_repo_path(owner, repo)}/compare/{quote(base, safe='')}...{sha}?per_page=1"
        reply = self.get(path)
        if reply.status != 200:
            return False  # 404: no common history, which is what an impostor looks like
        data = reply.json()
        return isinstance(data, dict) and data.get("status") in CONTAINED

    # -- transport -------------------------------------------------------------------------

    def get(self, path: str, accept: str = JSON_MEDIA_TYPE) -> Reply:
        """GET ``path`` on the API, following redirects (the token stays on the API origin)."""
        url = self.base + path
        for _hop in range(MAX_REDIRECTS + 1):
            resp = self._attempts(url, accept)
            location = resp.headers.get("location")
            if resp.status_code in (301, 302, 303, 307, 308) and location:
                url = urljoin(url, location)
                continue
            return Reply(resp.status_code, resp.text, "next" in resp.links)
        raise Inconclusive(f"more than {MAX_REDIRECTS} redirects from the GitHub API")

    def _attempts(self, url: str, accept: str) -> requests.Response:
        """One answer from ``url``: retried on 5xx/429/connection errors; limits raise."""
        import requests

        from .http_transport import describe_failure

        for attempt in range(self.retries + 1):
            last = attempt == self.retries
            self.budget.acquire(unauthenticated=self._token is None)
            try:
                resp = self._send(url, accept)
            except requests.RequestException as err:
                self.budget.release(None)
                if last:
                    host = urlsplit(url).hostname
                    raise self.budget.stop(
                        f"cannot reach the GitHub API at {host}: {describe_failure(err)[1]}"
                    ) from None
                time.sleep(_backoff(attempt))
                continue
            except BaseException:
                self.budget.release(None)  # never leave other threads waiting on this one
                raise
            self.budget.release(resp.headers)
            reply = Reply(resp.status_code, resp.text)
            wait = self._judge(resp, reply, attempt)
            if wait is None:
                return resp
            if wait > MAX_WAIT:
                raise Inconclusive(self._stop_for_wait(reply, wait))
            if last:
                raise Inconclusive(f"{_said(reply)} ({attempt + 1} attempt(s))")
            time.sleep(wait)
        raise AssertionError("unreachable")  # pragma: no cover

    def _send(self, url: str, accept: str) -> requests.Response:
        """One request, connected to the address the resolver picked for the URL's host."""
        from .addresses import BlockedAddress, ResolveError

        parts = urlsplit(url)
        host = (parts.hostname or "").lower()
        port = parts.port or (443 if parts.scheme == "https" else 80)
        on_api = _origin(url) == self.origin
        try:
            address = (self.api_resolver if on_api else self.resolver).pick(host, port)
        except ResolveError as err:
            if on_api:
                raise self.budget.stop(
                    f"cannot resolve the GitHub API host {host}: {err}"
                ) from None
            raise Inconclusive(
                f"the GitHub API redirected to {host}, which does not resolve"
            ) from None
        except BlockedAddress as err:
            raise Inconclusive(f"the GitHub API redirected to {err}; not following") from None
        headers = {
            "Accept": accept,
            "User-Agent": f"medperf-lint/{__version__}",
            "X-GitHub-Api-Version": API_VERSION,
        }
        if self._token and on_api:
            headers["Authorization"] = f"Bearer {self._token}"
        self.adapter.pin(address)
        return self.session.get(
            url, headers=headers, timeout=self.timeout, verify=self.verify, allow_redirects=False
        )

    def _judge(self, resp: requests.Response, reply: Reply, attempt: int) -> float | None:
        """None to accept ``reply``; seconds to wait before retrying; raises to give up."""
        status = reply.status
        if status < 400 or status in (404, 422):
            return None
        limited = resp.headers.get("x-ratelimit-remaining") == "0"
        retry_after = _int(resp.headers.get("retry-after"))
        if status in (403, 429) and limited and retry_after is None:
            reset = _int(resp.headers.get("x-ratelimit-reset"))
            raise self.budget.stop(
                _spent_reason(float(reset) if reset is not None else None, self._token is None)
            )
        if status in (403, 429) and retry_after is not None:
            return float(retry_after) + random.uniform(0, 0.25)
        if status == 403 and "rate limit" in reply.message.lower():
            raise self.budget.stop(f"GitHub secondary rate limit: {reply.message}")
        if status == 401:
            raise self.budget.stop(
                f"GitHub API rejected the token from GITHUB_TOKEN/GH_TOKEN (401 {reply.message})"
            )
        if status == 429 or status >= 500 or status == 408:
            return _backoff(attempt)
        raise Inconclusive(_unexpected(reply, urlsplit(resp.url).path))

    def _stop_for_wait(self, reply: Reply, wait: float) -> str:
        until = iso_utc(time.time() + wait)
        return self.budget.stop(
            f"GitHub API asked to wait {wait:.0f}s (answered {reply.status}); retry after {until}"
        ).reason


def _origin(url: str) -> tuple[str, str, int]:
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    return scheme, (parts.hostname or "").lower(), parts.port or (443 if scheme == "https" else 80)


def _repo_path(owner: str, repo: str) -> str:
    return f"/repos/{quote(owner, safe='')}/{quote(repo, safe='')}"


def _tips(reply: Reply) -> tuple[tuple[str, str], ...]:
    data = reply.json() if reply.status == 200 else None
    if not isinstance(data, list):
        return ()
    out: list[tuple[str, str]] = []
    for item in data:
        commit = item.get("commit") if isinstance(item, dict) else None
        sha = commit.get("sha") if isinstance(commit, dict) else None
        if isinstance(item.get("name"), str) and isinstance(sha, str):
            out.append((item["name"], sha.lower()))
    return tuple(out)


def _backoff(attempt: int) -> float:
    return float(min(MAX_WAIT, BACKOFF * 2**attempt) * random.uniform(0.5, 1.5))


def _said(reply: Reply) -> str:
    return (
        f"GitHub answered {reply.status}: {reply.message}"
        if reply.message
        else f"GitHub answered {reply.status}"
    )


def _unexpected(reply: Reply, what: str) -> str:
    return f"{_said(reply)} for {what}"
