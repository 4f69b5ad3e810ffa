"""The forge-only rules' examples, against the local fake forges: the passing example's commit
is in fets/model on every forge, the failing example's is in none."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from examplekit import assert_example_holds, run_example
from medperf_lint import Report
from medperf_lint.rule import Need, Rule
from medperf_lint.rules import BY_NAME, RULES
from servers.fake_forges import HOSTS, FakeForges, Project

FORGE_RULES = [r for r in RULES if r.needs == frozenset({Need.FORGES})]
_SHA = re.compile(r"/([0-9a-f]{40})/")


def _run(tmp_path: Path, forges: FakeForges, rule: Rule, which: str) -> Report:
    """Run the example with every forge host pointed at the fake forges' port."""

    def on_fake(text: str) -> str:
        for host in HOSTS:
            text = text.replace(f"https://{host}/", forges.url(host, "/"))
        return text

    return run_example(
        tmp_path,
        rule,
        which,
        online=True,
        transform=on_fake,
        select=(rule.code,),
        cache_dir=str(tmp_path / "cache"),
        resolve=forges.resolve(),
        allow_private_hosts=True,
    )


@pytest.mark.parametrize("which", ["failing", "passing"])
@pytest.mark.parametrize("rule", FORGE_RULES, ids=lambda r: r.name)
def test_forge_rule_examples(tmp_path: Path, forges: FakeForges, rule: Rule, which: str) -> None:
    found = _SHA.search(rule.example_passing)
    assert found is not None, "the passing example pins a commit"
    for host in HOSTS:
        forges.add(host, "fets/model", Project({"main": found.group(1)}))
    report = _run(tmp_path, forges, rule, which)
    assert_example_holds(report, rule, which)
    assert forges.api_calls(), "the example was checked against the API"


def test_forge_unpinned_ref_example_gets_a_fix_per_forge(
    tmp_path: Path, forges: FakeForges
) -> None:
    rule = BY_NAME["forge-unpinned-ref"]
    report = _run(tmp_path, forges, rule, "failing")
    assert_example_holds(report, rule, "failing")
    assert len([f for f in report.findings if f.fix is not None and f.fix.safe]) == 4
    passing = _run(tmp_path, forges, rule, "passing")
    assert_example_holds(passing, rule, "passing")
