"""Forge commit lookups against the local fake forges: what each answer becomes, and its cost."""

from __future__ import annotations

from pathlib import Path

import pytest
from forgekit import MAIN, MISSING, OLD, TAGGED, fixes, lint_urls, urls
from medperf_lint.input.config import ConfigError
from servers.fake_forges import (
    BITBUCKET_API,
    CODEBERG,
    GITLAB,
    HUGGING_FACE,
    SELF_HOSTED_GITLAB,
    FakeForges,
)

FORGES = ("gitlab", "bitbucket", "codeberg", "huggingface")


def _by_rule(report: object, rule: str) -> list[str]:
    return [f.message for f in report.findings if f.rule == rule]  # type: ignore[attr-defined]


@pytest.mark.parametrize("forge", FORGES)
def test_branch_resolves_to_an_exact_fix(tmp_path: Path, forges: FakeForges, forge: str) -> None:
    forges.repo_commit_header = False  # Hugging Face falls back to its API
    url = urls(forges)[forge]
    report = lint_urls(tmp_path, forges, {forge: url})
    assert fixes(report) == {
        url: url.replace("/main/", f"/{MAIN}/").replace("/branch/", "/commit/")
    }
    [finding] = report.findings  # the unpinned URL stays an error until fixed
    assert finding.rule == "forge-unpinned-ref" and finding.severity.value == "error"
    assert len(forges.api_calls()) == 1, forges.api_calls()  # one call per lookup


def test_api_paths_are_the_documented_ones(tmp_path: Path, forges: FakeForges) -> None:
    forges.repo_commit_header = False
    lint_urls(tmp_path, forges, urls(forges))
    assert sorted(forges.api_calls()) == sorted(
        [
            f"{GITLAB} /api/v4/projects/fets%2Fmodel/repository/commits/main",
            f"{BITBUCKET_API} /2.0/repositories/fets/model/commit/main",
            f"{CODEBERG} /api/v1/repos/fets/model/git/commits/main",
            f"{HUGGING_FACE} /api/models/fets/model/revision/main",
        ]
    )


def test_hugging_face_uses_the_probes_x_repo_commit(tmp_path: Path, forges: FakeForges) -> None:
    url = urls(forges)["huggingface"]
    report = lint_urls(tmp_path, forges, {"hf": url}, select=("forge-unpinned-ref", "MPL401"))
    assert fixes(report) == {url: url.replace("/main/", f"/{MAIN}/")}
    assert forges.api_calls() == []  # the probe's own answer named the commit
    assert any(s.path.endswith("/resolve/main/weights.tar.gz") for s in forges.log)


def test_hugging_face_without_the_header_asks_the_api(tmp_path: Path, forges: FakeForges) -> None:
    forges.repo_commit_header = False
    url = forges.url(HUGGING_FACE, "/datasets/fets/data/resolve/v1/weights.tar.gz")
    report = lint_urls(tmp_path, forges, {"hf": url}, select=("forge-unpinned-ref", "MPL401"))
    assert fixes(report) == {url: url.replace("/v1/", f"/{TAGGED}/")}
    assert forges.api_calls() == [f"{HUGGING_FACE} /api/datasets/fets/data/revision/v1"]


def test_tags_resolve(tmp_path: Path, forges: FakeForges) -> None:
    values = urls(forges, "v1", "tag")
    report = lint_urls(tmp_path, forges, values)
    assert fixes(report)[values["codeberg"]].endswith(f"/raw/commit/{TAGGED}/weights.tar.gz")
    assert fixes(report)[values["gitlab"]].endswith(f"/-/raw/{TAGGED}/weights.tar.gz")
    assert len(fixes(report)) == 4


def test_missing_sha_is_an_error_and_costs_two_calls(tmp_path: Path, forges: FakeForges) -> None:
    forges.repo_commit_header = False
    report = lint_urls(tmp_path, forges, urls(forges, MISSING, "commit"))
    missing = _by_rule(report, "forge-commit-not-found")
    assert len(missing) == 4, report.findings
    assert all(f"commit {MISSING} does not exist" in m for m in missing)
    assert _by_rule(report, "inconclusive") == []
    assert len(forges.api_calls()) == 8  # the commit, then the project, per forge


def test_existing_sha_passes_and_a_warm_rerun_sends_nothing(
    tmp_path: Path, forges: FakeForges
) -> None:
    forges.repo_commit_header = False
    values = urls(forges, OLD, "commit")
    first = lint_urls(tmp_path, forges, values)
    assert first.findings == () or list(first.findings) == []
    assert len(forges.api_calls()) == 4
    second = lint_urls(tmp_path, forges, values)
    assert list(second.findings) == []
    assert len(forges.api_calls()) == 4  # all four answered from the 7-day cache


def test_rate_limit_is_inconclusive_and_stops_the_host(tmp_path: Path, forges: FakeForges) -> None:
    forges.limited.add(GITLAB)
    one = urls(forges)["gitlab"]
    two = forges.url(GITLAB, "/fets/model/-/raw/v1/weights.tar.gz")
    report = lint_urls(tmp_path, forges, {"a": one, "b": two})
    assert fixes(report) == {}
    warnings = _by_rule(report, "inconclusive")
    assert len(warnings) == 2 and all("rate limit" in w for w in warnings), warnings
    assert "retry after 3600 s" in warnings[0]
    assert _by_rule(report, "forge-commit-not-found") == []
    assert len(forges.api_calls()) == 1  # the 429 stopped every further call to gitlab.com


@pytest.mark.parametrize("forge", FORGES)
def test_private_project_is_inconclusive_never_an_error(
    tmp_path: Path, forges: FakeForges, forge: str
) -> None:
    forges.repo_commit_header = False
    url = urls(forges, OLD, "commit")[forge].replace("/fets/model/", "/fets/secret/")
    report = lint_urls(tmp_path, forges, {forge: url})
    assert _by_rule(report, "forge-commit-not-found") == []
    [warning] = _by_rule(report, "inconclusive")
    assert "could not check" in warning


def test_self_hosted_gitlab_only_when_configured(tmp_path: Path, forges: FakeForges) -> None:
    url = forges.url(SELF_HOSTED_GITLAB, "/fets/model/-/raw/main/weights.tar.gz")
    report = lint_urls(tmp_path / "a", forges, {"a": url})
    assert fixes(report) == {} and forges.api_calls() == []
    instance = f"https://{SELF_HOSTED_GITLAB}:{forges.port}"
    report = lint_urls(tmp_path / "b", forges, {"a": url}, gitlab_hosts=(instance,))
    assert fixes(report) == {url: url.replace("/main/", f"/{MAIN}/")}
    assert forges.api_calls() == [
        f"{SELF_HOSTED_GITLAB} /api/v4/projects/fets%2Fmodel/repository/commits/main"
    ]


def test_a_named_instance_is_exempt_from_the_address_guard(
    tmp_path: Path, forges: FakeForges
) -> None:
    """The user named it (an intranet GitLab): its --resolve to loopback needs no
    --allow-private-hosts, and the probe of its file is not refused either (the exemption holds
    from the start of the run, whichever provider connects first)."""
    url = forges.url(SELF_HOSTED_GITLAB, "/fets/model/-/raw/main/weights.tar.gz")
    report = lint_urls(
        tmp_path,
        forges,
        {"a": url},
        select=("forge-unpinned-ref", "unreachable"),
        gitlab_hosts=(f"https://{SELF_HOSTED_GITLAB}:{forges.port}",),
        resolve=(f"{SELF_HOSTED_GITLAB}:{forges.port}:127.0.0.1",),
        allow_private_hosts=False,
    )
    assert [f.rule for f in report.findings] == ["forge-unpinned-ref"]
    assert fixes(report) == {url: url.replace("/main/", f"/{MAIN}/")}
    assert [s.method for s in forges.log if not s.path.startswith("/api/")] != []  # probed
    assert len(forges.api_calls()) == 1


def test_gitlab_com_to_loopback_still_needs_the_flag(tmp_path: Path, forges: FakeForges) -> None:
    """gitlab.com is not the user's own endpoint: pointing it at loopback is a usage error."""
    url = urls(forges)["gitlab"]
    with pytest.raises(ConfigError, match="only with --allow-private-hosts"):
        lint_urls(
            tmp_path,
            forges,
            {"a": url},
            resolve=(f"{GITLAB}:{forges.port}:127.0.0.1",),
            allow_private_hosts=False,
        )
    assert forges.log == []


def test_gitlab_token_goes_to_gitlab_com_only(
    tmp_path: Path, forges: FakeForges, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("GITLAB_TOKEN", "glpat-secret")
    forges.repo_commit_header = False
    instance = f"https://{SELF_HOSTED_GITLAB}:{forges.port}"
    values = {
        **urls(forges),
        "mine": forges.url(SELF_HOSTED_GITLAB, "/fets/model/-/raw/main/weights.tar.gz"),
    }
    lint_urls(tmp_path, forges, values, gitlab_hosts=(instance,))
    sent = {s.host for s in forges.log if "authorization" in s.headers}
    assert sent == {GITLAB}
    api = [s for s in forges.log if s.host == GITLAB and s.path.startswith("/api/v4/")]
    assert {s.headers["authorization"] for s in api} == {"Bearer glpat-secret"}
