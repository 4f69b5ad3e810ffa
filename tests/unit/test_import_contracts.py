"""The layer contracts in ``[tool.importlinter]`` (pyproject.toml) hold: the suite runs
``lint-imports`` on the installed package, so a provider that imports another fails here."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_import_contracts_hold() -> None:
    found = shutil.which("lint-imports", path=str(Path(sys.executable).parent))
    command = [found] if found else [sys.executable, "-m", "importlinter.cli"]
    proc = subprocess.run(
        [*command, "--config", str(ROOT / "pyproject.toml"), "--no-cache"],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=120,
        check=False,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "providers are independent KEPT" in proc.stdout, proc.stdout
