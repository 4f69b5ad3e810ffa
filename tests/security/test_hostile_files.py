"""Hostile files, folders and settings: one line each, never a traceback or a hang, and the
other inputs still reported. Real FIFOs, sockets, symlinks and permission bits."""

from __future__ import annotations

import os
import shutil
import socket
import stat
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from seckit import GOOD, GOOD_TEXT, assert_one_line, cli


@pytest.fixture
def tree(tmp_path: Path) -> Path:
    (tmp_path / GOOD).write_text(GOOD_TEXT)
    return tmp_path


def test_fifo_named_explicitly_does_not_hang(tree: Path) -> None:
    os.mkfifo(tree / "pipe.medperf.yaml")
    run = cli("--offline", "pipe.medperf.yaml", GOOD, cwd=tree)
    assert_one_line(run, "pipe.medperf.yaml", "FIFO")


def test_fifo_met_in_a_walk_does_not_hang(tree: Path) -> None:
    (tree / "sub").mkdir()
    os.mkfifo(tree / "sub" / "mlcube.yaml")
    run = cli("--offline", "sub", GOOD, cwd=tree)
    assert_one_line(run, "mlcube.yaml", "FIFO")


def test_socket_met_in_a_walk(tree: Path) -> None:
    (tree / "sub").mkdir()
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        sock.bind(str(tree / "sub" / "x.medperf.yaml"))
        run = cli("--offline", "sub", GOOD, cwd=tree)
    finally:
        sock.close()
    assert_one_line(run, "x.medperf.yaml", "socket")


def test_named_symlink_loop(tree: Path) -> None:
    (tree / "a.medperf.yaml").symlink_to("b.medperf.yaml")
    (tree / "b.medperf.yaml").symlink_to("a.medperf.yaml")
    run = cli("--offline", "a.medperf.yaml", GOOD, cwd=tree)
    assert_one_line(run, "a.medperf.yaml", "symlink loop")


def test_symlink_loops_met_in_a_walk(tree: Path) -> None:
    sub = tree / "sub"
    sub.mkdir()
    (sub / "loop").symlink_to(".")  # a folder loop: not followed
    (sub / "mlcube.yaml").symlink_to("mlcube.yaml")  # a file loop: reported
    (sub / "x.medperf.yaml").write_text("additional_file: syn7\n")
    run = cli("--offline", "sub", GOOD, cwd=tree)
    assert_one_line(run, "mlcube.yaml", "symlink loop")
    assert any(line.startswith("sub/x.medperf.yaml:1:18: MPL001") for line in run.out.splitlines())


@pytest.fixture
def shared_tree() -> Iterator[Path]:
    """A tree the unprivileged user can reach (pytest's tmp_path is private to root)."""
    base = Path(tempfile.mkdtemp(prefix="medperf-lint-sec-"))
    base.chmod(0o755)
    (base / GOOD).write_text(GOOD_TEXT)
    (base / GOOD).chmod(0o644)
    try:
        yield base
    finally:
        for folder, dirs, _files in os.walk(base):
            for d in dirs:
                os.chmod(os.path.join(folder, d), 0o755)
        shutil.rmtree(base)


def test_unreadable_folder_is_reported(shared_tree: Path) -> None:
    locked = shared_tree / "locked"
    locked.mkdir()
    (locked / "mlcube.yaml").write_text("docker:\n  image: x\n")
    locked.chmod(0)
    run = cli("--offline", ".", cwd=shared_tree, unprivileged=True)
    if run.code == 0 or "locked" not in run.both:
        pytest.skip("permission bits do not stop this user (root without setuid)")
    assert_one_line(run, "locked", "cannot read folder", "Permission denied")


def test_config_with_invalid_utf8(tree: Path) -> None:
    (tree / ".medperf-lint.toml").write_bytes(b'select = ["caf\xe9"]\n')
    run = cli("--offline", GOOD, cwd=tree)
    assert run.code == 2 and "Traceback" not in run.both
    assert run.err.strip().endswith("not UTF-8 text: byte 0xe9 at offset 14 is invalid")
    assert run.err.count("\n") == 1


def test_config_with_invalid_toml(tree: Path) -> None:
    (tree / ".medperf-lint.toml").write_text("select = [\n")
    run = cli("--offline", GOOD, cwd=tree)
    assert run.code == 2 and "Traceback" not in run.both
    assert "invalid TOML" in run.err and run.err.count("\n") == 1


def test_config_that_is_a_fifo(tree: Path) -> None:
    os.mkfifo(tree / "pipe.toml")
    run = cli("--offline", "--config", "pipe.toml", GOOD, cwd=tree)
    assert run.code == 2 and "FIFO" in run.err and run.err.count("\n") == 1


@pytest.mark.parametrize(
    ("line", "key"),
    [
        ("timeout = nan", "timeout"),
        ("deadline = inf", "deadline"),
        ("connect-timeout = -1.5", "connect-timeout"),
        ("read-timeout = -inf", "read-timeout"),
        ("cache-ttl-mutable = nan", "cache-ttl-mutable"),
        ("cache-ttl-immutable = -1", "cache-ttl-immutable"),
        ("retries = -1", "retries"),
        ("max-connections-per-host = 0", "max-connections-per-host"),
        ("synapse-concurrency = -3", "synapse-concurrency"),
    ],
)
def test_bad_numbers_in_config_are_one_line(tree: Path, line: str, key: str) -> None:
    (tree / ".medperf-lint.toml").write_text(line + "\n")
    run = cli("--offline", GOOD, cwd=tree)
    assert run.code == 2 and "Traceback" not in run.both, run.both
    assert f"'{key}' must be" in run.err and run.err.count("\n") == 1


def test_missing_ca_bundle_is_one_line(tree: Path) -> None:
    run = cli(GOOD, cwd=tree, env={"REQUESTS_CA_BUNDLE": str(tree / "nowhere.pem")})
    assert run.code == 2 and "Traceback" not in run.both
    assert (
        run.err
        == f"medperf-lint: error: REQUESTS_CA_BUNDLE={tree / 'nowhere.pem'}: no such file; point it at a PEM CA bundle or unset it\n"
    )


def test_a_ca_bundle_openssl_cannot_read_is_one_line(tree: Path) -> None:
    """Checked before any request (the transport reads its bundle at the first handshake), so
    garbage is not a TLS error, and an unreachable verdict, for every https URL."""
    garbage = tree / "garbage.pem"
    garbage.write_text("-----BEGIN CERTIFICATE-----\nnot base64\n-----END CERTIFICATE-----\n")
    run = cli(GOOD, cwd=tree, env={"REQUESTS_CA_BUNDLE": str(garbage)})
    assert run.code == 2 and "Traceback" not in run.both, run.both
    assert run.err.startswith(
        f"medperf-lint: error: REQUESTS_CA_BUNDLE={garbage}: OpenSSL reads no CA certificate"
    )
    assert (
        run.err.endswith("point it at a PEM CA bundle or unset it\n") and run.err.count("\n") == 1
    )


def test_terminal_control_sequences_are_escaped(tree: Path) -> None:
    (tree / "evil.medperf.yaml").write_text('additional_file: "syn1\\e]0;pwned\\a\\e[2J\\u202e"\n')
    for fmt in ("text", "github"):
        run = cli("--offline", "--format", fmt, "evil.medperf.yaml", cwd=tree)
        assert "\x1b" not in run.both and "\x07" not in run.both and "\u202e" not in run.both
        assert "\\x1b]0;pwned\\x07\\x1b[2J\\u202e" in run.out, run.out
    run = cli("--offline", "--format", "json", "evil.medperf.yaml", cwd=tree)
    assert "\x1b" not in run.out and "\\u001b" in run.out


def test_permissions_of_the_good_file_are_untouched(tree: Path) -> None:
    """Guards the guard: reading never changes what it reads."""
    before = os.stat(tree / GOOD)
    cli("--offline", GOOD, cwd=tree)
    after = os.stat(tree / GOOD)
    assert stat.S_IMODE(before.st_mode) == stat.S_IMODE(after.st_mode)
    assert before.st_mtime_ns == after.st_mtime_ns


@pytest.mark.parametrize("value", ["a" * 300, '"a\\0b"', "x/" * 3000])
def test_local_file_field_with_an_impossible_path(tree: Path, value: str) -> None:
    """Found by bench/fuzz.py: a name too long (or with a NUL) for the OS is just not a file."""
    (tree / "x.medperf.yaml").write_text(f"mlcube_file: {value}\n")
    run = cli("--offline", "x.medperf.yaml", GOOD, cwd=tree)
    assert "Traceback" not in run.both and "internal error" not in run.both, run.both
    assert run.code == 1 and any(
        line.startswith("x.medperf.yaml:1:14: ") for line in run.out.splitlines()
    )
