"""Helpers for the hostile-input tests: the real CLI in a subprocess, optionally unprivileged."""

from __future__ import annotations

import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

HANG_GUARD = 60  # seconds; a guard against hangs, not a timing assertion
NOBODY = 65534
GOOD = "good.medperf.yaml"  # linted beside every hostile input; it has one known finding
GOOD_TEXT = "additional_file: syn123\n"


@dataclass(frozen=True)
class Run:
    code: int
    out: str
    err: str

    @property
    def both(self) -> str:
        return self.out + self.err

    def lines_about(self, name: str) -> list[str]:
        return [line for line in self.both.splitlines() if name in line]


# Root's interpreter may live where nobody can read it (/root/.pyenv), so the unprivileged
# run starts as root, imports everything it will need, then drops to nobody before main().
_UNPRIVILEGED = (
    "import os, sys, locale, fnmatch, json, logging, tomllib\n"
    "import medperf_lint.cli, medperf_lint.api, medperf_lint.engine, medperf_lint.fixer\n"
    "import medperf_lint.reporters.text_format, medperf_lint.reporters.summary\n"
    "import medperf_lint.reporters.safe_text, medperf_lint.progress, medperf_lint.rules\n"
    f"os.setgroups([]); os.setgid({NOBODY}); os.setuid({NOBODY})\n"
    "sys.exit(medperf_lint.cli.main(sys.argv[1:]))\n"
)


def is_root() -> bool:
    return hasattr(os, "geteuid") and os.geteuid() == 0


def cli(
    *args: object, cwd: Path, env: dict[str, str] | None = None, unprivileged: bool = False
) -> Run:
    """``python -m medperf_lint ARGS``; ``unprivileged`` runs it as nobody when we are root,
    so permission bits mean what they say (root reads a chmod 000 folder)."""
    drop = unprivileged and is_root()
    start = ["-c", _UNPRIVILEGED] if drop else ["-m", "medperf_lint"]
    home = {"HOME": str(cwd), "XDG_CACHE_HOME": str(cwd / ".cache")} if drop else {}
    proc = subprocess.run(
        [sys.executable, *start, *(str(a) for a in args)],
        cwd=cwd,
        env={**os.environ, **home, **(env or {})},
        capture_output=True,
        timeout=HANG_GUARD,
    )
    return Run(
        proc.returncode,
        proc.stdout.decode("utf-8", "replace"),
        proc.stderr.decode("utf-8", "replace"),
    )


def assert_one_line(run: Run, name: str, *fragments: str) -> None:
    """Exit 2, no traceback, exactly one line about ``name`` holding ``fragments``, and the
    good file beside it still reported."""
    assert run.code == 2, run.both
    assert "Traceback" not in run.both and "internal error" not in run.both, run.both
    about = run.lines_about(name)
    assert len(about) == 1, run.both
    for fragment in fragments:
        assert fragment in about[0], about[0]
    assert any(line.startswith(f"{GOOD}:1:18: MPL001") for line in run.out.splitlines()), run.both
