"""The Synapse tests also pass on synapseclient 4.1.1, the version MedPerf pins.

The main environment gets the newest synapseclient 4.x the project allows; this test runs
``.ci/synapse-compat``, which builds a second virtual environment with 4.1.1 and runs
``tests/synapse`` there. The venv is reused between local runs.
"""

from __future__ import annotations

import os
import pwd
import re
import subprocess
from pathlib import Path

import pytest
from netenv import without_netguard

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.registry  # pip installs synapseclient 4.1.1 and the test extras from the registry
def test_synapse_tests_pass_on_synapseclient_4_1_1() -> None:
    real_home = pwd.getpwuid(os.getuid()).pw_dir  # the suite's HOME is a temp dir
    # pip must reach the registry to build the 4.1.1 venv; the inner pytest run installs the
    # loopback guard again through tests/conftest.py.
    env = without_netguard(
        {**os.environ, "PIP_CACHE_DIR": os.path.join(real_home, ".cache", "pip")}
    )
    proc = subprocess.run(
        ["bash", str(ROOT / ".ci" / "synapse-compat"), "-q"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=1800,
    )
    output = proc.stdout + proc.stderr
    assert proc.returncode == 0, output[-4000:]
    assert "synapse-compat: synapseclient 4.1.1" in proc.stdout
    passed = re.search(r"(\d+) passed", proc.stdout)
    assert passed is not None and int(passed.group(1)) >= 30, output[-4000:]
    assert " failed" not in proc.stdout
