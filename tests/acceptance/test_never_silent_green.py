"""A typo, standard input or a closed pipe never ends in a silent green or a traceback."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from clikit import HANG_GUARD, SHA256, medperf_lint, write

SUBMISSION = """
    name: demo
    additional_files_tarball_url: http://example.org/w.tar.gz
"""
FIXABLE = f"""
    name: demo
    additional_files_tarball_url: SYNAPSE:syn51089171
    additional_files_tarball_hash: {SHA256}
"""


@pytest.fixture
def manifest(tmp_path: Path) -> Path:
    return write(tmp_path / "sub.medperf.yaml", SUBMISSION)


# -- unknown rule names on the command line: a usage error naming the closest rule ------------


@pytest.mark.parametrize(
    ("flag", "typo", "closest"),
    [
        ("--select", "hash-mising", "hash-missing"),
        ("--ignore", "insecure-htp", "insecure-http"),
        ("--select", "MPL0001", "MPL001"),
    ],
)
def test_unknown_rule_on_the_command_line_is_a_usage_error(
    tmp_path: Path, manifest: Path, flag: str, typo: str, closest: str
) -> None:
    run = medperf_lint("--offline", flag, f"invalid-reference,{typo}", manifest, cwd=tmp_path)
    assert run.code == 2
    assert run.out == ""
    assert run.err == (
        f"medperf-lint: error: {flag}: unknown rule {typo!r}; did you mean {closest!r}? "
        "(`medperf-lint rules` lists the names and codes)\n"
    )


def test_a_name_like_no_rule_gets_no_guess(tmp_path: Path, manifest: Path) -> None:
    run = medperf_lint("--offline", "--select", "zzzz", manifest, cwd=tmp_path)
    assert run.code == 2
    assert "unknown rule 'zzzz' (`medperf-lint rules`" in run.err


def test_guard_rejects_an_unknown_rule_before_running_anything(tmp_path: Path) -> None:
    run = medperf_lint(
        "guard",
        "--offline",
        "--select",
        "hash-mising",
        "--",
        "medperf",
        "container",
        "submit",
        "-a",
        "synapse:syn1",
        cwd=tmp_path,
    )
    assert run.code == 2
    assert "medperf-lint guard: error: --select: unknown rule 'hash-mising'" in run.err


# -- unknown rule names in a config: an error no selection removes ----------------------------


@pytest.mark.parametrize(
    "config",
    [
        'select = ["hash-mising"]',  # selects nothing, unknown-rule included
        'select = ["hash-missing"]\nignore = ["unknown-rule", "hash-mising"]',
        'ignore = ["hash-mising"]\nseverity = { "unknown-rule" = "info" }',
    ],
    ids=["select-typo", "ignored", "re-graded"],
)
def test_unknown_rule_in_a_config_fails_the_run(
    tmp_path: Path, manifest: Path, config: str
) -> None:
    (tmp_path / ".medperf-lint.toml").write_text(config + "\n", encoding="utf-8")
    run = medperf_lint("--offline", "--format", "json", manifest, cwd=tmp_path)
    assert run.code == 1
    unknown = [f for f in run.json()["findings"] if f["rule"] == "unknown-rule"]
    assert [(f["severity"], f["path"]) for f in unknown] == [
        ("error", str(tmp_path / ".medperf-lint.toml"))
    ]
    assert "unknown rule 'hash-mising'; did you mean 'hash-missing'?" in unknown[0]["message"]


def test_an_unknown_name_in_a_suppression_stays_a_warning(tmp_path: Path) -> None:
    path = write(
        tmp_path / "sub.medperf.yaml",
        f"""
        name: demo
        additional_files_tarball_url: synapse:syn1  # medperf-lint: ignore[insecure-htp] why
        additional_files_tarball_hash: {SHA256}
        """,
    )
    run = medperf_lint("--offline", "--format", "json", path, cwd=tmp_path)
    assert run.code == 0
    assert [(f["rule"], f["severity"]) for f in run.json()["findings"]] == [
        ("unknown-rule", "warning")
    ]


# -- --diff on standard input -----------------------------------------------------------------


def test_diff_of_standard_input_is_refused_like_fix(tmp_path: Path) -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "medperf_lint", "--offline", "--diff", "-"],
        cwd=tmp_path,
        input=FIXABLE.replace("\n    ", "\n").encode(),
        capture_output=True,
        timeout=HANG_GUARD,
    )
    assert proc.returncode == 2
    assert proc.stdout == b""
    assert proc.stderr.decode() == (
        "medperf-lint: error: --diff cannot diff standard input (-); save it to a file and "
        "diff that\n"
    )


# -- a closed pipe ----------------------------------------------------------------------------


def _with_closed_stdout(*args: str, cwd: Path) -> subprocess.CompletedProcess[bytes]:
    """Run with a stdout pipe whose reader is already gone, as after ``| head -1``."""
    read, write_end = os.pipe()
    os.close(read)
    try:
        return subprocess.run(
            [sys.executable, "-m", "medperf_lint", *args],
            cwd=cwd,
            stdout=write_end,
            stderr=subprocess.PIPE,
            timeout=HANG_GUARD,
        )
    finally:
        os.close(write_end)


@pytest.mark.parametrize("args", [("rules",), ("--offline", "."), ("rule", "hash-missing")])
@pytest.mark.usefixtures("manifest")
def test_a_closed_pipe_ends_quietly(tmp_path: Path, args: tuple[str, ...]) -> None:
    proc = _with_closed_stdout(*args, cwd=tmp_path)
    assert proc.stderr == b""
    assert proc.returncode == 141  # 128 + SIGPIPE, what a shell shows for `yes | head -1`
