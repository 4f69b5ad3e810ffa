"""GitHub REST facts for GitHub file URLs: the commit a ref names, and whether a pinned commit
belongs to the repository it is linked from (see docs: hosts.md §1, linters.md §2a).

One lookup per unique (owner, repo, ref) key per run, at ``settings.github_api_url`` (GitHub
Enterprise works the same way), within the anonymous budget of 60 calls an hour:

* branch, tag, ``heads/x``, ``tags/x`` or short SHA: 1 call,
  ``GET /repos/O/R/commits/REF`` with ``Accept: application/vnd.github.sha`` (40-hex text).
* full 40-hex SHA: 1 call per commit, ``GET /repos/O/R/compare/DEFAULT...SHA``, plus the
  repository's facts (``GET /repos/O/R``: it exists, its default branch) once per repository.
  ``identical`` or ``behind`` means the default branch contains the commit. Only when it does
  not: a 404 costs ``GET /repos/O/R/commits/SHA`` (missing commit, or one with no common
  history), and a commit outside the default branch is the impostor check's question: GitHub
  serves any commit of the whole fork network under every fork's name, so is it on a branch or
  tag of O/R? ``GET /repos/O/R/branches`` and ``/tags`` (first page of 100 each, once per
  repository), tip equality, then compare against at most ``MAX_COMPARES`` more tips.
* A conclusive answer for a full SHA never changes: it is cached like an immutable probe
  (``cache_ttl_immutable``, 7 days), so a warm re-run of pinned URLs sends nothing.

Retries: 5xx, 429 and connection errors, at most ``settings.retries`` times, jittered backoff;
a wait over ``MAX_WAIT`` seconds is not worth it and makes the lookup inconclusive instead.
Rate limit: once ``x-ratelimit-remaining`` reaches 0 (or a 403/429 says so), no further call is
made and every remaining lookup is inconclusive with the reset time; when the remaining calls
cannot cover the lookups still to do, that is said once on stderr with the reset time. Until
the first answer arrives only one request is in flight, so a spent limit costs one call.

The client runs on the run's transport (:mod:`medperf_lint.net.transport`): the same event loop, session,
address policy, proxies and body caps as the prober. Redirects are followed here, hop by hop;
the token (``GITHUB_TOKEN`` or ``GH_TOKEN``) is attached by the transport only to requests for
the API's own origin (scheme, host, port), never logged nor put in a result. The API host is the
user's setting and so exempt from the private-address policy; a redirect elsewhere is not.
``--deadline`` cuts the lookups off: unfinished ones are inconclusive.
"""

from __future__ import annotations

import asyncio
import json
import os
import random
import sys
import time
from collections.abc import Awaitable, Callable, Iterable, Mapping
from dataclasses import asdict, dataclass, fields
from datetime import datetime, timezone
from typing import TYPE_CHECKING, Generic, TypeVar
from urllib.parse import quote, urljoin, urlsplit

from medperf_lint._version import __version__
from medperf_lint.facts.github import RefLookup, ReleaseKey, ReleaseLookup, RepoRefs
from medperf_lint.net.util import Inconclusive
from medperf_lint.refs.hosts import RefKey, github_ref_key, github_release_key, is_full_sha

if TYPE_CHECKING:
    from medperf_lint.input.config import Settings
    from medperf_lint.net.cache import GitHubCache
    from medperf_lint.net.transport import Response, Transport

SHA_MEDIA_TYPE = "application/vnd.github.sha"
JSON_MEDIA_TYPE = "application/vnd.github+json"
API_VERSION = "2022-11-28"
WORKERS = 4  # GitHub's secondary limits punish bursts
MAX_COMPARES = 16  # compare calls per SHA beyond the default branch
MAX_REDIRECTS = 5
MAX_WAIT = 30.0  # seconds; a longer retry-after makes the lookup inconclusive
MAX_BODY = 4 * 1024 * 1024  # bytes of one API answer; more is not an answer we asked for
BACKOFF = 0.25  # first retry waits about this long, then doubles
CONTAINED = frozenset({"identical", "behind"})  # compare BASE...SHA: SHA is in BASE's history
TOKEN_VARS = ("GITHUB_TOKEN", "GH_TOKEN")
DEADLINE = "the run's deadline passed before GitHub answered"

__all__ = ["RefLookup", "ReleaseLookup", "RepoRefs", "resolve", "resolve_urls"]


def github_token() -> str | None:
    for var in TOKEN_VARS:
        value = os.environ.get(var, "").strip()
        if value:
            return value
    return None


def resolve_urls(urls: Iterable[str], settings: Settings) -> dict[RefKey, RefLookup]:
    """Look up every GitHub ref that ``urls`` depend on, each key once, a few at a time."""
    return resolve(urls, settings)[0]


def resolve(
    urls: Iterable[str], settings: Settings
) -> tuple[dict[RefKey, RefLookup], dict[ReleaseKey, ReleaseLookup]]:
    """Every GitHub ref and every release (of a release asset URL) that ``urls`` depend on,
    on one client so both share the rate limit. Conclusive answers for full SHAs and
    immutable releases are cached for ``cache_ttl_immutable``."""
    from medperf_lint.net.cache import GitHubCache

    urls = list(urls)
    keys = sorted({k for u in urls if (k := github_ref_key(u)) is not None})
    tags = sorted({k for u in urls if (k := github_release_key(u)) is not None})
    if not keys and not tags:
        return {}, {}
    cache = GitHubCache.from_settings(settings)
    results: dict[RefKey, RefLookup] = {}
    releases: dict[ReleaseKey, ReleaseLookup] = {}
    for key in keys:
        if (hit := _cached(cache, key)) is not None:
            results[key] = hit
    for tag in tags:
        if (found := _cached_release(cache, tag)) is not None:
            releases[tag] = found
    todo = [k for k in keys if k not in results]
    tags_todo = [t for t in tags if t not in releases]
    if todo or tags_todo:
        looked_up, released = _look_up(todo, settings, tags_todo)
        results.update(looked_up)
        releases.update(released)
        if cache is not None:
            _store(cache, todo, results, tags_todo, releases)
    return {k: results[k] for k in keys}, {t: releases[t] for t in tags}


def _release_cache_key(tag: ReleaseKey) -> RefKey:
    return (tag[0], tag[1], "releases/tags/" + tag[2])


def _cached_release(cache: object, tag: ReleaseKey) -> ReleaseLookup | None:
    from medperf_lint.net.cache import GitHubCache

    record = cache.get(_release_cache_key(tag)) if isinstance(cache, GitHubCache) else None
    assets = record.get("assets") if record is not None else None
    if not isinstance(assets, list) or not all(isinstance(a, str) for a in assets):
        return None
    return ReleaseLookup(exists=True, immutable=True, assets=tuple(assets))


def _store(
    cache: GitHubCache,
    keys: list[RefKey],
    results: Mapping[RefKey, RefLookup],
    tags: list[ReleaseKey],
    releases: Mapping[ReleaseKey, ReleaseLookup],
) -> None:
    """Cache what cannot change: a full SHA's conclusive answer, an immutable release."""
    for key in keys:
        found = results[key]
        if is_full_sha(key[2]) and found.inconclusive is None:
            cache.put(key, asdict(found))
    for tag in tags:
        release = releases[tag]
        if release.immutable and release.inconclusive is None:
            cache.put(_release_cache_key(tag), {"assets": list(release.assets)})


def _cached(cache: object, key: RefKey) -> RefLookup | None:
    from medperf_lint.net.cache import GitHubCache

    if not isinstance(cache, GitHubCache) or not is_full_sha(key[2]):
        return None
    record = cache.get(key)
    if record is None:
        return None
    known = {f.name for f in fields(RefLookup)}
    try:
        return RefLookup(**{k: v for k, v in record.items() if k in known})  # type: ignore[arg-type]
    except TypeError:
        return None


def _look_up(
    keys: list[RefKey], settings: Settings, tags: list[ReleaseKey]
) -> tuple[dict[RefKey, RefLookup], dict[ReleaseKey, ReleaseLookup]]:
    base = settings.github_api_url.rstrip("/")
    parts = urlsplit(base)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        reason = f"github-api-url {settings.github_api_url!r} is not an http(s) URL"
        return _unanswered(keys, tags, reason)
    from medperf_lint.input.config import ConfigError
    from medperf_lint.net.transport import open_transport

    deadline = None if settings.deadline is None else time.monotonic() + settings.deadline
    try:
        with open_transport(settings) as shared:
            client = GitHubClient(settings, shared.transport, deadline)
            wait = None if deadline is None else max(0.0, deadline - time.monotonic()) + 1.0
            try:
                return shared.call(client.look_up_everything(keys, tags), timeout=wait)
            except TimeoutError:
                return _unanswered(keys, tags, DEADLINE)
    except ValueError as err:  # a malformed --resolve entry
        raise ConfigError(str(err)) from None


def _unanswered(
    keys: list[RefKey], tags: list[ReleaseKey], reason: str
) -> tuple[dict[RefKey, RefLookup], dict[ReleaseKey, ReleaseLookup]]:
    return (
        {k: RefLookup(inconclusive=reason) for k in keys},
        {t: ReleaseLookup(inconclusive=reason) for t in tags},
    )


@dataclass(frozen=True)
class Reply:
    status: int
    text: str
    has_next_page: bool = False

    def json(self) -> object:
        try:
            data: object = json.loads(self.text)
        except ValueError:
            return None
        return data

    @property
    def message(self) -> str:
        data = self.json()
        if isinstance(data, dict) and isinstance(data.get("message"), str):
            return str(data["message"])
        return self.text.strip()[:200]


def iso_utc(epoch: float) -> str:
    return datetime.fromtimestamp(epoch, timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


class RateBudget:
    """The calls GitHub still allows, and why we stopped if we did (one event loop).

    Until a first answer arrives only one request may be in flight; afterwards each request
    reserves one unit of the last known ``x-ratelimit-remaining``, so the run never sends a call
    GitHub has already said it will refuse.
    """

    def __init__(self, deadline: float | None = None) -> None:
        self._cond = asyncio.Condition()
        self._remaining: int | None = None
        self._reset: float | None = None
        self._answered = False
        self._in_flight = 0
        self._deadline = deadline
        self.stopped: str | None = None
        self.short_said = False

    async def acquire(self, unauthenticated: bool) -> None:
        async with self._cond:
            while self.stopped is None and not self._answered and self._in_flight:
                await self._cond.wait()
            deadline = self._deadline
            if self.stopped is None and deadline is not None and time.monotonic() > deadline:
                self.stopped = DEADLINE
            if self.stopped is None and self._remaining is not None and self._remaining <= 0:
                self.stopped = _spent_reason(self._reset, unauthenticated)
            if self.stopped is not None:
                raise Inconclusive(self.stopped)
            if self._remaining is not None:
                self._remaining -= 1
            self._in_flight += 1

    async def release(self, headers: Mapping[str, str] | None) -> None:
        async with self._cond:
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

    def short_of(self, needed: int) -> str | None:
        """Once: a warning when the calls left cannot cover ``needed`` more, with the reset."""
        if self.short_said or self._remaining is None or self._remaining >= needed:
            return None
        self.short_said = True
        when = f"; the limit resets at {iso_utc(self._reset)}" if self._reset is not None else ""
        return (
            f"GitHub API: {max(self._remaining, 0)} call(s) left, fewer than the {needed} this "
            f"run still needs{when}; the rest are reported inconclusive "
            "(set GITHUB_TOKEN or GH_TOKEN for 5,000 calls an hour)"
        )

    async def stop(self, reason: str) -> Inconclusive:
        async with self._cond:
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
    """Compute each key's value once, even when several lookups ask at the same time."""

    def __init__(self) -> None:
        self._tasks: dict[K, asyncio.Task[V]] = {}

    async def get(self, key: K, compute: Callable[[], Awaitable[V]]) -> V:
        task = self._tasks.get(key)
        if task is None:

            async def run() -> V:
                return await compute()

            task = self._tasks[key] = asyncio.ensure_future(run())
        try:
            return await asyncio.shield(task)
        except Inconclusive:
            self._tasks.pop(key, None)  # the next asker tries again
            raise


class GitHubClient:
    """Async REST client for the few endpoints the linter needs, on the run's transport."""

    def __init__(self, settings: Settings, transport: Transport, deadline: float | None) -> None:
        from medperf_lint.net.transport import origin

        self.base = settings.github_api_url.rstrip("/")
        self.origin = origin(self.base)
        self.transport = transport
        transport.exempt(self.base)  # the user's setting (GitHub Enterprise may be private)
        self.connect_timeout = settings.connect_timeout
        self.read_timeout = settings.read_timeout
        self.retries = settings.retries
        self._token = github_token()
        self.deadline = deadline
        self.budget = RateBudget(deadline)
        self._repos: Once[tuple[str, str], Reply] = Once()
        self._refs: Once[tuple[str, str], RepoRefs] = Once()
        self._pending = 0

    async def look_up_everything(
        self, keys: list[RefKey], tags: list[ReleaseKey]
    ) -> tuple[dict[RefKey, RefLookup], dict[ReleaseKey, ReleaseLookup]]:
        """The refs, then the releases (one call each), on this client's rate budget."""
        refs = await self.look_up_all(keys) if keys else {}
        releases: dict[ReleaseKey, ReleaseLookup] = {}
        for tag in tags:
            if self.deadline is not None and time.monotonic() > self.deadline:
                releases[tag] = ReleaseLookup(inconclusive=DEADLINE)
            else:
                releases[tag] = await self.release(*tag)
        return refs, releases

    async def release(self, owner: str, repo: str, tag: str) -> ReleaseLookup:
        """``GET /repos/O/R/releases/tags/TAG``: 1 call; a 404 is a missing release only when
        the repository itself answers (1 more call), else the lookup is inconclusive."""
        try:
            reply = await self.get(f"{_repo_path(owner, repo)}/releases/tags/{quote(tag, safe='')}")
            if reply.status == 404:
                info = await self.repo(owner, repo)
                if info.status != 200:
                    return ReleaseLookup(inconclusive=_unexpected(info, f"repos/{owner}/{repo}"))
                return ReleaseLookup(exists=False, detail=_said(reply))
            data = reply.json() if reply.status == 200 else None
            if not isinstance(data, dict):
                return ReleaseLookup(inconclusive=_unexpected(reply, f"releases/tags/{tag}"))
            assets = data.get("assets")
            names = tuple(
                str(a["name"])
                for a in (assets if isinstance(assets, list) else [])
                if isinstance(a, dict) and isinstance(a.get("name"), str)
            )
            immutable = data.get("immutable") is True
            return ReleaseLookup(exists=True, immutable=immutable, assets=names)
        except Inconclusive as err:
            return ReleaseLookup(inconclusive=err.reason)

    async def look_up_all(self, keys: list[RefKey]) -> dict[RefKey, RefLookup]:
        """Every key, ``WORKERS`` at a time; at the deadline the unfinished are inconclusive."""
        gate = asyncio.Semaphore(WORKERS)
        self._pending = len(keys)

        async def one(key: RefKey) -> RefLookup:
            async with gate:
                try:
                    return await self.lookup(key)
                finally:
                    self._pending -= 1

        tasks = {asyncio.ensure_future(one(k)): k for k in keys}
        timeout = None if self.deadline is None else max(0.0, self.deadline - time.monotonic())
        done, pending = await asyncio.wait(tasks, timeout=timeout)
        for task in pending:
            task.cancel()
        if pending:
            await asyncio.gather(*pending, return_exceptions=True)
        out: dict[RefKey, RefLookup] = {}
        for task, key in tasks.items():
            if task in done and not task.cancelled() and task.exception() is None:
                out[key] = task.result()
            elif task in done and isinstance(task.exception(), Exception):
                name = type(task.exception()).__name__
                out[key] = RefLookup(inconclusive=f"internal error: {name}")
            else:
                out[key] = RefLookup(inconclusive=DEADLINE)
        return out

    # -- one lookup ------------------------------------------------------------------------

    async def lookup(self, key: RefKey) -> RefLookup:
        owner, repo, ref = key
        sha: str | None = None
        try:
            if is_full_sha(ref):
                return await self._pinned(owner, repo, ref.lower())
            reply = await self.get(
                f"{_repo_path(owner, repo)}/commits/{quote(ref, safe='')}", SHA_MEDIA_TYPE
            )
            if reply.status in (404, 422):
                return await self._missing(owner, repo, reply)
            if reply.status != 200:
                return RefLookup(inconclusive=_unexpected(reply, f"commits/{ref}"))
            sha = _sha_of(reply, ref)
            return RefLookup(sha=sha, exists=True, repo_exists=True)
        except Inconclusive as err:
            return RefLookup(sha=sha, exists=True if sha else None, inconclusive=err.reason)

    async def _pinned(self, owner: str, repo: str, sha: str) -> RefLookup:
        """A full SHA: one compare against the default branch answers the common case."""
        info = await self.repo(owner, repo)
        if info.status == 404:
            return RefLookup(exists=False, repo_exists=False, detail=_said(info))
        if info.status != 200:
            return RefLookup(inconclusive=_unexpected(info, f"repos/{owner}/{repo}"))
        data = info.json()
        default = data.get("default_branch") if isinstance(data, dict) else None
        if isinstance(default, str):
            status = await self.compare(owner, repo, default, sha)
            if status in CONTAINED:
                return RefLookup(sha=sha, exists=True, repo_exists=True)
            if status is None:  # 404: no such commit, or no history in common with DEFAULT
                reply = await self.get(f"{_repo_path(owner, repo)}/commits/{sha}", SHA_MEDIA_TYPE)
                if reply.status in (404, 422):
                    return RefLookup(exists=False, repo_exists=True, detail=_said(reply))
                if reply.status != 200:
                    return RefLookup(inconclusive=_unexpected(reply, f"commits/{sha}"))
                if _sha_of(reply, sha) != sha:
                    return RefLookup(inconclusive=f"GitHub answered commits/{sha} with another SHA")
        try:
            return await self._membership(owner, repo, sha, default)
        except Inconclusive as err:
            return RefLookup(sha=sha, exists=True, repo_exists=True, inconclusive=err.reason)

    async def _missing(self, owner: str, repo: str, reply: Reply) -> RefLookup:
        """A 422 (no such commit) or 404 (no such repository, or no such ref in it)."""
        said = _said(reply)
        repo_exists = True
        if reply.status == 404:
            info = await self.repo(owner, repo)
            if info.status == 404:
                repo_exists = False
                said = _said(info)
        return RefLookup(exists=False, repo_exists=repo_exists, detail=said)

    async def _membership(self, owner: str, repo: str, sha: str, default: str | None) -> RefLookup:
        """Is ``sha`` in the history of another branch or tag of owner/repo, or only a fork's?"""
        found = RefLookup(sha=sha, exists=True, repo_exists=True)
        refs = await self.refs(owner, repo)
        if sha in {tip for _, tip in (*refs.branches, *refs.tags)}:
            return found
        branches = [tip for name, tip in refs.branches if name != default]
        candidates = [*branches, *(tip for _, tip in refs.tags)]
        for tip in candidates[:MAX_COMPARES]:
            if await self.compare(owner, repo, tip, sha) in CONTAINED:
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

    async def repo(self, owner: str, repo: str) -> Reply:
        key = (owner.lower(), repo.lower())
        return await self._repos.get(key, lambda: self.get(_repo_path(owner, repo)))

    async def refs(self, owner: str, repo: str) -> RepoRefs:
        async def fetch() -> RepoRefs:
            branches = await self.get(f"{_repo_path(owner, repo)}/branches?per_page=100")
            tags = await self.get(f"{_repo_path(owner, repo)}/tags?per_page=100")
            return RepoRefs(
                _tips(branches),
                _tips(tags),
                complete=not (branches.has_next_page or tags.has_next_page)
                and branches.status == 200
                and tags.status == 200,
            )

        return await self._refs.get((owner.lower(), repo.lower()), fetch)

    async def compare(self, owner: str, repo: str, base: str, sha: str) -> str | None:
        """The compare status of ``base...sha``; None when GitHub answers 404."""
        path = f"{_repo_path(owner, repo)}/compare/{quote(base, safe='')}...{sha}?per_page=1"
        reply = await self.get(path)
        if reply.status != 200:
            return None  # 404: no common history (or no such commit)
        data = reply.json()
        status = data.get("status") if isinstance(data, dict) else None
        return status if isinstance(status, str) else ""

    # -- transport -------------------------------------------------------------------------

    async def get(self, path: str, accept: str = JSON_MEDIA_TYPE) -> Reply:
        """GET ``path`` on the API, following redirects (the token stays on the API origin)."""
        url = self.base + path
        for _hop in range(MAX_REDIRECTS + 1):
            resp = await self._attempts(url, accept)
            location = resp.headers.get("location")
            if resp.status in (301, 302, 303, 307, 308) and location:
                url = urljoin(url, location)
                continue
            link = resp.headers.get("link", "")
            return Reply(resp.status, resp.text, 'rel="next"' in link)
        raise Inconclusive(f"more than {MAX_REDIRECTS} redirects from the GitHub API")

    async def _attempts(self, url: str, accept: str) -> Response:
        """One answer from ``url``: retried on 5xx/429/connection errors; limits raise."""
        from medperf_lint.net.transport import TransportError

        for attempt in range(self.retries + 1):
            last = attempt == self.retries
            await self.budget.acquire(unauthenticated=self._token is None)
            try:
                resp = await self._send(url, accept)
            except TransportError as err:
                await self.budget.release(None)
                failure = await self._failure(url, err, last)
                if failure is not None:
                    raise failure from None
                await asyncio.sleep(_backoff(attempt))
                continue
            except BaseException:
                await self.budget.release(None)  # never leave other lookups waiting on this one
                raise
            await self.budget.release(resp.headers)
            self._say_if_short()
            if resp.truncated:
                raise Inconclusive(
                    f"the GitHub API answered with more than {MAX_BODY // (1024 * 1024)} MiB"
                )
            reply = Reply(resp.status, resp.text)
            wait = await self._judge(resp, reply, attempt)
            if wait is None:
                return resp
            if wait > MAX_WAIT:
                raise Inconclusive(await self._stop_for_wait(reply, wait))
            if last:
                raise Inconclusive(f"{_said(reply)} ({attempt + 1} attempt(s))")
            await asyncio.sleep(wait)
        raise AssertionError("unreachable")  # pragma: no cover

    def _say_if_short(self) -> None:
        note = self.budget.short_of(self._pending)
        if note is not None:
            print(f"medperf-lint: {note}", file=sys.stderr)

    async def _failure(self, url: str, err: Exception, last: bool) -> Inconclusive | None:
        """What a failed exchange means: None to retry it."""
        from medperf_lint.net.transport import TransportError, origin

        assert isinstance(err, TransportError)
        host = urlsplit(url).hostname or ""
        on_api = origin(url) == self.origin
        if not on_api and err.kind in ("blocked-address", "dns"):
            return Inconclusive(f"the GitHub API redirected to {host}: {err.detail}; not following")
        if on_api and err.kind == "dns":
            return await self.budget.stop(f"cannot resolve the GitHub API host {host}")
        if err.kind == "fd-shortage" and not last:
            return None
        if last:
            return await self.budget.stop(f"cannot reach the GitHub API at {host}: {err.detail}")
        return None

    async def _send(self, url: str, accept: str) -> Response:
        from medperf_lint.net.transport import Timeouts

        headers = {
            "Accept": accept,
            "User-Agent": f"medperf-lint/{__version__}",
            "X-GitHub-Api-Version": API_VERSION,
        }
        return await self.transport.request(
            "GET",
            url,
            headers=headers,
            limit=MAX_BODY,
            timeouts=Timeouts(self.connect_timeout, self.read_timeout),
            token=(self.origin, self._token) if self._token else None,
        )

    async def _judge(self, resp: Response, reply: Reply, attempt: int) -> float | None:
        """None to accept ``reply``; seconds to wait before retrying; raises to give up."""
        from medperf_lint.net.util import retry_after

        status = reply.status
        if status < 400 or status in (404, 422):
            return None
        limited = resp.headers.get("x-ratelimit-remaining") == "0"
        wait = retry_after(resp.headers.get("retry-after"))
        if status in (403, 429) and limited and wait is None:
            reset = _int(resp.headers.get("x-ratelimit-reset"))
            raise await self.budget.stop(
                _spent_reason(float(reset) if reset is not None else None, self._token is None)
            )
        if status in (403, 429) and wait is not None:
            return wait + random.uniform(0, 0.25)
        if status == 403 and "rate limit" in reply.message.lower():
            raise await self.budget.stop(f"GitHub secondary rate limit: {reply.message}")
        if status == 401:
            raise await self.budget.stop(
                f"GitHub API rejected the token from GITHUB_TOKEN/GH_TOKEN (401 {reply.message})"
            )
        if status == 429 or status >= 500 or status == 408:
            return _backoff(attempt)
        raise Inconclusive(_unexpected(reply, "the API"))

    async def _stop_for_wait(self, reply: Reply, wait: float) -> str:
        until = iso_utc(time.time() + wait)
        stopped = await self.budget.stop(
            f"GitHub API asked to wait {wait:.0f}s (answered {reply.status}); retry after {until}"
        )
        return stopped.reason


def _sha_of(reply: Reply, ref: str) -> str:
    sha = reply.text.strip().lower()
    if not is_full_sha(sha):
        raise Inconclusive(f"GitHub answered commits/{ref} with {sha[:60]!r}, not a commit SHA")
    return sha


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
        if isinstance(item, dict) and isinstance(item.get("name"), str) and isinstance(sha, str):
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
