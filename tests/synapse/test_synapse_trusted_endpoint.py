"""A linted repository's own config cannot send the Synapse token elsewhere (issue #9).

Two fake Synapse servers on 127.0.0.1: the endpoint the user configured (through
``MEDPERF_LINT_SYNAPSE_ENDPOINT``) and the one a pull request's config names.
"""

from __future__ import annotations

from pathlib import Path

import medperf_lint
import pytest
from servers.fake_synapse import FakeSynapse
from synkit import SYNAPSE_RULES, TOKEN, USER, entities


def test_project_config_cannot_choose_the_synapse_endpoint(
    fake: FakeSynapse, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with FakeSynapse(entities=entities()) as attacker:
        monkeypatch.setenv("SYNAPSE_AUTH_TOKEN", TOKEN)
        monkeypatch.setenv("MEDPERF_LINT_SYNAPSE_ENDPOINT", fake.endpoint)
        (tmp_path / ".medperf-lint.toml").write_text(f'synapse-endpoint = "{attacker.endpoint}"\n')
        (tmp_path / "x.medperf.yaml").write_text("additional_file: synapse:syn3000\n")
        report = medperf_lint.lint_paths(
            [tmp_path],
            overrides={
                "select": (*SYNAPSE_RULES, "ignored-setting"),
                "connect_timeout": 1.0,
                "read_timeout": 1.0,
                "allow_private_hosts": True,
            },
        )
        assert attacker.requests == []  # the pull request's endpoint heard nothing
    assert fake.bundle_requests("syn3000")
    assert set(fake.authorizations()) == {f"Bearer {TOKEN}"}
    assert [f.rule for f in report.findings] == ["ignored-setting", "synapse-mutable-version"]
    assert report.network is not None and report.network.synapse_identity == f"as user {USER}"
