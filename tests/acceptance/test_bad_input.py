"""Hostile and broken inputs: one clear line naming the file, exit 2, and the rest still linted."""

from __future__ import annotations

import gzip
from collections.abc import Callable
from pathlib import Path

import pytest
from clikit import Run, medperf_lint, write

GOOD = "good.medperf.yaml"  # linted in the same run; it carries one known finding
GOOD_FINDING = "good.medperf.yaml:1:31: MPL001 invalid-reference [error]"


def _bomb() -> bytes:
    """Billion laughs: ten levels of nine aliases each, about 4·10⁹ nodes when expanded."""
    lines = ['a: &a ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    for level in range(1, 10):
        name, prev = chr(ord("a") + level), chr(ord("a") + level - 1)
        lines.append(f"{name}: &{name} [{', '.join(['*' + prev] * 9)}]")
    return ("\n".join(lines) + "\n").encode()


def _deep_block_mapping(depth: int) -> bytes:
    return "".join(" " * i + "k:\n" for i in range(depth)).encode() + b" " * depth + b"k: v\n"


# (file name, bytes, fragments the error line must contain)
CASES: dict[str, tuple[str, Callable[[], bytes], tuple[str, ...]]] = {
    "empty": ("empty.medperf.yaml", lambda: b"", ("file is empty",)),
    "blank": ("blank.medperf.yaml", lambda: b"\n  \n\t\n", ("file is empty",)),
    "comments only": (
        "comments.medperf.yaml",
        lambda: b"# nothing but a comment\n",
        ("holds no YAML document",),
    ),
    "not utf-8": (
        "latin1.medperf.yaml",
        lambda: "name: café\n".encode("latin-1"),
        ("not UTF-8 text: byte 0xe9 at offset 9",),
    ),
    "binary": (
        "archive.medperf.yaml",
        lambda: gzip.compress(b"weights", mtime=0),
        ("binary file",),
    ),
    "malformed": (
        "malformed.medperf.yaml",
        lambda: b"name: demo\nasset_url: [one, two\nasset_hash: x\n",
        ("invalid YAML at line 3, column 11",),
    ),
    "truncated JSON": (
        "cut.medperf.json",
        lambda: b'{"name": "demo", "docs_url": "https://a',
        ("invalid JSON at line 1, column 30: Unterminated string",),
    ),
    "trailing comma in JSON": (
        "comma.medperf.json",
        lambda: b'{"name": "demo", "docs_url": "https://docs.medperf.org/",}\n',
        ("invalid JSON at line 1, column 58: Expecting property name",),
    ),
    "tab indent": (
        "tabs.medperf.yaml",
        lambda: b"container_config:\n\timage: x\n",
        ("invalid YAML at line 2, column 1",),
    ),
    "alias bomb": (
        "bomb.medperf.yaml",
        _bomb,
        ("YAML aliases at line 6 expand to more than 100,000 nodes",),
    ),
    "recursive alias": (
        "loop.medperf.yaml",
        lambda: b"name: demo\nparameters_config: &p {again: *p}\n",
        ("recursive YAML alias at line 2",),
    ),
    "50 MB": (
        "huge.medperf.yaml",
        lambda: b"name: '" + b"a" * (50 * 1024 * 1024) + b"'\n",
        ("larger than 10 MiB",),
    ),
    "10,000 deep flow": (
        "flow.medperf.yaml",
        lambda: b"x: " + b"[" * 10_000 + b"]" * 10_000 + b"\n",
        ("invalid YAML at line 1", "nesting"),
    ),
    "10,000 deep block sequence": (
        "blockseq.medperf.yaml",
        lambda: b"- " * 10_000 + b"x\n",
        ("invalid YAML at line 1", "nesting"),
    ),
    "deep block mapping": (
        "blockmap.medperf.yaml",
        lambda: _deep_block_mapping(3_000),
        ("invalid YAML at line", "nesting"),
    ),
    "duplicate top-level key": (
        "dup.medperf.yaml",
        lambda: b"name: a\nasset_url: https://example.org/a.tar.gz\nname: b\n",
        ("duplicate key 'name' at line 3 (first defined at line 1)",),
    ),
    "duplicate nested key": (
        "container_config.yaml",
        lambda: (
            b"container_type: DockerArchive\nimage: https://example.org/i.tar\n"
            b"tasks:\n  infer:\n    input_volumes: {}\n    input_volumes: {}\n"
        ),
        ("duplicate key 'input_volumes' at line 6 (first defined at line 5)",),
    ),
}


@pytest.fixture
def good(tmp_path: Path) -> Path:
    return write(tmp_path / GOOD, "additional_files_tarball_url: syn51089171\n")


def _assert_one_clear_line(run: Run, name: str, fragments: tuple[str, ...]) -> None:
    assert run.code == 2, run.both
    assert "Traceback" not in run.both
    mentions = [line for line in run.both.splitlines() if name in line]
    assert len(mentions) == 1, run.both
    assert mentions[0].startswith(f"{name}: error: ")
    for fragment in fragments:
        assert fragment in mentions[0]
    assert GOOD_FINDING in run.out  # the good file was still linted and reported
    assert "1 input could not be read" in run.out.splitlines()[-1]


@pytest.mark.parametrize("case", list(CASES))
@pytest.mark.usefixtures("good")
def test_bad_file_gives_one_line_and_the_good_file_is_still_linted(
    tmp_path: Path, case: str
) -> None:
    name, make, fragments = CASES[case]
    (tmp_path / name).write_bytes(make())
    run = medperf_lint("--offline", "--select", "invalid-reference", name, GOOD, cwd=tmp_path)
    _assert_one_clear_line(run, name, fragments)


@pytest.mark.usefixtures("good")
def test_missing_path(tmp_path: Path) -> None:
    run = medperf_lint("--offline", "--select", "MPL001", "nope.medperf.yaml", GOOD, cwd=tmp_path)
    _assert_one_clear_line(run, "nope.medperf.yaml", ("No such file or directory",))


@pytest.mark.usefixtures("good")
def test_folder_without_manifests(tmp_path: Path) -> None:
    # e.g. a folder named like a manifest, or one whose config has a non-standard name
    write(tmp_path / "container_config.yaml" / "config.yaml", "image: x\n")
    run = medperf_lint(
        "--offline", "--select", "MPL001", "container_config.yaml", GOOD, cwd=tmp_path
    )
    _assert_one_clear_line(run, "container_config.yaml", ("folder holds no MedPerf manifest",))


@pytest.mark.usefixtures("good")
def test_device_that_never_ends_is_never_read(tmp_path: Path) -> None:
    zero = Path("/dev/zero")
    if not zero.exists():
        pytest.skip("no /dev/zero here")
    run = medperf_lint("--offline", "--select", "MPL001", zero, GOOD, cwd=tmp_path)
    _assert_one_clear_line(run, "/dev/zero", ("is a device, not a regular file",))


@pytest.mark.usefixtures("good")
def test_input_errors_in_json_and_github_formats(tmp_path: Path) -> None:
    (tmp_path / "empty.medperf.yaml").write_bytes(b"")
    args = ("--offline", "--select", "MPL001", "empty.medperf.yaml", GOOD)
    as_json = medperf_lint(*args, "--format", "json", cwd=tmp_path)
    assert as_json.code == 2
    data = as_json.json()
    assert data["errors"] == [{"path": "empty.medperf.yaml", "message": "file is empty"}]
    assert [(f["path"], f["line"]) for f in data["findings"]] == [(GOOD, 1)]
    assert data["summary"]["input_errors"] == 1
    github = medperf_lint(*args, "--format", "github", cwd=tmp_path)
    assert github.code == 2
    assert github.out.splitlines()[0] == (
        "::error file=empty.medperf.yaml,title=medperf-lint input error::file is empty"
    )
    assert github.out.splitlines()[1].startswith(f"::error file={GOOD},line=1,col=31,")


@pytest.mark.parametrize(
    ("text", "clean"),
    [
        ("weights: {url: https://e.org/w.tar.gz?download=1}\n", False),
        ("urls: [https://e.org/a.tar.gz?x=1]\n", False),
        ('weights: {url: "https://e.org/w.tar.gz?download=1"}\n', True),
        ("weights: https://e.org/w.tar.gz?download=1\nlist: [a, b]\n", True),
    ],
)
def test_yaml_that_libyaml_reads_but_pyyaml_refuses_is_refused(
    tmp_path: Path, text: str, clean: bool
) -> None:
    """MedPerf reads YAML with PyYAML's pure-Python yaml.safe_load; libyaml, which the linter
    reads with, accepts a '?' in a plain scalar inside a flow collection, PyYAML does not."""
    import yaml

    write(tmp_path / "parameters.yaml", text)
    try:
        yaml.safe_load(text)
        pyyaml_reads = True
    except yaml.YAMLError:
        pyyaml_reads = False
    assert pyyaml_reads is clean  # the premise, checked against the real PyYAML
    run = medperf_lint("--offline", "parameters.yaml", cwd=tmp_path)
    if clean:
        assert run.code in (0, 1) and "invalid YAML" not in run.out
    else:
        assert run.code == 2
        assert "MedPerf's yaml.safe_load refuses this" in run.out


def test_the_pyyaml_check_is_only_for_files_medperf_reads(tmp_path: Path) -> None:
    """A compose file found by the folder walk is left alone, and a .json manifest is JSON
    (json.load reads it, tabs and all): neither is refused for what only PyYAML refuses."""
    write(
        tmp_path / "compose-parameters.yaml",
        "services:\n  app:\n    image: x\n    healthcheck:\n"
        "      test: [CMD, curl, -f, http://localhost:8080/health?full=1]\n",
    )
    write(tmp_path / "t.medperf.json", '{\n\t"docs_url": "https://docs.medperf.org/?x=1"\n}\n')
    run = medperf_lint("--offline", ".", cwd=tmp_path)
    assert run.code == 0, run.both
    assert "invalid" not in run.both
