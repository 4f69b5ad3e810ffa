"""Loopback file hosts in their own process, as a user's network would be.

``Hosts(count, first="127.0.0.1")`` starts ``python bench/loopback.py --serve …``: one asyncio
server per address (127.0.0.1, 127.0.0.2, …; past .255 the next /24, so 200 hosts from
127.0.1.1 are 127.0.1.1 … 127.0.1.200), each on its own port. Every answer comes after
``delay`` seconds (``slow`` under ``/slow/``): HEAD gives the length, a ranged GET the first
bytes with 206, a plain GET a 32 KiB gzip body. ``/__stats`` and ``/__reset`` on any host
report and clear what the server counted: requests per URL, connections, the most open at
once, and the server's own CPU time, so a benchmark can put the server's CPU beside the
client's (on 2 cores the two compete).
"""

from __future__ import annotations

import argparse
import asyncio
import gzip
import ipaddress
import json
import os
import random
import subprocess
import sys
import urllib.request
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

DELAY = 0.05
SLOW = 0.1


def addresses(count: int, first: str) -> list[str]:
    start = ipaddress.IPv4Address(first)
    out = [str(start + i) for i in range(count)]
    if not all(ipaddress.IPv4Address(a) in ipaddress.IPv4Network("127.0.0.0/8") for a in out):
        raise ValueError("loopback hosts must stay inside 127.0.0.0/8")
    return out


# ---------------------------------------------------------------------------------------------
# The server process


def _body() -> bytes:
    rng = random.Random(1)
    return gzip.compress(bytes(rng.getrandbits(8) for _ in range(32768)))


class _State:
    def __init__(self) -> None:
        self.counts: Counter[str] = Counter()
        self.connections = 0
        self.open = 0
        self.peak_open = 0

    def stats(self) -> bytes:
        times = os.times()
        return json.dumps(
            {
                "counts": self.counts,
                "connections": self.connections,
                "peak_open": self.peak_open,
                "cpu": times.user + times.system,
            }
        ).encode()

    def reset(self) -> None:
        self.counts.clear()
        self.connections = 0
        self.peak_open = self.open


def _reply(
    writer: asyncio.StreamWriter, status: int, ctype: str, body: bytes, length: int, extra: str = ""
) -> None:
    reason = {200: "OK", 206: "Partial Content"}[status]
    head = (
        f"HTTP/1.1 {status} {reason}\r\nContent-Type: {ctype}\r\nContent-Length: {length}\r\n"
        f"Accept-Ranges: bytes\r\n{extra}\r\n"
    )
    writer.write(head.encode() + body)


async def _read_headers(reader: asyncio.StreamReader) -> dict[str, str]:
    headers: dict[str, str] = {}
    while True:
        raw = await reader.readline()
        if raw in (b"\r\n", b"\n", b""):
            return headers
        key, _, value = raw.decode("latin-1").partition(":")
        headers[key.strip().lower()] = value.strip()


async def _answer(
    writer: asyncio.StreamWriter, method: str, headers: dict[str, str], body: bytes
) -> None:
    if method == "HEAD":
        _reply(writer, 200, "application/gzip", b"", len(body))
    elif headers.get("range", "").startswith("bytes=0-"):
        end = min(int(headers["range"][len("bytes=0-") :]), len(body) - 1)
        extra = f"Content-Range: bytes 0-{end}/{len(body)}\r\n"
        _reply(writer, 206, "application/gzip", body[: end + 1], end + 1, extra)
    else:
        _reply(writer, 200, "application/gzip", body, len(body))


async def _serve(
    hosts: list[str], delay: float, slow: float, ready: asyncio.Future[list[list[object]]]
) -> None:
    body = _body()
    state = _State()

    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        state.connections += 1
        state.open += 1
        state.peak_open = max(state.peak_open, state.open)
        try:
            while True:
                line = await reader.readline()
                if not line.strip():
                    break
                method, target, _ = line.decode("latin-1").split(" ", 2)
                headers = await _read_headers(reader)
                if target.startswith("/__"):
                    if target == "/__reset":
                        state.reset()
                    payload = state.stats()
                    _reply(writer, 200, "application/json", payload, len(payload))
                else:
                    state.counts[f"{headers.get('host', '')}{target}"] += 1
                    await asyncio.sleep(slow if target.startswith("/slow/") else delay)
                    await _answer(writer, method, headers, body)
                await writer.drain()
                if headers.get("connection", "").lower() == "close":
                    break
        except (ConnectionError, ValueError):
            pass
        finally:
            state.open -= 1
            writer.close()

    servers = [await asyncio.start_server(handle, ip, 0, backlog=1024) for ip in hosts]
    ready.set_result(
        [[ip, s.sockets[0].getsockname()[1]] for ip, s in zip(hosts, servers, strict=True)]
    )
    await asyncio.gather(*(s.serve_forever() for s in servers))


def serve(hosts: list[str], delay: float, slow: float) -> None:
    async def main() -> None:
        ready: asyncio.Future[list[list[object]]] = asyncio.get_running_loop().create_future()
        task = asyncio.ensure_future(_serve(hosts, delay, slow, ready))
        print(json.dumps(await ready), flush=True)
        await task

    asyncio.run(main())


# ---------------------------------------------------------------------------------------------
# The driver's side


@dataclass(frozen=True)
class Stats:
    """What the server counted since the last reset."""

    counts: Counter[str]
    connections: int
    peak_open: int
    cpu: float  # the server process's CPU seconds since it started

    @property
    def requests(self) -> int:
        return sum(self.counts.values())


class Hosts:
    """The server process and its addresses; a context manager that stops it."""

    def __init__(
        self, count: int = 10, first: str = "127.0.0.1", delay: float = DELAY, slow: float = SLOW
    ) -> None:
        self.delay = delay
        hosts = addresses(count, first)
        self.proc = subprocess.Popen(
            [
                *(sys.executable, str(Path(__file__).resolve()), "--serve", first, str(count)),
                *("--delay", str(delay), "--slow", str(slow)),
            ],
            stdout=subprocess.PIPE,
            text=True,
        )
        assert self.proc.stdout is not None
        self.addresses: list[tuple[str, int]] = [
            (str(ip), int(str(port))) for ip, port in json.loads(self.proc.stdout.readline())
        ]
        assert [ip for ip, _ in self.addresses] == hosts

    def urls(self, n: int, tag: str, hosts: int | None = None) -> list[str]:
        """``n`` unique URLs spread over the first ``hosts`` addresses (all by default)."""
        spread = self.addresses[: hosts or len(self.addresses)]
        return [
            f"http://{ip}:{port}/{tag}/{i}.tar.gz"
            for i in range(n)
            for ip, port in [spread[i % len(spread)]]
        ]

    def _stats(self, path: str) -> Stats:
        ip, port = self.addresses[0]
        with urllib.request.urlopen(f"http://{ip}:{port}{path}", timeout=30) as answer:
            raw = json.loads(answer.read())
        return Stats(Counter(raw["counts"]), raw["connections"], raw["peak_open"], raw["cpu"])

    def reset(self) -> Stats:
        return self._stats("/__reset")

    def stats(self) -> Stats:
        return self._stats("/__stats")

    def counts(self) -> Counter[str]:
        return self.stats().counts

    def close(self) -> None:
        self.proc.terminate()
        self.proc.wait(timeout=10)

    def __enter__(self) -> Hosts:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--serve", nargs=2, metavar=("FIRST", "COUNT"), required=True)
    parser.add_argument("--delay", type=float, default=DELAY)
    parser.add_argument("--slow", type=float, default=SLOW)
    args = parser.parse_args()
    serve(addresses(int(args.serve[1]), args.serve[0]), args.delay, args.slow)
