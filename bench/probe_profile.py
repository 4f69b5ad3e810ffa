"""Where the CPU of the 1,000-URL probe run goes: cProfile, and CPU per request, in-process.

Not part of the test suite. The loopback hosts of ``loopback.py`` (their own process, 50 ms per
answer) serve 1,000 URLs on 8 hosts; medperf-lint's CLI runs in this process (HTTP rules only,
``--no-cache``, JSON output discarded) after one unprofiled warm-up run, so start-up is left
out and only the run itself is measured.

``--profile`` (the default): cProfile of one run, the calling thread and the transport's
event-loop thread (``medperf-lint-transport``) merged, with the requests counted at the server
and the function calls; the top entries by cumulative and by own time. (The provider's worker
thread, which only sets the run up, is not profiled.)

``--cpu N``: N runs unprofiled; for each, the process's user and system CPU per request, the
loop thread's share and the host server's CPU beside it.

    python bench/probe_profile.py [--top 30]
    python bench/probe_profile.py --cpu 5
"""

from __future__ import annotations

import argparse
import contextlib
import io
import resource
import shutil
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from loopback import Hosts

HTTP_RULES = "MPL401,MPL402,MPL403,MPL404,MPL405"
LOOP_THREAD = "medperf-lint-transport"


@contextlib.contextmanager
def _cli_run() -> Iterator[tuple[Hosts, Callable[[], int]]]:
    """The loopback hosts and the CLI's 1,000-URL run as a function, warmed up once."""
    from medperf_lint import cli

    folder = Path(tempfile.mkdtemp(prefix="medperf-lint-profile-"))
    try:
        with Hosts(8, "127.0.0.1") as hosts:
            path = folder / "urls.yaml"
            path.write_text("urls:\n" + "".join(f"  - {u}\n" for u in hosts.urls(1000, "p")))
            argv = [str(path), "--select", HTTP_RULES, "--allow-private-hosts", "--no-cache"]

            def run() -> int:
                with contextlib.redirect_stdout(io.StringIO()):
                    return int(cli.main([*argv, "--format", "json"]))

            run()
            yield hosts, run
    finally:
        shutil.rmtree(folder, ignore_errors=True)


@contextlib.contextmanager
def _on_loop_thread(hook: Callable[[Callable[[], None]], None]) -> Iterator[None]:
    """While open, the transport's loop thread runs ``hook(run_forever)`` instead of
    ``run_forever`` itself."""
    import asyncio.base_events

    loop_class: Any = asyncio.base_events.BaseEventLoop
    plain = loop_class.run_forever

    def run_forever(loop: asyncio.AbstractEventLoop) -> None:
        if threading.current_thread().name != LOOP_THREAD:
            plain(loop)
        else:
            hook(lambda: plain(loop))

    loop_class.run_forever = run_forever
    try:
        yield
    finally:
        loop_class.run_forever = plain


def _loop_thread_done(marks: list[float]) -> None:
    """Wait (up to 1 s) for the run's loop thread to end: it stops within 0.5 s of the run."""
    for _ in range(20):
        if marks or not any(t.name == LOOP_THREAD for t in threading.enumerate()):
            return
        time.sleep(0.05)


def profile(top: int) -> None:
    import cProfile
    import pstats

    loop_profile = cProfile.Profile()
    marks: list[float] = []

    def profiled(run_forever: Callable[[], None]) -> None:
        loop_profile.enable()
        try:
            run_forever()
        finally:
            loop_profile.disable()
            marks.append(time.monotonic())

    with _cli_run() as (hosts, run), _on_loop_thread(profiled):
        hosts.reset()
        main_profile = cProfile.Profile()
        main_profile.enable()
        run()
        main_profile.disable()
        _loop_thread_done(marks)
        requests = hosts.stats().requests
    stats = pstats.Stats(main_profile)
    stats.add(loop_profile)
    calls = sum(entry[1] for entry in stats.stats.values())  # type: ignore[attr-defined]
    print(f"1,000 URLs in-process: {requests} requests, {calls} function calls")
    stats.sort_stats("cumulative").print_stats(top)
    stats.sort_stats("tottime").print_stats(top)


def cpu(rounds: int) -> None:
    loop_cpu: list[float] = []

    def measured(run_forever: Callable[[], None]) -> None:
        try:
            run_forever()
        finally:
            loop_cpu.append(time.thread_time())

    with _cli_run() as (hosts, run), _on_loop_thread(measured):
        for _ in range(rounds):
            served = hosts.reset().cpu
            loop_cpu.clear()
            before = resource.getrusage(resource.RUSAGE_SELF)
            start = time.perf_counter()
            run()
            wall = time.perf_counter() - start
            after = resource.getrusage(resource.RUSAGE_SELF)
            _loop_thread_done(loop_cpu)
            stats = hosts.stats()
            n = stats.requests
            user, system = after.ru_utime - before.ru_utime, after.ru_stime - before.ru_stime
            loop = f"{loop_cpu[0]:.3f} s" if loop_cpu else "?"
            print(
                f"  wall {wall:.3f} s  user {user:.3f} s = {user / n * 1e6:.0f} us/request  "
                f"system {system:.3f} s  loop thread (user+system) {loop}  "
                f"host server {stats.cpu - served:.3f} s  ({n} requests)"
            )


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--top", type=int, default=30, help="entries shown in each order")
    parser.add_argument("--cpu", type=int, metavar="N", help="CPU per request of N runs")
    options = parser.parse_args()
    if options.cpu:
        cpu(options.cpu)
    else:
        profile(options.top)
