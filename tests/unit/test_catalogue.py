"""The rule catalogue checks itself: registration, uniqueness, documentation and examples."""

from __future__ import annotations

import pkgutil
import shutil
import types
from collections.abc import Iterable
from pathlib import Path

import medperf_lint.rules
import pytest
from examplekit import assert_example_holds, run_example
from medperf_lint.catalogue import example_name, registry_problems
from medperf_lint.findings import Fix, FixAvailability, Severity
from medperf_lint.rule import Diagnostic, Rule, RuleContractError
from medperf_lint.rules import _MODULES, RULES

OFFLINE = [r for r in RULES if not r.online]


def _on_disk(folders: Iterable[str] = medperf_lint.rules.__path__) -> list[str]:
    return sorted(m.name for m in pkgutil.iter_modules(folders) if not m.name.startswith("_"))


def _registered() -> list[str]:
    return [m.__name__.rsplit(".", 1)[1] for m in _MODULES]


def test_the_registry_is_complete_and_unique() -> None:
    assert registry_problems(_on_disk(), _registered(), RULES) == []


def test_the_registry_check_catches_what_it_should() -> None:
    twin = Rule(
        "MPL003",
        "insecure-http",
        Severity.ERROR,
        "Twin.\n",
        example_failing="a",
        example_passing="b",
    )
    bare = Rule("MPL999", "bare-rule", Severity.ERROR, "Bare.\n\nFix: none.\n\nFails:\n    x\n")
    problems = registry_problems(
        [*_on_disk(), "forgotten"], [*_registered(), "insecure_http"], (*RULES, twin, bare)
    )
    assert problems == [
        "rules/forgotten.py is not registered in rules/__init__.py",
        "insecure_http is registered twice",
        "duplicate code MPL003",
        "duplicate name insecure-http",
        "bare-rule lacks EXAMPLE_FAILING or EXAMPLE_PASSING",
        "bare-rule's documentation repeats Fix, Fails in prose; FIX and the EXAMPLE_* "
        "constants say it, and the catalogue renders them",
    ]


def test_an_unregistered_module_on_disk_is_found(tmp_path: Path) -> None:
    """The check sees a real stray file, not just a name passed to it: in a copy of rules/,
    since the checkout's own is read at the same time by other tests (in parallel: the
    registry test, ruff, mypy, the copies of the checkout that pre-commit installs)."""
    rules = tmp_path / "rules"
    shutil.copytree(
        medperf_lint.rules.__path__[0], rules, ignore=shutil.ignore_patterns("__pycache__")
    )
    assert _on_disk([str(rules)]) == _on_disk()  # the copy reads as the original
    (rules / "zz_stray_rule_for_test.py").write_text('"""A stray."""\n')
    problems = registry_problems(_on_disk([str(rules)]), _registered(), RULES)
    assert problems == ["rules/zz_stray_rule_for_test.py is not registered in rules/__init__.py"]


@pytest.mark.parametrize("rule", RULES, ids=lambda r: r.name)
def test_every_example_names_a_manifest_file(rule: Rule) -> None:
    for text in (rule.example_failing, rule.example_passing):
        assert example_name(text, default="") != "", "start the example with '# FILE-NAME.yaml'"


@pytest.mark.parametrize("which", ["failing", "passing"])
@pytest.mark.parametrize("rule", OFFLINE, ids=lambda r: r.name)
def test_offline_examples(tmp_path: Path, rule: Rule, which: str) -> None:
    report = run_example(tmp_path, rule, which)
    assert_example_holds(report, rule, which)


def test_every_online_rule_has_an_example_runner() -> None:
    """tests/online runs rules needing HTTP, tests/github and tests/synapse the GitHub-only and
    Synapse-only ones, tests/integrity the download-only and registry-only ones, tests/forges
    the forge-only ones; a rule outside
    those groups would have its examples run nowhere."""
    from medperf_lint.rule import Need

    single = (Need.GITHUB, Need.SYNAPSE, Need.DOWNLOAD, Need.REGISTRY, Need.FORGES)
    for rule in RULES:
        assert (
            not rule.needs
            or Need.HTTP in rule.needs
            or rule.needs in tuple(frozenset({need}) for need in single)
        ), rule.name


@pytest.mark.parametrize("declared", list(FixAvailability), ids=lambda f: f.name)
def test_the_engine_holds_every_fix_to_the_rules_fix_availability(
    declared: FixAvailability,
) -> None:
    """A fix of a kind the module's FIX rules out is an internal error, never a finding."""
    from medperf_lint.engine import _finding
    from medperf_lint.input.config import Settings

    rule = Rule("MPL999", "some-rule", Severity.ERROR, "Some rule.\n", fix=declared)
    allowed = {
        FixAvailability.SAFE: {True},
        FixAvailability.UNSAFE: {False},
        FixAvailability.SAFE_OR_UNSAFE: {True, False},
        FixAvailability.NONE: set(),
    }[declared]
    for safe in (True, False):
        diag = Diagnostic("message", fix=Fix("new", "what it does", safe=safe))
        if safe in allowed:
            finding = _finding(rule, diag, "m.yaml", None, "old", Settings())
            assert finding.fix is not None and finding.fix.safe is safe
        else:
            with pytest.raises(RuleContractError, match="some-rule declares FIX"):
                _finding(rule, diag, "m.yaml", None, "old", Settings())


def test_a_rule_module_must_declare_its_fix_availability() -> None:
    module = types.ModuleType("medperf_lint.rules.no_fix", "A rule without FIX.\n")
    module.CODE, module.NAME, module.SEVERITY = "MPL999", "no-fix", Severity.ERROR  # type: ignore[attr-defined]
    with pytest.raises(ValueError, match="FIX is not a FixAvailability"):
        Rule.from_module(module)
    module.FIX = "safe"  # type: ignore[attr-defined]
    with pytest.raises(ValueError, match="FIX is not a FixAvailability"):
        Rule.from_module(module)
    module.FIX = FixAvailability.SAFE  # type: ignore[attr-defined]
    assert Rule.from_module(module).fix is FixAvailability.SAFE
