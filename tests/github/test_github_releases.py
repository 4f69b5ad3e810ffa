"""Release assets: an immutable release passes online, a mutable one stays an error that says
why, a missing tag or asset is an error, and offline the error says what would pass."""

from __future__ import annotations

import pytest
from ghkit import api_overrides, medperf_repo
from lintkit import lint_ref
from servers.fake_github import FakeGitHub

RULE = ("github-unpinned-ref",)  # inconclusive would probe github.com itself
ASSET = "https://github.com/mlcommons/medperf/releases/download/{tag}/{name}"


@pytest.fixture
def released(github: FakeGitHub) -> FakeGitHub:
    repo = medperf_repo()
    repo.releases = {"v1": (True, ("w.tar.gz",)), "v2": (False, ("w.tar.gz",))}
    github.repos["mlcommons/medperf"] = repo
    return github


def _messages(github: FakeGitHub, tag: str, name: str = "w.tar.gz", **more: object) -> list[str]:
    url = ASSET.format(tag=tag, name=name)
    report = lint_ref(url, select=RULE, online=True, **api_overrides(github), **more)
    return [f"{f.rule}: {f.message}" for f in report.findings]


def test_immutable_release_passes_with_one_call(released: FakeGitHub) -> None:
    assert _messages(released, "v1") == []
    assert released.paths() == ["/repos/mlcommons/medperf/releases/tags/v1"]


def test_immutable_release_is_cached(released: FakeGitHub, tmp_path: object) -> None:
    assert _messages(released, "v1", cache_dir=str(tmp_path)) == []
    assert _messages(released, "v1", cache_dir=str(tmp_path)) == []
    assert released.paths() == ["/repos/mlcommons/medperf/releases/tags/v1"]


def test_mutable_release_stays_an_error(released: FakeGitHub) -> None:
    [message] = _messages(released, "v2")
    assert message.startswith("github-unpinned-ref: ")
    assert "the release is mutable, so the tag can move" in message
    assert "re-uploaded under the same URL" in message
    assert "Immutable Release" in message and "pinned to a commit" in message


def test_missing_tag_is_an_error(released: FakeGitHub) -> None:
    [message] = _messages(released, "v9")
    assert "tag 'v9' has no published release in mlcommons/medperf" in message
    # the 404 is a missing release only because the repository itself answered
    assert released.paths() == [
        "/repos/mlcommons/medperf/releases/tags/v9",
        "/repos/mlcommons/medperf",
    ]


def test_missing_asset_is_an_error(released: FakeGitHub) -> None:
    [message] = _messages(released, "v1", name="other.tar.gz")
    assert "has no asset named 'other.tar.gz'" in message


@pytest.mark.parametrize("spent", [False, True], ids=["unknown-repository", "rate-limited"])
def test_unanswered_release_keeps_the_error_and_says_why(released: FakeGitHub, spent: bool) -> None:
    url = "https://github.com/nobody/nothing/releases/download/v1/w.tar.gz"
    if spent:
        released.rate_remaining = 0
        url = ASSET.format(tag="v1", name="w.tar.gz")
    report = lint_ref(url, select=RULE, online=True, **api_overrides(released))
    [finding] = report.findings
    assert "GitHub could not say (an immutable release passes online)" in finding.message
    assert report.network is not None
    [lookup] = report.network.releases.values()
    assert lookup.inconclusive and ("rate limit" in lookup.inconclusive) is spent


def test_offline_error_says_an_immutable_release_would_pass() -> None:
    report = lint_ref(ASSET.format(tag="v1", name="w.tar.gz"), select=RULE)
    [finding] = report.findings
    assert "cannot be known offline (an immutable release passes online)" in finding.message
    assert finding.fix is None
