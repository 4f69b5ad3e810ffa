"""--fix applies safe fixes only, --unsafe-fixes adds the rest, --diff previews without writing."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
from clikit import SHA256, medperf_lint, write

# One value per kind: a GitHub blob page and a Dropbox dl=0 link (safe fixes), a plain http
# URL and a Google Drive viewer (unsafe fixes: other bytes could come back, or a guess).
MIXED = f"""
    name: demo
    git_mlcube_url: https://github.com/o/r/blob/99b0d84bc107415d9fc6f69c4ea3fcdfbf22315d/mlcube.yaml
    mlcube_hash: {SHA256}
    additional_files_tarball_url: "https://www.dropbox.com/scl/fi/x1/w.tar.gz?rlkey=k9&dl=0"
    additional_files_tarball_hash: {SHA256}
    demo_dataset_tarball_url: http://example.org/demo.tar.gz
    demo_dataset_tarball_hash: {SHA256}
    image_tarball_url: https://drive.google.com/file/d/1AbCdEf/view?usp=sharing
    image_tarball_hash: {SHA256}
"""
SAFE_RESULT_LINES = (
    "git_mlcube_url: https://raw.githubusercontent.com/o/r/99b0d84bc107415d9fc6f69c4ea3fcdfbf22315d/mlcube.yaml",
    'additional_files_tarball_url: "https://www.dropbox.com/scl/fi/x1/w.tar.gz?rlkey=k9&dl=1"',
)
UNSAFE_RESULT_LINES = (
    "demo_dataset_tarball_url: https://example.org/demo.tar.gz",
    "image_tarball_url: https://drive.usercontent.google.com/download?id=1AbCdEf&export=download&confirm=t",
)


def _manifest(tmp_path: Path) -> Path:
    return write(tmp_path / "sub.medperf.yaml", MIXED)


def test_fix_applies_only_safe_fixes_and_names_the_held_back_ones(tmp_path: Path) -> None:
    path = _manifest(tmp_path)
    before = path.read_text()
    run = medperf_lint("--offline", "--fix", path.name, cwd=tmp_path)
    after = path.read_text()
    lines = after.splitlines()
    for line in SAFE_RESULT_LINES:
        assert line in lines
    assert "demo_dataset_tarball_url: http://example.org/demo.tar.gz" in lines
    assert "image_tarball_url: https://drive.google.com/file/d/1AbCdEf/view?usp=sharing" in lines
    assert len(lines) == len(before.splitlines())
    assert "fixed 2 value(s) in 1 file(s)" in run.err
    assert "2 unsafe fix(es) not applied" in run.err
    assert "fix (unsafe): use https (if the host serves it)" in run.out


def test_unsafe_fixes_applies_both_kinds(tmp_path: Path) -> None:
    path = _manifest(tmp_path)
    run = medperf_lint("--offline", "--fix", "--unsafe-fixes", path.name, cwd=tmp_path)
    lines = path.read_text().splitlines()
    for line in SAFE_RESULT_LINES + UNSAFE_RESULT_LINES:
        assert line in lines
    assert "fixed 4 value(s) in 1 file(s)" in run.err
    assert "unsafe fix(es) not applied" not in run.err


def test_a_second_fix_finds_nothing_fixable(tmp_path: Path) -> None:
    for extra in ((), ("--unsafe-fixes",)):
        path = _manifest(tmp_path)
        first = medperf_lint("--offline", "--fix", *extra, path.name, cwd=tmp_path)
        assert "fixed 0 value(s)" not in first.err
        fixed_once = path.read_text()
        second = medperf_lint("--offline", "--fix", *extra, path.name, cwd=tmp_path)
        assert "fixed 0 value(s) in 0 file(s)" in second.err, second.err
        assert path.read_text() == fixed_once
        diff = medperf_lint("--offline", "--diff", *extra, path.name, cwd=tmp_path)
        assert (diff.code, diff.out) == (0, "")


def test_diff_prints_a_patch_that_git_applies_and_writes_nothing(tmp_path: Path) -> None:
    path = _manifest(tmp_path)
    before = path.read_bytes()
    run = medperf_lint("--offline", "--diff", path.name, cwd=tmp_path)
    assert run.code == 1  # there is something to fix
    assert path.read_bytes() == before
    assert run.out.startswith("--- a/sub.medperf.yaml\n+++ b/sub.medperf.yaml\n")
    removed = [ln for ln in run.out.splitlines() if ln.startswith("-") and not ln.startswith("---")]
    added = [ln for ln in run.out.splitlines() if ln.startswith("+") and not ln.startswith("+++")]
    assert added == [f"+{line}" for line in SAFE_RESULT_LINES]
    assert len(removed) == 2
    assert "would fix 2 value(s) in 1 file(s)" in run.err
    # The preview is exactly what --fix writes: applying it gives the same bytes.
    patch = tmp_path / "fix.patch"
    patch.write_text(run.out)
    subprocess.run(["git", "apply", "--unsafe-paths", str(patch)], cwd=tmp_path, check=True)
    previewed = path.read_bytes()
    path.write_bytes(before)
    medperf_lint("--offline", "--fix", path.name, cwd=tmp_path)
    assert path.read_bytes() == previewed


def test_diff_with_unsafe_fixes_shows_all_four(tmp_path: Path) -> None:
    path = _manifest(tmp_path)
    run = medperf_lint("--offline", "--diff", "--unsafe-fixes", path.name, cwd=tmp_path)
    added = [ln[1:] for ln in run.out.splitlines() if ln.startswith("+") and ln[1:2] != "+"]
    assert sorted(added) == sorted(SAFE_RESULT_LINES + UNSAFE_RESULT_LINES)
    assert run.code == 1


def test_diff_keeps_a_missing_final_newline_visible(tmp_path: Path) -> None:
    path = tmp_path / "x.medperf.yaml"
    path.write_text(f"name: x\nmlcube_hash: {SHA256}\ngit_mlcube_url: syn123")
    run = medperf_lint("--offline", "--diff", path.name, cwd=tmp_path)
    assert run.out.endswith("+git_mlcube_url: synapse:syn123\n\\ No newline at end of file\n")


def test_statistics_counts_per_rule(tmp_path: Path) -> None:
    path = _manifest(tmp_path)
    run = medperf_lint("--offline", "--statistics", path.name, cwd=tmp_path)
    rows = [line.split() for line in run.out.splitlines()[:-1]]
    counts = {row[2]: (int(row[0]), row[1]) for row in rows}
    assert counts["viewer-page-url"] == (2, "MPL103")  # Dropbox and Drive
    assert counts["github-page-url"] == (1, "MPL102")
    assert counts["insecure-http"] == (1, "MPL003")
    assert run.out.splitlines()[0] == "2  MPL103  viewer-page-url  (1 fixable)"  # Drive: unsafe
    assert sum(n for n, _code in counts.values()) == 6
    assert run.out.splitlines()[-1].startswith("3 errors, 3 warnings")
    assert run.code == 1
    unsafe = medperf_lint("--offline", "--statistics", "--unsafe-fixes", path.name, cwd=tmp_path)
    assert "(2 fixable)" in unsafe.out


def test_fix_follows_a_fix_that_reveals_another(tmp_path: Path) -> None:
    """The upper-case prefix is fixed first; only then is the leading zero visible."""
    path = write(
        tmp_path / "sub.medperf.yaml",
        f"""
        name: demo
        additional_files_tarball_url: SYNAPSE:syn051089171
        additional_files_tarball_hash: {SHA256}
        """,
    )
    first = medperf_lint("--offline", "--fix", path.name, cwd=tmp_path)
    assert "additional_files_tarball_url: synapse:syn51089171\n" in path.read_text()
    assert "fixed 2 value(s) in 1 file(s)" in first.err
    assert first.code == 0, first.out
    second = medperf_lint("--offline", "--fix", path.name, cwd=tmp_path)
    assert "fixed 0 value(s) in 0 file(s)" in second.err


@pytest.mark.parametrize(
    ("options", "says"),
    [
        (["--unsafe-fixes"], "--unsafe-fixes changes what --fix, --diff or --statistics do"),
        (["--fix", "--diff"], "--fix and --diff cannot be combined"),
        (["--diff", "--statistics"], "--diff and --statistics cannot be combined"),
        (["--statistics", "--format", "json"], "--statistics prints a table, not --format json"),
        (["--verify-hashes"], "--verify-hashes downloads every hashed file, which --offline"),
    ],
)
def test_an_option_the_run_would_ignore_is_a_usage_error(
    tmp_path: Path, options: list[str], says: str
) -> None:
    """Each of these once ran with one option quietly doing nothing (and could exit 0)."""
    path = write(tmp_path / "m.medperf.yaml", MIXED)
    before = path.read_bytes()
    run = medperf_lint("--offline", *options, path.name, cwd=tmp_path)
    assert run.code == 2 and run.out == ""
    assert run.err.startswith("medperf-lint: error: ") and says in run.err
    assert run.err.count("\n") == 1
    assert path.read_bytes() == before


def test_guard_refuses_verify_hashes_offline_before_running_anything(tmp_path: Path) -> None:
    run = medperf_lint(
        "guard", "--offline", "--verify-hashes", "--", "true", "model", "submit", cwd=tmp_path
    )
    assert run.code == 2
    assert run.err.strip() == (
        "medperf-lint guard: error: --verify-hashes downloads every hashed file, which "
        "--offline forbids; drop one"
    )


def test_diff_says_why_it_exits_2(tmp_path: Path) -> None:
    """An input error under --diff is printed (it was only an exit status)."""
    write(tmp_path / "m.medperf.yaml", "name: m\nparameters_file: gone.yaml\n")
    run = medperf_lint("--offline", "--diff", "m.medperf.yaml", cwd=tmp_path)
    assert run.code == 2 and run.out == ""
    assert run.err.startswith(
        "gone.yaml: error: No such file or directory (named in m.medperf.yaml"
    )
