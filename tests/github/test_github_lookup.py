"""resolve_urls against the local fake GitHub API: what each answer becomes, and what it costs."""

from __future__ import annotations

import subprocess
import sys
import time
from typing import Any

import pytest
from ghkit import B1, C1, C2, C3, IMPOSTOR, UNKNOWN, api_overrides, medperf_repo
from medperf_lint.input.config import Settings, apply
from medperf_lint.providers import github as ghc
from servers.fake_github import Canned, FakeGitHub, FakeRepo, RecordingServer, linear, sha

REPO = "/repos/mlcommons/medperf"
RESET = "2026-11-24T06:00:00Z"  # FakeGitHub.rate_reset


def raw(ref: str, owner_repo: str = "mlcommons/medperf") -> str:
    return f"https://raw.githubusercontent.com/{owner_repo}/{ref}/weights.tar.gz"


def resolve(
    server: FakeGitHub, urls: list[str], *extra: RecordingServer, **more: Any
) -> dict[Any, ghc.RefLookup]:
    settings = apply(Settings(), api_overrides(server, *extra, **more))
    return dict(ghc.resolve_urls(urls, settings))


def one(server: FakeGitHub, url: str, **more: Any) -> ghc.RefLookup:
    results = resolve(server, [url], **more)
    assert len(results) == 1
    return next(iter(results.values()))


def found_lookup(**fields: Any) -> ghc.RefLookup:
    return ghc.RefLookup(**{"exists": True, "repo_exists": True, **fields})


def test_branch_resolves_with_one_sha_call(github: FakeGitHub) -> None:
    found = one(github, raw("main"))
    assert found == found_lookup(sha=C3)
    assert github.paths() == [f"{REPO}/commits/main"]
    assert github.requests[0].headers["accept"] == "application/vnd.github.sha"


def test_refs_heads_form_asks_for_heads_ref(github: FakeGitHub) -> None:
    assert one(github, raw("refs/heads/release")).sha == B1
    assert github.paths() == [f"{REPO}/commits/heads%2Frelease"]


def test_tag_in_archive_url(github: FakeGitHub) -> None:
    url = "https://github.com/mlcommons/medperf/archive/refs/tags/v1.tar.gz"
    assert one(github, url).sha == C2
    assert github.paths() == [f"{REPO}/commits/tags%2Fv1"]


def test_short_sha_resolves_to_full(github: FakeGitHub) -> None:
    assert one(github, raw(C1[:7])).sha == C1


def test_sha_on_default_branch_costs_one_call_and_the_repository(github: FakeGitHub) -> None:
    assert one(github, raw(C2)) == found_lookup(sha=C2)
    assert github.paths() == [REPO, f"{REPO}/compare/main...{C2}?per_page=1"]


def test_shas_of_one_repository_share_its_facts(github: FakeGitHub) -> None:
    results = resolve(github, [raw(C1), raw(C2), raw(C3)])
    assert all(r == found_lookup(sha=r.sha) for r in results.values())
    paths = github.paths()
    assert paths.count(REPO) == 1
    assert sorted(paths) == sorted(
        [REPO, *(f"{REPO}/compare/main...{c}?per_page=1" for c in (C1, C2, C3))]
    )


def test_sha_on_another_branch_is_not_an_impostor(github: FakeGitHub) -> None:
    repo = medperf_repo()
    older = sha("a1")
    repo.parents[B1], repo.parents[older] = older, C1  # release: C1 - older - B1
    github.repos["mlcommons/medperf"] = repo
    assert one(github, raw(older)) == found_lookup(sha=older)
    assert f"{REPO}/compare/{B1}...{older}?per_page=1" in github.paths()


def test_unknown_sha_does_not_exist_and_is_asked_once(github: FakeGitHub) -> None:
    found = one(github, raw(UNKNOWN), retries=3)
    assert found.exists is False and found.repo_exists is True and found.sha is None
    assert found.detail == f"GitHub answered 422: No commit found for SHA: {UNKNOWN}"
    assert github.paths() == [
        REPO,
        f"{REPO}/compare/main...{UNKNOWN}?per_page=1",
        f"{REPO}/commits/{UNKNOWN}",
    ]


def test_missing_repository_404_is_not_retried(github: FakeGitHub) -> None:
    found = one(github, raw(C1, "mlcommons/gone"), retries=3)
    assert (found.exists, found.repo_exists) == (False, False)
    assert found.detail == "GitHub answered 404: Not Found"
    assert github.paths() == ["/repos/mlcommons/gone"]


def test_impostor_commit(github: FakeGitHub) -> None:
    found = one(github, raw(IMPOSTOR))
    assert found.sha == IMPOSTOR and found.exists is True and found.impostor is True
    assert found.inconclusive is None
    assert found.detail is not None and "default branch 'main'" in found.detail
    compares = [p for p in github.paths() if "/compare/" in p]
    assert compares == [
        f"{REPO}/compare/main...{IMPOSTOR}?per_page=1",
        f"{REPO}/compare/{B1}...{IMPOSTOR}?per_page=1",
        f"{REPO}/compare/{C2}...{IMPOSTOR}?per_page=1",
    ]


def test_impostor_check_gives_up_honestly_when_branches_do_not_fit(github: FakeGitHub) -> None:
    github.repos["mlcommons/medperf"].more_branches_pages = True
    found = one(github, raw(IMPOSTOR))
    assert found.impostor is False and found.sha == IMPOSTOR
    assert found.inconclusive is not None and "more branches or tags" in found.inconclusive


def test_impostor_compares_are_bounded(github: FakeGitHub) -> None:
    many = FakeRepo(parents=linear(C1), branches={"main": C1}, network={IMPOSTOR: C1})
    for i in range(ghc.MAX_COMPARES + 5):
        tip = f"{i:040x}"
        many.parents[tip] = C1
        many.branches[f"b{i}"] = tip
    github.repos["o/many"] = many
    found = one(github, raw(IMPOSTOR, "o/many"))
    assert found.inconclusive is not None and not found.impostor
    compares = [p for p in github.paths() if "/compare/" in p]
    assert len(compares) == 1 + ghc.MAX_COMPARES


def test_keys_are_deduplicated_and_repo_facts_fetched_once(github: FakeGitHub) -> None:
    urls = [
        raw("main"),
        raw("main", "MLCommons/MedPerf"),
        "https://github.com/mlcommons/medperf/raw/main/other.bin",
        raw(C1),
        raw(C2),
        "https://example.org/not-github",
    ]
    results = resolve(github, urls)
    assert set(results) == {
        ("mlcommons", "medperf", "main"),
        ("mlcommons", "medperf", C1),
        ("mlcommons", "medperf", C2),
    }
    paths = github.paths()
    assert paths.count(f"{REPO}/commits/main") == 1
    assert paths.count(REPO) == 1


def test_rate_limit_spent_midway_stops_all_calls(github: FakeGitHub) -> None:
    github.rate_remaining = 2  # two calls left, the second answer says 0
    refs = ["main", "refs/heads/release", "refs/tags/v1", C1[:8], C2[:8]]
    results = resolve(github, [raw(r) for r in refs])
    assert len(github.requests) == 2  # nothing after the answer that said remaining: 0
    answered = [r for r in results.values() if r.sha is not None]
    spent = [r for r in results.values() if r.inconclusive is not None]
    assert len(answered) == 2 and len(spent) == 3
    for r in spent:
        assert r.inconclusive == (
            f"GitHub API rate limit spent; resets at {RESET} "
            "(unauthenticated: 60 calls an hour; set GITHUB_TOKEN or GH_TOKEN)"
        )
        assert r.exists is None and r.sha is None


def test_rate_limit_already_spent_costs_one_call(
    github: FakeGitHub, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("GITHUB_TOKEN", "ghp_test")
    github.rate_remaining = 0
    results = resolve(github, [raw(r) for r in ("main", "refs/heads/release", C2, IMPOSTOR)])
    assert len(github.requests) == 1
    assert {r.inconclusive for r in results.values()} == {
        f"GitHub API rate limit spent; resets at {RESET}"
    }


def test_429_with_short_retry_after_is_retried(github: FakeGitHub) -> None:
    github.queue(f"{REPO}/commits/main", Canned(429, {"retry-after": "0"}, "{}"))
    assert one(github, raw("main")).sha == C3
    assert github.paths() == [f"{REPO}/commits/main"] * 2


def test_long_retry_after_is_inconclusive_without_waiting(github: FakeGitHub) -> None:
    github.queue(REPO, Canned(429, {"retry-after": "3600"}, '{"message": "slow down"}'))
    results = resolve(github, [raw("main"), raw("refs/tags/v1")], retries=5)
    assert len(github.requests) == 1
    for r in results.values():
        assert r.inconclusive is not None
        assert r.inconclusive.startswith("GitHub API asked to wait 3600s (answered 429)")


def test_secondary_rate_limit_403_stops(github: FakeGitHub) -> None:
    body = '{"message": "You have exceeded a secondary rate limit."}'
    github.queue(REPO, Canned(403, {"Content-Type": "application/json"}, body))
    results = resolve(github, [raw("main"), raw("refs/tags/v1")], retries=5)
    assert len(github.requests) == 1
    assert {r.inconclusive for r in results.values()} == {
        "GitHub secondary rate limit: You have exceeded a secondary rate limit."
    }


def test_5xx_is_retried_up_to_retries(github: FakeGitHub) -> None:
    github.queue(REPO, Canned(502, {}, "bad gateway"), times=2)
    assert one(github, raw("main"), retries=2).sha == C3
    assert len(github.requests) == 3


def test_5xx_after_retries_is_inconclusive(github: FakeGitHub) -> None:
    github.queue(REPO, Canned(500, {}, '{"message": "Server Error"}'), times=5)
    found = one(github, raw("main"), retries=1)
    assert found.inconclusive == "GitHub answered 500: Server Error (2 attempt(s))"
    assert found.exists is None
    assert len(github.requests) == 2


def test_bad_token_stops_the_run(github: FakeGitHub, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GH_TOKEN", "bad")
    github.queue(REPO, Canned(401, {}, '{"message": "Bad credentials"}'))
    results = resolve(github, [raw("main"), raw("refs/tags/v1")])
    assert len(github.requests) == 1
    assert {r.inconclusive for r in results.values()} == {
        "GitHub API rejected the token from GITHUB_TOKEN/GH_TOKEN (401 Bad credentials)"
    }


@pytest.mark.parametrize("var", ["GITHUB_TOKEN", "GH_TOKEN"])
def test_token_goes_to_the_api(
    github: FakeGitHub, monkeypatch: pytest.MonkeyPatch, var: str
) -> None:
    monkeypatch.setenv(var, " ghp_secret\n")
    assert one(github, raw(C2)).sha == C2
    assert len(github.requests) == 2
    assert {r.headers.get("authorization") for r in github.requests} == {"Bearer ghp_secret"}


def test_no_token_no_authorization_header(github: FakeGitHub) -> None:
    assert one(github, raw(C2)).sha == C2
    assert len(github.requests) == 2
    assert [r.headers.get("authorization") for r in github.requests] == [None] * 2


def test_token_not_sent_when_a_redirect_leaves_the_api(
    github: FakeGitHub, other: RecordingServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("GITHUB_TOKEN", "ghp_secret")
    target = f"https://other.example.test:{other.port}/elsewhere"
    github.redirects[f"{REPO}/commits/main"] = target
    found = one_with(github, other, raw("main"))
    assert github.requests[0].headers.get("authorization") == "Bearer ghp_secret"
    assert [r.path for r in other.requests] == ["/elsewhere"]
    assert other.requests[0].host == f"other.example.test:{other.port}"
    assert "authorization" not in other.requests[0].headers
    assert found.inconclusive is not None and "not a commit SHA" in found.inconclusive


def one_with(server: FakeGitHub, extra: RecordingServer, url: str) -> ghc.RefLookup:
    results = resolve(server, [url], extra, allow_private_hosts=True)
    return next(iter(results.values()))


def test_redirect_off_api_to_private_address_is_refused(
    github: FakeGitHub, other: RecordingServer
) -> None:
    github.redirects[f"{REPO}/commits/main"] = f"https://other.example.test:{other.port}/x"
    found = next(iter(resolve(github, [raw("main")], other).values()))
    assert other.requests == []
    assert found.inconclusive is not None
    assert found.inconclusive.startswith("the GitHub API redirected to other.example.test")


def test_same_host_redirect_keeps_the_token(
    github: FakeGitHub, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("GITHUB_TOKEN", "ghp_secret")
    github.redirects["/repos/old/name/commits/main"] = f"{REPO}/commits/main"
    assert one(github, raw("main", "old/name")).sha == C3
    assert [r.path for r in github.requests] == [
        "/repos/old/name/commits/main",
        f"{REPO}/commits/main",
    ]
    assert {r.headers.get("authorization") for r in github.requests} == {"Bearer ghp_secret"}


def test_resolve_keeps_host_header_and_verifies_the_certificate(
    github: FakeGitHub, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert one(github, raw("main")).sha == C3
    assert github.requests[0].host == f"api.github.com:{github.port}"
    monkeypatch.delenv("REQUESTS_CA_BUNDLE")  # certifi does not trust the test CA
    monkeypatch.delenv("SSL_CERT_FILE", raising=False)
    found = one(github, raw("refs/tags/v1"), retries=0)
    assert found.inconclusive is not None
    assert found.inconclusive.startswith("cannot reach the GitHub API at api.github.com: TLS")
    assert len(github.requests) == 1  # the handshake failed before any request


def test_bad_api_url_is_inconclusive_without_calls() -> None:
    results = ghc.resolve_urls([raw("main")], Settings(github_api_url="ftp://example.org"))
    assert [r.inconclusive for r in results.values()] == [
        "github-api-url 'ftp://example.org' is not an http(s) URL"
    ]


def test_no_github_urls_no_client() -> None:
    assert ghc.resolve_urls(["https://zenodo.org/records/1/files/w"], Settings()) == {}


def test_offline_import_does_not_load_requests() -> None:
    code = (
        "import sys, medperf_lint, medperf_lint.providers.github, medperf_lint.rules; "
        "r = medperf_lint.lint_refs(['https://raw.githubusercontent.com/o/r/main/w'], online=False); "
        "assert r.findings, r; "
        "heavy = {'requests', 'aiohttp', 'yarl', 'synapseclient'} & set(sys.modules); "
        "assert not heavy, f'imported offline: {heavy}'"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr


def test_pinned_lookups_are_cached_so_a_warm_run_sends_nothing(
    github: FakeGitHub, tmp_path: Any
) -> None:
    pinned = [raw(C1), raw(C2), raw(IMPOSTOR), raw(UNKNOWN)]
    cold = resolve(github, pinned, cache_dir=str(tmp_path))
    sent_cold = len(github.requests)
    assert sent_cold >= 4
    warm = resolve(github, pinned, cache_dir=str(tmp_path))
    assert len(github.requests) == sent_cold  # nothing new on the warm run
    assert warm == cold
    assert warm[("mlcommons", "medperf", IMPOSTOR)].impostor is True
    assert warm[("mlcommons", "medperf", UNKNOWN)].exists is False
    # a branch can move: it is asked again, once
    resolve(github, [*pinned, raw("main")], cache_dir=str(tmp_path))
    assert github.paths()[sent_cold:] == [f"{REPO}/commits/main"]


def test_inconclusive_pinned_lookups_are_not_cached(github: FakeGitHub, tmp_path: Any) -> None:
    github.queue(REPO, Canned(500, {}, '{"message": "Server Error"}'))
    assert one(github, raw(C2), retries=0, cache_dir=str(tmp_path)).inconclusive
    assert one(github, raw(C2), retries=0, cache_dir=str(tmp_path)) == found_lookup(sha=C2)


def test_a_budget_too_small_is_said_once_with_the_reset(
    github: FakeGitHub, capsys: pytest.CaptureFixture[str]
) -> None:
    github.rate_remaining = 3
    refs = ["main", "refs/heads/release", "refs/tags/v1", C1[:8], C2[:8], C3[:8]]
    results = resolve(github, [raw(r) for r in refs])
    assert len(github.requests) == 3
    err = capsys.readouterr().err
    assert err.count("GitHub API:") == 1, err
    assert f"the limit resets at {RESET}" in err
    assert sum(r.inconclusive is not None for r in results.values()) == 3


def test_api_through_a_connect_proxy_from_the_environment(
    github: FakeGitHub, monkeypatch: pytest.MonkeyPatch
) -> None:
    from servers.proxy import ForwardProxy

    monkeypatch.delenv("NO_PROXY", raising=False)
    monkeypatch.setenv("GITHUB_TOKEN", "ghp_secret")
    with ForwardProxy({"api.github.com": "127.0.0.1"}) as proxy:
        monkeypatch.setenv("HTTPS_PROXY", proxy.url)
        settings = Settings(github_api_url=f"https://api.github.com:{github.port}")
        results = ghc.resolve_urls([raw("main")], settings)  # no --resolve: the proxy resolves
        targets = proxy.targets()
    assert [r.sha for r in results.values()] == [C3]
    assert targets == [f"api.github.com:{github.port}"]
    assert github.requests[0].headers.get("authorization") == "Bearer ghp_secret"
    # the tunnel request itself never carries the token
    assert [
        r for r in proxy.requests if any(n.lower() == "authorization" for n, _ in r.headers)
    ] == []


@pytest.mark.parametrize("backslash", ["\\", "%5C"])
def test_backslash_userinfo_redirect_never_gets_the_token(
    github: FakeGitHub, other: RecordingServer, monkeypatch: pytest.MonkeyPatch, backslash: str
) -> None:
    """``https://other:PORT\\@api-host/``: whatever host the transport's URL parser picks, the
    token check reads the same parsed URL it connects to, so the token goes to the API only."""
    monkeypatch.setenv("GITHUB_TOKEN", "ghp_secret")
    location = f"https://other.example.test:{other.port}{backslash}@api.github.com:{github.port}/x"
    github.redirects[f"{REPO}/commits/main"] = location
    found = one_with(github, other, raw("main"))
    assert all("authorization" not in r.headers for r in other.requests)
    hops = [r for r in github.requests if r.path != f"{REPO}/commits/main"]
    assert all(r.headers.get("authorization") in (None, "Bearer ghp_secret") for r in hops)
    assert found.sha is None


def test_redirect_with_a_bad_port_is_one_inconclusive_lookup(github: FakeGitHub) -> None:
    """A Location the transport cannot send ends that lookup, not the run or the others."""
    github.redirects[f"{REPO}/commits/main"] = "https://api.github.com:99999/x"
    results = resolve(github, [raw("main"), raw("refs/tags/v1")])
    assert len(results) == 2
    redirected = [f for key, f in results.items() if key[2] == "main"]
    others = [f for key, f in results.items() if key[2] != "main"]
    assert redirected[0].inconclusive is not None
    assert others[0].sha is not None and others[0].inconclusive is None


def test_a_redirect_loop_is_the_transports_one_line(github: FakeGitHub) -> None:
    """The API's redirects go through the transport's one redirect loop."""
    github.redirects["/repos/old/name/commits/main"] = "/repos/new/name/commits/main"
    github.redirects["/repos/new/name/commits/main"] = "/repos/old/name/commits/main"
    found = one(github, raw("main", "old/name"))
    assert found.inconclusive is not None
    assert found.inconclusive.startswith("redirect loop back to https://")
    assert found.inconclusive.endswith("/repos/old/name/commits/main from the GitHub API")
    assert len(github.requests) == 2


def test_a_503_is_retried_by_the_policy_then_answered(github: FakeGitHub) -> None:
    github.queue(f"{REPO}/commits/main", Canned(503, {}, "{}"))
    assert one(github, raw("main")).sha == C3
    assert github.paths() == [f"{REPO}/commits/main"] * 2


def test_the_provider_counts_the_deadline_from_the_runs_start(github: FakeGitHub) -> None:
    """A provider that starts late (imports on a busy machine) still stops at the run's
    deadline, and says so itself: counted from its own start it would work past the run's
    deadline, be cut off by the gatherer and lose the answers it had."""
    from medperf_lint.facts.plan import Run

    settings = apply(Settings(), api_overrides(github, deadline=30.0))
    passed = ghc.PROVIDER.check((raw("main"),), Run(settings, until=time.monotonic() - 1))
    assert passed.github == {
        ("mlcommons", "medperf", "main"): ghc.RefLookup(inconclusive=ghc.DEADLINE)
    }
    assert github.paths() == []
    ahead = ghc.PROVIDER.check((raw("main"),), Run(settings, until=time.monotonic() + 30))
    assert ahead.github == {("mlcommons", "medperf", "main"): found_lookup(sha=C3)}
