"""Commit facts from GitLab, Bitbucket Cloud, Gitea/Codeberg and Hugging Face, for the file URLs
``forge-unpinned-ref`` names: the commit a branch or tag points at now (the exact fix), and
whether a pinned commit exists (``forge-commit-not-found``).

One lookup per unique (forge, origin, project, ref) key per run, on the run's transport (its
session, address policy, proxies and CA bundle). API calls per lookup:

* **Hugging Face**: 0 when the probe of the URL already answered with ``X-Repo-Commit`` (the
  commit ``/resolve/REV/`` served); else 1, ``GET /api/{models|datasets|spaces}/REPO/revision/REV``
  (``sha``).
* **GitLab** (gitlab.com and the ``gitlab-hosts`` instances): 1,
  ``GET /api/v4/projects/GROUP%2FREPO/repository/commits/REF`` (``id``).
* **Bitbucket Cloud**: 1, ``GET api.bitbucket.org/2.0/repositories/WS/REPO/commit/REF`` (``hash``).
* **Gitea/Forgejo/Codeberg** (codeberg.org and the ``gitea-hosts`` instances): 1,
  ``GET /api/v1/repos/OWNER/REPO/git/commits/REF`` (``sha``; Gitea takes a ref or a SHA).
* A 404 costs 1 more call, the project itself (``/projects/ID``, ``/repositories/WS/REPO``,
  ``/repos/O/R``, ``/api/models/REPO``): only when the forge shows the project is the commit
  missing (an error for a pinned SHA); otherwise, as on 401, 403 and 429, the lookup is
  inconclusive, never a false error.
* A conclusive answer for a full SHA is cached for ``cache_ttl_immutable`` (7 days), so a warm
  re-run of pinned URLs sends nothing.

Retries and redirects: the transport's one policy (:mod:`medperf_lint.net.policy`), its retry
loop and its redirect loop (each hop under the address policy), as for GitHub. Limits:
``WORKERS`` lookups at a time; until an API origin's first answer only one request is in flight,
so a spent limit costs one call; a 429 the policy would not wait for (``Retry-After`` over
``MAX_WAIT``), a 429 still there after the retries, or a ``RateLimit-Remaining: 0`` stops every
further call to that origin for the run (the rest are inconclusive, with the wait when given);
answers are capped at ``MAX_BODY``; ``--deadline`` makes the unfinished lookups inconclusive.
Anonymous, as MedPerf downloads, except that ``GITLAB_TOKEN`` is sent to gitlab.com's API origin
(https only), never to a redirect's other origin nor to another instance. The ``gitlab-hosts``
and ``gitea-hosts`` instances are the user's (trusted) settings and so, like the GitHub API,
exempt from the private-address policy (an intranet forge); a redirect elsewhere is not.
"""

from __future__ import annotations

import asyncio
import json
import os
import time
from collections.abc import Awaitable, Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING
from urllib.parse import quote, urlsplit

from medperf_lint.facts import NetworkResults
from medperf_lint.facts.forges import ForgeKey, ForgeLookup
from medperf_lint.facts.plan import Provider, Run, deadline_reason, web_urls
from medperf_lint.facts.records import from_record, to_record
from medperf_lint.net.policy import MAX_WAIT, retry_delay
from medperf_lint.net.util import Inconclusive
from medperf_lint.refs.forges import BITBUCKET, GITEA, GITLAB, HUGGING_FACE, forge_url_key
from medperf_lint.refs.hosts import is_full_sha

if TYPE_CHECKING:
    from medperf_lint.facts.probe import ProbeResult
    from medperf_lint.input.config import Settings
    from medperf_lint.net.cache import ForgeCache
    from medperf_lint.net.transport import Answer, Response, Transport
    from medperf_lint.refs.references import Reference

WORKERS = 4
MAX_BODY = 1024 * 1024  # bytes of one API answer (a commit, a project)
MAX_REDIRECTS = 5
DEADLINE = "the run's deadline passed before the forge answered"
GITLAB_TOKEN_VAR = "GITLAB_TOKEN"
GITLAB_COM = "gitlab.com"

ProbeWait = Callable[[Sequence[str], "float | None"], Mapping[str, "ProbeResult"]]

__all__ = ["PROVIDER", "ForgeLookup", "look_up"]


def look_up(
    urls: Iterable[str], settings: Settings, until: float | None, probes: ProbeWait | None = None
) -> dict[ForgeKey, ForgeLookup]:
    """Every forge key ``urls`` depend on, answered: cache, then the probe's Hugging Face
    commit (``probes`` waits for the prober's results), then the forges' APIs."""
    from medperf_lint.net.cache import ForgeCache

    by_key: dict[ForgeKey, list[str]] = {}
    for url in urls:
        key = forge_url_key(url, settings)
        if key is not None:
            by_key.setdefault(key, []).append(url)
    if not by_key:
        return {}
    cache = ForgeCache.from_settings(settings)
    results: dict[ForgeKey, ForgeLookup] = {}
    for key in by_key:
        hit = _cached(cache, key)
        if hit is not None:
            results[key] = hit
    hugging = [k for k in by_key if k[0] == HUGGING_FACE and k not in results]
    if hugging and probes is not None:
        seen = probes([u for k in hugging for u in by_key[k]], until)
        for key in hugging:
            found = _from_probes(key, [seen[u] for u in by_key[key] if u in seen])
            if found is not None:
                results[key] = found
    todo = sorted(k for k in by_key if k not in results)
    if todo:
        results.update(_ask(todo, settings, until))
    if cache is not None:
        for key in todo:
            if is_full_sha(key[3]) and results[key].inconclusive is None:
                cache.put(key, to_record(results[key]))
    return {k: results[k] for k in by_key}


def _cached(cache: ForgeCache | None, key: ForgeKey) -> ForgeLookup | None:
    if cache is None or not is_full_sha(key[3]):
        return None
    return from_record(ForgeLookup, cache.get(key))


def _from_probes(key: ForgeKey, found: list[ProbeResult]) -> ForgeLookup | None:
    """The commit Hugging Face named while serving the URL: no API call needed."""
    commits = {p.repo_commit for p in found if p.repo_commit}
    if len(commits) != 1:
        return None
    sha = commits.pop()
    ref = key[3].lower()
    if is_full_sha(ref) and sha != ref:
        return None  # a pinned URL answered for another commit: let the API say
    return ForgeLookup(sha=sha, exists=True, detail="X-Repo-Commit of the file's own answer")


def _ask(
    keys: list[ForgeKey], settings: Settings, until: float | None
) -> dict[ForgeKey, ForgeLookup]:
    from medperf_lint.net.transport import call_until

    answered: dict[ForgeKey, ForgeLookup] = {}
    call_until(settings, lambda t: ForgeClient(settings, t, until).all(keys, answered), until)
    return {k: answered.get(k, ForgeLookup(inconclusive=DEADLINE)) for k in keys}


@dataclass(frozen=True)
class Api:
    """Where one forge answers for one project: the commit and project endpoints, and the
    field of the commit's JSON that holds its full SHA."""

    name: str
    commit_url: str
    project_url: str
    sha_field: str


def api_for(key: ForgeKey) -> Api:
    """The endpoints of ``key``'s forge (see the module docstring for the calls)."""
    forge, origin, project, ref = key
    quoted_ref = quote(ref, safe="")
    if forge == GITLAB:
        base = f"{origin}/api/v4/projects/{quote(project, safe='')}"
        return Api(GITLAB, f"{base}/repository/commits/{quoted_ref}", base, "id")
    if forge == BITBUCKET:
        api = origin.replace("//bitbucket.org", "//api.bitbucket.org", 1)
        base = f"{api}/2.0/repositories/{_path(project)}"
        return Api(BITBUCKET, f"{base}/commit/{quoted_ref}", base, "hash")
    if forge == GITEA:
        base = f"{origin}/api/v1/repos/{_path(project)}"
        return Api(GITEA, f"{base}/git/commits/{quoted_ref}", base, "sha")
    kind, _, repo = (
        project.partition("/")
        if project.startswith(("datasets/", "spaces/"))
        else ("models", "", project)
    )
    base = f"{origin}/api/{kind}/{_path(repo)}"
    return Api(HUGGING_FACE, f"{base}/revision/{quoted_ref}", base, "sha")


def _path(project: str) -> str:
    return "/".join(quote(part, safe="") for part in project.split("/"))


def gitlab_token() -> str | None:
    return os.environ.get(GITLAB_TOKEN_VAR, "").strip() or None


@dataclass
class _Origin:
    """What one API origin allowed so far: once it says stop, no call goes to it again, and
    until its first answer only one request is in flight (a spent limit costs one call)."""

    host: str
    stopped: str | None = None
    answered: bool = False
    first: asyncio.Lock = field(default_factory=asyncio.Lock)


class ForgeClient:
    """The lookups of one run on the run's transport, ``WORKERS`` at a time."""

    def __init__(self, settings: Settings, transport: Transport, until: float | None) -> None:
        self.settings = settings
        self.transport = transport
        self.until = until
        self.origins: dict[tuple[str, str, int], _Origin] = {}
        self._token = gitlab_token()

    async def all(self, keys: list[ForgeKey], into: dict[ForgeKey, ForgeLookup]) -> None:
        gate = asyncio.Semaphore(WORKERS)

        async def one(key: ForgeKey) -> None:
            async with gate:
                into[key] = await self.lookup(key)

        await asyncio.gather(*(one(k) for k in keys))

    async def lookup(self, key: ForgeKey) -> ForgeLookup:
        api = api_for(key)
        calls = [0]
        try:
            status, data = await self.get(api.commit_url, calls)
            if status == 200:
                return ForgeLookup(sha=_sha(data, api), exists=True, calls=calls[0])
            if status in (404, 422):
                return await self._missing(api, key[3], calls)
            return ForgeLookup(inconclusive=_said(api, status, data), calls=calls[0])
        except Inconclusive as err:
            return ForgeLookup(inconclusive=err.reason, calls=calls[0])

    async def _missing(self, api: Api, ref: str, calls: list[int]) -> ForgeLookup:
        """A 404 means a missing commit only when the project itself answers."""
        status, data = await self.get(api.project_url, calls)
        if status != 200:
            reason = f"{_said(api, status, data)} for the project (missing, or private)"
            return ForgeLookup(inconclusive=reason, calls=calls[0])
        return ForgeLookup(
            exists=False, detail=f"{api.name} has no commit {ref!r} in it", calls=calls[0]
        )

    # -- transport -------------------------------------------------------------------------

    async def get(self, url: str, calls: list[int]) -> tuple[int, object]:
        """GET ``url`` as JSON under the transport's policy (each hop retried, redirects
        followed): (status, decoded body or None); what is no answer raises Inconclusive."""
        from medperf_lint.net.transport import BadRedirect, TransportError, follow, retrying

        where = [url]

        async def hop(target: str) -> Response:
            where[0] = target
            return await retrying(
                lambda: self._once(target, calls),
                retries=self.settings.retries,
                pause=self._pause_for(target),
            )

        try:
            resp, _final = await follow(hop, url, max_redirects=MAX_REDIRECTS)
        except BadRedirect as err:
            raise Inconclusive(f"{err.detail} from the forge's API") from None
        except TransportError as err:
            host = urlsplit(where[0]).hostname
            raise Inconclusive(f"cannot reach {host}: {err.detail}") from None
        if retry_delay(resp.status, resp.headers, 0) is not None:
            raise Inconclusive(self._gave_up(where[0], resp))
        try:
            data: object = json.loads(resp.text) if resp.body else None
        except ValueError:
            data = None
        return resp.status, data

    def _origin(self, url: str) -> _Origin:
        from medperf_lint.net.transport import origin

        key = origin(url)
        return self.origins.setdefault(key, _Origin(key[1]))

    async def _once(self, url: str, calls: list[int]) -> Response:
        """One request, unless its origin said stop or the deadline passed; until the origin's
        first answer, one at a time."""
        where = self._origin(url)
        if where.answered:
            return await self._send_counted(where, url, calls)
        async with where.first:
            resp = await self._send_counted(where, url, calls)
            where.answered = True
            return resp

    async def _send_counted(self, where: _Origin, url: str, calls: list[int]) -> Response:
        if where.stopped is not None:
            raise Inconclusive(where.stopped)
        if self.until is not None and time.monotonic() > self.until:
            raise Inconclusive(DEADLINE)
        calls[0] += 1
        resp = await self._send(url)
        if resp.truncated:
            raise Inconclusive(f"the API answered with more than {MAX_BODY // 1024} KiB")
        _observe(where, resp)
        return resp

    def _pause_for(self, url: str) -> Callable[[float, Answer | None], Awaitable[None]]:
        """Between tries: never past a stop, the policy's longest wait, or the deadline."""
        where = self._origin(url)

        async def pause(delay: float, answer: Answer | None) -> None:
            if where.stopped is not None:
                raise Inconclusive(where.stopped)
            if delay > MAX_WAIT:
                status = f" (HTTP {answer.status})" if answer is not None else ""
                raise Inconclusive(f"{where.host} asked to wait {delay:.0f} s{status}")
            if self.until is not None and time.monotonic() + delay > self.until:
                raise Inconclusive(DEADLINE)
            await asyncio.sleep(delay)

        return pause

    def _gave_up(self, url: str, resp: Response) -> str:
        """Why an answer the policy would still retry ends the lookup; a 429 stops the origin."""
        where = self._origin(url)
        if where.stopped is None and resp.status == 429:
            where.stopped = f"{where.host} rate limit reached (HTTP 429)"
        tries = self.settings.retries + 1
        return where.stopped or f"{where.host} answered {resp.status} ({tries} attempt(s))"

    async def _send(self, url: str) -> Response:
        from medperf_lint.net.transport import Timeouts, origin

        target = origin(url)
        token = None
        if self._token and target[0] == "https" and target[1] == GITLAB_COM:
            token = (target, self._token)  # the transport sends it to this very origin only
        return await self.transport.request(
            "GET",
            url,
            headers={"Accept": "application/json"},
            limit=MAX_BODY,
            timeouts=Timeouts(self.settings.connect_timeout, self.settings.read_timeout),
            token=token,
        )


def _observe(where: _Origin, resp: Response) -> None:
    """Stop calling an origin that rate-limited us beyond the policy's wait, or says no call
    is left."""
    remaining = resp.headers.get("ratelimit-remaining", resp.headers.get("x-ratelimit-remaining"))
    if resp.status == 429:
        wait = retry_delay(resp.status, resp.headers, 0)
        if wait is None or wait > MAX_WAIT:
            after = f"; retry after {wait:.0f} s" if wait is not None else ""
            where.stopped = f"{where.host} rate limit reached (HTTP 429){after}"
    elif remaining is not None and remaining.strip() == "0":
        where.stopped = f"{where.host} rate limit spent (RateLimit-Remaining: 0)"


def _sha(data: object, api: Api) -> str:
    value = data.get(api.sha_field) if isinstance(data, dict) else None
    if not isinstance(value, str) or not is_full_sha(value.strip()):
        raise Inconclusive(f"{api.name} answered without a commit SHA in {api.sha_field!r}")
    return value.strip().lower()


def _said(api: Api, status: int, data: object) -> str:
    message = data.get("message") if isinstance(data, dict) else None
    if isinstance(data, dict) and isinstance(data.get("error"), (dict, str)):
        error = data["error"]
        message = error.get("message") if isinstance(error, dict) else error
    text = f": {str(message)[:200]}" if isinstance(message, str) and message else ""
    return f"{api.name} answered {status}{text}"


# ---------------------------------------------------------------------------------------------
# The provider: the forge file URLs among the http(s) URLs; it stops at the deadline by itself


def _forge_urls(refs: Sequence[Reference], settings: Settings) -> tuple[str, ...]:
    return tuple(u for u in web_urls(refs, settings) if forge_url_key(u, settings) is not None)


def _check(urls: tuple[str, ...], run: Run) -> NetworkResults:
    # Hugging Face commits come from the prober's answers as it hands them in (Partial).
    found = look_up(urls, run.settings, run.until, run.partial.wait_probes)
    return NetworkResults(forges=found)


def _unfinished(urls: tuple[str, ...], settings: Settings) -> NetworkResults:
    keys = {k for u in urls if (k := forge_url_key(u, settings)) is not None}
    lookup = ForgeLookup(inconclusive=deadline_reason(settings))
    return NetworkResults(forges=dict.fromkeys(keys, lookup))


PROVIDER: Provider[str] = Provider(_forge_urls, _check, _unfinished)
