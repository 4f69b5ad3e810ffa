"""GitHub and Synapse lookups in one run: the engine gathers both, side by side."""

from __future__ import annotations

from pathlib import Path

from ghkit import C3, api_overrides
from lintkit import lint_yaml
from servers.fake_github import FakeGitHub
from servers.fake_synapse import Entity, FakeSynapse

RAW = "https://raw.githubusercontent.com/mlcommons/medperf"


def test_github_and_synapse_results_in_one_run(tmp_path: Path, github: FakeGitHub) -> None:
    with FakeSynapse(entities={"syn3000": Entity(version=3)}) as synapse:
        report = lint_yaml(
            tmp_path,
            f"""
            git_mlcube_url: {RAW}/main/mlcube.yaml
            mlcube_hash: {"a" * 64}
            additional_files_tarball_url: synapse:syn3000
            additional_files_tarball_hash: {"b" * 64}
            demo_dataset_tarball_url: synapse:syn999
            demo_dataset_tarball_hash: {"c" * 64}
            """,
            select=("github-unpinned-ref", "synapse-not-found", "synapse-mutable-version"),
            online=True,
            synapse_endpoint=synapse.endpoint,
            allow_private_hosts=True,
            connect_timeout=2.0,
            read_timeout=2.0,
            **api_overrides(github),
        )
    found = sorted((f.rule, f.span.line if f.span else 0) for f in report.findings)
    assert found == [
        ("github-unpinned-ref", 1),
        ("synapse-mutable-version", 3),
        ("synapse-not-found", 5),
    ]
    [unpinned] = [f for f in report.findings if f.rule == "github-unpinned-ref"]
    assert unpinned.fix is not None and unpinned.fix.replacement == f"{RAW}/{C3}/mlcube.yaml"
    assert report.network is not None and report.network.synapse_identity is not None
    assert github.paths() == ["/repos/mlcommons/medperf/commits/main"]
