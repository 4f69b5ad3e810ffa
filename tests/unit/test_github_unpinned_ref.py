from __future__ import annotations

from pathlib import Path

import pytest
from lintkit import hits, lint_ref, lint_yaml, messages
from medperf_lint.facts.github import RefKey, RefLookup, ReleaseLookup
from medperf_lint.gather import NetworkResults
from medperf_lint.input.config import Settings
from medperf_lint.refs.hosts import github_ref_key, github_release_key
from medperf_lint.refs.references import Reference, RefKind
from medperf_lint.rule import Diagnostic, Need, RuleContext
from medperf_lint.rules import github_unpinned_ref

RULE = ("github-unpinned-ref",)
SHA = "99b0d84bc107415d9fc6f69c4ea3fcdfbf22315d"
OTHER_SHA = "AB813A8142E1D9F2F215CB10CC59842DFC9B701C"


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        (
            "https://raw.githubusercontent.com/mlcommons/medperf/main/examples/chestxray_tutorial/mlcube.yaml",
            "ref 'main' is a branch or tag name",
        ),
        (
            "https://raw.githubusercontent.com/o/r/refs/heads/main/w.tar.gz",
            "ref 'refs/heads/main' is a branch",
        ),
        ("https://raw.githubusercontent.com/o/r/refs/tags/v1.0/w.tar.gz", "is a tag"),
        ("https://raw.githubusercontent.com/o/r/99b0d84/w.tar.gz", "short SHAs are ambiguous"),
        ("https://github.com/o/r/raw/dev/w.tar.gz", "replace dev with the full commit SHA"),
        ("https://media.githubusercontent.com/media/o/r/main/w.pt", "replace main with"),
        ("https://github.com/o/r/archive/refs/heads/main.tar.gz", "is a branch"),
        ("https://github.com/o/r/archive/v1.2.zip", "replace v1.2 with the full commit SHA"),
        ("https://github.com/o/r/releases/latest/download/w.tar.gz", "mutable by design"),
        ("https://github.com/o/r/releases/download/v1/w.tar.gz", "Immutable Release"),
        ("https://gist.githubusercontent.com/u/5f1e2d/raw/parameters.yaml", "without a revision"),
        ("direct:https://raw.githubusercontent.com/o/r/main/w.tar.gz", "ref 'main'"),
    ],
)
def test_unpinned_refs_are_flagged(url: str, expected: str) -> None:
    report = lint_ref(url, select=RULE)
    assert hits(report) == [("github-unpinned-ref", 0, 0)]
    assert expected in messages(report)[0]
    assert report.findings[0].fix is None  # offline: no commit to pin to


@pytest.mark.parametrize(
    "url",
    [
        f"https://raw.githubusercontent.com/hasan7n/medperf/{SHA}/examples/mlcube.yaml",
        f"https://github.com/o/r/raw/{SHA}/w.tar.gz",
        f"https://media.githubusercontent.com/media/o/r/{SHA}/w.pt",
        f"https://github.com/o/r/archive/{SHA}.tar.gz",
        f"https://gist.githubusercontent.com/u/5f1e2d/raw/{SHA}/parameters.yaml",
        "https://github.com/o/r/blob/main/w.tar.gz",  # github-page-url's job
        "https://github.com/o/r/tree/main/weights",
        "https://storage.googleapis.com/medperf-storage/chestxray_tutorial/cnn_weights.tar.gz",
        "synapse:syn51089171",
    ],
)
def test_pinned_and_other_urls_pass(url: str) -> None:
    assert hits(lint_ref(url, select=RULE)) == []


def test_position_in_submission_manifest(tmp_path: Path) -> None:
    report = lint_yaml(
        tmp_path,
        f"""
        name: chestxray-mobilenet
        additional_files_tarball_url: https://raw.githubusercontent.com/o/r/{SHA}/weights.tar.gz
        additional_files_tarball_hash: bff003e244759c3d7c8b9784af0819c7f252da8626745671ccf7f46b8f19a0ca
        demo_dataset_tarball_url: https://raw.githubusercontent.com/o/r/main/demo.tar.gz
        demo_dataset_tarball_hash: 71faabd59139bee698010a0ae3a69e16d97bc4f2dde799d9e187b94ff9157c00
        docs_url: https://raw.githubusercontent.com/o/r/main/README.md
        """,
        select=RULE,
    )
    assert hits(report) == [("github-unpinned-ref", 4, 27)]


def test_free_yaml_parameters_file(tmp_path: Path) -> None:
    report = lint_yaml(
        tmp_path,
        """
        model:
          arch: mobilenetv2
          weights: https://raw.githubusercontent.com/o/r/refs/heads/dev/w.pt
        """,
        name="parameters.yaml",
        select=RULE,
    )
    assert hits(report) == [("github-unpinned-ref", 3, 12)]


def _ctx(key: RefKey | None, lookup: RefLookup | None) -> RuleContext:
    """Facts in which GitHub answered ``lookup`` for ``key`` (nothing when None)."""
    assert key is not None
    github = {key: lookup} if lookup is not None else {}
    return RuleContext(settings=Settings(), network=NetworkResults(github=github))


def _check(url: str, ctx: RuleContext) -> list[Diagnostic]:
    ref = Reference(url, RefKind.RESOURCE, field="additional_files_tarball_url")
    return list(github_unpinned_ref.check(ref, ctx))


def test_online_lookup_gives_exact_fix() -> None:
    url = "https://raw.githubusercontent.com/Owner/Repo/main/my%20weights.tar.gz"
    key = github_ref_key(url)
    assert key == ("owner", "repo", "main")
    [diag] = _check(url, _ctx(key, RefLookup(sha=OTHER_SHA)))
    assert diag.fix is not None
    assert diag.fix.replacement == (
        "https://raw.githubusercontent.com/Owner/Repo/"
        "ab813a8142e1d9f2f215cb10cc59842dfc9b701c/my%20weights.tar.gz"
    )
    assert "ab813a8142e1d9f2f215cb10cc59842dfc9b701c" in diag.fix.description


def test_online_fix_keeps_the_url_form() -> None:
    url = "https://github.com/o/r/archive/refs/tags/v1.tar.gz"
    [diag] = _check(url, _ctx(github_ref_key(url), RefLookup(sha=SHA)))
    assert diag.fix is not None
    assert diag.fix.replacement == f"https://github.com/o/r/archive/{SHA}.tar.gz"


def test_online_short_sha_gets_full_sha() -> None:
    url = "https://github.com/o/r/raw/99b0d84/w.tar.gz"
    [diag] = _check(url, _ctx(github_ref_key(url), RefLookup(sha=SHA)))
    assert (
        diag.fix is not None
        and diag.fix.replacement == f"https://github.com/o/r/raw/{SHA}/w.tar.gz"
    )


@pytest.mark.parametrize("lookup", [RefLookup(sha=None, inconclusive="rate limited"), None])
def test_online_without_sha_gives_no_fix(lookup: RefLookup | None) -> None:
    url = "https://raw.githubusercontent.com/o/r/main/w.tar.gz"
    ctx = _ctx(github_ref_key(url), lookup)
    [diag] = _check(url, ctx)
    assert diag.fix is None
    assert "replace main with the full commit SHA" in diag.message


def test_online_release_gets_no_ref_rewrite() -> None:
    url = "https://github.com/o/r/releases/download/v1/w.tar.gz"
    assert github_ref_key(url) is None  # a release asset depends on its release, not a commit
    [diag] = _check(url, _ctx(("o", "r", "v1"), RefLookup(sha=SHA)))  # even if v1 resolves
    assert diag.fix is None
    assert "Immutable Release" in diag.message


def test_wants_github() -> None:
    from medperf_lint.rules import BY_CODE

    rule = BY_CODE["MPL101"]
    assert rule.name == "github-unpinned-ref"
    assert rule.wants == frozenset({Need.GITHUB}) and not rule.online


def test_online_fix_keeps_direct_prefix() -> None:
    url = "https://raw.githubusercontent.com/o/r/main/w.tar.gz"
    ref = Reference(f"direct:{url}", RefKind.RESOURCE, field="additional_file")
    ctx = _ctx(github_ref_key(url), RefLookup(sha=SHA))
    [diag] = github_unpinned_ref.check(ref, ctx)
    assert diag.fix is not None
    assert diag.fix.replacement == f"direct:https://raw.githubusercontent.com/o/r/{SHA}/w.tar.gz"


@pytest.mark.parametrize(
    ("ref", "why"),
    [
        ("refs/heads/dev", "ref 'refs/heads/dev' is a branch, which moves with every push"),
        ("refs/tags/v1", "ref 'refs/tags/v1' is a tag, which can be moved or deleted"),
        (
            "99b0d84",
            "ref '99b0d84' looks like a short commit SHA: short SHAs are ambiguous and not a pin",
        ),
        ("main", "ref 'main' is a branch or tag name, which can point at another commit tomorrow"),
        ("v1", "ref 'v1' is a branch or tag name, which can point at another commit tomorrow"),
        (
            "deadbeef",
            "ref 'deadbeef' is a branch or tag name, which can point at another commit tomorrow",
        ),
        ("1234", "ref '1234' is a branch or tag name, which can point at another commit tomorrow"),
    ],
)
def test_why_a_ref_is_not_a_pin(ref: str, why: str) -> None:
    url = f"https://raw.githubusercontent.com/o/r/{ref}/w.tar.gz"
    [diag] = _check(url, RuleContext(settings=Settings()))
    assert diag.message == f"{why}; replace {ref} with the full commit SHA"
    assert diag.fix is None  # offline: no commit to offer


@pytest.mark.parametrize("sha", [None, "99b0d84", "z" * 40])
def test_no_fix_without_a_full_sha_from_the_lookup(sha: str | None) -> None:
    url = "https://raw.githubusercontent.com/o/r/main/w.tar.gz"
    [diag] = _check(url, _ctx(github_ref_key(url), RefLookup(sha=sha)))
    assert diag.fix is None


def test_the_fix_names_the_commit_and_keeps_direct() -> None:
    url = "https://raw.githubusercontent.com/o/r/main/w.tar.gz"
    ref = Reference("direct:" + url, RefKind.RESOURCE, field="additional_files_tarball_url")
    [diag] = github_unpinned_ref.check(ref, _ctx(github_ref_key(url), RefLookup(sha=SHA.upper())))
    assert diag.fix is not None
    assert diag.fix.replacement == f"direct:https://raw.githubusercontent.com/o/r/{SHA}/w.tar.gz"
    assert diag.fix.description == f"pin to commit {SHA}, which main points at now"
    assert diag.fix.safe


RELEASE = "https://github.com/Owner/Repo/releases/download/v1/w.tar.gz"
IMMUTABLE = (
    "make it an Immutable Release (turn on release immutability in the repository's settings "
    "and publish a new release) or host the file at a URL pinned to a commit"
)
UNKNOWN = (
    "release asset of tag 'v1': a release's tag can move and its asset can be replaced under "
    "the same URL; only an Immutable Release is permanent, and whether this one is {} (an "
    f"immutable release passes online); {IMMUTABLE}"
)


@pytest.mark.parametrize(
    ("lookup", "message"),
    [
        (ReleaseLookup(exists=True, immutable=True, assets=("w.tar.gz",)), None),
        (
            ReleaseLookup(exists=True, immutable=False, assets=("w.tar.gz",)),
            "release asset of tag 'v1': the release is mutable, so the tag can move and the "
            "asset can be deleted and re-uploaded under the same URL, and every later download "
            f"fails its hash check; {IMMUTABLE}",
        ),
        (  # GitHub left the field out: not known to be immutable
            ReleaseLookup(exists=True, immutable=None, assets=("w.tar.gz",)),
            "release asset of tag 'v1': the release is mutable, so the tag can move and the "
            "asset can be deleted and re-uploaded under the same URL, and every later download "
            f"fails its hash check; {IMMUTABLE}",
        ),
        (
            ReleaseLookup(exists=False),
            "tag 'v1' has no published release in Owner/Repo, so the asset cannot be "
            "downloaded; check the tag and the repository",
        ),
        (
            ReleaseLookup(exists=True, immutable=True, assets=("a.tar.gz", "b.tar.gz")),
            "the release of tag 'v1' has no asset named 'w.tar.gz' (it has 2); check the file name",
        ),
        (
            ReleaseLookup(exists=True, immutable=True, assets=tuple(f"a{i}" for i in range(100))),
            None,  # a list cut at 100 assets may hold it: the release is immutable
        ),
        (ReleaseLookup(inconclusive="rate limited"), UNKNOWN.format("GitHub could not say")),
        (None, UNKNOWN.format("GitHub could not say")),  # not looked up
    ],
    ids=[
        "immutable",
        "mutable",
        "immutable-unknown",
        "no-release",
        "no-asset",
        "assets-cut-short",
        "inconclusive",
        "not-looked-up",
    ],
)
def test_release_assets_online_in_full(lookup: ReleaseLookup | None, message: str | None) -> None:
    key = github_release_key(RELEASE)
    assert key == ("owner", "repo", "v1")
    releases = {key: lookup} if lookup is not None else {}
    ctx = RuleContext(settings=Settings(), network=NetworkResults(releases=releases))
    diags = _check(RELEASE, ctx)
    assert [d.message for d in diags] == ([message] if message else [])
    assert all(d.fix is None for d in diags)  # a release asset has no commit to pin to


def test_release_asset_offline_in_full() -> None:
    [diag] = _check(RELEASE, RuleContext(settings=Settings()))
    assert diag.message == UNKNOWN.format("cannot be known offline")
    assert diag.fix is None
