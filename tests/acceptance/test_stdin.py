"""`-` reads one manifest from standard input, told by content, with positions and suppressions."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from clikit import HANG_GUARD, SHA256


def _run(stdin: str, *args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "medperf_lint", "--offline", "--format=json", *args],
        input=stdin,
        cwd=cwd,
        env=dict(os.environ),
        capture_output=True,
        text=True,
        timeout=HANG_GUARD,
    )


def test_stdin_is_linted_with_positions(tmp_path: Path) -> None:
    text = (
        "name: m\n"
        "additional_files_tarball_url: https://github.com/o/r/blob/main/w.tar.gz\n"
        f"additional_files_tarball_hash: {SHA256}\n"
        "demo_url: http://e.org/d.tar.gz  # medperf-lint: ignore[insecure-http, hash-missing]\n"
    )
    proc = _run(text, "-", cwd=tmp_path)
    assert proc.returncode == 1, proc.stderr
    out = json.loads(proc.stdout)
    assert [(f["path"], f["line"], f["column"], f["rule"]) for f in out["findings"]] == [
        ("<stdin>", 2, 31, "github-page-url")
    ]
    assert out["summary"]["files"] == 1


def test_stdin_and_files_in_one_run(tmp_path: Path) -> None:
    (tmp_path / "container_config.yaml").write_text(
        "container_type: DockerImage\nimage: m/x:latest\n", encoding="utf-8"
    )
    proc = _run('{"type": "ASSET", "asset": {"asset_url": "syn1"}}', "-", ".", cwd=tmp_path)
    out = json.loads(proc.stdout)
    assert sorted((f["path"], f["rule"]) for f in out["findings"]) == [
        ("<stdin>", "hash-missing"),
        ("<stdin>", "invalid-reference"),
        ("container_config.yaml", "docker-image-unpinned"),
    ]


def test_empty_stdin_is_one_clear_line(tmp_path: Path) -> None:
    proc = _run("", "-", cwd=tmp_path)
    assert proc.returncode == 2
    assert json.loads(proc.stdout)["errors"] == [{"path": "<stdin>", "message": "file is empty"}]
    assert "Traceback" not in proc.stderr


def test_fix_refuses_stdin(tmp_path: Path) -> None:
    proc = _run("a: b\n", "--fix", "-", cwd=tmp_path)
    assert proc.returncode == 2
    assert proc.stderr.strip() == "medperf-lint: error: --fix cannot rewrite standard input (-)"
