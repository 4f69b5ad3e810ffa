"""Download the small YAML files a body names by URL (``git_mlcube_url``, ``git_parameters_url``).

MedPerf's MLCube-era client downloaded these with ``requests.get`` and ran what they said: the
docker image of the MLCube manifest and the URLs in the parameters. Each file is fetched once
through the run's transport (redirects followed by its one redirect loop under the address
policy, as MedPerf's download follows them; retried as the one policy says), read up to a cap,
and handed back as text (:class:`~medperf_lint.facts.manifest.RemoteText`). Whether the URL
itself works is the HTTP rules' question: a failed download here just means there is nothing
more to read.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from typing import TYPE_CHECKING

from medperf_lint.facts import NetworkResults
from medperf_lint.facts.manifest import MAX_MANIFEST_BYTES, REMOTE_FIELDS, RemoteText
from medperf_lint.facts.plan import Provider, Run, deadline_reason
from medperf_lint.input.config import Settings

if TYPE_CHECKING:
    from medperf_lint.net.transport import Transport
    from medperf_lint.refs.references import Reference

__all__ = ["PROVIDER", "fetch_texts"]

CHUNK = 64 * 1024


def manifest_urls(refs: Sequence[Reference], _settings: Settings) -> tuple[str, ...]:
    """The unique http(s) URLs that name a remote manifest, sorted."""
    return tuple(
        sorted(
            {
                u
                for r in refs
                if r.field in REMOTE_FIELDS
                and (u := r.url) is not None
                and u.startswith(("http://", "https://"))
            }
        )
    )


def check(urls: tuple[str, ...], run: Run) -> NetworkResults:
    return NetworkResults(manifests=fetch_texts(urls, run.settings, run.until))


def unfinished(urls: tuple[str, ...], settings: Settings) -> NetworkResults:
    why = deadline_reason(settings)
    return NetworkResults(manifests={u: RemoteText(u, unavailable=why) for u in urls})


PROVIDER: Provider[str] = Provider(manifest_urls, check, unfinished)


def fetch_texts(
    urls: Sequence[str], settings: Settings, until: float | None
) -> dict[str, RemoteText]:
    """Each unique URL's text; a URL not fetched before ``until`` is ``unavailable``."""
    from medperf_lint.net.transport import call_until

    unique = list(dict.fromkeys(urls))

    async def all_of(transport: Transport) -> list[RemoteText]:
        return list(await asyncio.gather(*(_fetch(transport, u, settings) for u in unique)))

    found = call_until(settings, all_of, until)
    if found is None:
        why = deadline_reason(settings)
        return {u: RemoteText(u, unavailable=why) for u in unique}
    return {text.url: text for text in found}


async def _fetch(transport: Transport, url: str, settings: Settings) -> RemoteText:
    from medperf_lint.net.transport import TransportError

    try:
        return await asyncio.wait_for(_download(transport, url, settings), settings.timeout)
    except TransportError as err:
        return RemoteText(url, unavailable=err.detail)
    except asyncio.TimeoutError:
        return RemoteText(url, unavailable="no complete answer within the per-URL timeout")


async def _download(transport: Transport, url: str, settings: Settings) -> RemoteText:
    from medperf_lint.net.transport import Timeouts

    timeouts = Timeouts(settings.connect_timeout, settings.read_timeout)
    async with transport.stream(url, timeouts=timeouts, retries=settings.retries) as stream:
        if stream.status != 200:
            return RemoteText(url, unavailable=f"HTTP {stream.status}")
        if (stream.length or 0) > MAX_MANIFEST_BYTES:
            return RemoteText(url, problem=_too_large())
        body = bytearray()
        async for chunk in stream.chunks(CHUNK):
            body += chunk
            if len(body) > MAX_MANIFEST_BYTES:
                return RemoteText(url, problem=_too_large())
    try:
        return RemoteText(url, text=bytes(body).decode("utf-8"))
    except UnicodeDecodeError:
        return RemoteText(url, problem="the file is not UTF-8 text, so not a YAML manifest")


def _too_large() -> str:
    return (
        f"the file is larger than {MAX_MANIFEST_BYTES // 1024} KiB, which no MLCube manifest or "
        "parameters file is; it was not read"
    )
