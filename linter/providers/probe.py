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
import time
from collections import defaultdict
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from medperf_lint.facts import NetworkResults, Progress
from medperf_lint.facts.plan import Provider, Run, deadline_reason, web_urls
from medperf_lint.facts.probe import HTML_TYPES, ProbeResult
from medperf_lint.input.config import Settings
from medperf_lint.net.cache import ProbeCache
from medperf_lint.net.policy import MAX_WAIT, challenged, retry_delay
from medperf_lint.refs.hosts import is_full_sha
from medperf_lint.refs.sniff import WINDOW, drive_page, sign_in_page, sniff

if TYPE_CHECKING:
    from medperf_lint.net.transport import Answer, Response, Transport, TransportError

__all__ = ["PROVIDER", "ProbeResult", "probe_urls"]

HEAD_REFUSED_WAIT = frozenset({429, 503})
DEADLINE = "deadline reached"
RANGE: Mapping[str, str] = {"Range": f"bytes=0-{WINDOW - 1}"}  # every GET's one extra header


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
        hosts = {url: _host(url) for url in todo}  # parsed once per URL, not per request

        def record(url: str, result: ProbeResult) -> None:
            results[url] = result
            if on_result is not None:
                on_result(url, result)
            if cache is not None:
                cache.put(result)
            counter[0] += 1
            if progress is not None:
                progress(hosts[url], counter[0], len(unique))

        from medperf_lint.input.config import ConfigError
        from medperf_lint.net.transport import open_transport

        try:
            with open_transport(settings) as shared:
                shared.call(_probe_all(hosts, settings, shared.transport, record))
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


def _round_robin(hosts: Mapping[str, str]) -> list[str]:
    """Interleave URLs (``hosts``: URL -> host) by host so no host's queue holds up others."""
    by_host: dict[str, list[str]] = defaultdict(list)
    for url, host in hosts.items():
        by_host[host].append(url)
    queues = list(by_host.values())
    out: list[str] = []
    for i in range(max(len(q) for q in queues)):
        out.extend(q[i] for q in queues if i < len(q))
    return out


async def _probe_all(
    hosts: Mapping[str, str],
    settings: Settings,
    transport: Transport,
    record: Callable[[str, ProbeResult], None],
) -> None:
    """Probe every URL of ``hosts`` (URL -> host), reporting each result to ``record``."""
    started = time.monotonic()
    deadline = started + settings.deadline if settings.deadline is not None else None
    prober = _Prober(settings, transport, deadline, hosts)
    for host in hosts.values():
        prober.users[host] += 1

    async def one(url: str) -> None:
        record(url, await _guarded(prober, url))

    tasks = {asyncio.ensure_future(one(u)): u for u in _round_robin(hosts)}
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
    repo_commit: str | None = None  # X-Repo-Commit of the first hop's answer (Hugging Face)

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


class _HeadFailed(Exception):
    """HEAD failed in a way GET may not (some servers drop or stall HEAD on downloads)."""


class _Prober:
    def __init__(
        self,
        settings: Settings,
        transport: Transport,
        deadline: float | None,
        hosts: Mapping[str, str],
    ):
        from medperf_lint.net.transport import Timeouts

        self.settings = settings
        self.transport = transport
        self.deadline = deadline
        self.stop = asyncio.Event()
        self._limits: dict[str, asyncio.Semaphore] = {}
        self.users: defaultdict[str, int] = defaultdict(int)  # unfinished probes per host
        self._hosts = dict(hosts)  # URL -> host, for the URLs and the redirect targets seen
        # a request's timeouts are these unless its probe has less time left
        self.timeouts = Timeouts(settings.connect_timeout, settings.read_timeout)

    def host(self, url: str) -> str:
        """``url``'s host, parsed once per URL for the run."""
        found = self._hosts.get(url)
        if found is None:
            found = self._hosts[url] = _host(url)
        return found

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
            self.users[self.host(url)] -= 1

    async def _run(self, state: _State) -> ProbeResult:
        """HEAD and the ranged GET of the first hop go out side by side (the GET is the one a
        direct URL needs next anyway); a redirect or an early verdict from HEAD drops it."""
        early: asyncio.Task[Response] = asyncio.ensure_future(self._send(state, "GET", state.url))
        from medperf_lint.net.transport import TransportError

        try:
            return await self._steps(state, early)
        except TransportError as err:
            return self._failed(state, err)
        finally:
            if not early.done():
                early.cancel()
                await asyncio.gather(early, return_exceptions=True)
            elif not early.cancelled():
                early.exception()  # seen, so asyncio does not log it (no wait: it is done)

    async def _steps(self, state: _State, early: asyncio.Task[Response]) -> ProbeResult:
        """HEAD through the redirects (the transport's loop, each hop recorded), then the GET
        from where HEAD ended, retried as the policy says."""
        from medperf_lint.net.transport import follow, retrying

        async def head_hop(url: str) -> Response:
            state.current = url
            send = lambda: self._send(state, "HEAD", url, prefetched=url == state.url)  # noqa: E731
            return await retrying(send, retries=0)  # a HEAD is never asked again

        try:
            head, state.current = await follow(head_hop, state.url, on_hop=self._hop(state))
        except _HeadFailed:
            head = None
        if head is not None:
            if head.status in (404, 410):
                return state.result(
                    status=head.status, content_type=head.headers.get("content-type")
                )
            await self._after_head(state, head, early_used=not state.redirects)
        if state.redirects:
            early.cancel()
        answer, state.current = await follow(
            self._get_hop(state, None if state.redirects else early),
            state.current,
            on_hop=self._hop(state),
            visited=[target for _status, target in state.redirects],
        )
        if retry_delay(answer.status, answer.headers, 0) is not None:
            tries = self.settings.retries
            return self._finish(
                state,
                answer,
                inconclusive=f"HTTP {answer.status} after {tries} retr{'y' if tries == 1 else 'ies'}",
            )
        return self._finish(state, answer)

    async def _after_head(self, state: _State, head: Response, early_used: bool) -> None:
        """Remember what HEAD said; a HEAD told to slow down waits once before the GET (unless
        a GET already went out beside it, whose answer speaks for itself)."""
        state.head_status = head.status
        if 200 <= head.status < 300:
            state.head_type = head.headers.get("content-type")
            state.head_size = _int(head.headers.get("content-length"))
            state.head_encoding = _encoding(head.headers)
            return
        if not early_used and head.status in HEAD_REFUSED_WAIT and state.retries_left > 0:
            state.retries_left -= 1
            delay = retry_delay(head.status, head.headers, 0)
            await self._wait(state, delay or 0.0, head)

    def _get_hop(
        self, state: _State, early: asyncio.Task[Response] | None
    ) -> Callable[[str], Awaitable[Response]]:
        """One GET hop under the transport's retry loop; the GET sent beside HEAD is its
        first try at the first URL."""
        from medperf_lint.net.transport import retrying

        pending = [early] if early is not None else []

        async def hop(url: str) -> Response:
            state.current = url

            async def once() -> Response:
                if pending:
                    return await pending.pop()
                return await self._send(state, "GET", url)

            async def wait(delay: float, answer: Answer | None) -> None:
                state.retries_left -= 1
                await self._wait(state, delay, answer)

            return await retrying(once, retries=state.retries_left, pause=wait)

        return hop

    @staticmethod
    def _hop(state: _State) -> Callable[[int, str], None]:
        def record(status: int, target: str) -> None:
            state.redirects.append((status, target))

        return record

    def _failed(self, state: _State, err: TransportError) -> ProbeResult:
        """The verdict for a failed exchange (the transport's kinds)."""
        from medperf_lint.net.transport import BadRedirect

        kind, detail, host = err.kind, err.detail, self.host(state.current)
        if isinstance(err, BadRedirect):
            return state.result(status=err.status, error=kind, detail=detail)
        if kind == "proxy":  # the user's proxy, not the URL, failed: MedPerf's would too
            return state.result(inconclusive=detail)
        if kind == "bad-url":
            return state.result(error=kind, detail=detail)
        if kind == "blocked-address":
            why = f"{detail}; refusing to connect (use --allow-private-hosts if this is intended)"
            return state.result(error=kind, detail=why)
        if kind in ("timeout", "connect-timeout"):
            return state.result(inconclusive=f"timeout: {detail} ({host})")
        return state.result(error=kind, detail=f"{detail} ({host})")

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

    async def _wait(self, state: _State, delay: float, answer: Answer | None) -> None:
        """The probe's pause between tries: within its time budget, cut short by the deadline."""
        left = self._remaining(state)
        if delay > MAX_WAIT or delay >= left:
            if answer is None:
                raise _Stop(
                    state.result(
                        inconclusive=f"timeout: no complete answer within {self.settings.timeout:g} s"
                    )
                )
            raise _Stop(
                self._finish(
                    state,
                    answer,  # type: ignore[arg-type]  # the loops hand back what _send returned
                    inconclusive=f"HTTP {answer.status}: asked to wait {delay:g} s, beyond the time budget",
                )
            )
        try:
            await asyncio.wait_for(self.stop.wait(), delay)
        except asyncio.TimeoutError:
            return
        raise _Stop(state.result(inconclusive=DEADLINE))

    async def _send(
        self, state: _State, method: str, url: str, prefetched: bool = False
    ) -> Response:
        """One request to ``url`` within the probe's budget and the host's connection limit.

        ``prefetched``: the GET already went out beside this HEAD, so this HEAD's connection
        is kept only for other probes of the host. A HEAD that fails in a way GET may not
        raises _HeadFailed."""
        from medperf_lint.net.transport import Timeouts, TransportError

        host = self.host(url)
        async with self._limit(host):
            left = self._remaining(state)
            state.requests += 1
            timeouts = self.timeouts
            if left < timeouts.connect or left < timeouts.read:
                timeouts = Timeouts(min(timeouts.connect, left), min(timeouts.read, left))
            try:
                response = await self.transport.request(
                    method,
                    url,
                    headers=RANGE if method == "GET" else None,
                    limit=WINDOW,
                    timeouts=timeouts,
                    keep=(method == "HEAD" and not prefetched) or self.users[host] > 1,
                )
            except TransportError as err:
                if err.kind == "fd-shortage":  # this machine's limit, not the URL's fault
                    state.requests -= 1
                elif method == "HEAD" and err.kind in ("reset", "timeout", "bad-response"):
                    raise _HeadFailed() from err
                raise
        state.proxy = response.proxy
        if url == state.url and state.repo_commit is None:
            state.repo_commit = _repo_commit(response.headers)
        return response

    def _finish(
        self, state: _State, answer: Response, inconclusive: str | None = None
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
        if inconclusive is None and challenged(answer.headers):
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
    value = headers.get("x-repo-commit")
    if value is None:
        return None
    value = value.strip().lower()
    return value if is_full_sha(value) else None


def _int(value: str | None) -> int | None:
    if value is None or not value.strip().isdigit():
        return None
    return int(value.strip())


def _size(answer: Response, state: _State) -> int | None:
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


# ---------------------------------------------------------------------------------------------
# The provider: every http(s) URL, probed; unfinished ones inconclusive at the deadline


def _check(urls: tuple[str, ...], run: Run) -> NetworkResults:
    found = probe_urls(list(urls), run.settings, run.progress, on_result=run.partial.probe)
    return NetworkResults(probes=found)


def _unfinished(urls: tuple[str, ...], settings: Settings) -> NetworkResults:
    reason = deadline_reason(settings)
    return NetworkResults(probes={u: ProbeResult(u, u, inconclusive=reason) for u in urls})


PROVIDER: Provider[str] = Provider(web_urls, _check, _unfinished, hands_in_probes=True)
