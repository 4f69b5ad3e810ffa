"""Read what a MedPerf server holds, through its REST API, on the run's transport.

The server is Django REST Framework under ``/api/v0/``: lists are ``LimitOffsetPagination``
pages (``count``, ``next``, ``previous``, ``results``; 32 a page; ``next`` an absolute URL),
and every call carries ``Authorization: Bearer <JWT>`` (a missing or bad token is a 401 with a
``detail``). The first page gives the count and the server's own ``next`` link; the other pages
are then asked for side by side, each at that link with its ``offset`` moved, at most
``max_connections_per_host`` at a time. A ``next`` that leaves the server's origin is refused,
so a server (or anything between) cannot send the token, or the run, elsewhere; the transport
also sends the token only to the server's origin. Every call goes through the transport's
``fetch`` under the one request policy (:mod:`medperf_lint.net.policy`: 408, 429, 5xx and resets
retried ``--retries`` times); redirects are not followed (``max_redirects=0``).
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable, Coroutine, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, TypeVar
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from medperf_lint.input.config import Settings
from medperf_lint.net.policy import REDIRECT_STATUSES

if TYPE_CHECKING:
    from medperf_lint.net.transport import Response, Transport

T = TypeVar("T")

API_PREFIX = "/api/v0/"
MAX_PAGE_BYTES = 32 * 1024 * 1024  # 32 entities with inline configs; far above any real page
MAX_ENTITIES = 200_000  # a count above this is a broken (or hostile) server, not a registry


class ApiError(Exception):
    """The server could not be read; ``str()`` is one line that never quotes the token."""

    def __init__(self, kind: str, message: str):
        super().__init__(message)
        self.kind = kind  # auth, not-found, forbidden, malformed, http, transport, origin, deadline


@dataclass(frozen=True)
class Server:
    """The server's base URL (scheme, host, port; no path) and the token for it."""

    base: str
    token: str = field(repr=False)

    def url(self, path: str) -> str:
        return self.base.rstrip("/") + API_PREFIX + path.lstrip("/")


def origin_of(url: str) -> tuple[str, str, int]:
    from medperf_lint.net.transport import origin

    return origin(url)


class Client:
    """Async calls to one server; make one per run with :func:`run_client`."""

    def __init__(self, transport: Transport, server: Server, settings: Settings):
        self._transport = transport
        self._server = server
        self._settings = settings
        self._origin = origin_of(server.base)
        self._slots = asyncio.Semaphore(max(1, settings.max_connections_per_host))
        self.pages = 0  # requests answered, for the caller's progress line

    async def item(self, collection: str, ident: int) -> dict[str, Any] | None:
        """``/api/v0/<collection>/<id>/``; None when the server has no such entity (404)."""
        url = self._server.url(f"{collection}/{ident}/")
        try:
            body = await self._json(url)
        except ApiError as err:
            if err.kind == "not-found":
                return None
            raise
        if not isinstance(body, dict):
            raise ApiError("malformed", f"{_shown(url)} is not a JSON object")
        return body

    async def collection(self, path: str) -> list[dict[str, Any]]:
        """Every entity of a paginated list, pages after the first fetched side by side."""
        first_url = self._server.url(path)
        first = _page(await self._json(first_url), first_url)
        if first.next is None:
            return first.results
        nxt = self._same_origin(first.next, first_url)
        if first.count > MAX_ENTITIES:
            raise ApiError(
                "malformed",
                f"{_shown(first_url)} claims {first.count} entities, more than "
                f"medperf-lint reads ({MAX_ENTITIES})",
            )
        size = len(first.results)
        query = dict(parse_qsl(urlsplit(nxt).query))
        if size == 0 or "offset" not in query:
            return first.results + await self._follow(nxt)  # not offset paging: one by one
        urls = [_with_offset(nxt, offset) for offset in range(size, first.count, size)]
        pages = await gather_all([self._page(u) for u in urls])
        return _unique([*first.results, *(e for p in pages for e in p.results)])

    async def _page(self, url: str) -> _Page:
        page = _page(await self._json(url), url)
        if page.next is not None:
            self._same_origin(page.next, url)
        return page

    async def _follow(self, url: str | None) -> list[dict[str, Any]]:
        out: list[dict[str, Any]] = []
        seen: set[str] = set()
        while url is not None and url not in seen and len(out) <= MAX_ENTITIES:
            seen.add(url)
            page = await self._page(url)
            out.extend(page.results)
            url = None if page.next is None else self._same_origin(page.next, url)
        return _unique(out)

    def _same_origin(self, link: str, where: str) -> str:
        try:
            same = origin_of(link) == self._origin
        except (ValueError, TypeError):
            same = False
        if not same:
            raise ApiError(
                "origin",
                f"{_shown(where)}: the next-page link points away from the server "
                f"({_shown(link)}); medperf-lint follows links only on the server's own origin",
            )
        return link

    async def _json(self, url: str) -> Any:
        resp = await self._get(url)
        if resp.truncated:
            raise ApiError("malformed", f"{_shown(url)}: answer larger than {MAX_PAGE_BYTES} bytes")
        try:
            return json.loads(resp.body.decode("utf-8"))
        except (UnicodeDecodeError, ValueError, RecursionError):
            raise ApiError(
                "malformed", f"{_shown(url)}: the server's answer is not JSON (HTTP {resp.status})"
            ) from None

    async def _get(self, url: str) -> Response:
        """One GET under the one request policy: 408, 429, 5xx and resets retried
        (``--retries``), redirects not followed (``max_redirects=0``: the answer is the
        redirect, which :func:`_check_status` refuses)."""
        from medperf_lint.net.transport import Timeouts, TransportError

        timeouts = Timeouts(self._settings.connect_timeout, self._settings.read_timeout)
        try:
            async with self._slots:
                resp, _final = await asyncio.wait_for(
                    self._transport.fetch(
                        "GET",
                        url,
                        headers={"Accept": "application/json"},
                        limit=MAX_PAGE_BYTES,
                        timeouts=timeouts,
                        token=(self._origin, self._server.token),
                        retries=max(0, self._settings.retries),
                        max_redirects=0,
                    ),
                    self._settings.timeout,
                )
        except TransportError as err:
            raise ApiError("transport", f"{_shown(url)}: {err.detail}") from None
        except asyncio.TimeoutError:
            raise ApiError(
                "transport",
                f"{_shown(url)}: no complete answer within {self._settings.timeout:g} s",
            ) from None
        self.pages += 1
        _check_status(resp, url)
        return resp


async def gather_all(coros: Sequence[Coroutine[Any, Any, T]]) -> list[T]:
    """Every result, or the first failure once all have ended (no task left running with an
    exception nobody reads)."""
    done = await asyncio.gather(*coros, return_exceptions=True)
    for item in done:
        if isinstance(item, BaseException):
            raise item
    return list(done)  # type: ignore[arg-type]


def _check_status(resp: Response, url: str) -> None:
    if resp.status == 200:
        return
    detail = _detail(resp)
    if resp.status == 401:
        raise ApiError("auth", f"the MedPerf server refused the token (401{detail})")
    if resp.status == 403:
        raise ApiError("forbidden", f"{_shown(url)}: not allowed for this account (403{detail})")
    if resp.status == 404:
        raise ApiError("not-found", f"{_shown(url)}: no such entity (404)")
    if resp.status in REDIRECT_STATUSES:
        raise ApiError(
            "http",
            f"{_shown(url)}: the server redirects (HTTP {resp.status}); give --server as the "
            "address the API answers on",
        )
    raise ApiError("http", f"{_shown(url)}: HTTP {resp.status}{detail}")


def _detail(resp: Response) -> str:
    """``: <detail>`` from a DRF error body, one line, short."""
    try:
        body = json.loads(resp.body.decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError):
        return ""
    detail = body.get("detail") if isinstance(body, dict) else None
    if not isinstance(detail, str) or not detail.strip():
        return ""
    return ": " + " ".join(detail.split())[:200]


@dataclass(frozen=True)
class _Page:
    count: int
    next: str | None
    results: list[dict[str, Any]]


def _page(body: Any, url: str) -> _Page:
    """A LimitOffsetPagination page, or ApiError naming what is wrong with it."""
    if not isinstance(body, dict) or not isinstance(body.get("results"), list):
        raise ApiError("malformed", f"{_shown(url)}: not a page of results (no 'results' list)")
    count, nxt, results = body.get("count"), body.get("next"), body["results"]
    if isinstance(count, bool) or not isinstance(count, int) or count < 0:
        raise ApiError("malformed", f"{_shown(url)}: 'count' is not a whole number")
    if nxt is not None and not isinstance(nxt, str):
        raise ApiError("malformed", f"{_shown(url)}: 'next' is not a URL")
    if not all(isinstance(r, dict) for r in results):
        raise ApiError("malformed", f"{_shown(url)}: a result is not a JSON object")
    return _Page(count, nxt or None, results)


def _with_offset(url: str, offset: int) -> str:
    parts = urlsplit(url)
    query = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if k != "offset"]
    return urlunsplit(parts._replace(query=urlencode([*query, ("offset", str(offset))])))


def _unique(entities: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """One entry per ID: a list ordered by ``modified_at`` shifts while it is paged."""
    seen: dict[object, dict[str, Any]] = {}
    for entity in entities:
        seen.setdefault(entity.get("id", id(entity)), entity)
    return list(seen.values())


def _shown(url: str) -> str:
    """The URL's path and query as messages show it (never user-info)."""
    from medperf_lint.refs.redact import redact_text

    parts = urlsplit(url)
    return redact_text(parts.path + (f"?{parts.query}" if parts.query else "")) or "/"


def run_client(
    settings: Settings,
    server: Server,
    work: Callable[[Client], Coroutine[Any, Any, T]],
    until: float | None,
) -> T:
    """``work(client)`` on the run's transport; ApiError when ``until`` passes first."""
    from medperf_lint.net.transport import call_until, open_transport

    with open_transport(settings) as shared:
        shared.transport.exempt(server.base)  # the user named the server: no address guard
        result = call_until(settings, lambda t: work(Client(t, server, settings)), until)
    if result is None:
        raise ApiError("deadline", "the MedPerf server did not answer within the run's deadline")
    return result
