"""The GitHub-only rules' examples, against the local fake GitHub API.

The fake repository is built from the passing example: mlcommons/medperf whose main branch is
the commit that example pins. The failing example's commit is then in no repository.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from examplekit import assert_example_holds, run_example
from ghkit import Tls, api_overrides
from medperf_lint.rule import Need, Rule
from medperf_lint.rules import RULES
from servers.fake_github import FakeGitHub, FakeRepo, linear

GITHUB_RULES = [r for r in RULES if r.needs == frozenset({Need.GITHUB})]
_PINNED = re.compile(r"raw\.githubusercontent\.com/([\w.-]+/[\w.-]+)/([0-9a-f]{40})/")


@pytest.fixture(params=GITHUB_RULES, ids=lambda r: r.name)
def rule_and_github(request: pytest.FixtureRequest, tls: Tls) -> Iterator[tuple[Rule, FakeGitHub]]:
    rule: Rule = request.param
    found = _PINNED.search(rule.example_passing)
    assert found is not None, "the passing example pins a raw.githubusercontent.com URL"
    repo, commit = found.groups()
    fake = FakeRepo(parents=linear(commit), branches={"main": commit})
    with FakeGitHub(tls.server_context, {repo: fake}) as server:
        yield rule, server


@pytest.mark.parametrize("which", ["failing", "passing"])
def test_github_rule_examples(
    tmp_path: Path, rule_and_github: tuple[Rule, FakeGitHub], which: str
) -> None:
    rule, github = rule_and_github
    report = run_example(
        tmp_path,
        rule,
        which,
        online=True,
        select=(rule.code,),
        cache_dir=str(tmp_path / "cache"),
        **api_overrides(github),
    )
    assert_example_holds(report, rule, which)
    assert github.paths(), "the example was checked against the API"
