"""Throughput of the Synapse checks: 100 IDs against a fake Synapse that answers after 50 ms.

Synapse allows about 3 concurrent requests per user, so the best possible wall time is
requests / concurrency x latency. This prints the measured wall time, the requests the fake
counted (one bundle2 POST per ID, plus the login's /userProfile with --token) and the ratio
to that ideal; the overhead is synapseclient's client set-up and per-request work. The fake
(the tests' own, ``tests/servers/fake_synapse.py``) runs in its own process.

    python bench/synapse_bench.py [--ids 100] [--latency 0.05] [--concurrency 3] [--token]
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from benchkit import Row, X, ratio, secs
from procserver import Served


@dataclass(frozen=True)
class SynapseRun:
    ids: int
    answered: int
    identity: str | None
    requests: int
    peak_in_flight: int
    concurrency: int
    latency: float
    wall: float

    @property
    def ideal(self) -> float:
        return self.requests / self.concurrency * self.latency

    def row(self) -> Row:
        return Row(
            f"{self.ids} Synapse IDs, {self.latency * 1000:.0f} ms answers, {self.concurrency} at a time",
            secs(self.wall),
            f"ideal {secs(self.ideal)}",
            ratio(self.wall, self.ideal),
            notes=f"in-process check (synapseclient imported before timing); {self.requests} "
            f"requests, peak {self.peak_in_flight} in flight; ideal = requests / concurrency {X} latency",
        )


@contextmanager
def _clean_home(token: bool) -> Iterator[None]:
    """No user config or token may leak in, and nothing may be written to the real home."""
    saved = dict(os.environ)
    os.environ["HOME"] = tempfile.mkdtemp(prefix="synapse-bench-home-")
    for var in ("SYNAPSE_AUTH_TOKEN", "SYNAPSE_PROFILE"):
        os.environ.pop(var, None)
    if token:
        os.environ["SYNAPSE_AUTH_TOKEN"] = "bench-token"
    try:
        yield
    finally:
        os.environ.clear()
        os.environ.update(saved)


def measure(
    ids: int = 100, latency: float = 0.05, concurrency: int = 3, token: bool = False
) -> SynapseRun:
    with _clean_home(token):
        import synapseclient  # noqa: F401  # imported before timing: its import is not the check
        from medperf_lint.input.config import Settings
        from medperf_lint.providers.synapse import check_ids

        with Served("synapse", ids=ids, latency=latency) as fake:
            settings = Settings(
                synapse_endpoint=fake.hello["endpoint"],
                synapse_concurrency=concurrency,
                allow_private_hosts=True,
            )
            started = time.perf_counter()
            lookups, identity = check_ids(fake.hello["ids"], settings)
            wall = time.perf_counter() - started
            seen = fake.stats()
    answered = sum(1 for lk in lookups.values() if lk.status == 200)
    return SynapseRun(
        ids, answered, identity, seen["requests"], seen["max_active"], concurrency, latency, wall
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--ids", type=int, default=100)
    parser.add_argument("--latency", type=float, default=0.05)
    parser.add_argument("--concurrency", type=int, default=3)
    parser.add_argument("--token", action="store_true", help="log in first (one more request)")
    args = parser.parse_args()
    found = measure(args.ids, args.latency, args.concurrency, args.token)
    print(f"ids:         {found.ids} (answered {found.answered}, checked {found.identity})")
    print(
        f"requests:    {found.requests} (peak in flight {found.peak_in_flight}, concurrency {found.concurrency})"
    )
    print(f"latency:     {found.latency * 1000:.0f} ms per request")
    print(f"wall time:   {found.wall:.3f} s")
    print(f"ideal:       {found.ideal:.3f} s (requests / concurrency x latency)")
    if found.ideal > 0:
        print(f"ratio:       {found.wall / found.ideal:.2f}x ideal")


if __name__ == "__main__":
    main()
