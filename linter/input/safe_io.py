"""Reading files a hostile repository controls: never block, never follow a loop, one line.

In CI a pull request decides what ``mlcube.yaml`` or ``pyproject.toml`` is. A FIFO there would
block a plain ``open()`` forever, a device could stream without end, and a symlink loop makes
``Path.resolve()`` raise. Everything here checks ``stat`` first, opens with ``O_NONBLOCK`` (so
even a FIFO swapped in after the check cannot block), checks the opened file again, and reads
a bounded number of bytes. Failures are :class:`SafeReadError` with a one-line reason.
"""

from __future__ import annotations

import errno
import os
import stat
from pathlib import Path


class SafeReadError(Exception):
    """A file that could not be read safely; the message is one line, ready for the user."""


def _kind(mode: int) -> str:
    if stat.S_ISFIFO(mode):
        return "a FIFO (named pipe)"
    if stat.S_ISSOCK(mode):
        return "a socket"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    if stat.S_ISDIR(mode):
        return "a directory"
    return "not a regular file"


def describe_oserror(err: OSError) -> str:
    """One line for an OS error, with the loop case said plainly."""
    if err.errno == errno.ELOOP:
        return "symlink loop (too many levels of symbolic links)"
    return err.strerror or str(err)


def regular_file_problem(path: Path) -> str | None:
    """Why ``path`` is not a readable regular file (following symlinks), or None."""
    try:
        mode = os.stat(path).st_mode
    except OSError as err:
        return describe_oserror(err)
    if not stat.S_ISREG(mode):
        kind = _kind(mode)
        return f"is {kind}, not a regular file" if kind != "not a regular file" else kind
    return None


def read_regular_file(path: Path, limit: int) -> bytes:
    """At most ``limit + 1`` bytes of ``path``; raises SafeReadError for anything but a file."""
    problem = regular_file_problem(path)
    if problem is not None:
        raise SafeReadError(problem)
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0)
    try:
        fd = os.open(path, flags)
    except OSError as err:
        raise SafeReadError(describe_oserror(err)) from None
    try:
        mode = os.fstat(fd).st_mode
        if not stat.S_ISREG(mode):  # swapped between the check and the open
            raise SafeReadError(f"is {_kind(mode)}, not a regular file")
        chunks: list[bytes] = []
        remaining = limit + 1
        while remaining > 0:
            chunk = os.read(fd, min(remaining, 1 << 20))
            if not chunk:
                break
            chunks.append(chunk)
            remaining -= len(chunk)
        return b"".join(chunks)
    except OSError as err:
        raise SafeReadError(describe_oserror(err)) from None
    finally:
        os.close(fd)


def is_regular_file(path: Path) -> bool:
    """``path.is_file()`` that is False (never raises) for names too long, NUL bytes, loops."""
    try:
        return stat.S_ISREG(os.stat(path).st_mode)
    except (OSError, ValueError):
        return False


def is_folder(path: Path) -> bool:
    """``path.is_dir()`` that is False (never raises) for names too long, NUL bytes, loops."""
    try:
        return stat.S_ISDIR(os.stat(path).st_mode)
    except (OSError, ValueError):
        return False


def safe_resolve(path: Path) -> Path:
    """``path.resolve()``, or the absolute path unresolved when a symlink loop stops it."""
    try:
        return path.resolve()
    except (OSError, RuntimeError, ValueError):
        return Path(os.path.abspath(path))
