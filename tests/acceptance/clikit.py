"""Run the real command line in a subprocess, the way users and pre-commit do."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
SHA256 = "9a129038d9a00aed0cf6a7ea059ca50a813449061ab87848cf1a13eafdf33b2c"
HANG_GUARD = 60  # seconds; a guard against hangs, not a timing assertion


@dataclass(frozen=True)
class Run:
    code: int
    out: str
    err: str

    @property
    def both(self) -> str:
        return self.out + self.err

    def json(self) -> Any:
        return json.loads(self.out)


def medperf_lint(*args: object, cwd: Path, env: dict[str, str] | None = None) -> Run:
    """``python -m medperf_lint ARGS`` with stdout and stderr captured (so never a TTY)."""
    proc = subprocess.run(
        [sys.executable, "-m", "medperf_lint", *(str(a) for a in args)],
        cwd=cwd,
        env=env if env is not None else dict(os.environ),
        capture_output=True,
        timeout=HANG_GUARD,
    )
    return Run(
        proc.returncode,
        proc.stdout.decode("utf-8", "replace"),
        proc.stderr.decode("utf-8", "replace"),
    )


def write(path: Path, text: str) -> Path:
    """Write dedented ``text`` to ``path``, creating folders."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")
    return path


def located(run: Run) -> list[tuple[str | None, int | None, int | None, str]]:
    """(path, line, column, rule) of every finding in a ``--format json`` run."""
    return [(f["path"], f["line"], f["column"], f["rule"]) for f in run.json()["findings"]]
