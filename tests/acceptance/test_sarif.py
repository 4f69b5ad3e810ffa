"""``--format sarif``: SARIF 2.1.0 that GitHub code scanning accepts and that stays stable.

Every SARIF log the suite produces is also validated against the OASIS schema by
tests/outputcheck (see tests/conftest.py); the tests here check what the schema cannot.
"""

from __future__ import annotations

import inspect
import json
import os
import shutil
from pathlib import Path
from typing import Any

import outputcheck
import pytest
from clikit import ROOT, SHA256, medperf_lint, write
from medperf_lint.catalogue import help_uri
from medperf_lint.rules import RULES

OUTPUT_LOG = Path(os.environ["MPL_TESTS_OUTPUT_LOG"])  # set by tests/conftest.py
FIXABLE = f"""
    name: demo
    git_mlcube_url: https://github.com/o/r/blob/99b0d84bc107415d9fc6f69c4ea3fcdfbf22315d/mlcube.yaml
    mlcube_hash: {SHA256}
    additional_files_tarball_url: 'https://www.dropbox.com/scl/fi/x1/w.tar.gz?rlkey=k9&dl=0'
    additional_files_tarball_hash: {SHA256}
    demo_dataset_tarball_url: http://example.org/demo.tar.gz
    demo_dataset_tarball_hash: {SHA256}
"""


def _sarif(tmp_path: Path, *args: str) -> dict[str, Any]:
    run = medperf_lint("--offline", "--format", "sarif", *args, cwd=tmp_path)
    assert run.code in (0, 1, 2), run.err
    log: dict[str, Any] = json.loads(run.out)
    assert outputcheck.problems("sarif", run.out) == []
    return log


@pytest.fixture
def examples(tmp_path: Path) -> Path:
    shutil.copytree(ROOT / "examples", tmp_path / "examples")
    return tmp_path


def test_bad_examples_give_a_valid_log_with_a_region_on_every_result(examples: Path) -> None:
    log = _sarif(examples, "examples/bad")
    assert log["version"] == "2.1.0"
    [run] = log["runs"]
    results = run["results"]
    assert len(results) >= 5
    for result in results:
        [location] = result["locations"]
        region = location["physicalLocation"]["region"]
        assert region["startLine"] >= 1 and region["startColumn"] >= 1
        uri = location["physicalLocation"]["artifactLocation"]["uri"]
        assert uri.startswith("examples/bad/") and (examples / uri).is_file()
        rule = run["tool"]["driver"]["rules"][result["ruleIndex"]]
        assert rule["id"] == result["ruleId"]
    assert run["invocations"][0]["executionSuccessful"] is True


def test_one_reporting_descriptor_per_rule_with_help_uri_and_full_doc(tmp_path: Path) -> None:
    write(tmp_path / "ok.medperf.yaml", "name: x\n")
    driver = _sarif(tmp_path, "ok.medperf.yaml")["runs"][0]["tool"]["driver"]
    assert [d["id"] for d in driver["rules"]] == [r.code for r in RULES]
    for descriptor, rule in zip(driver["rules"], RULES, strict=True):
        assert descriptor["name"] == rule.name
        assert descriptor["helpUri"] == help_uri(rule)
        assert descriptor["helpUri"].endswith(f"docs/rules.md#{rule.name}")
        assert descriptor["fullDescription"]["text"] == inspect.cleandoc(rule.doc)
        assert descriptor["shortDescription"]["text"] == rule.summary
        assert inspect.cleandoc(rule.example_failing) in descriptor["help"]["markdown"]
        assert "Failing example:" in descriptor["help"]["text"]
    docs = (ROOT / "docs" / "rules.md").read_text(encoding="utf-8")
    for rule in RULES:  # GitHub's anchor for "## name" is the name itself
        assert f"\n## {rule.name}\n" in docs


def _fingerprints(log: dict[str, Any]) -> list[tuple[str, str]]:
    return sorted(
        (r["ruleId"], r["partialFingerprints"]["medperfLint/v1"]) for r in log["runs"][0]["results"]
    )


def test_fingerprints_survive_reruns_and_unrelated_edits(tmp_path: Path) -> None:
    path = write(tmp_path / "sub.medperf.yaml", FIXABLE)
    first = _sarif(tmp_path, path.name)
    assert _fingerprints(first) == _fingerprints(_sarif(tmp_path, path.name))
    # Unrelated edits: a comment and a field above, another field below; the values stay.
    text = path.read_text()
    path.write_text(
        "# owner: lab\ndescription: a model\n" + text + "docs_url: https://docs.medperf.org/\n"
    )
    edited = _sarif(tmp_path, path.name)
    assert _fingerprints(edited) == _fingerprints(first)
    lines = {
        r["locations"][0]["physicalLocation"]["region"]["startLine"]
        for r in edited["runs"][0]["results"]
    }
    assert min(lines) > 2  # the findings did move
    # Fingerprints tell findings apart: one per (rule, value).
    assert len(set(_fingerprints(first))) == len(first["runs"][0]["results"])


def test_fixes_are_sarif_fixes_that_reproduce_fix(tmp_path: Path) -> None:
    path = write(tmp_path / "sub.medperf.yaml", FIXABLE)
    log = _sarif(tmp_path, path.name)
    lines = path.read_text().splitlines(keepends=True)
    with_fix = [r for r in log["runs"][0]["results"] if "fixes" in r]
    assert {r["fixes"][0]["properties"]["safe"] for r in with_fix} == {True, False}
    for result in sorted(
        with_fix,
        key=lambda r: (
            -r["fixes"][0]["artifactChanges"][0]["replacements"][0]["deletedRegion"]["startColumn"]
        ),
    ):
        [change] = result["fixes"][0]["artifactChanges"]
        assert change["artifactLocation"]["uri"] == "sub.medperf.yaml"
        [replacement] = change["replacements"]
        region = replacement["deletedRegion"]
        assert region == result["locations"][0]["physicalLocation"]["region"]
        row = region["startLine"] - 1
        text = lines[row]
        start, end = region["startColumn"] - 1, region["endColumn"] - 1
        lines[row] = text[:start] + replacement["insertedContent"]["text"] + text[end:]
    by_sarif = "".join(lines)
    medperf_lint("--offline", "--fix", "--unsafe-fixes", path.name, cwd=tmp_path)
    assert path.read_text() == by_sarif  # quoting kept exactly as --fix keeps it
    assert "'https://www.dropbox.com/scl/fi/x1/w.tar.gz?rlkey=k9&dl=1'" in by_sarif


def test_ref_values_and_unreadable_inputs(tmp_path: Path) -> None:
    run = medperf_lint(
        "--offline", "--format", "sarif", "missing.yaml", "--ref", "syn1", cwd=tmp_path
    )
    assert run.code == 2
    [sarif_run] = json.loads(run.out)["runs"]
    [result] = sarif_run["results"]
    location = result["locations"][0]["physicalLocation"]
    assert (
        sarif_run["artifacts"][location["artifactLocation"]["index"]]["contents"]["text"] == "syn1"
    )
    assert location["region"] == {"startLine": 1, "startColumn": 1, "endColumn": 5}
    [invocation] = sarif_run["invocations"]
    assert invocation["executionSuccessful"] is False
    [note] = invocation["toolExecutionNotifications"]
    assert note["level"] == "error" and "missing.yaml" in json.dumps(note)


def test_the_schema_check_rejects_broken_logs_and_sees_every_process(tmp_path: Path) -> None:
    """The validation hook is live: it rejects bad documents and logs child processes' output."""
    write(tmp_path / "sub.medperf.yaml", FIXABLE)
    before = OUTPUT_LOG.read_text() if OUTPUT_LOG.exists() else ""
    run = medperf_lint("--offline", "--format", "sarif", "sub.medperf.yaml", cwd=tmp_path)
    json_run = medperf_lint("--offline", "--format", "json", "sub.medperf.yaml", cwd=tmp_path)
    new = OUTPUT_LOG.read_text()[len(before) :].splitlines()
    assert [line.split(" ", 1)[1] for line in new] == ["ok sarif", "ok json"]
    broken = json.loads(run.out)
    broken["runs"][0]["results"][0]["level"] = "fatal"
    assert outputcheck.problems("sarif", json.dumps(broken))
    del broken["version"]
    assert any(
        "'version' is a required property" in p
        for p in outputcheck.problems("sarif", json.dumps(broken))
    )
    extra = json.loads(json_run.out)
    extra["findings"][0]["line"] = 0
    assert outputcheck.problems("json", json.dumps(extra))
    extra = json.loads(json_run.out)
    extra["summary"]["undocumented"] = 1
    assert outputcheck.problems("json", json.dumps(extra))


def test_the_schema_check_also_sees_this_process(tmp_path: Path) -> None:
    import io

    import medperf_lint
    from medperf_lint.reporters import render

    path = write(tmp_path / "sub.medperf.yaml", FIXABLE)
    report = medperf_lint.lint_paths([path], online=False)
    before = OUTPUT_LOG.read_text() if OUTPUT_LOG.exists() else ""
    for fmt in ("sarif", "json"):
        render(report, fmt, io.StringIO())
    new = OUTPUT_LOG.read_text()[len(before) :].splitlines()
    assert new == [f"{os.getpid()} ok sarif", f"{os.getpid()} ok json"]
