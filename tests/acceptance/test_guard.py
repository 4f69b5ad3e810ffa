"""`medperf-lint guard -- medperf … submit …` with a stand-in `medperf` on PATH."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from clikit import SHA256, medperf_lint, write

STAND_IN = """#!/bin/sh
printf '%s\\n' "$@" > "$(dirname "$0")/ran.txt"
echo "medperf stand-in ran"
exit 7
"""
RAW = (
    "https://raw.githubusercontent.com/acme/model/0123456789abcdef0123456789abcdef01234567/w.tar.gz"
)
BLOB_ON_BRANCH = "https://github.com/acme/model/blob/main/w.tar.gz"
DIGEST = "sha256:" + "ab" * 32


@pytest.fixture
def bin_dir(tmp_path: Path) -> Path:
    folder = tmp_path / "bin"
    folder.mkdir()
    script = folder / "medperf"
    script.write_text(STAND_IN)
    script.chmod(0o755)
    return folder


def _env(bin_dir: Path) -> dict[str, str]:
    env = dict(os.environ)
    env["PATH"] = f"{bin_dir}{os.pathsep}{env.get('PATH', '')}"
    env.pop("GITHUB_ACTIONS", None)
    return env


def _guard(bin_dir: Path, cwd: Path, *command: str, options: tuple[str, ...] = ("--offline",)):  # type: ignore[no-untyped-def]
    return medperf_lint("guard", *options, "--", "medperf", *command, cwd=cwd, env=_env(bin_dir))


def _ran(bin_dir: Path) -> list[str] | None:
    marker = bin_dir / "ran.txt"
    return marker.read_text().splitlines() if marker.exists() else None


def test_clean_container_submit_runs_medperf_and_returns_its_status(
    tmp_path: Path, bin_dir: Path
) -> None:
    write(tmp_path / "cc.yaml", f"container_type: DockerImage\nimage: acme/model:1.0@{DIGEST}\n")
    command = (
        "container",
        "submit",
        "-n",
        "m",
        "-m",
        "cc.yaml",
        "-a",
        RAW,
        "--additional-hash",
        SHA256,
        f"--image-hash={DIGEST}",
    )
    run = _guard(bin_dir, tmp_path, *command)
    assert run.code == 7, run.both
    assert "medperf stand-in ran" in run.out
    assert _ran(bin_dir) == list(command)
    assert "0 errors" in run.err


def test_an_error_blocks_the_command(tmp_path: Path, bin_dir: Path) -> None:
    write(tmp_path / "cc.yaml", f"container_type: DockerImage\nimage: acme/model:1.0@{DIGEST}\n")
    run = _guard(
        bin_dir,
        tmp_path,
        "model",
        "submit",
        "-n",
        "m",
        "-m",
        "cc.yaml",
        "-a",
        BLOB_ON_BRANCH,
        "--additional-hash",
        SHA256,
        "--image-hash",
        DIGEST,
    )
    assert run.code == 1
    assert _ran(bin_dir) is None
    assert "github-page-url" in run.err
    assert "not running the command" in run.err
    assert run.out == ""


def test_strict_blocks_on_warnings_too(tmp_path: Path, bin_dir: Path) -> None:
    command = (
        "benchmark",
        "submit",
        "-n",
        "b",
        "-d",
        "demo",
        "-p",
        "1",
        "-m",
        "2",
        "-e",
        "3",
        "--demo-url",
        RAW,
    )  # no --demo-hash: a warning
    assert _guard(bin_dir, tmp_path, *command).code == 7
    (bin_dir / "ran.txt").unlink()
    strict = _guard(bin_dir, tmp_path, *command, options=("--offline", "--strict"))
    assert strict.code == 1
    assert "hash-missing" in strict.err
    assert _ran(bin_dir) is None


def test_benchmark_uids_are_not_references(tmp_path: Path, bin_dir: Path) -> None:
    """In `benchmark submit`, -p and -m are container UIDs, not files."""
    run = _guard(
        bin_dir,
        tmp_path,
        "benchmark",
        "submit",
        "-n",
        "b",
        "-d",
        "x",
        "-p",
        "1",
        "-m",
        "2",
        "-e",
        "3",
        "--demo-url",
        f"direct:{RAW}",
        "--demo-hash",
        SHA256,
        "-u",
        "https://docs.example.org/benchmark",
    )
    assert run.code == 7, run.both
    assert "1 reference" in run.err or "2 references" in run.err


def test_legacy_mlcube_flags(tmp_path: Path, bin_dir: Path) -> None:
    mlcube = "https://raw.githubusercontent.com/acme/cube/main/mlcube/mlcube.yaml"
    run = _guard(
        bin_dir,
        tmp_path,
        "mlcube",
        "submit",
        "--name",
        "c",
        "--mlcube-file",
        mlcube,
        "--mlcube-hash",
        SHA256,
        "-i",
        "https://example.org/image.tar",
    )
    assert run.code == 1
    assert "github-unpinned-ref" in run.err  # the mlcube URL on a branch
    assert "insecure-http" not in run.err
    assert "add --image-hash with" in run.err  # legacy image tarball without its hash
    assert _ran(bin_dir) is None


def test_model_asset_url_and_asset_path(tmp_path: Path, bin_dir: Path) -> None:
    bad = _guard(
        bin_dir,
        tmp_path,
        "model",
        "submit",
        "-n",
        "m",
        "--asset-url",
        "https://drive.google.com/file/d/1AbCdEfGhIjKlMnOp/view?usp=sharing",
    )
    assert bad.code == 1
    assert "viewer-page-url" in bad.err
    write(tmp_path / "weights.bin", "w")
    local = _guard(bin_dir, tmp_path, "model", "submit", "-n", "m", "--asset-path", "weights.bin")
    assert local.code == 7, local.both  # asset_url "local" is not a reference


def test_short_flag_with_glued_value_and_unknown_flags(tmp_path: Path, bin_dir: Path) -> None:
    run = _guard(
        bin_dir,
        tmp_path,
        "container",
        "submit",
        "-nname",
        f"-a{BLOB_ON_BRANCH}",
        "--brand-new-flag",
        "x",
    )
    assert run.code == 1
    assert "github-page-url" in run.err
    lines = run.err.splitlines()
    note = next(i for i, line in enumerate(lines) if "--brand-new-flag is not one" in line)
    summary = next(i for i, line in enumerate(lines) if " in 1 reference" in line)
    assert note < summary  # the notes come first; the summary line ends the report


def test_parameters_file_is_linted_as_a_file(tmp_path: Path, bin_dir: Path) -> None:
    write(tmp_path / "cc.yaml", f"container_type: DockerImage\nimage: acme/model:1.0@{DIGEST}\n")
    write(tmp_path / "parameters.yaml", f"weights: {BLOB_ON_BRANCH}\n")
    run = _guard(
        bin_dir,
        tmp_path,
        "container",
        "submit",
        "-n",
        "m",
        "-m",
        "cc.yaml",
        "-p",
        "parameters.yaml",
        "--image-hash",
        DIGEST,
    )
    assert run.code == 1
    assert "parameters.yaml:1:10: MPL102 github-page-url" in run.err


@pytest.mark.parametrize(
    ("command", "message"),
    [
        (
            ("dataset", "submit", "-n", "x"),
            "expected `medperf <model|container|mlcube|benchmark> submit",
        ),
        (("container", "submit", "-a"), "flag -a needs a value"),
    ],
)
def test_usage_errors_do_not_run_anything(
    tmp_path: Path, bin_dir: Path, command: tuple[str, ...], message: str
) -> None:
    run = _guard(bin_dir, tmp_path, *command)
    assert run.code == 2
    assert message in run.err
    assert _ran(bin_dir) is None


def test_guard_without_a_command(tmp_path: Path, bin_dir: Path) -> None:
    run = medperf_lint("guard", "--offline", cwd=tmp_path, env=_env(bin_dir))
    assert run.code == 2
    assert "usage: medperf-lint guard" in run.err


def test_unreadable_container_config_is_one_line(tmp_path: Path, bin_dir: Path) -> None:
    write(tmp_path / "cc.yaml", "container_type: [unclosed\n")
    run = _guard(bin_dir, tmp_path, "container", "submit", "-n", "m", "-m", "cc.yaml")
    assert run.code == 2
    assert "cannot read the container config" in run.err
    assert "Traceback" not in run.err


def test_missing_medperf_executable(tmp_path: Path) -> None:
    empty = tmp_path / "empty-bin"
    empty.mkdir()
    env = dict(os.environ)
    env["PATH"] = str(empty)
    write(tmp_path / "cc.yaml", f"container_type: DockerImage\nimage: acme/model:1.0@{DIGEST}\n")
    run = medperf_lint(
        "guard",
        "--offline",
        "--",
        str(empty / "medperf"),
        "container",
        "submit",
        "-m",
        "cc.yaml",
        "--image-hash",
        DIGEST,
        cwd=tmp_path,
        env=env,
    )
    assert run.code == 127
    assert "cannot run" in run.err
    assert "Traceback" not in run.err


# -- findings in the user's terms ------------------------------------------------------------

SUBMIT_CC = ("container", "submit", "-n", "m", "-m", "cc.yaml")


def test_a_flag_value_is_shown_with_its_flag(tmp_path: Path, bin_dir: Path) -> None:
    run = _guard(
        bin_dir,
        tmp_path,
        "model",
        "submit",
        "-n",
        "m",
        "-a",
        "http://example.org/w.tar.gz",
        options=("--offline", "--select", "insecure-http"),
    )
    assert run.code == 7, run.both
    lines = run.err.splitlines()
    assert lines[0].startswith(
        "--additional-file 'http://example.org/w.tar.gz': MPL003 insecure-http [warning]"
    )
    assert lines[2] == "0 errors, 1 warning in 1 reference; network checks skipped (--offline)."
    assert "--ref" not in run.err and "0 files" not in run.err


def test_a_container_config_value_is_shown_at_its_position(tmp_path: Path, bin_dir: Path) -> None:
    write(
        tmp_path / "cc.yaml",
        """
        container_type: DockerImage
        image: docker.synapse.org/syn51060790/model:1.0
        tasks:
          infer:
            weights: http://example.org/w.pt
        """,
    )
    selected = ("--offline", "--select", "insecure-http,docker-registry-private")
    run = _guard(bin_dir, tmp_path, *SUBMIT_CC, options=selected)
    assert run.code == 1
    located = [line.split(" [")[0] for line in run.err.splitlines() if " [" in line]
    assert located == [
        "cc.yaml:2:8: MPL304 docker-registry-private",
        "cc.yaml:5:14: MPL003 insecure-http",
    ]
    assert _ran(bin_dir) is None


def test_a_container_config_problem_is_shown_at_its_position(tmp_path: Path, bin_dir: Path) -> None:
    """Without container_type the body was once read as free YAML: nothing checked, green."""
    write(tmp_path / "cc.yaml", "image: acme/model:1.0\n")
    run = _guard(bin_dir, tmp_path, *SUBMIT_CC)
    assert run.code == 1
    assert run.err.splitlines()[0].startswith(
        "cc.yaml:1:1: MPL007 invalid-manifest [error] container_type is missing"
    )
    assert _ran(bin_dir) is None


@pytest.mark.parametrize(
    ("flag", "long"), [("-m", "--container-config-file"), ("-p", "--parameters-file")]
)
def test_a_missing_local_file_says_so(tmp_path: Path, bin_dir: Path, flag: str, long: str) -> None:
    run = _guard(bin_dir, tmp_path, "container", "submit", "-n", "m", flag, "missing.yaml")
    assert run.code == 2
    assert run.err == f"medperf-lint guard: error: {long} missing.yaml: the file does not exist\n"
    assert _ran(bin_dir) is None


def test_guard_help_is_guards_own(tmp_path: Path, bin_dir: Path) -> None:
    run = medperf_lint("guard", "--help", cwd=tmp_path, env=_env(bin_dir))
    assert run.code == 0
    assert run.out.startswith(
        "usage: medperf-lint guard [OPTIONS] -- medperf <model|container|mlcube|benchmark> "
        "submit [FLAGS]\n"
    )
    assert "then run the command only" in " ".join(run.out.split())
    assert "--fix" not in run.out and "--diff" not in run.out  # a lint run's, not guard's
    assert "Exit status: the command's own status" in " ".join(run.out.split())


def test_advice_names_the_flags_not_the_body_fields(tmp_path: Path, bin_dir: Path) -> None:
    """Guard's user typed flags: "add --additional-hash", not the server's field name; a
    field name inside a URL is left as it is."""
    url = "https://example.org/additional_files_tarball_hash/w.tar.gz"
    run = _guard(
        bin_dir,
        tmp_path,
        "model",
        "submit",
        "-n",
        "m",
        "-a",
        url,
        options=("--offline", "--select", "hash-missing"),
    )
    assert run.code == 7, run.both
    line = run.err.splitlines()[0]
    assert line.startswith(f"--additional-file '{url}': MPL201 hash-missing [warning]")
    assert line.endswith("add --additional-hash with the file's SHA-256 (sha256sum FILE)")
    bench = _guard(
        bin_dir,
        tmp_path,
        "benchmark",
        "submit",
        "-n",
        "b",
        "--demo-url",
        "https://example.org/d.tar.gz",
        "--demo-hash",
        "abc",
        options=("--offline", "--select", "hash-format"),
    )
    assert bench.code == 1 and "--demo-hash is 3 hex digits" in bench.err
