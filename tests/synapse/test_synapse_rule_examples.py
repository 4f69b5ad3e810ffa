"""The Synapse rules' examples, with the real synapseclient against the local fake Synapse.

Each runs as the checking user (a valid token), except the two that are about the token:
synapse-auth-missing runs with no credentials, synapse-auth-invalid with a revoked token.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from examplekit import assert_example_holds, run_example
from medperf_lint.rule import Need, Rule
from medperf_lint.rules import RULES
from servers.fake_synapse import FakeSynapse
from synkit import TOKEN, fast

SYNAPSE_RULES = [r for r in RULES if r.needs == frozenset({Need.SYNAPSE})]
TOKENS = {"synapse-auth-missing": None, "synapse-auth-invalid": "revoked-token-0000"}


@pytest.mark.parametrize("which", ["failing", "passing"])
@pytest.mark.parametrize("rule", SYNAPSE_RULES, ids=lambda r: r.name)
def test_synapse_rule_examples(
    tmp_path: Path, fake: FakeSynapse, monkeypatch: pytest.MonkeyPatch, rule: Rule, which: str
) -> None:
    token = TOKENS.get(rule.name, TOKEN)
    if token is not None:
        monkeypatch.setenv("SYNAPSE_AUTH_TOKEN", token)
    report = run_example(tmp_path, rule, which, online=True, **fast(fake, select=(rule.code,)))
    assert_example_holds(report, rule, which)
    if which == "failing" and rule.name != "synapse-auth-invalid":  # that one stops at login
        assert fake.bundle_requests(), "the example was checked against the fake Synapse"
