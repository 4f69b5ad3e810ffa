"""Probe every URL once: is it public, direct and reachable? (hosts.md §0, linkcheckers.md §5)

Per URL: ``HEAD`` (redirects followed and recorded here, at most 10 hops), then one ranged
``GET`` (``Range: bytes=0-8191``) whose first bytes are sniffed; a healthy URL costs two
requests. When ``HEAD`` is refused (405, 501, 401/403, 5xx, a reset) the ``GET`` alone
decides. Hosts are probed concurrently with at most ``max_connections_per_host`` open
connections each; 408, 429, 5xx and resets are retried with jittered backoff that honours
``Retry-After``. Every hop's address is checked before connecting (:mod:`.addresses`).
"""

from __future__ import annotations

import email.utils
import random
import threading
import time
from collections import defaultdict
from collections.abc import Iterator, Mapping, Sequence
from concurrent.futures import Future, ThreadPoolExecutor, as_completed
from concurrent.futures import TimeoutError as FuturesTimeout
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any
from urllib.parse import urljoin, urlsplit

from .addresses import BlockedAddress, ResolveError, Resolver
from .cache import ProbeCache
from .config import Settings
from .http_result import HTML_TYPES, ProbeResult
from .network import Progress
from .sniff import WINDOW, drive_page, sign_in_page, sniff

if TYPE_CHECKING:
    import requests

    from .http_transport import PinnedAdapter

__all__ = ["ProbeResult", "probe_urls"]

MAX_REDIRECTS = 10
MAX_WAIT = 30.0  # cap on any single Retry-After or backoff wait
REDIRECT_CODES = frozenset({301, 302, 303, 307, 308})
RETRY_CODES = frozenset({408, 429})  # plus every 5xx
HEAD_REFUSED_WAIT = frozenset({429, 503})
DEADLINE = "deadline reached"


def probe_urls(
    urls: Sequence[str], settings: Settings, progress: Progress | None = None
) -> Mapping[str, ProbeResult]:
    """Probe each unique URL once (cache first) and return its result by URL."""
    unique = list(dict.fromkeys(urls))
    cache = ProbeCache.from_settings(settings)
    results: dict[str, ProbeResult] = {}
    todo: list[str] = []
    for url in unique:
        hit = cache.get(url) if cache is not None else None
        if hit is not None:
            results[url] = hit
        else:
            todo.append(url)
    done = len(results)
    if progress is not None and done:
        progress("cache", done, len(unique))
    if todo:
        for url, result in _probe_all(todo, settings):
            results[url] = result
            if cache is not None:
                cache.put(result)
            done += 1
            if progress is not None:
                progress(_host(url), done, len(unique))
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


def _probe_all(urls: Sequence[str], settings: Settings) -> Iterator[tuple[str, ProbeResult]]:
    from .http_transport import PinnedAdapter, new_session

    per_host = max(1, settings.max_connections_per_host)
    hosts = len({_host(u) for u in urls})
    workers = max(1, min(len(urls), 256, hosts * per_host))
    started = time.monotonic()
    deadline = started + settings.deadline if settings.deadline is not None else None
    adapter = PinnedAdapter(pool_maxsize=per_host)
    session = new_session(adapter)
    try:
        prober = _Prober(settings, adapter, session, deadline)
    except ValueError as err:  # a malformed --resolve entry
        from .config import ConfigError

        raise ConfigError(str(err)) from None
    ordered = _round_robin(urls)
    executor = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="medperf-lint-probe")
    pending: dict[Future[ProbeResult], str] = {executor.submit(prober.probe, u): u for u in ordered}
    try:
        timeout = None if deadline is None else max(0.0, deadline - time.monotonic())
        try:  # as_completed waits on every future once; wait() in a loop would be O(n^2)
            for future in as_completed(list(pending), timeout=timeout):
                url = pending.pop(future)
                yield url, _result_of(future, url)
        except FuturesTimeout:
            pass
        prober.stop.set()
        for url in pending.values():
            yield url, ProbeResult(url=url, final_url=url, inconclusive=DEADLINE)
    finally:
        prober.stop.set()
        executor.shutdown(wait=not pending, cancel_futures=True)
        if not pending:
            session.close()
            adapter.close()


def _result_of(future: Future[ProbeResult], url: str) -> ProbeResult:
    try:
        return future.result()
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

    def result(self, **values: Any) -> ProbeResult:
        return ProbeResult(
            url=self.url,
            final_url=self.current,
            redirects=tuple(self.redirects),
            requests=self.requests,
            head_status=self.head_status,
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
    def __init__(
        self,
        settings: Settings,
        adapter: PinnedAdapter,
        session: requests.Session,
        deadline: float | None,
    ):
        from .http_transport import ca_bundle

        self.settings = settings
        self.adapter = adapter
        self.session = session
        self.deadline = deadline
        self.verify = ca_bundle()
        self.resolver = Resolver(settings.resolve, allow_private=settings.allow_private_hosts)
        self.stop = threading.Event()
        self._limits: dict[str, threading.BoundedSemaphore] = {}
        self._limits_lock = threading.Lock()

    def _limit(self, host: str) -> threading.BoundedSemaphore:
        with self._limits_lock:
            sem = self._limits.get(host)
            if sem is None:
                sem = threading.BoundedSemaphore(max(1, self.settings.max_connections_per_host))
                self._limits[host] = sem
            return sem

    def probe(self, url: str) -> ProbeResult:
        now = time.monotonic()
        end = now + self.settings.timeout if self.settings.timeout > 0 else float("inf")
        if self.deadline is not None:
            end = min(end, self.deadline)
        state = _State(url, url, now, end, seen={url}, retries_left=self.settings.retries)
        try:
            return self._run(state)
        except _Stop as stop:
            return stop.result

    def _run(self, state: _State) -> ProbeResult:
        method = "HEAD"
        while True:
            answer = self._send(state, method)
            if answer is None:  # HEAD failed in a way GET may not: let GET decide
                method = "GET"
                continue
            location = answer.headers.get("location")
            if answer.status in REDIRECT_CODES and location:
                self._follow(state, answer.status, location)
                continue
            if method == "HEAD":
                if 200 <= answer.status < 300:
                    state.head_status = answer.status
                    state.head_type = answer.headers.get("content-type")
                    state.head_size = _int(answer.headers.get("content-length"))
                elif answer.status in (404, 410):
                    return state.result(
                        status=answer.status, content_type=answer.headers.get("content-type")
                    )
                else:
                    state.head_status = answer.status
                    if answer.status in HEAD_REFUSED_WAIT and state.retries_left > 0:
                        state.retries_left -= 1
                        self._wait(state, answer, 0)
                method = "GET"
                continue
            if (answer.status in RETRY_CODES or answer.status >= 500) and not _challenge(answer):
                if state.retries_left > 0:
                    attempt = self.settings.retries - state.retries_left
                    state.retries_left -= 1
                    self._wait(state, answer, attempt)
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

    def _wait(self, state: _State, answer: _Answer, attempt: int) -> None:
        delay = _retry_after(answer.headers.get("retry-after"))
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
        if self.stop.wait(delay):
            raise _Stop(state.result(inconclusive=DEADLINE))

    def _send(self, state: _State, method: str) -> _Answer | None:
        """One request to ``state.current``; None when a HEAD failed in a way GET may not."""
        import requests

        from .http_transport import describe_failure

        url = state.current
        parts = urlsplit(url)
        host = (parts.hostname or "").lower()
        try:
            port = parts.port or (443 if parts.scheme.lower() == "https" else 80)
        except ValueError:
            raise _Stop(
                state.result(error="bad-url", detail="the URL has an invalid port")
            ) from None
        try:
            address = self.resolver.pick(host, port)
        except ResolveError as err:
            raise _Stop(state.result(error="dns", detail=f"cannot resolve {host}: {err}")) from None
        except BlockedAddress as err:
            raise _Stop(
                state.result(
                    error="blocked-address",
                    detail=f"{err}; refusing to connect (use --allow-private-hosts if this is intended)",
                )
            ) from None
        headers = {"Range": f"bytes=0-{WINDOW - 1}"} if method == "GET" else {}
        while True:
            failure: tuple[str, str] | None = None
            with self._limit(host):
                left = self._remaining(state)
                timeout = (
                    min(self.settings.connect_timeout, left),
                    min(self.settings.read_timeout, left),
                )
                self.adapter.pin(address)
                state.requests += 1
                try:
                    response = self._request(method, url, headers, timeout)
                    try:
                        body = _read_window(response)  # HEAD: reads nothing, frees the connection
                    finally:
                        response.close()
                except (requests.RequestException, OSError) as err:
                    failure = describe_failure(err)
            if failure is None:
                return _Answer(response.status_code, response.headers, body)
            kind, detail = failure
            if method == "HEAD" and kind in ("reset", "timeout"):
                return None  # some servers drop or stall HEAD on download endpoints
            if kind == "reset" and state.retries_left > 0:
                attempt = self.settings.retries - state.retries_left
                state.retries_left -= 1
                self._wait(state, _Answer(0, {}, b""), attempt)
                continue
            if kind in ("timeout", "connect-timeout"):
                raise _Stop(state.result(inconclusive=f"timeout: {detail} ({host})"))
            where = host if host.strip("[]") == address else f"{host} at {address}"
            raise _Stop(state.result(error=kind, detail=f"{detail} ({where})"))

    def _request(
        self, method: str, url: str, headers: dict[str, str], timeout: tuple[float, float]
    ) -> requests.Response:
        """Send one request through the pinned adapter, as ``Session.send`` would.

        The session's own send path is skipped: it runs cookie extraction on every response
        (no cookies are kept anyway) and redirect bookkeeping we do ourselves.
        """
        import requests

        merged = {**self.session.headers, **headers}
        prepared = requests.Request(method, url, headers=merged).prepare()
        return self.adapter.send(
            prepared, stream=True, timeout=timeout, verify=self.verify, cert=None, proxies={}
        )

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
            inconclusive=inconclusive,
        )


def _read_window(response: requests.Response) -> bytes:
    """At most WINDOW bytes of the raw (undecoded) body."""
    raw = response.raw
    chunks: list[bytes] = []
    got = 0
    while got < WINDOW:
        chunk = raw.read(WINDOW - got, decode_content=False)
        if not chunk:
            break
        chunks.append(chunk)
        got += len(chunk)
    return b"".join(chunks)[:WINDOW]


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


def _retry_after(value: str | None) -> float | None:
    """``Retry-After`` in seconds, from delta-seconds or an HTTP-date; None when absent or bad."""
    if not value:
        return None
    text = value.strip()
    if text.isdigit():
        return float(text)
    try:
        when = email.utils.parsedate_to_datetime(text)
    except (TypeError, ValueError):
        return None
    if when is None:
        return None
    return max(0.0, when.timestamp() - time.time())
