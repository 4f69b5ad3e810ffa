"""Where GitHub looks for a file: annotations and code scanning place paths from the repository."""

from __future__ import annotations

import os
from pathlib import PurePath


def in_workspace(path: str) -> str:
    """``path`` relative to ``$GITHUB_WORKSPACE`` when the file lies inside it, else unchanged.

    A run from a subfolder (the action's ``working-directory``) names files relative to that
    folder; GitHub reads them relative to the checkout, so the annotation would land nowhere.
    """
    workspace = os.environ.get("GITHUB_WORKSPACE")
    if not workspace:
        return path
    try:
        relative = os.path.relpath(os.path.abspath(path), os.path.abspath(workspace))
    except ValueError:  # another drive on Windows
        return path
    if relative.split(os.sep)[0] == "..":
        return path
    return PurePath(relative).as_posix()
