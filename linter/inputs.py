"""Turn command-line paths into the list of files to lint."""

from __future__ import annotations

import fnmatch
import os
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from .safe_io import describe_oserror, is_folder

MANIFEST_PATTERNS = (
    "mlcube.yaml",
    "mlcube.yml",
    "container_config*.yaml",
    "container_config*.yml",
    "parameters.yaml",
    "parameters.yml",
    "*.medperf.yaml",
    "*.medperf.yml",
    "*.medperf.json",
)
_SKIP_DIRS = {".git", ".hg", ".svn", "node_modules", "__pycache__", ".venv", "venv", ".tox"}


def is_manifest_name(name: str) -> bool:
    return any(fnmatch.fnmatch(name.lower(), pattern) for pattern in MANIFEST_PATTERNS)


def expand(paths: Iterable[str]) -> Iterator[Path]:
    """Files named explicitly come through whatever their name; folders are walked."""
    for raw in paths:
        yield from expand_one(raw).files


@dataclass(frozen=True)
class Expansion:
    """The files one command-line path stands for, and the folders that could not be read."""

    files: tuple[Path, ...]
    unreadable: tuple[tuple[str, str], ...] = ()  # (folder, one-line reason)


def expand_one(raw: str) -> Expansion:
    """Walk ``raw`` when it is a folder; symlinked folders are not followed (no loops)."""
    path = Path(raw)
    if not is_folder(path):  # False for loops and dangling links too: reported when read
        return Expansion((path,))
    files: list[Path] = []
    unreadable: list[tuple[str, str]] = []

    def failed(err: OSError) -> None:
        unreadable.append(
            (str(err.filename or raw), f"cannot read folder: {describe_oserror(err)}")
        )

    for root, dirs, names in os.walk(path, onerror=failed):
        dirs[:] = sorted(d for d in dirs if d not in _SKIP_DIRS)
        files.extend(Path(root) / name for name in sorted(names) if is_manifest_name(name))
    return Expansion(tuple(files), tuple(unreadable))
