"""The floor under medperf-lint's online rows: a bare aiohttp client, no linting at all.

It sends what medperf-lint's probe sends for each URL, a HEAD and a ranged GET side by side,
with the same limits (URLs per host at a time, connections), and imports aiohttp the way the transport does (without the
default TLS contexts, see ``medperf_lint.net.tls``). What it costs is what any client built on
aiohttp costs on this machine: medperf-lint's wall time and CPU per request cannot go below it.

    python bench/bare_aiohttp.py [--per-host 8] [--limit 64] URL ...

Exits 1 when an answer is not 200 or 206, so a broken host cannot pass for a fast one.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from collections.abc import Sequence
from urllib.parse import urlsplit

from medperf_lint.net.tls import no_default_ca_store

with no_default_ca_store():
    import aiohttp

RANGE = {"Range": "bytes=0-1023"}
OK = (200, 206)


async def _both(session: aiohttp.ClientSession, url: str) -> list[int]:
    async def head() -> int:
        async with session.head(url, allow_redirects=False) as answer:
            return answer.status

    async def ranged_get() -> int:
        async with session.get(url, headers=RANGE, allow_redirects=False) as answer:
            await answer.read()  # the range asked for: the whole body of a 206
            return answer.status

    return list(await asyncio.gather(head(), ranged_get()))


async def _probe(urls: Sequence[str], per_host: int, limit: int) -> list[int]:
    """Every URL's pair of requests, at most ``per_host`` URLs of one host at a time (as the
    probe does: without it, 2,000 requests queued on aiohttp's connector take twice as long)."""
    connector = aiohttp.TCPConnector(limit=limit, limit_per_host=per_host)
    hosts: dict[str, asyncio.Semaphore] = {}

    async def one_url(session: aiohttp.ClientSession, url: str) -> list[int]:
        host = hosts.setdefault(urlsplit(url).netloc, asyncio.Semaphore(per_host))
        async with host:
            return await _both(session, url)

    async with aiohttp.ClientSession(connector=connector) as session:
        answers = await asyncio.gather(*(one_url(session, url) for url in urls))
    return [status for pair in answers for status in pair]


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--per-host", type=int, default=8)
    parser.add_argument("--limit", type=int, default=64)
    parser.add_argument("urls", nargs="+")
    options = parser.parse_args(argv)
    statuses = asyncio.run(_probe(options.urls, options.per_host, options.limit))
    bad = [s for s in statuses if s not in OK]
    if bad:
        print(
            f"bare aiohttp client: {len(bad)} answers not 200/206, e.g. {bad[0]}", file=sys.stderr
        )
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
