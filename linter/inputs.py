"""Turn command-line paths into the list of files to lint."""

from __future__ import annotations

import fnmatch
import os
from collections.abc import Iterable, Iterator
from pathlib import Path

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
        path = Path(raw)
        if path.is_dir():
            for root, dirs, files in os.walk(path):
                dirs[:] = sorted(d for d in dirs if d not in _SKIP_DIRS)
                for name in sorted(files):
                    if is_manifest_name(name):
                        yield Path(root) / name
        else:
            yield path  # missing files are reported when read
