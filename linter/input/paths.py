"""Turn command-line paths into the list of files to lint.

A folder walk picks files by name pattern (MedPerf's own repository names them
``mlcube_gpu.yaml``, ``prep_container_config.yaml``, ``parameters_MEN.yaml``,
``parameters-rt.yaml`` …); each is then told by content (``documents.detect_kind``), and a
walked file whose content is plainly something else (a CI workflow, a compose file) is dropped.
A file named explicitly is linted whatever its name.
"""

from __future__ import annotations

import fnmatch
import os
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from medperf_lint.input.safe_io import describe_oserror, is_folder

MANIFEST_PATTERNS = (
    "*mlcube*.yaml",
    "*mlcube*.yml",
    "*container_config*.yaml",
    "*container_config*.yml",
    "*parameters*.yaml",
    "*parameters*.yml",
    "*.medperf.yaml",
    "*.medperf.yml",
    "*.medperf.json",
)
PARAMETERS_PATTERNS = ("*parameters*.yaml", "*parameters*.yml")
_SKIP_DIRS = {".git", ".hg", ".svn", "node_modules", "__pycache__", ".venv", "venv", ".tox"}


def is_manifest_name(name: str) -> bool:
    return any(fnmatch.fnmatch(name.lower(), pattern) for pattern in MANIFEST_PATTERNS)


def is_parameters_name(name: str) -> bool:
    """A parameters file: MedPerf reads an empty or comment-only one as ``{}``."""
    return any(fnmatch.fnmatch(name.lower(), pattern) for pattern in PARAMETERS_PATTERNS)


@dataclass(frozen=True)
class Input:
    """A file to lint, and whether a folder walk found it (rather than the user naming it)."""

    path: Path
    walked: bool = False


def inputs(paths: Iterable[str]) -> Iterator[Input]:
    """Files named explicitly come through whatever their name; folders are walked."""
    for raw in paths:
        yield from expand_one(raw).files


def expand(paths: Iterable[str]) -> Iterator[Path]:
    """The paths of :func:`inputs`, for callers that do not care how a file was found."""
    return (found.path for found in inputs(paths))


@dataclass(frozen=True)
class Expansion:
    """The files one command-line path stands for, and the folders that could not be read."""

    files: tuple[Input, ...]
    unreadable: tuple[tuple[str, str], ...] = ()  # (folder, one-line reason)


def expand_one(raw: str) -> Expansion:
    """Walk ``raw`` when it is a folder; symlinked folders are not followed (no loops)."""
    path = Path(raw)
    if not is_folder(path):  # False for loops and dangling links too: reported when read
        return Expansion((Input(path),))  # missing files are reported when read
    files: list[Input] = []
    unreadable: list[tuple[str, str]] = []

    def failed(err: OSError) -> None:
        unreadable.append(
            (str(err.filename or raw), f"cannot read folder: {describe_oserror(err)}")
        )

    for root, dirs, names in os.walk(path, onerror=failed):
        dirs[:] = sorted(d for d in dirs if d not in _SKIP_DIRS)
        files.extend(
            Input(Path(root) / name, walked=True)
            for name in sorted(names)
            if is_manifest_name(name)
        )
    return Expansion(tuple(files), tuple(unreadable))
