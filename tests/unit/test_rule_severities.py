"""Every severity a rule can emit is declared (ALSO_EMITS) and shown in the rule table."""

from __future__ import annotations

import inspect
import re

import pytest
import readme_sync
from medperf_lint.findings import Severity
from medperf_lint.rules import RULES, lookup

_OVERRIDE = re.compile(r"severity=Severity\.([A-Z]+)")


@pytest.mark.parametrize("rule", RULES, ids=lambda r: r.name)
def test_every_severity_a_rule_sets_is_declared(rule: object) -> None:
    from medperf_lint.rule import Rule

    assert isinstance(rule, Rule)
    module = inspect.getmodule(rule.check or rule.check_document)
    source = inspect.getsource(module) if module else ""
    emitted = {Severity[name.upper()] for name in _OVERRIDE.findall(source)}
    assert emitted <= set(rule.severities)


def test_docker_image_unpinned_shows_all_three() -> None:
    rule = lookup("docker-image-unpinned")
    assert rule is not None
    assert rule.severity_text == "warning (also error, info)"
    assert "| MPL301 | `docker-image-unpinned` | warning (also error, info) |" in (
        readme_sync.rules_table()
    )


def test_single_severity_rules_show_one() -> None:
    rule = lookup("hash-missing")
    assert rule is not None
    assert rule.severities == (Severity.WARNING,)
    assert rule.severity_text == "warning"
