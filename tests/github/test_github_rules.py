"""End to end: manifests and bare references linted online against the local fake GitHub API."""

from __future__ import annotations

import json
from pathlib import Path

import medperf_lint
import pytest
from ghkit import B1, C2, C3, IMPOSTOR, RAW_HOST, UNKNOWN, api_overrides
from lintkit import hits, lint_ref, lint_yaml, messages
from medperf_lint import cli
from medperf_lint.findings import Severity
from servers.fake_github import FakeGitHub, RecordingServer

RULES = ("github-unpinned-ref", "github-commit-not-found")
RAW = "https://raw.githubusercontent.com/mlcommons/medperf"


def test_branch_gets_exact_fix(github: FakeGitHub) -> None:
    report = lint_ref(f"{RAW}/main/w.tar.gz", select=RULES, online=True, **api_overrides(github))
    assert hits(report) == [("github-unpinned-ref", 0, 0)]
    fix = report.findings[0].fix
    assert fix is not None and fix.replacement == f"{RAW}/{C3}/w.tar.gz"
    assert github.paths() == ["/repos/mlcommons/medperf/commits/main"]


def test_refs_heads_form_in_manifest(tmp_path: Path, github: FakeGitHub) -> None:
    report = lint_yaml(
        tmp_path,
        f"""
        name: model
        additional_files_tarball_url: {RAW}/refs/heads/release/w.tar.gz
        """,
        select=RULES,
        online=True,
        **api_overrides(github),
    )
    assert hits(report) == [("github-unpinned-ref", 2, 31)]
    fix = report.findings[0].fix
    assert fix is not None and fix.replacement == f"{RAW}/{B1}/w.tar.gz"


def test_tag_archive_gets_commit_archive(github: FakeGitHub) -> None:
    url = "https://github.com/mlcommons/medperf/archive/refs/tags/v1.tar.gz"
    report = lint_ref(url, select=RULES, online=True, **api_overrides(github))
    assert hits(report) == [("github-unpinned-ref", 0, 0)]
    fix = report.findings[0].fix
    assert fix is not None
    assert fix.replacement == f"https://github.com/mlcommons/medperf/archive/{C2}.tar.gz"


def test_unknown_sha(tmp_path: Path, github: FakeGitHub) -> None:
    report = lint_yaml(
        tmp_path,
        f"additional_files_tarball_url: {RAW}/{UNKNOWN}/w.tar.gz\n",
        select=RULES,
        online=True,
        **api_overrides(github),
    )
    assert hits(report) == [("github-commit-not-found", 1, 31)]
    assert report.findings[0].severity is Severity.ERROR
    assert messages(report) == [
        f"commit {UNKNOWN} does not exist in mlcommons/medperf; check the SHA and the repository "
        f"name (GitHub answered 422: No commit found for SHA: {UNKNOWN})"
    ]


def test_impostor_sha(tmp_path: Path, github: FakeGitHub) -> None:
    report = lint_yaml(
        tmp_path,
        f"""
        name: model
        # pinned, but to a commit pushed to a fork
        additional_files_tarball_url: {RAW}/{IMPOSTOR}/w.tar.gz
        """,
        select=RULES,
        online=True,
        **api_overrides(github),
    )
    assert hits(report) == [("github-commit-not-found", 3, 31)]
    message = messages(report)[0]
    assert message.startswith(
        f"impostor commit: {IMPOSTOR} is on no branch or tag of mlcommons/medperf; GitHub "
        "serves it only because it exists in a fork of mlcommons/medperf"
    )
    assert "maintainers never published" in message


def test_missing_repository(github: FakeGitHub) -> None:
    url = f"https://raw.githubusercontent.com/someone/gone/{C2}/w.tar.gz"
    report = lint_ref(url, select=RULES, online=True, **api_overrides(github))
    assert hits(report) == [("github-commit-not-found", 0, 0)]
    assert messages(report)[0].startswith("repository someone/gone does not exist or is private")


def test_sha_in_history_is_clean(github: FakeGitHub) -> None:
    report = lint_ref(f"{RAW}/{C2}/w.tar.gz", select=RULES, online=True, **api_overrides(github))
    assert hits(report) == []
    assert len(github.requests) == 2  # the repository's facts, one compare


def test_spent_rate_limit_reports_nothing_false(github: FakeGitHub) -> None:
    github.rate_remaining = 0
    refs = [f"{RAW}/main/w.tar.gz", f"{RAW}/{IMPOSTOR}/w.tar.gz"]
    overrides = {"select": RULES, **api_overrides(github)}
    report = medperf_lint.lint_refs(refs, online=True, overrides=overrides)
    assert len(github.requests) == 1  # the first answer says the limit is spent
    assert hits(report) == [("github-unpinned-ref", 0, 0)]  # the branch, without a fix
    assert report.findings[0].reference == refs[0]
    assert report.findings[0].fix is None
    assert report.network is not None
    reasons = {r.inconclusive for r in report.network.github.values()}
    assert reasons == {
        "GitHub API rate limit spent; resets at 2026-11-24T06:00:00Z "
        "(unauthenticated: 60 calls an hour; set GITHUB_TOKEN or GH_TOKEN)"
    }


def test_offline_skips_the_rule_and_the_network(github: FakeGitHub) -> None:
    report = lint_ref(f"{RAW}/{IMPOSTOR}/w.tar.gz", select=RULES, **api_overrides(github))
    assert hits(report) == []
    assert "github-commit-not-found" in report.skipped_online_rules
    assert github.requests == []


def test_inconclusive_warning_and_token_only_to_the_api(
    github: FakeGitHub, other: RecordingServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The prober fetches the raw URL from `other`; the API has spent its limit."""
    monkeypatch.setenv("GITHUB_TOKEN", "ghp_secret")
    github.rate_remaining = 0
    url = f"https://{RAW_HOST}:{other.port}/mlcommons/medperf/main/w.tar.gz"
    overrides = api_overrides(github, allow_private_hosts=True, select=(*RULES, "inconclusive"))
    overrides["resolve"] += (f"{RAW_HOST}:{other.port}:127.0.0.1",)
    report = medperf_lint.lint_refs([url], online=True, overrides=overrides)
    assert hits(report) == [("github-unpinned-ref", 0, 0), ("inconclusive", 0, 0)]
    assert messages(report, "inconclusive") == [
        "could not check the GitHub ref 'main': GitHub API rate limit spent; "
        "resets at 2026-11-24T06:00:00Z"
    ]
    assert [r.headers.get("authorization") for r in github.requests] == ["Bearer ghp_secret"]
    assert other.requests, "the prober should have fetched the raw URL"
    assert all("authorization" not in r.headers for r in other.requests)


def test_cli_flags_reach_the_fake_api(
    github: FakeGitHub, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("GH_TOKEN", "ghp_cli")
    argv = [
        "--format=json",
        f"--github-api-url=https://api.github.com:{github.port}",
        f"--resolve=api.github.com:{github.port}:127.0.0.1",
        "--select=github-unpinned-ref,github-commit-not-found",
        f"--ref={RAW}/{IMPOSTOR}/w.tar.gz",
        f"--ref={RAW}/main/w.tar.gz",
    ]
    assert cli.main(argv) == 1
    out = json.loads(capsys.readouterr().out)
    found = sorted((f["rule"], f["reference"]) for f in out["findings"])
    assert found == [
        ("github-commit-not-found", f"{RAW}/{IMPOSTOR}/w.tar.gz"),
        ("github-unpinned-ref", f"{RAW}/main/w.tar.gz"),
    ]
    assert "ghp_cli" not in json.dumps(out)
    assert {r.headers.get("authorization") for r in github.requests} == {"Bearer ghp_cli"}
