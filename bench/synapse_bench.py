"""Throughput of the Synapse checks: 100 IDs against a fake Synapse that answers after 50 ms.

Synapse allows about 3 concurrent requests per user, so the best possible wall time is
requests / concurrency x latency. This prints the measured wall time, the requests the fake
counted (one bundle2 POST per ID, plus the login's /userProfile with --token) and the ratio
to that ideal; the overhead is synapseclient's client set-up and per-request work.

    python bench/synapse_bench.py [--ids 100] [--latency 0.05] [--concurrency 3] [--token]
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))

from medperf_lint.input.config import Settings  # noqa: E402
from medperf_lint.providers.synapse import check_ids  # noqa: E402
from servers.fake_synapse import Entity, FakeSynapse  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--ids", type=int, default=100)
    parser.add_argument("--latency", type=float, default=0.05)
    parser.add_argument("--concurrency", type=int, default=3)
    parser.add_argument("--token", action="store_true", help="log in first (one more request)")
    args = parser.parse_args()

    # No user config or token may leak in, and nothing may be written to the real home.
    os.environ["HOME"] = tempfile.mkdtemp(prefix="synapse-bench-home-")
    for var in ("SYNAPSE_AUTH_TOKEN", "SYNAPSE_PROFILE"):
        os.environ.pop(var, None)
    if args.token:
        os.environ["SYNAPSE_AUTH_TOKEN"] = "bench-token"

    import synapseclient  # noqa: F401  # imported before timing: its ~1 s import is not the check

    ids = [f"syn{100000 + i}" for i in range(args.ids)]
    entities = {i: Entity(name=f"{i}.tar.gz") for i in ids}
    with FakeSynapse(
        entities=entities, tokens={"bench-token": "bench"}, latency=args.latency
    ) as fake:
        settings = Settings(
            synapse_endpoint=fake.endpoint,
            synapse_concurrency=args.concurrency,
            allow_private_hosts=True,
        )
        started = time.perf_counter()
        lookups, identity = check_ids(ids, settings)
        wall = time.perf_counter() - started
        requests = len(fake.requests)
        peak = fake.max_active

    answered = sum(1 for lk in lookups.values() if lk.status == 200)
    ideal = requests / args.concurrency * args.latency
    print(f"ids:         {args.ids} (answered {answered}, checked {identity})")
    print(f"requests:    {requests} (peak in flight {peak}, concurrency {args.concurrency})")
    print(f"latency:     {args.latency * 1000:.0f} ms per request")
    print(f"wall time:   {wall:.3f} s")
    print(f"ideal:       {ideal:.3f} s (requests / concurrency x latency)")
    if ideal > 0:
        print(f"ratio:       {wall / ideal:.2f}x ideal")


if __name__ == "__main__":
    main()
