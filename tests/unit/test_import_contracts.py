"""The import contracts in pyproject.toml hold, and each one breaks when what it forbids is done.

``.ci/importlint`` runs lint-imports over a view of a checkout laid out as the installed package;
the planted tests run it over a copy of this checkout with one import added.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / ".ci" / "importlint"
CONTRACTS = {
    "rules": "Rules read facts and never reach the network",
    "facts": "Fact modules are values: no network module, no HTTP library",
    "engine": "The engine produces findings and never formats them",
    "layers": "Layers: each imports only the ones below it (| marks independent siblings)",
    "acyclic": "No import cycles, between modules or between the packages that hold them",
    "providers": "providers are independent",
}


def _lint_imports(checkout: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["bash", str(SCRIPT), str(checkout)],
        env={**os.environ, "PYTHON": sys.executable},
        capture_output=True,
        text=True,
        timeout=300,
    )


def _planted(tmp_path: Path, module: str, planted: str) -> Path:
    """A copy of this checkout with ``planted`` appended to ``module``."""
    checkout = tmp_path / "checkout"
    ignore = shutil.ignore_patterns("__pycache__")
    for folder in ("linter", "rules"):
        shutil.copytree(ROOT / folder, checkout / folder, ignore=ignore)
    shutil.copy(ROOT / "pyproject.toml", checkout)
    with (checkout / module).open("a", encoding="utf-8") as handle:
        handle.write(f"\n{planted}  # planted by the test\n")
    return checkout


def test_the_import_contracts_hold() -> None:
    run = _lint_imports(ROOT)
    assert run.returncode == 0, run.stdout + run.stderr
    for name in CONTRACTS.values():
        assert f"{name} KEPT" in run.stdout, run.stdout
    assert "0 broken" in run.stdout


@pytest.mark.parametrize(
    ("module", "planted", "broken"),
    [
        ("rules/url_too_long.py", "import medperf_lint.net.transport", ["rules"]),
        # lazy imports count: they run
        (
            "rules/redirected.py",
            "def _later() -> None:\n    import medperf_lint.net.cache",
            ["rules"],
        ),
        ("rules/_probe.py", "import medperf_lint.gather", ["rules", "layers"]),
        ("rules/url_too_long.py", "import requests", ["rules"]),
        ("rules/hash_format.py", "import synapseclient", ["rules"]),
        ("linter/facts/synapse.py", "import medperf_lint.providers.synapse", ["facts", "layers"]),
        ("linter/facts/download.py", "import aiohttp", ["facts"]),
        ("linter/engine.py", "import medperf_lint.reporters.json_format", ["engine", "layers"]),
        ("linter/findings.py", "import medperf_lint.report", ["layers", "acyclic"]),
        ("linter/refs/urls.py", "import medperf_lint.input.documents", ["layers", "acyclic"]),
    ],
)
def test_a_planted_import_breaks_its_contracts(
    tmp_path: Path, module: str, planted: str, broken: list[str]
) -> None:
    run = _lint_imports(_planted(tmp_path, module, planted))
    assert run.returncode != 0, run.stdout
    for key in broken:  # others may break too (a planted import can also close a cycle)
        assert f"{CONTRACTS[key]} BROKEN" in run.stdout, f"{key}: {run.stdout}"


def test_imports_only_for_type_checking_do_not_count(tmp_path: Path) -> None:
    """They never run; rules may type against anything."""
    planted = (
        "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    import medperf_lint.net.cache"
    )
    run = _lint_imports(_planted(tmp_path, "rules/redirected.py", planted))
    assert run.returncode == 0, run.stdout + run.stderr
