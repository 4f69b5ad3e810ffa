"""Run blocking work on daemon threads and stop waiting at a deadline.

``concurrent.futures.ThreadPoolExecutor`` cannot do this: the interpreter joins its workers
at exit, so one call stuck on a hanging or endlessly streaming server keeps the whole process
alive past ``--deadline``. Here workers are daemon threads that nobody joins: when the
deadline passes, the caller takes what has finished and leaves; unstarted items are dropped and
a stuck worker dies with the process. Standard library only.
"""

from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Generic, TypeVar

T = TypeVar("T")
R = TypeVar("R")
SLICE = 0.1  # seconds the caller waits at most before it looks at its signals again


@dataclass(frozen=True)
class Outcome(Generic[R]):
    """One finished item: its value, or the exception it raised."""

    value: R | None = None
    error: BaseException | None = None


def run_until(
    work: Callable[[T], R],
    items: Sequence[T],
    *,
    workers: int,
    until: float | None,
    name: str = "medperf-lint",
) -> dict[int, Outcome[R]]:
    """``work(item)`` for each item, ``workers`` at a time; returns outcomes by item index.

    Returns when every item has finished, or at ``until`` (a ``time.monotonic()`` instant),
    whichever comes first; items missing from the answer did not finish in time.
    """
    todo: deque[int] = deque(range(len(items)))
    done: dict[int, Outcome[R]] = {}
    changed = threading.Condition()
    stopped = False

    def worker() -> None:
        while True:
            with changed:
                if stopped or not todo:
                    return
                index = todo.popleft()
            try:
                outcome: Outcome[R] = Outcome(value=work(items[index]))
            except BaseException as err:  # reported to the caller, never lost in a thread
                outcome = Outcome(error=err)
            with changed:
                done[index] = outcome
                changed.notify_all()

    for n in range(max(1, min(workers, len(items)))):
        threading.Thread(target=worker, name=f"{name}-{n}", daemon=True).start()
    with changed:
        while len(done) < len(items):
            left = None if until is None else until - time.monotonic()
            if left is not None and left <= 0:
                break
            # In slices: the kernel may hand a Ctrl-C to any thread, and a wait with no timeout
            # is not woken by one that landed on a worker, so the run would go on without end.
            changed.wait(SLICE if left is None else min(left, SLICE))
        stopped = True
        return dict(done)
