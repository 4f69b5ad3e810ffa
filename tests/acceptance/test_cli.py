"""The command line as users and CI see it: subcommands, formats, exit codes, inputs."""

from __future__ import annotations

import inspect
import os
import re
from pathlib import Path

import pytest
from clikit import SHA256, medperf_lint, write
from medperf_lint import __version__
from medperf_lint.rules import RULES

ONLY = ("--offline", "--select", "invalid-reference")  # exact output, whatever else is registered
MEDPERF_SAYS = (
    'MedPerf rejects this: "Invalid resource input: syn51089171. A Resource must be a url or '
    "in the following format: '<source_prefix>:<resource_identifier>'.\""
)
BAD_SUBMISSION = f"""
    name: demo
    additional_files_tarball_url: syn51089171
    additional_files_tarball_hash: {SHA256}
"""
CLEAN_SUBMISSION = f"""
    name: demo
    additional_files_tarball_url: synapse:syn51089171
    additional_files_tarball_hash: {SHA256}
"""


@pytest.fixture
def bad(tmp_path: Path) -> Path:
    """A submission with one invalid-reference error at 2:31 (a bare Synapse ID)."""
    return write(tmp_path / "sub.medperf.yaml", BAD_SUBMISSION)


@pytest.fixture
def as_warning(tmp_path: Path) -> Path:
    """A config that turns invalid-reference into a warning."""
    return write(
        tmp_path / "cfg" / "warn.toml",
        """
        [severity]
        invalid-reference = "warning"
        """,
    )


# -- subcommands ------------------------------------------------------------------------------


def test_version(tmp_path: Path) -> None:
    run = medperf_lint("--version", cwd=tmp_path)
    assert (run.code, run.out.strip()) == (0, f"medperf-lint {__version__}")


def test_rules_lists_every_registered_rule_in_code_order_with_aligned_columns(
    tmp_path: Path,
) -> None:
    run = medperf_lint("rules", cwd=tmp_path)
    assert run.code == 0
    lines = run.out.splitlines()
    listed = [tuple(line.split()[:4]) for line in lines]
    by_code = sorted(RULES, key=lambda r: int(r.code.removeprefix("MPL")))
    expected = [
        (
            r.code,
            r.name,
            ",".join(s.value for s in r.severities),
            "online" if r.online else "offline",
        )
        for r in by_code
    ]
    assert listed == expected
    # Every column starts at the same offset on every line, the widest cell included.
    for column in range(1, 5):
        starts = {_column_start(line, column) for line in lines}
        assert len(starts) == 1, f"column {column} starts at {sorted(starts)}"
    assert [line[_column_start(line, 4) :] for line in lines] == [r.summary for r in by_code]


def _column_start(line: str, column: int) -> int:
    """Where the column-th cell (0-based) of a line of cells separated by 2+ spaces begins."""
    return [m.end() for m in re.finditer(r"(?:^|  +)(?=\S)", line)][column]


@pytest.mark.parametrize("key", ["name", "code"])
@pytest.mark.parametrize("rule", RULES, ids=lambda r: r.name)
def test_rule_prints_its_docstring(tmp_path: Path, rule: object, key: str) -> None:
    from medperf_lint.rule import Rule

    assert isinstance(rule, Rule)
    arg = rule.name if key == "name" else rule.code
    run = medperf_lint("rule", arg, cwd=tmp_path)
    assert run.code == 0
    assert run.out.splitlines()[0] == f"{rule.code} {rule.name}"
    assert f"Default severity: {rule.severity.value}" in run.out
    assert inspect.cleandoc(rule.doc) in run.out
    assert f"\nFix: {rule.fix.value}\n" in run.out
    failing = run.out.index("Failing example:")
    passing = run.out.index("Passing example:")
    assert failing < passing
    for text, start in ((rule.example_failing, failing), (rule.example_passing, passing)):
        body = "\n".join(("    " + line).rstrip() for line in inspect.cleandoc(text).splitlines())
        assert run.out.index(body, start) > start


def test_rule_code_is_case_insensitive(tmp_path: Path) -> None:
    run = medperf_lint("rule", "mpl001", cwd=tmp_path)
    assert (run.code, run.out.splitlines()[0]) == (0, "MPL001 invalid-reference")


def test_unknown_rule_is_a_one_line_usage_error(tmp_path: Path) -> None:
    run = medperf_lint("rule", "no-such-rule", cwd=tmp_path)
    assert run.code == 2
    assert run.out == ""
    assert run.err.count("\n") == 1
    assert "unknown rule 'no-such-rule'" in run.err


def test_no_arguments_lints_the_working_directory(tmp_path: Path) -> None:
    """A bare ``medperf-lint`` lints ``.``, as ``ruff check`` does."""
    write(tmp_path / "sub.medperf.yaml", BAD_SUBMISSION)
    run = medperf_lint(*ONLY, cwd=tmp_path)
    assert run.code == 1
    assert run.out.startswith("sub.medperf.yaml:2:31: MPL001 invalid-reference [error]")


def test_no_arguments_in_a_folder_without_manifests_is_not_green(tmp_path: Path) -> None:
    run = medperf_lint(cwd=tmp_path)
    assert run.code == 2
    assert ".: error: folder holds no MedPerf manifest" in run.out


def test_unknown_option_is_a_usage_error(tmp_path: Path, bad: Path) -> None:
    run = medperf_lint("--no-such-option", bad, cwd=tmp_path)
    assert run.code == 2
    assert "unrecognized arguments: --no-such-option" in run.err
    assert "Traceback" not in run.both


# -- output formats ---------------------------------------------------------------------------


@pytest.mark.usefixtures("bad")
def test_text_format_line_fix_and_summary(tmp_path: Path) -> None:
    run = medperf_lint(*ONLY, "sub.medperf.yaml", cwd=tmp_path)
    assert run.code == 1
    assert run.out.splitlines() == [
        "sub.medperf.yaml:2:31: MPL001 invalid-reference [error] "
        f"a Synapse ID needs the synapse: prefix; {MEDPERF_SAYS}",
        "    fix: add the synapse: prefix: synapse:syn51089171",
        "1 error, 0 warnings in 1 reference from 1 file; network checks skipped (--offline).",
    ]
    assert run.err == ""


def test_text_format_for_a_bare_ref(tmp_path: Path) -> None:
    run = medperf_lint(*ONLY, "--ref", "syn51089171", cwd=tmp_path)
    assert run.code == 1
    assert run.out.splitlines()[0] == (
        "--ref 'syn51089171': MPL001 invalid-reference [error] "
        f"a Synapse ID needs the synapse: prefix; {MEDPERF_SAYS}"
    )


FINDING_KEYS = [
    "path",
    "line",
    "column",
    "end_line",
    "end_column",
    "code",
    "rule",
    "severity",
    "message",
    "reference",
    "fix",
]


@pytest.mark.usefixtures("bad")
def test_json_format_is_the_documented_contract(tmp_path: Path) -> None:
    run = medperf_lint(
        *ONLY, "--format", "json", "sub.medperf.yaml", "missing.yaml", "--ref", "syn1", cwd=tmp_path
    )
    assert run.code == 2  # missing.yaml cannot be read
    data = run.json()
    assert list(data) == ["version", "findings", "errors", "urls", "synapse", "summary"]
    assert data["version"] == 1
    assert data["urls"] == [] and data["synapse"] == []  # offline: nothing probed
    by_path = {f["path"]: f for f in data["findings"]}
    assert set(by_path) == {None, "sub.medperf.yaml"}
    for finding in data["findings"]:
        assert list(finding) == FINDING_KEYS
    assert by_path["sub.medperf.yaml"] == {
        "path": "sub.medperf.yaml",
        "line": 2,
        "column": 31,
        "end_line": 2,
        "end_column": 42,
        "code": "MPL001",
        "rule": "invalid-reference",
        "severity": "error",
        "message": f"a Synapse ID needs the synapse: prefix; {MEDPERF_SAYS}",
        "reference": "syn51089171",
        "fix": {
            "replacement": "synapse:syn51089171",
            "description": "add the synapse: prefix",
            "safe": True,
            "adds": None,
        },
    }
    ref = by_path[None]
    assert (ref["line"], ref["column"], ref["reference"]) == (None, None, "syn1")
    assert data["errors"] == [{"path": "missing.yaml", "message": "No such file or directory"}]
    assert data["summary"] == {
        "files": 1,
        "references": 2,
        "errors": 2,
        "warnings": 0,
        "infos": 0,
        "input_errors": 1,
        "online": False,
        "network_checks_skipped": True,
        "skipped_rules": [],  # only invalid-reference was selected, and it runs offline
    }


@pytest.mark.usefixtures("bad")
def test_github_format_annotations(tmp_path: Path) -> None:
    run = medperf_lint(*ONLY, "--format", "github", "sub.medperf.yaml", cwd=tmp_path)
    assert run.code == 1
    first, summary = run.out.splitlines()
    assert first.startswith(
        "::error file=sub.medperf.yaml,line=2,col=31,endLine=2,endColumn=42,"
        "title=MPL001 invalid-reference::a Synapse ID needs the synapse: prefix;"
    )
    assert first.endswith("%0Afix: add the synapse: prefix: synapse:syn51089171")
    assert summary.startswith("1 error, 0 warnings")


@pytest.mark.usefixtures("bad")
def test_github_actions_environment_makes_github_the_default(tmp_path: Path) -> None:
    env = {**os.environ, "GITHUB_ACTIONS": "true"}
    run = medperf_lint(*ONLY, "sub.medperf.yaml", cwd=tmp_path, env=env)
    assert run.code == 1
    assert run.out.startswith("::error file=sub.medperf.yaml,line=2,col=31,")
    explicit = medperf_lint(*ONLY, "--format", "text", "sub.medperf.yaml", cwd=tmp_path, env=env)
    assert explicit.out.startswith("sub.medperf.yaml:2:31: MPL001")


@pytest.mark.usefixtures("bad")
def test_offline_summary_says_network_checks_were_skipped(tmp_path: Path) -> None:
    text = medperf_lint("--offline", "sub.medperf.yaml", cwd=tmp_path)
    assert "network checks skipped (--offline)" in text.out.splitlines()[-1]
    data = medperf_lint("--offline", "--format", "json", "sub.medperf.yaml", cwd=tmp_path).json()
    assert data["summary"]["online"] is False
    assert data["summary"]["network_checks_skipped"] is True
    assert data["summary"]["skipped_rules"] == sorted(r.name for r in RULES if r.online)


# -- exit codes, strictness, quiet ------------------------------------------------------------


def test_exit_0_when_clean(tmp_path: Path) -> None:
    write(tmp_path / "sub.medperf.yaml", CLEAN_SUBMISSION)
    run = medperf_lint(*ONLY, "sub.medperf.yaml", cwd=tmp_path)
    assert (run.code, run.out.splitlines()[-1]) == (
        0,
        "0 errors, 0 warnings in 1 reference from 1 file; network checks skipped (--offline).",
    )


@pytest.mark.usefixtures("bad")
def test_warnings_exit_0_unless_strict(tmp_path: Path, as_warning: Path) -> None:
    lenient = medperf_lint(*ONLY, "--config", as_warning, "sub.medperf.yaml", cwd=tmp_path)
    assert lenient.code == 0
    assert "sub.medperf.yaml:2:31: MPL001 invalid-reference [warning]" in lenient.out
    strict = medperf_lint(
        *ONLY, "--config", as_warning, "--strict", "sub.medperf.yaml", cwd=tmp_path
    )
    assert strict.code == 1


@pytest.mark.usefixtures("bad")
def test_quiet_hides_warnings_and_the_clean_summary(tmp_path: Path, as_warning: Path) -> None:
    run = medperf_lint(*ONLY, "--config", as_warning, "--quiet", "sub.medperf.yaml", cwd=tmp_path)
    assert (run.code, run.out) == (0, "")


@pytest.mark.usefixtures("bad")
def test_quiet_still_prints_errors(tmp_path: Path) -> None:
    run = medperf_lint(*ONLY, "-q", "sub.medperf.yaml", cwd=tmp_path)
    assert run.code == 1
    assert run.out.startswith("sub.medperf.yaml:2:31: MPL001 invalid-reference [error]")
    assert run.out.splitlines()[-1].startswith("1 error, 0 warnings")


# -- rule selection and config ----------------------------------------------------------------


@pytest.mark.parametrize("selector", ["invalid-reference", "MPL001", "mpl001", "MPL00"])
@pytest.mark.usefixtures("bad")
def test_select_by_name_code_or_prefix(tmp_path: Path, selector: str) -> None:
    run = medperf_lint(
        "--offline", "--select", selector, "--format", "json", "sub.medperf.yaml", cwd=tmp_path
    )
    rules = [(f["rule"], f["line"], f["column"]) for f in run.json()["findings"]]
    assert ("invalid-reference", 2, 31) in rules
    assert all(r == "invalid-reference" or r.startswith("MPL00") for r, _l, _c in rules)


@pytest.mark.parametrize("selector", ["invalid-reference", "MPL001"])
@pytest.mark.usefixtures("bad")
def test_ignore_by_name_or_code(tmp_path: Path, selector: str) -> None:
    run = medperf_lint(
        "--offline", "--ignore", selector, "--format", "json", "sub.medperf.yaml", cwd=tmp_path
    )
    assert "MPL001" not in {f["code"] for f in run.json()["findings"]}


@pytest.mark.usefixtures("bad")
def test_config_file_option(tmp_path: Path) -> None:
    config = write(tmp_path / "elsewhere" / "lint.toml", 'ignore = ["invalid-reference"]\n')
    selected = ("--offline", "--select", "invalid-reference,url-too-long")  # one is left to run
    run = medperf_lint(*selected, "--config", config, "sub.medperf.yaml", cwd=tmp_path)
    assert run.code == 0
    assert "MPL001" not in run.out


def test_nearest_config_file_applies_without_the_option(tmp_path: Path) -> None:
    write(tmp_path / "proj" / ".medperf-lint.toml", 'ignore = ["MPL001"]\n')
    write(tmp_path / "proj" / "sub.medperf.yaml", BAD_SUBMISSION)
    write(tmp_path / "other" / "sub.medperf.yaml", BAD_SUBMISSION)
    run = medperf_lint(*ONLY, "--format", "json", "proj", "other", cwd=tmp_path)
    assert [(f["path"], f["line"]) for f in run.json()["findings"]] == [
        ("other/sub.medperf.yaml", 2)
    ]


@pytest.mark.usefixtures("bad")
def test_unknown_config_key_is_a_usage_error_naming_the_key(tmp_path: Path) -> None:
    config = write(tmp_path / "lint.toml", "selct = ['MPL001']\n")
    run = medperf_lint("--offline", "--config", config, "sub.medperf.yaml", cwd=tmp_path)
    assert run.code == 2
    assert run.out == ""
    assert run.err.count("\n") == 1
    assert "unknown key 'selct'" in run.err
    assert str(config) in run.err


# -- which files get linted, and as what ------------------------------------------------------

DIRECT_BAD = "direct:syn4444"  # invalid-reference flags a broken direct: anywhere


def test_folder_walk_picks_manifest_names_only(tmp_path: Path) -> None:
    tree = tmp_path / "tree"
    free = f"weights: {DIRECT_BAD}\n"
    picked = {
        "m/mlcube.yaml": f"docker:\n  image: example/model:1.0\nweights: {DIRECT_BAD}\n",
        "container_config.yaml": f"container_type: DockerArchive\nimage: {DIRECT_BAD}\n",
        "container_config_gpu.yaml": f"container_type: DockerArchive\nimage: {DIRECT_BAD}\n",
        "samples/brats_mlcube.yaml": f"docker:\n  image: example/model:1.0\nweights: {DIRECT_BAD}\n",
        "parameters.yaml": free,
        "a.medperf.yaml": f"asset_url: {DIRECT_BAD}\n",
        "b.medperf.yml": f"asset_url: {DIRECT_BAD}\n",
        "c.medperf.json": f'{{"asset_url": "{DIRECT_BAD}"}}\n',
    }
    skipped = {
        "other.yaml": free,
        "notes.yml": free,
        "values.json": f'{{"weights": "{DIRECT_BAD}"}}\n',
        ".git/container_config.yaml": free,
        "node_modules/pkg/parameters.yaml": free,
    }
    for name, text in {**picked, **skipped}.items():
        write(tree / name, text)
    run = medperf_lint(*ONLY, "--format", "json", "tree", cwd=tmp_path)
    assert run.code == 1
    flagged = sorted({f["path"] for f in run.json()["findings"]})
    assert flagged == sorted(f"tree/{name}" for name in picked)
    assert run.json()["summary"]["files"] == len(picked)


def test_a_file_named_explicitly_is_linted_whatever_its_name(tmp_path: Path) -> None:
    write(tmp_path / "notes.txt", f"weights: {DIRECT_BAD}\n")
    run = medperf_lint(*ONLY, "--format", "json", "notes.txt", cwd=tmp_path)
    assert [(f["path"], f["line"], f["column"]) for f in run.json()["findings"]] == [
        ("notes.txt", 1, 10)
    ]


def test_workspace_parameters_beside_an_mlcube_are_linted_too(tmp_path: Path) -> None:
    write(tmp_path / "cube" / "mlcube.yaml", "docker:\n  image: example/model:1.0\n")
    write(tmp_path / "cube" / "workspace" / "parameters.yaml", f"weights: {DIRECT_BAD}\n")
    run = medperf_lint(*ONLY, "--format", "json", "cube/mlcube.yaml", cwd=tmp_path)
    assert run.code == 1
    assert run.json()["summary"]["files"] == 2
    assert [(f["path"], f["line"], f["column"]) for f in run.json()["findings"]] == [
        ("cube/workspace/parameters.yaml", 1, 10)
    ]


def test_container_config_is_recognised_by_content_not_name(tmp_path: Path) -> None:
    # As free-form YAML a bare "syn…" string is not a reference; as a container config's
    # image it is a resource MedPerf rejects.
    write(tmp_path / "foo.yaml", "container_type: DockerArchive\nimage: syn51089171\n")
    write(tmp_path / "bar.yaml", "kind: notes\nimage: syn51089171\n")
    run = medperf_lint(*ONLY, "--format", "json", "foo.yaml", "bar.yaml", cwd=tmp_path)
    assert [(f["path"], f["line"], f["column"]) for f in run.json()["findings"]] == [
        ("foo.yaml", 2, 8)
    ]


def test_submission_is_recognised_by_content_not_name(tmp_path: Path) -> None:
    write(tmp_path / "body.yaml", BAD_SUBMISSION)
    run = medperf_lint(*ONLY, "--format", "json", "body.yaml", cwd=tmp_path)
    assert [(f["path"], f["line"], f["column"]) for f in run.json()["findings"]] == [
        ("body.yaml", 2, 31)
    ]


def test_json_submission_manifest_has_positions(tmp_path: Path) -> None:
    write(
        tmp_path / "model.medperf.json",
        f"""
        {{
          "name": "demo",
          "additional_files_tarball_url": "syn51089171",
          "additional_files_tarball_hash": "{SHA256}"
        }}
        """,
    )
    run = medperf_lint(*ONLY, "--format", "json", "model.medperf.json", cwd=tmp_path)
    assert run.code == 1
    [finding] = run.json()["findings"]
    assert (finding["path"], finding["line"], finding["column"], finding["end_column"]) == (
        "model.medperf.json",
        3,
        35,  # the opening quote
        48,
    )
    assert finding["reference"] == "syn51089171"


@pytest.mark.parametrize(
    ("selection", "said"),
    [
        (("--select", "hash-missing", "--ignore", "hash-missing"), "no rule is selected"),
        (("--select", "github-commit-not-found"), "every selected rule needs the network"),
        (("--select", "MPL5"), "every selected rule needs the network"),
    ],
)
def test_a_selection_that_leaves_nothing_to_run_is_no_clean_pass(
    tmp_path: Path, selection: tuple[str, ...], said: str
) -> None:
    write(tmp_path / "a.medperf.yaml", f"asset_url: https://e.org/w.tar.gz\nasset_hash: {SHA256}\n")
    run = medperf_lint("--offline", *selection, "a.medperf.yaml", cwd=tmp_path)
    assert run.code == 2
    first, *_, summary = run.out.splitlines()
    assert first.startswith(f"medperf-lint: error: {said}")
    assert "1 error in the settings" in summary


def test_a_selection_with_one_offline_rule_runs_it(tmp_path: Path) -> None:
    write(tmp_path / "a.medperf.yaml", "asset_url: https://e.org/w.tar.gz\n")
    run = medperf_lint(
        "--offline", "--select", "github-commit-not-found,hash-missing", "a.medperf.yaml",
        cwd=tmp_path,
    )  # fmt: skip
    assert run.code == 0 and "1 warning" in (run.out + run.err)


@pytest.mark.parametrize(
    ("table", "read"),
    [
        ("[tool.medperf-lint]", True),
        ('[tool."medperf-lint"]', True),  # the same table, its key quoted
        ("[tool.medperf_lint]", False),
        ("[tool.MedPerf-Lint]", False),
    ],
)
def test_a_misspelt_pyproject_table_is_refused_not_ignored(
    tmp_path: Path, table: str, read: bool
) -> None:
    write(tmp_path / "pyproject.toml", f'{table}\nseverity = {{"hash-missing" = "error"}}\n')
    write(tmp_path / "a.medperf.yaml", "asset_url: https://e.org/w.tar.gz\n")
    run = medperf_lint("--offline", "a.medperf.yaml", cwd=tmp_path)
    if read:
        assert run.code == 1 and "MPL201 hash-missing [error]" in run.out
    else:
        assert run.code == 2
        assert f"{table} is not read: the table is [tool.medperf-lint]" in run.err
