"""``--fix`` writes only inside what it was asked to fix (issue 14, item 5).

In CI a pull request controls the linted tree: a symlink in it may point at any writable
manifest-shaped file on the runner. Such a link is not written through, and a read-only file
is not replaced (a rename would get around its mode). Each is one line; ``--diff`` shows
nothing for it.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

from seckit import cli

BAD = "additional_file: syn123  # keep me\n"
FIXED = "additional_file: synapse:syn123  # keep me\n"
FIX = ("--offline", "--fix", "--select", "MPL001")
DIFF = ("--offline", "--diff", "--select", "MPL001")


def _tree(tmp_path: Path) -> tuple[Path, Path]:
    """A linted folder ``repo`` and a file outside it, ``outside/secret.yaml``."""
    repo, outside = tmp_path / "repo", tmp_path / "outside"
    repo.mkdir()
    outside.mkdir()
    target = outside / "secret.yaml"
    target.write_text(BAD)
    return repo, target


def test_a_link_out_of_the_linted_folder_is_not_written_through(tmp_path: Path) -> None:
    repo, target = _tree(tmp_path)
    (repo / "a.medperf.yaml").symlink_to(target)
    run = cli(*FIX, "repo", cwd=tmp_path)
    assert target.read_text() == BAD
    lines = run.lines_about("a.medperf.yaml")
    assert len([line for line in lines if "not fixed" in line]) == 1, run.both
    assert "outside the linted tree" in run.err and "Traceback" not in run.both


def test_a_link_out_of_the_folder_of_a_named_file_is_not_written_through(
    tmp_path: Path,
) -> None:
    repo, target = _tree(tmp_path)
    (repo / "a.medperf.yaml").symlink_to(target)
    run = cli(*FIX, "a.medperf.yaml", cwd=repo)
    assert target.read_text() == BAD
    assert "outside the linted tree" in run.err, run.both


def test_diff_shows_nothing_for_a_link_out_of_the_tree(tmp_path: Path) -> None:
    repo, target = _tree(tmp_path)
    (repo / "a.medperf.yaml").symlink_to(target)
    (repo / "b.medperf.yaml").write_text(BAD)  # an ordinary file beside it is still shown
    run = cli(*DIFF, "repo", cwd=tmp_path)
    assert "a.medperf.yaml" not in run.out and "b.medperf.yaml" in run.out, run.both
    assert len([line for line in run.err.splitlines() if "a.medperf.yaml" in line]) == 1
    assert "outside the linted tree" in run.err


def test_a_link_out_of_the_git_work_tree_is_not_written_through(tmp_path: Path) -> None:
    """The linted root may hold more than the repository: the work tree bounds links too."""
    repo, _ = _tree(tmp_path)
    work = repo / "project"
    (work / ".git").mkdir(parents=True)
    elsewhere = repo / "shared.yaml"  # inside the linted root, outside the work tree
    elsewhere.write_text(BAD)
    (work / "a.medperf.yaml").symlink_to(elsewhere)
    run = cli(*FIX, "repo", cwd=tmp_path)
    assert elsewhere.read_text() == BAD
    assert "outside the linted tree" in run.err, run.both


def test_a_link_inside_the_tree_is_written_through(tmp_path: Path) -> None:
    repo, _ = _tree(tmp_path)
    target = repo / "real" / "a.yaml"
    target.parent.mkdir()
    target.write_text(BAD)
    link = repo / "a.medperf.yaml"
    link.symlink_to(Path("real") / "a.yaml")
    run = cli(*FIX, "repo", cwd=tmp_path)
    assert run.code == 0, run.both
    assert link.is_symlink() and target.read_text() == FIXED


def test_a_read_only_file_is_not_rewritten(tmp_path: Path) -> None:
    path = tmp_path / "a.medperf.yaml"
    path.write_text(BAD)
    path.chmod(0o444)
    run = cli(*FIX, path.name, cwd=tmp_path)
    assert path.read_text() == BAD
    assert stat.S_IMODE(path.stat().st_mode) == 0o444
    assert [line for line in run.err.splitlines() if "a.medperf.yaml" in line] == [
        "medperf-lint: a.medperf.yaml: not fixed: the file is read-only; file left unchanged"
    ], run.both
    assert "a.medperf.yaml:1:18: MPL001" in run.out  # still reported
    os.chmod(path, 0o644)
