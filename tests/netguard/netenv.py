"""Environments for the few tools that must reach the package registry (pip, pre-commit)."""

from __future__ import annotations

import os
from pathlib import Path

NETGUARD = Path(__file__).resolve().parent


def without_netguard(env: dict[str, str]) -> dict[str, str]:
    """``env`` without the loopback-only guard: for pip installing from the registry."""
    env = dict(env)
    env.pop("MPL_TESTS_NETGUARD_LOG", None)
    parts = [p for p in env.get("PYTHONPATH", "").split(os.pathsep) if p and p != str(NETGUARD)]
    if parts:
        env["PYTHONPATH"] = os.pathsep.join(parts)
    else:
        env.pop("PYTHONPATH", None)
    return env
