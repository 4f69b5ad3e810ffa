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

Retries and redirects: the transport's one policy (:mod:`medperf_lint.net.policy`): 408, 429,
5xx, a 403 with ``Retry-After`` and reset connections, at most ``settings.retries`` times with
jittered backoff; a wait over ``MAX_WAIT`` seconds is not worth it and makes every lookup
inconclusive instead.
Rate limit: once ``x-ratelimit-remaining`` reaches 0 (or a 403/429 says so), no further call is
made and every remaining lookup is inconclusive with the reset time; when the remaining calls
cannot cover the lookups still to do, that is said once on stderr with the reset time. Until
the first answer arrives only one request is in flight, so a spent limit costs one call.

The client runs on the run's transport (:mod:`medperf_lint.net.transport`): the same event loop, session,
address policy, proxies and body caps as the prober. Redirects are followed by its loop, hop by hop;
the token (``GITHUB_TOKEN`` or ``GH_TOKEN``) is attached by the transport only to requests for
the API's own origin (scheme, host, port), never logged nor put in a result. The API host is the
user's setting and so exempt from the private-address policy; a redirect elsewhere is not.
``--deadline`` cuts the lookups off: unfinished ones are inconclusive.
"""

from __future__ import annotations

import asyncio
import json
import os
import sys
import time
from collections.abc import Awaitable, Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import TYPE_CHECKING, Generic, TypeVar
from urllib.parse import quote, urlsplit

from medperf_lint._version import __version__
from medperf_lint.facts import NetworkResults
from medperf_lint.facts.github import RefLookup, ReleaseKey, ReleaseLookup, RepoRefs
from medperf_lint.facts.plan import Provider, Run, deadline_reason, web_urls
from medperf_lint.facts.records import from_record, to_record
from medperf_lint.net.policy import MAX_WAIT, retry_delay
from medperf_lint.net.util import Inconclusive
from medperf_lint.refs.hosts import RefKey, github_ref_key, github_release_key, is_full_sha

if TYPE_CHECKING:
    from medperf_lint.input.config import Settings
    from medperf_lint.net.cache import GitHubCache, ReleaseCache
    from medperf_lint.net.transport import Answer, Response, Transport, TransportError

SHA_MEDIA_TYPE = "application/vnd.github.sha"
JSON_MEDIA_TYPE = "application/vnd.github+json"
API_VERSION = "2022-11-28"
WORKERS = 4  # GitHub's secondary limits punish bursts
MAX_COMPARES = 16  # compare calls per SHA beyond the default branch
MAX_REDIRECTS = 5
MAX_BODY = 4 * 1024 * 1024  # bytes of one API answer; more is not an answer we asked for
CONTAINED = frozenset({"identical", "behind"})  # compare BASE...SHA: SHA is in BASE's history
TOKEN_VARS = ("GITHUB_TOKEN", "GH_TOKEN")
DEADLINE = "the run's deadline passed before GitHub answered"

__all__ = ["PROVIDER", "RefLookup", "ReleaseLookup", "RepoRefs", "resolve", "resolve_urls"]


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
    urls: Iterable[str], settings: Settings, until: float | None = None
) -> tuple[dict[RefKey, RefLookup], dict[ReleaseKey, ReleaseLookup]]:
    """Every GitHub ref and every release (of a release asset URL) that ``urls`` depend on,
    on one client so both share the rate limit. Conclusive answers for full SHAs and
    immutable releases are cached for ``cache_ttl_immutable``. ``until`` is the run's
    deadline as a ``time.monotonic()`` instant; without one, the ``deadline`` setting counts
    from now."""
    from medperf_lint.net.cache import GitHubCache, ReleaseCache

    urls = list(urls)
    keys = sorted({k for u in urls if (k := github_ref_key(u)) is not None})
    tags = sorted({k for u in urls if (k := github_release_key(u)) is not None})
    if not keys and not tags:
        return {}, {}
    cache = GitHubCache.from_settings(settings)
    release_cache = ReleaseCache.from_settings(settings)
    results: dict[RefKey, RefLookup] = {}
    releases: dict[ReleaseKey, ReleaseLookup] = {}
    for key in keys:
        if (hit := _cached(cache, key)) is not None:
            results[key] = hit
    for tag in tags:
        if (found := _cached_release(release_cache, tag)) is not None:
            releases[tag] = found
    todo = [k for k in keys if k not in results]
    tags_todo = [t for t in tags if t not in releases]
    if todo or tags_todo:
        looked_up, released = _look_up(todo, settings, tags_todo, until)
        results.update(looked_up)
        releases.update(released)
        if cache is not None and release_cache is not None:
            _store((cache, release_cache), todo, results, tags_todo, releases)
    return {k: results[k] for k in keys}, {t: releases[t] for t in tags}


def _cached_release(cache: ReleaseCache | None, tag: ReleaseKey) -> ReleaseLookup | None:
    found = from_record(ReleaseLookup, cache.get(tag)) if cache is not None else None
    return found if found is not None and found.immutable else None


def _store(
    caches: tuple[GitHubCache, ReleaseCache],
    keys: list[RefKey],
    results: Mapping[RefKey, RefLookup],
    tags: list[ReleaseKey],
    releases: Mapping[ReleaseKey, ReleaseLookup],
) -> None:
    """Cache what cannot change: a full SHA's conclusive answer, an immutable release."""
    refs, published = caches
    for key in keys:
        found = results[key]
        if is_full_sha(key[2]) and found.inconclusive is None:
            refs.put(key, to_record(found))
    for tag in tags:
        release = releases[tag]
        if release.immutable and release.inconclusive is None:
            published.put(tag, to_record(release))


def _cached(cache: GitHubCache | None, key: RefKey) -> RefLookup | None:
    if cache is None or not is_full_sha(key[2]):
        return None
    return from_record(RefLookup, cache.get(key))


def _look_up(
    keys: list[RefKey], settings: Settings, tags: list[ReleaseKey], until: float | None
) -> tuple[dict[RefKey, RefLookup], dict[ReleaseKey, ReleaseLookup]]:
    base = settings.github_api_url.rstrip("/")
    parts = urlsplit(base)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        reason = f"github-api-url {settings.github_api_url!r} is not an http(s) URL"
        return _unanswered(keys, tags, reason)
    from medperf_lint.input.config import ConfigError
    from medperf_lint.net.transport import open_transport

    deadline = until
    if deadline is None and settings.deadline is not None:
        deadline = time.monotonic() + settings.deadline
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
            # Every asker may be cancelled at the deadline: the answer is read here as well,
            # so a failure nobody waits for any more is never logged as "never retrieved".
            task.add_done_callback(_retrieve)
        try:
            return await asyncio.shield(task)
        except Inconclusive:
            self._tasks.pop(key, None)  # the next asker tries again
            raise


def _retrieve(task: asyncio.Task[V]) -> None:
    if not task.cancelled():
        task.exception()


class GitHubClient:
    """Async REST client for the few endpoints the linter needs, on the run's transport."""

    def __init__(self, settings: Settings, transport: Transport, deadline: float | None) -> None:
        from medperf_lint.net.transport import origin

        self.base = settings.github_api_url.rstrip("/")
        self.origin = origin(self.base)
        self.transport = transport
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
        """GET ``path`` on the API under the transport's policy: each hop retried, redirects
        followed (the token stays on the API origin); what is not an answer raises."""
        from medperf_lint.net.transport import BadRedirect, TransportError, follow, retrying

        where = [self.base + path]

        async def hop(url: str) -> Response:
            where[0] = url
            return await retrying(
                lambda: self._once(url, accept), retries=self.retries, pause=self._pause
            )

        try:
            resp, _final = await follow(hop, where[0], max_redirects=MAX_REDIRECTS)
        except BadRedirect as err:
            raise Inconclusive(f"{err.detail} from the GitHub API") from None
        except TransportError as err:
            raise await self._failure(where[0], err) from None
        reply = Reply(resp.status, resp.text, 'rel="next"' in resp.headers.get("link", ""))
        if retry_delay(reply.status, resp.headers, 0) is not None:
            raise Inconclusive(f"{_said(reply)} ({self.retries + 1} attempt(s))")
        if reply.status >= 400 and reply.status not in (404, 422):
            raise Inconclusive(_unexpected(reply, "the API"))
        return reply

    async def _once(self, url: str, accept: str) -> Response:
        """One request within the rate budget; a spent limit or a refused token raises."""
        await self.budget.acquire(unauthenticated=self._token is None)
        try:
            resp = await self._send(url, accept)
        except BaseException:
            await self.budget.release(None)  # never leave other lookups waiting on this one
            raise
        await self.budget.release(resp.headers)
        self._say_if_short()
        if resp.truncated:
            raise Inconclusive(
                f"the GitHub API answered with more than {MAX_BODY // (1024 * 1024)} MiB"
            )
        await self._judge(resp, Reply(resp.status, resp.text))
        return resp

    async def _pause(self, delay: float, answer: Answer | None) -> None:
        """Between tries: a wait longer than the policy allows stops every lookup instead."""
        if delay > MAX_WAIT and answer is not None:
            reply = Reply(answer.status, getattr(answer, "text", ""))
            raise Inconclusive(await self._stop_for_wait(reply, delay))
        await asyncio.sleep(min(delay, MAX_WAIT))

    def _say_if_short(self) -> None:
        note = self.budget.short_of(self._pending)
        if note is not None:
            print(f"medperf-lint: {note}", file=sys.stderr)

    async def _failure(self, url: str, err: TransportError) -> Inconclusive:
        """What a failed exchange means for the lookups (the transport retried what it may)."""
        from medperf_lint.net.transport import origin

        host = urlsplit(url).hostname or ""
        on_api = origin(url) == self.origin
        if not on_api and err.kind in ("blocked-address", "dns"):
            return Inconclusive(f"the GitHub API redirected to {host}: {err.detail}; not following")
        if on_api and err.kind == "dns":
            return await self.budget.stop(f"cannot resolve the GitHub API host {host}")
        return await self.budget.stop(f"cannot reach the GitHub API at {host}: {err.detail}")

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

    async def _judge(self, resp: Response, reply: Reply) -> None:
        """GitHub's own refusals, which no retry can change: they stop every lookup."""
        from medperf_lint.net.util import retry_after

        status = reply.status
        if status not in (401, 403, 429):
            return
        limited = resp.headers.get("x-ratelimit-remaining") == "0"
        wait = retry_after(resp.headers.get("retry-after"))
        if status in (403, 429) and limited and wait is None:
            reset = _int(resp.headers.get("x-ratelimit-reset"))
            raise await self.budget.stop(
                _spent_reason(float(reset) if reset is not None else None, self._token is None)
            )
        if status == 403 and wait is None and "rate limit" in reply.message.lower():
            raise await self.budget.stop(f"GitHub secondary rate limit: {reply.message}")
        if status == 401:
            raise await self.budget.stop(
                f"GitHub API rejected the token from GITHUB_TOKEN/GH_TOKEN (401 {reply.message})"
            )

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


def _said(reply: Reply) -> str:
    return (
        f"GitHub answered {reply.status}: {reply.message}"
        if reply.message
        else f"GitHub answered {reply.status}"
    )


def _unexpected(reply: Reply, what: str) -> str:
    return f"{_said(reply)} for {what}"


# ---------------------------------------------------------------------------------------------
# The provider: the GitHub refs of every http(s) URL; it stops at the deadline by itself


def _check(urls: tuple[str, ...], run: Run) -> NetworkResults:
    # Returns at the run's deadline itself, every lookup answered: nothing to hand in early.
    # Counted from the run's start, not this provider's: one that started late (imports on a
    # busy machine) would otherwise be cut off by the gatherer and lose the answers it had.
    refs, releases = resolve(urls, run.settings, run.until)
    return NetworkResults(github=refs, releases=releases)


def _unfinished(urls: tuple[str, ...], settings: Settings) -> NetworkResults:
    keys = {k for u in urls if (k := github_ref_key(u)) is not None}
    tags = {k for u in urls if (k := github_release_key(u)) is not None}
    reason = deadline_reason(settings)
    return NetworkResults(
        github=dict.fromkeys(keys, RefLookup(inconclusive=reason)),
        releases=dict.fromkeys(tags, ReleaseLookup(inconclusive=reason)),
    )


PROVIDER: Provider[str] = Provider(web_urls, _check, _unfinished)
