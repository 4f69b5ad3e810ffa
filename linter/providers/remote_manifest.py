"""Download the small YAML files a body names by URL (``git_mlcube_url``, ``git_parameters_url``).

MedPerf's MLCube-era client downloaded these with ``requests.get`` and ran what they said: the
docker image of the MLCube manifest and the URLs in the parameters. Each file is fetched once
through the run's transport (redirects followed under the address policy, as MedPerf's
download follows them), read up to a cap, and handed back as text. Whether the URL itself
works is the HTTP rules' question: a failed download here just means there is nothing more to
read.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from medperf_lint.input.config import Settings

if TYPE_CHECKING:
    from medperf_lint.net.transport import Transport

MAX_MANIFEST_BYTES = 1024 * 1024  # an MLCube manifest or parameters file is a few KiB
CHUNK = 64 * 1024


@dataclass(frozen=True)
class RemoteText:
    """A downloaded manifest's text, or why there is none to read."""

    url: str
    text: str | None = None
    problem: str | None = None  # said about the file (too large, not UTF-8)
    unavailable: str | None = None  # not downloaded: the HTTP rules report the URL itself


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
        return {u: RemoteText(u, unavailable="the run's deadline ran out") for u in unique}
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
    async with transport.stream(url, timeouts=timeouts) as stream:
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
