"""The README must match the code: rule table, --help, config keys, quick start, CI script."""

from __future__ import annotations

import re
from pathlib import Path

import readme_sync
from medperf_lint.input.config import CONFIG_KEYS, TRUSTED_KEYS

ROOT = Path(__file__).resolve().parents[2]
TEXT = (ROOT / "README.md").read_text(encoding="utf-8")
HINT = "run `python tests/readme_sync.py --write`"


def test_rule_table_matches_registry() -> None:
    assert readme_sync.section(TEXT, "rules-table") == readme_sync.rules_table(), HINT


def test_rule_catalogue_doc_matches_registry() -> None:
    assert readme_sync.RULES_DOC.read_text(encoding="utf-8") == readme_sync.rules_doc(), HINT


def test_help_matches_cli() -> None:
    assert readme_sync.section(TEXT, "help") == readme_sync.help_text(), HINT


def test_every_config_key_is_documented_and_no_other() -> None:
    block = TEXT.split("```toml\n[tool.medperf-lint]\n", 1)[1].split("```", 1)[0]
    documented = re.findall(r"^([a-z][a-z-]*) =", block, re.M)
    user = TEXT.split("```toml\n# ~/.config/medperf-lint/config.toml", 1)[1].split("```", 1)[0]
    trusted = re.findall(r"^([a-z][a-z-]*) =", user, re.M)
    assert sorted(documented + trusted) == sorted(CONFIG_KEYS)
    assert sorted(trusted) == sorted(TRUSTED_KEYS)  # the project example shows none of them


def test_quick_start_is_two_commands_and_ci_runs_the_second() -> None:
    quick = TEXT.split("## Quick start", 1)[1].split("##", 1)[0]
    commands = re.findall(r"```sh\n(.*?)\n```", quick, re.S)
    assert commands == [
        "python3 -m venv .venv && . .venv/bin/activate && python -m pip install -q -U pip "
        "&& pip install . && medperf-lint --offline examples/",
        "pip install -e '.[test]' && python -m pytest",
    ]
    assert "Python 3.10 or newer" in quick
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8").strip().splitlines()
    assert ci[-1] == commands[1]
    assert "python -m pip install --quiet --upgrade pip" in ci  # as the first command does


def test_github_actions_example_is_complete() -> None:
    section = TEXT.split("## GitHub Actions", 1)[1]
    block = section.split("Without the action:", 1)[1].split("```yaml\n", 1)[1].split("```", 1)[0]
    import yaml

    workflow = yaml.safe_load(block)
    steps = workflow["jobs"]["lint"]["steps"]
    assert [s.get("uses", s.get("run", "")).split("@")[0] for s in steps[:2]] == [
        "actions/checkout",
        "actions/setup-python",
    ]
    assert (
        'pip install "medperf-lint @ git+https://github.com/mlcommons/medperf-lint@'
        in steps[2]["run"]
    )
    assert steps[3]["run"].startswith("medperf-lint")
    assert set(steps[3]["env"]) == {"GITHUB_TOKEN", "SYNAPSE_AUTH_TOKEN"}


def test_api_section_says_check_submission_is_online_by_default() -> None:
    import inspect

    import medperf_lint

    api = TEXT.split("## The gate before server submission", 1)[1].split("\n## ", 1)[0]
    assert "online by default" in api
    default = inspect.signature(medperf_lint.check_submission).parameters["online"].default
    assert default is True


def test_manifest_examples_lint_clean_offline(tmp_path: Path) -> None:
    import medperf_lint

    blocks = re.findall(r"```yaml\n# (\S+\.medperf\.yaml)\n(.*?)```", TEXT, re.S)
    assert [name for name, _ in blocks] == ["benchmark.medperf.yaml", "container.medperf.yaml"]
    for name, body in blocks:
        (tmp_path / name).write_text(body, encoding="utf-8")
    report = medperf_lint.lint_paths([tmp_path], online=False)
    assert report.input_errors == ()
    assert [(f.path, f.rule) for f in report.findings if f.severity.value != "info"] == []
    assert report.references == 4  # demo URL, docs URL, additional files, image with image_hash
