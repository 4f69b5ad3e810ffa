"""The README must match the code: rule table, --help, config keys, quick start, CI script."""

from __future__ import annotations

import re
from pathlib import Path

import readme_sync
from medperf_lint.config import CONFIG_KEYS

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
    assert sorted(documented) == sorted(CONFIG_KEYS)


def test_quick_start_is_two_commands_and_ci_runs_the_second() -> None:
    quick = TEXT.split("## Quick start", 1)[1].split("##", 1)[0]
    commands = re.findall(r"```sh\n(.*?)\n```", quick, re.S)
    assert commands == [
        "pip install . && medperf-lint --offline examples/",
        "pip install -e '.[test]' && python -m pytest",
    ]
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8").strip().splitlines()
    assert ci[-1] == commands[1]


def test_manifest_examples_lint_clean_offline(tmp_path: Path) -> None:
    import medperf_lint

    blocks = re.findall(r"```yaml\n# (\S+\.medperf\.yaml)\n(.*?)```", TEXT, re.S)
    assert [name for name, _ in blocks] == ["benchmark.medperf.yaml", "container.medperf.yaml"]
    for name, body in blocks:
        (tmp_path / name).write_text(body, encoding="utf-8")
    report = medperf_lint.lint_paths([tmp_path], online=False)
    assert report.input_errors == ()
    assert [(f.path, f.rule) for f in report.findings if f.severity.value != "info"] == []
    assert report.references == 5  # demo URL, docs URL, additional files, image, image_hash
