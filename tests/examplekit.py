"""Run a rule's EXAMPLE_FAILING / EXAMPLE_PASSING the way a user would: a file, then lint it."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import medperf_lint
from medperf_lint import Report
from medperf_lint.catalogue import example, example_name
from medperf_lint.rule import Rule


def run_example(
    tmp_path: Path,
    rule: Rule,
    which: str,
    *,
    online: bool = False,
    transform: Callable[[str], str] = lambda text: text,
    **overrides: Any,
) -> Report:
    """Write the example (its first-line comment names the file) and lint it."""
    text = rule.example_failing if which == "failing" else rule.example_passing
    folder = tmp_path / which
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / example_name(text)
    path.write_text(transform(example(text)) + "\n", encoding="utf-8")
    config = rule.example_config
    if which == "passing" and rule.example_config_passing:
        config = rule.example_config_passing
    if config:
        (folder / ".medperf-lint.toml").write_text(example(config) + "\n")
    return medperf_lint.lint_paths([path], online=online, overrides=overrides)


def assert_example_holds(report: Report, rule: Rule, which: str) -> None:
    """Failing: the rule is reported. Passing: it is not."""
    assert report.input_errors == (), report.input_errors
    own = [f for f in report.findings if f.rule == rule.name]
    if which == "passing":
        assert own == [], [f.message for f in own]
        return
    assert own, f"{rule.name}'s failing example is not reported: {report.findings}"
    # The engine raises RuleContractError for a fix of a kind the rule's FIX rules out.
