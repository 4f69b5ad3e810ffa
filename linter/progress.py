"""A progress bar for long online runs, drawn on stderr only when a person is watching.

The engine reports ``(what, done, total)``; here ``what`` is the host just finished. rich is
imported only when stderr is a terminal, so CI logs and pre-commit output stay clean.
"""

from __future__ import annotations

import contextlib
import sys
from collections.abc import Iterator
from typing import TextIO

from .facts import Progress


@contextlib.contextmanager
def terminal_progress(
    stream: TextIO | None = None, *, enabled: bool = True
) -> Iterator[Progress | None]:
    """Yield a progress callback drawing a rich bar on ``stream`` (stderr), or None when not a TTY."""
    out = sys.stderr if stream is None else stream
    if not enabled or not out.isatty():
        yield None
        return
    from rich.console import Console
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        TextColumn,
        TimeElapsedColumn,
    )
    from rich.progress import (
        Progress as Bar,
    )

    bar = Bar(
        TextColumn("checking URLs"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        TextColumn("{task.fields[host]}"),
        console=Console(file=out),
        transient=True,
    )
    task = bar.add_task("urls", total=None, host="")

    def update(what: str, done: int, total: int) -> None:
        bar.update(task, completed=done, total=total, host=what)

    with bar:
        yield update
