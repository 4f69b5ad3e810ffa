"""Probe every URL once: is it public, direct and reachable? (hosts.md §0, linkcheckers.md §5)

Probing runs on the run's transport (:mod:`medperf_lint.net.transport`: one aiohttp session on one event
loop, with the address, proxy and encoding policy). Per URL: ``HEAD`` (redirects followed and recorded here, at most 10 hops), then one ranged
``GET`` (``Range: bytes=0-8191``) whose first bytes are sniffed; a healthy URL costs two
requests. When ``HEAD`` is refused (405, 501, 401/403, 5xx, a reset) the ``GET`` alone
decides. Hosts are probed concurrently with at most ``max_connections_per_host`` open
connections each; 408, 429, 5xx and resets are retried with jittered backoff that honours
``Retry-After``. Every hop's addresses are checked at connect time by the transport. Bodies
arrive decoded, as requests (and so MedPerf) saves them; the ``Content-Encoding`` and the proxy
used are recorded. A connection that nobody will reuse is closed at once, and a shortage of
file descriptors is waited out, never reported as a broken URL.
"""

from __future__ import annotations

import asyncio
import random
import time
from collections import defaultdict
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any
from urllib.parse import urljoin, urlsplit

from medperf_lint.facts import Progress
from medperf_lint.facts.probe import HTML_TYPES, ProbeResult
from medperf_lint.input.config import Settings
from medperf_lint.net.cache import ProbeCache
from medperf_lint.refs.hosts import is_full_sha
from medperf_lint.refs.sniff import WINDOW, drive_page, sign_in_page, sniff

if TYPE_CHECKING:
    from medperf_lint.net.transport import Transport

__all__ = ["ProbeResult", "probe_urls"]

MAX_REDIRECTS = 10
MAX_WAIT = 30.0  # cap on any single Retry-After or backoff wait
REDIRECT_CODES = frozenset({301, 302, 303, 307, 308})
RETRY_CODES = frozenset({408, 429})  # plus every 5xx
HEAD_REFUSED_WAIT = frozenset({429, 503})
DEADLINE = "deadline reached"
FD_WAIT = 0.2  # seconds between attempts while the machine is out of file descriptors


def probe_urls(
    urls: Sequence[str],
    settings: Settings,
    progress: Progress | None = None,
    on_result: Callable[[str, ProbeResult], None] | None = None,
) -> Mapping[str, ProbeResult]:
    """Probe each unique URL once (cache first) and return its result by URL; ``on_result``
    also gets each result as soon as it is known (the engine keeps them if it stops waiting)."""
    unique = list(dict.fromkeys(urls))
    cache = ProbeCache.from_settings(settings)
    results: dict[str, ProbeResult] = {}
    todo: list[str] = []
    for url in unique:
        hit = cache.get(url) if cache is not None else None
        if hit is not None:
            results[url] = hit
            if on_result is not None:
                on_result(url, hit)
        else:
            todo.append(url)
    done = len(results)
    if progress is not None and done:
        progress("cache", done, len(unique))
    if todo:
        counter = [done]

        def record(url: str, result: ProbeResult) -> None:
            results[url] = result
            if on_result is not None:
                on_result(url, result)
            if cache is not None:
                cache.put(result)
            counter[0] += 1
            if progress is not None:
                progress(_host(url), counter[0], len(unique))

        from medperf_lint.input.config import ConfigError
        from medperf_lint.net.transport import open_transport

        try:
            with open_transport(settings) as shared:
                shared.call(_probe_all(todo, settings, shared.transport, record))
        except ValueError as err:  # a malformed --resolve entry
            raise ConfigError(str(err)) from None
        for url in todo:  # a probe cut off without a word (never expected) stays honest
            results.setdefault(url, ProbeResult(url=url, final_url=url, inconclusive=DEADLINE))
    return {url: results[url] for url in unique}


def _host(url: str) -> str:
    try:
        return (urlsplit(url).hostname or "").lower()
    except ValueError:
        return ""


def _round_robin(urls: Sequence[str]) -> list[str]:
    """Interleave URLs by host so every worker thread is not queued on one busy host."""
    by_host: dict[str, list[str]] = defaultdict(list)
    for url in urls:
        by_host[_host(url)].append(url)
    queues = list(by_host.values())
    out: list[str] = []
    for i in range(max(len(q) for q in queues)):
        out.extend(q[i] for q in queues if i < len(q))
    return out


async def _probe_all(
    urls: Sequence[str],
    settings: Settings,
    transport: Transport,
    record: Callable[[str, ProbeResult], None],
) -> None:
    started = time.monotonic()
    deadline = started + settings.deadline if settings.deadline is not None else None
    prober = _Prober(settings, transport, deadline)
    for url in urls:
        prober.users[_host(url)] += 1

    async def one(url: str) -> None:
        record(url, await _guarded(prober, url))

    tasks = {asyncio.ensure_future(one(u)): u for u in _round_robin(urls)}
    try:
        timeout = None if deadline is None else max(0.0, deadline - time.monotonic())
        _done, pending = await asyncio.wait(tasks, timeout=timeout)
        prober.stop.set()
        for task in pending:
            task.cancel()
        if pending:
            await asyncio.gather(*pending, return_exceptions=True)
        for task in pending:
            url = tasks[task]
            record(url, ProbeResult(url=url, final_url=url, inconclusive=DEADLINE))
    finally:
        prober.stop.set()


async def _guarded(prober: _Prober, url: str) -> ProbeResult:
    try:
        return await prober.probe(url)
    except asyncio.CancelledError:
        raise
    except Exception as err:  # a bug must not hide the other URLs' results
        return ProbeResult(
            url=url, final_url=url, inconclusive=f"internal error: {type(err).__name__}"
        )


# ---------------------------------------------------------------------------------------------
# One URL


@dataclass
class _State:
    """What one probe has learnt so far."""

    url: str
    current: str
    started: float
    budget_end: float
    redirects: list[tuple[int, str]] = field(default_factory=list)
    seen: set[str] = field(default_factory=set)
    requests: int = 0
    retries_left: int = 0
    head_status: int | None = None
    head_type: str | None = None
    head_size: int | None = None
    head_encoding: str | None = None
    proxy: str | None = None
    repo_commit: str | None = None  # X-Repo-Commit of the first hop (Hugging Face)

    def result(self, **values: Any) -> ProbeResult:
        return ProbeResult(
            url=self.url,
            final_url=self.current,
            redirects=tuple(self.redirects),
            requests=self.requests,
            head_status=self.head_status,
            proxy=self.proxy,
            repo_commit=self.repo_commit,
            **values,
        )


class _Stop(Exception):
    """Ends one probe early with a finished result."""

    def __init__(self, result: ProbeResult):
        self.result = result


@dataclass(frozen=True)
class _Answer:
    status: int
    headers: Mapping[str, str]
    body: bytes


class _Prober:
    def __init__(self, settings: Settings, transport: Transport, deadline: float | None):
        self.settings = settings
        self.transport = transport
        self.deadline = deadline
        self.stop = asyncio.Event()
        self._limits: dict[str, asyncio.Semaphore] = {}
        self.users: defaultdict[str, int] = defaultdict(int)  # unfinished probes per host

    def _limit(self, host: str) -> asyncio.Semaphore:
        sem = self._limits.get(host)
        if sem is None:
            sem = asyncio.Semaphore(max(1, self.settings.max_connections_per_host))
            self._limits[host] = sem
        return sem

    async def probe(self, url: str) -> ProbeResult:
        now = time.monotonic()
        end = now + self.settings.timeout if self.settings.timeout > 0 else float("inf")
        if self.deadline is not None:
            end = min(end, self.deadline)
        state = _State(url, url, now, end, seen={url}, retries_left=self.settings.retries)
        try:
            return await self._run(state)
        except _Stop as stop:
            return stop.result
        finally:
            self.users[_host(url)] -= 1

    async def _run(self, state: _State) -> ProbeResult:
        """HEAD and the ranged GET of the first hop go out side by side (the GET is the one a
        direct URL needs next anyway); a redirect or an early verdict from HEAD drops it."""
        early: asyncio.Task[_Answer | None] = asyncio.ensure_future(self._send(state, "GET"))
        try:
            return await self._steps(state, early)
        finally:
            if not early.done():
                early.cancel()
            await asyncio.gather(early, return_exceptions=True)

    async def _steps(
        self, state: _State, early: asyncio.Task[_Answer | None] | None
    ) -> ProbeResult:
        method = "HEAD"
        while True:
            if method == "GET" and early is not None and not state.redirects:
                answer = await early  # its failures (a _Stop) decide as a later GET's would
            else:
                answer = await self._send(state, method, prefetched=early is not None)
            if method == "GET":
                early = None
            if answer is None:  # HEAD failed in a way GET may not: let GET decide
                method = "GET"
                continue
            if not state.redirects and state.repo_commit is None:
                state.repo_commit = _repo_commit(answer.headers)
            location = answer.headers.get("location")
            if answer.status in REDIRECT_CODES and location:
                early = None
                self._follow(state, answer.status, location)
                continue
            if method == "HEAD":
                if 200 <= answer.status < 300:
                    state.head_status = answer.status
                    state.head_type = answer.headers.get("content-type")
                    state.head_size = _int(answer.headers.get("content-length"))
                    state.head_encoding = _encoding(answer.headers)
                elif answer.status in (404, 410):
                    return state.result(
                        status=answer.status, content_type=answer.headers.get("content-type")
                    )
                else:
                    state.head_status = answer.status
                    if (
                        early is None
                        and answer.status in HEAD_REFUSED_WAIT
                        and state.retries_left > 0
                    ):
                        state.retries_left -= 1  # (a GET already out beside it answers for it)
                        await self._wait(state, answer, 0)
                method = "GET"
                continue
            if (answer.status in RETRY_CODES or answer.status >= 500) and not _challenge(answer):
                if state.retries_left > 0:
                    attempt = self.settings.retries - state.retries_left
                    state.retries_left -= 1
                    await self._wait(state, answer, attempt)
                    continue
                tries = self.settings.retries
                return self._finish(
                    state,
                    answer,
                    inconclusive=f"HTTP {answer.status} after {tries} retr{'y' if tries == 1 else 'ies'}",
                )
            return self._finish(state, answer)

    def _follow(self, state: _State, status: int, location: str) -> None:
        target = urljoin(state.current, location.strip())
        state.redirects.append((status, target))
        scheme = urlsplit(target).scheme.lower()
        if scheme not in ("http", "https"):
            raise _Stop(
                state.result(
                    status=status,
                    error="bad-redirect-scheme",
                    detail=f"redirects to a {scheme or 'scheme-less'}: URL, which cannot be downloaded over HTTP",
                )
            )
        if target in state.seen:
            raise _Stop(
                state.result(
                    status=status, error="redirect-loop", detail=f"redirect loop back to {target}"
                )
            )
        if len(state.redirects) > MAX_REDIRECTS:
            raise _Stop(
                state.result(
                    status=status,
                    error="too-many-redirects",
                    detail=f"more than {MAX_REDIRECTS} redirects",
                )
            )
        state.seen.add(target)
        state.current = target

    def _remaining(self, state: _State) -> float:
        if self.stop.is_set():
            raise _Stop(state.result(inconclusive=DEADLINE))
        left = state.budget_end - time.monotonic()
        if left <= 0:
            if self.deadline is not None and state.budget_end >= self.deadline:
                raise _Stop(state.result(inconclusive=DEADLINE))
            raise _Stop(
                state.result(
                    inconclusive=f"timeout: no complete answer within {self.settings.timeout:g} s"
                )
            )
        return left

    async def _wait(self, state: _State, answer: _Answer, attempt: int) -> None:
        from medperf_lint.net.util import retry_after

        delay = retry_after(answer.headers.get("retry-after"))
        if delay is None:
            delay = min(MAX_WAIT, 0.5 * 2**attempt) * random.uniform(0.5, 1.0)
        delay = min(delay, MAX_WAIT)
        left = self._remaining(state)
        if delay >= left:
            raise _Stop(
                self._finish(
                    state,
                    answer,
                    inconclusive=f"HTTP {answer.status}: asked to wait {delay:g} s, beyond the time budget",
                )
            )
        try:
            await asyncio.wait_for(self.stop.wait(), delay)
        except asyncio.TimeoutError:
            return
        raise _Stop(state.result(inconclusive=DEADLINE))

    async def _send(self, state: _State, method: str, prefetched: bool = False) -> _Answer | None:
        """One request to ``state.current``; None when a HEAD failed in a way GET may not.

        ``prefetched``: the GET already went out beside this HEAD, so this HEAD's connection
        is kept only for other probes of the host."""
        from medperf_lint.net.transport import Timeouts, TransportError

        url = state.current
        host = _host(url)
        headers = {"Range": f"bytes=0-{WINDOW - 1}"} if method == "GET" else {}
        while True:
            async with self._limit(host):
                left = self._remaining(state)
                state.requests += 1
                timeouts = Timeouts(
                    min(self.settings.connect_timeout, left), min(self.settings.read_timeout, left)
                )
                try:
                    response = await self.transport.request(
                        method,
                        url,
                        headers=headers,
                        limit=WINDOW,
                        timeouts=timeouts,
                        keep=(method == "HEAD" and not prefetched) or self.users[host] > 1,
                    )
                    state.proxy = response.proxy
                    return _Answer(response.status, response.headers, response.body)
                except TransportError as err:
                    kind, detail = err.kind, err.detail
            if kind == "fd-shortage":  # this machine's limit, not the URL's fault
                state.requests -= 1
                await self._pause(state, FD_WAIT)
                continue
            if kind == "proxy":  # the user's proxy, not the URL, failed: MedPerf's would too
                raise _Stop(state.result(inconclusive=detail))
            if kind == "bad-url":
                raise _Stop(state.result(error=kind, detail=detail))
            if kind == "blocked-address":
                raise _Stop(
                    state.result(
                        error=kind,
                        detail=f"{detail}; refusing to connect (use --allow-private-hosts if this is intended)",
                    )
                )
            if method == "HEAD" and kind in ("reset", "timeout", "bad-response"):
                return None  # some servers drop or stall HEAD on download endpoints
            if kind in ("reset", "bad-response") and state.retries_left > 0:  # a fresh connection
                attempt = self.settings.retries - state.retries_left
                state.retries_left -= 1
                await self._wait(state, _Answer(0, {}, b""), attempt)
                continue
            if kind in ("timeout", "connect-timeout"):
                raise _Stop(state.result(inconclusive=f"timeout: {detail} ({host})"))
            raise _Stop(state.result(error=kind, detail=f"{detail} ({host})"))

    async def _pause(self, state: _State, delay: float) -> None:
        """Sleep ``delay`` unless the time budget or the deadline ends first."""
        left = self._remaining(state)
        try:
            await asyncio.wait_for(self.stop.wait(), min(delay, left))
        except asyncio.TimeoutError:
            return
        raise _Stop(state.result(inconclusive=DEADLINE))

    def _finish(
        self, state: _State, answer: _Answer, inconclusive: str | None = None
    ) -> ProbeResult:
        headers = answer.headers
        content_type = headers.get("content-type") or state.head_type
        media = (content_type or "").split(";", 1)[0].strip().lower()
        sniffed = sniff(answer.body) if answer.body or 200 <= answer.status < 300 else None
        page = page_detail = None
        if sniffed is not None and (sniffed.kind == "html" or media in HTML_TYPES):
            found = drive_page(answer.body)
            if found is not None:
                page, page_detail = found.kind, found.detail
        if page is None and state.redirects and sign_in_page(state.current):
            page, page_detail = "sign-in", state.current
        if inconclusive is None and _challenge(answer):
            inconclusive = "Cloudflare challenge (cf-mitigated: challenge): a browser check blocks automated requests"
        return state.result(
            status=answer.status,
            content_type=content_type,
            size=_size(answer, state),
            sniffed=sniffed.kind if sniffed else None,
            sniff_detail=sniffed.detail if sniffed else None,
            page=page,
            page_detail=page_detail,
            attachment="attachment" in headers.get("content-disposition", "").lower(),
            content_encoding=_encoding(headers) or state.head_encoding,
            disposition_name=_disposition_name(headers.get("content-disposition")),
            inconclusive=inconclusive,
        )


def _repo_commit(headers: Mapping[str, str]) -> str | None:
    """The commit Hugging Face says it served (``X-Repo-Commit``), when it is a full SHA."""
    value = headers.get("x-repo-commit", "").strip().lower()
    return value if is_full_sha(value) else None


def _challenge(answer: _Answer) -> bool:
    return answer.headers.get("cf-mitigated", "").strip().lower() == "challenge"


def _int(value: str | None) -> int | None:
    if value is None or not value.strip().isdigit():
        return None
    return int(value.strip())


def _size(answer: _Answer, state: _State) -> int | None:
    if answer.status == 206 or answer.status == 416:
        total = answer.headers.get("content-range", "").rpartition("/")[2]
        return _int(total)
    if 200 <= answer.status < 300:
        length = _int(answer.headers.get("content-length"))
        return length if length is not None else state.head_size
    return None


def _encoding(headers: Mapping[str, str]) -> str | None:
    """The response's Content-Encoding, or None for none or ``identity``."""
    value = headers.get("content-encoding", "").strip().lower()
    return None if value in ("", "identity") else value


def _disposition_name(value: str | None) -> str | None:
    """The file name a Content-Disposition header gives, if any."""
    if not value:
        return None
    from email.message import Message

    message = Message()
    message["content-disposition"] = value
    name = message.get_filename()
    return str(name) if name else None
