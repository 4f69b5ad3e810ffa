"""A progress bar for long online runs, drawn on stderr only when a person is watching.

The engine reports ``(what, done, total)``; here ``what`` is the host just finished, or, for
full downloads (``--verify-hashes``), ``BYTES`` with bytes received and expected, drawn as a
second bar with the rate and the time left. rich is imported only when stderr is a terminal,
so CI logs and pre-commit output stay clean.
"""

from __future__ import annotations

import contextlib
import sys
from collections.abc import Iterator
from typing import TYPE_CHECKING, TextIO

if TYPE_CHECKING:
    from medperf_lint.facts import Progress

__all__ = ["terminal_progress"]


@contextlib.contextmanager
def terminal_progress(
    stream: TextIO | None = None, *, enabled: bool = True
) -> Iterator[Progress | None]:
    """Yield a progress callback drawing a rich bar on ``stream`` (stderr), or None when not a TTY."""
    out = sys.stderr if stream is None else stream
    if not enabled or not out.isatty():
        yield None
        return
    from medperf_lint.facts import BYTES
    from rich.console import Console, RenderableType
    from rich.progress import (
        BarColumn,
        DownloadColumn,
        MofNCompleteColumn,
        ProgressColumn,
        Task,
        TaskID,
        TextColumn,
        TimeElapsedColumn,
        TimeRemainingColumn,
        TransferSpeedColumn,
    )
    from rich.progress import (
        Progress as Bar,
    )
    from rich.text import Text

    class Counts(ProgressColumn):
        """URLs done of all for the checks; bytes, rate and time left for downloads."""

        def __init__(self) -> None:
            super().__init__()
            self._count = MofNCompleteColumn()
            self._bytes = (DownloadColumn(), TransferSpeedColumn(), TimeRemainingColumn())

        def render(self, task: Task) -> RenderableType:
            if task.fields.get("kind") != BYTES:
                return self._count.render(task)
            parts = [column.render(task) for column in self._bytes]
            return Text(" ").join(p if isinstance(p, Text) else Text(str(p)) for p in parts)

    bar = Bar(
        TextColumn("{task.description}"),
        BarColumn(),
        Counts(),
        TimeElapsedColumn(),
        TextColumn("{task.fields[host]}"),
        console=Console(file=out),
        transient=True,
    )
    task = bar.add_task("checking URLs", total=None, host="", kind="count")
    downloads: list[TaskID] = []

    from medperf_lint.reporters.safe_text import safe
    from rich.markup import escape

    def update(what: str, done: int, total: int) -> None:
        if what == BYTES:
            if not downloads:
                downloads.append(bar.add_task("downloading", total=None, host="", kind=BYTES))
            bar.update(downloads[0], completed=done, total=total or None)
            return
        # ``what`` comes from a manifest URL: redacted, controls and rich markup defused
        bar.update(task, completed=done, total=total, host=escape(safe(what)))

    with bar:
        yield update
