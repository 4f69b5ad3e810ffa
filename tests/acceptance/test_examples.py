"""The shipped examples do what examples/README.md and the README quick start say."""

from __future__ import annotations

import re
from pathlib import Path

from clikit import ROOT, medperf_lint

EXAMPLES = ROOT / "examples"

# (file under examples/bad, line) -> rules with an error or warning there
BAD: dict[tuple[str, int], set[str]] = {
    ("mlcube/mlcube.yaml", 12): {"docker-image-unpinned"},
    ("mlcube/workspace/parameters.yaml", 5): {"github-page-url"},
    ("mlcube/workspace/parameters.yaml", 7): {"viewer-page-url", "mutable-url"},
    ("container_config.yaml", 2): {"invalid-manifest"},
    ("container_config.yaml", 3): {"unsupported-scheme"},
    ("benchmark.medperf.yaml", 6): {"viewer-page-url", "mutable-url"},
    ("benchmark.medperf.yaml", 8): {"hash-format"},
    ("container.medperf.yaml", 4): {"github-unpinned-ref", "hash-missing"},
    ("container.medperf.yaml", 10): {"expiring-url"},
    ("legacy-container.medperf.yaml", 6): {"invalid-reference"},
    ("legacy-container.medperf.yaml", 9): {"synapse-id-syntax"},
}


def test_quick_start_command_lints_the_examples_and_fails() -> None:
    run = medperf_lint("--offline", "examples/", cwd=ROOT)
    assert run.code == 1
    assert run.out.splitlines()[-1].endswith("from 11 files; network checks skipped (--offline).")
    assert "Traceback" not in run.both


def test_good_examples_have_no_errors_or_warnings(tmp_path: Path) -> None:
    run = medperf_lint("--offline", "--format", "json", EXAMPLES / "good", cwd=tmp_path)
    assert run.code == 0
    data = run.json()
    assert data["summary"]["files"] == 5
    assert data["errors"] == []
    assert [f for f in data["findings"] if f["severity"] != "info"] == []


def test_every_mistake_in_the_bad_examples_is_flagged_where_it_is(tmp_path: Path) -> None:
    run = medperf_lint("--offline", "--format", "json", EXAMPLES / "bad", cwd=tmp_path)
    assert run.code == 1
    found: dict[tuple[str, int], set[str]] = {}
    for f in run.json()["findings"]:
        if f["severity"] == "info":
            continue
        where = (Path(f["path"]).relative_to(EXAMPLES / "bad").as_posix(), f["line"])
        found.setdefault(where, set()).add(f["rule"])
    assert found == BAD


def test_examples_readme_names_the_rules_each_bad_file_shows() -> None:
    text = (EXAMPLES / "README.md").read_text(encoding="utf-8")
    rows = dict(re.findall(r"^\| `([^`]+)` \|.*\| (`[a-z-]+`(?:, `[a-z-]+`)*) \|$", text, re.M))
    expected: dict[str, set[str]] = {}
    for (name, _line), rules in BAD.items():
        expected.setdefault(name, set()).update(rules)
    assert {name: set(re.findall(r"`([a-z-]+)`", cell)) for name, cell in rows.items()} == expected
