"""Run ``medperf-lint audit`` in-process against the fake MedPerf server and the host servers."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from medperf_lint.cli import main
from servers.fake_medperf import FakeMedPerf
from servers.hosts import HOSTS, HostsServer, tar_bytes

# Offline rules and the HTTP rules: nothing here may ask a real registry or GitHub.
RULES = "MPL0,MPL2,MPL401,MPL402,MPL403,MPL404,MPL405"
TAR = tar_bytes()
TAR_SHA = hashlib.sha256(TAR).hexdigest()


@dataclass(frozen=True)
class Outcome:
    code: int
    out: str
    err: str

    def json(self) -> Any:
        return json.loads(self.out)


def run_audit(
    capsys: pytest.CaptureFixture[str],
    medperf: FakeMedPerf,
    hosts: HostsServer | None,
    tmp_path: Path,
    *extra: str,
    history: bool = True,
) -> Outcome:
    args = ["audit", "--server", medperf.base, "--resolve", medperf.resolve()]
    if hosts is not None:
        for entry in hosts.resolve(*HOSTS):
            args += ["--resolve", entry]
    args += ["--allow-private-hosts", "--retries", "0", "--select", RULES]
    if history and "--history" not in extra and "--no-history" not in extra:
        args += ["--history", str(tmp_path / "history.sqlite3")]
    capsys.readouterr()
    code = main([*args, *extra])
    captured = capsys.readouterr()
    return Outcome(code, captured.out, captured.err)
