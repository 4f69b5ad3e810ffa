"""``--fix`` never loses an edit: the write path against real files, links and permissions."""

from __future__ import annotations

import os
import shutil
import stat
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path

import medperf_lint
import pytest
from medperf_lint.fixer import apply_fixes
from seckit import cli, is_root

BAD = "additional_file: syn123  # keep me\n"
FIXED = "additional_file: synapse:syn123  # keep me\n"


def _lint(path: Path) -> medperf_lint.Report:
    return medperf_lint.lint_paths([path], online=False, overrides={"select": ("MPL001",)})


def test_edit_made_after_linting_is_kept(tmp_path: Path) -> None:
    path = tmp_path / "a.medperf.yaml"
    path.write_text(BAD)
    report = _lint(path)  # the online probing would happen here, taking minutes
    path.write_text("additional_file: syn456  # the user's edit\n")
    (outcome,) = apply_fixes(report.findings, sources=report.sources)
    assert outcome.applied == 0 and outcome.error is not None
    assert "changed since it was linted" in outcome.error
    assert path.read_text() == "additional_file: syn456  # the user's edit\n"


def test_edit_elsewhere_in_the_file_is_kept_and_the_fix_applied(tmp_path: Path) -> None:
    path = tmp_path / "a.medperf.yaml"
    path.write_text(BAD + "name: old\n")
    report = _lint(path)
    path.write_text(BAD + "name: new\n")
    (outcome,) = apply_fixes(report.findings, sources=report.sources)
    assert outcome.applied == 1 and outcome.error is None
    assert path.read_text() == FIXED + "name: new\n"


def test_line_inserted_above_leaves_the_file(tmp_path: Path) -> None:
    path = tmp_path / "a.medperf.yaml"
    path.write_text(BAD)
    report = _lint(path)
    path.write_text("# a new first line\n" + BAD)
    (outcome,) = apply_fixes(report.findings, sources=report.sources)
    assert outcome.applied == 0 and path.read_text() == "# a new first line\n" + BAD


def test_symlink_into_the_tree_is_written_through_to_its_target(tmp_path: Path) -> None:
    target = tmp_path / "real" / "a.yaml"
    target.parent.mkdir()
    target.write_text(BAD)
    link = tmp_path / "a.medperf.yaml"
    link.symlink_to(target)
    run = cli("--offline", "--fix", "--select", "MPL001", link.name, cwd=tmp_path)
    assert run.code == 0, run.both
    assert link.is_symlink() and os.readlink(link) == str(target)
    assert target.read_text() == FIXED


def test_hard_linked_file_is_left_alone(tmp_path: Path) -> None:
    path = tmp_path / "a.medperf.yaml"
    path.write_text(BAD)
    os.link(path, tmp_path / "other-name.yaml")
    run = cli("--offline", "--fix", "--select", "MPL001", path.name, cwd=tmp_path)
    assert "has 2 hard links" in run.err and "Traceback" not in run.both
    assert path.read_text() == BAD == (tmp_path / "other-name.yaml").read_text()
    # --diff shows what --fix would write: nothing, and says why the same way
    diff = cli("--offline", "--diff", "--select", "MPL001", path.name, cwd=tmp_path)
    assert (diff.code, diff.out) == (0, ""), diff.both
    assert "a.medperf.yaml: not fixable: has 2 hard links" in diff.err


def test_mode_and_owner_are_kept(tmp_path: Path) -> None:
    path = tmp_path / "a.medperf.yaml"
    path.write_text(BAD)
    path.chmod(0o640)
    if is_root():  # only root can give a file to someone else
        os.chown(path, 1234, 4321)
    before = path.stat()
    run = cli("--offline", "--fix", "--select", "MPL001", path.name, cwd=tmp_path)
    assert run.code == 0, run.both
    after = path.stat()
    assert path.read_text() == FIXED
    assert stat.S_IMODE(after.st_mode) == 0o640
    assert (after.st_uid, after.st_gid) == (before.st_uid, before.st_gid)
    assert after.st_ino != before.st_ino  # replaced atomically, not rewritten in place


def test_bom_file_is_fixed_and_keeps_its_bom(tmp_path: Path) -> None:
    path = tmp_path / "a.medperf.yaml"
    path.write_bytes(b"\xef\xbb\xbf" + BAD.encode())
    run = cli("--offline", "--fix", "--select", "MPL001", path.name, cwd=tmp_path)
    assert run.code == 0, run.both
    assert path.read_bytes() == b"\xef\xbb\xbf" + FIXED.encode()


def test_diff_of_a_bom_file_applies_whatever_the_terminal_encoding(tmp_path: Path) -> None:
    """The patch carries line 1's BOM (or git apply finds no such line) and the files' UTF-8
    bytes, even when stdout is Latin-1."""
    path = tmp_path / "a.medperf.yaml"
    path.write_bytes(b"\xef\xbb\xbf" + BAD.encode() + "# café\n".encode())
    env = {"PYTHONIOENCODING": "latin-1"}
    run = cli("--offline", "--diff", "--select", "MPL001", path.name, cwd=tmp_path, env=env)
    assert run.code == 1 and "internal error" not in run.both, run.both
    (tmp_path / "fix.patch").write_bytes(run.out.encode("utf-8"))
    subprocess.run(["git", "apply", "--unsafe-paths", "fix.patch"], cwd=tmp_path, check=True)
    assert path.read_bytes() == b"\xef\xbb\xbf" + FIXED.encode() + "# café\n".encode()


def test_crlf_line_ends_stay_put(tmp_path: Path) -> None:
    path = tmp_path / "a.medperf.yaml"
    path.write_bytes(("# a comment\r\n" + BAD.replace("\n", "\r\n")).encode())
    run = cli("--offline", "--fix", "--select", "MPL001", path.name, cwd=tmp_path)
    assert run.code == 0, run.both
    expected = "# a comment\r\n" + FIXED.replace("\n", "\r\n")
    assert path.read_bytes() == expected.encode()


def test_deep_nesting_is_one_line_and_other_files_are_fixed(tmp_path: Path) -> None:
    deep = tmp_path / "deep.medperf.yaml"
    deep.write_text(BAD + "x: " + "[" * 600 + "1" + "]" * 600 + "\n")
    good = tmp_path / "b.medperf.yaml"
    good.write_text(BAD)
    run = cli("--offline", "--fix", "--select", "MPL001", deep.name, good.name, cwd=tmp_path)
    assert "Traceback" not in run.both and "internal error" not in run.both
    assert [line for line in run.err.splitlines() if "deep.medperf.yaml" in line] == [
        "medperf-lint: deep.medperf.yaml: not fixed: nesting is too deep to check the fix; "
        "file left unchanged"
    ]
    assert good.read_text() == FIXED
    assert deep.read_text().startswith(BAD)


@pytest.fixture
def shared_dir() -> Iterator[Path]:
    base = Path(tempfile.mkdtemp(prefix="medperf-lint-fix-"))
    base.chmod(0o755)
    try:
        yield base
    finally:
        base.chmod(0o755)
        shutil.rmtree(base)


def test_read_only_folder_is_one_line(shared_dir: Path) -> None:
    path = shared_dir / "a.medperf.yaml"
    path.write_text(BAD)
    path.chmod(0o666)  # the file is writable; its folder is not, so no temporary file fits
    shared_dir.chmod(0o555)
    run = cli(
        "--offline", "--fix", "--select", "MPL001", path.name, cwd=shared_dir, unprivileged=True
    )
    if "fixed 1 value" in run.err:
        pytest.skip("a read-only folder does not stop this user (root without setuid)")
    assert "Traceback" not in run.both and "internal error" not in run.both, run.both
    assert run.err.splitlines()[0] == (
        f"medperf-lint: a.medperf.yaml: not fixed: cannot write in {shared_dir}: Permission denied"
    )
    assert path.read_text() == BAD
    assert "a.medperf.yaml:1:18: MPL001" in run.out  # still reported
