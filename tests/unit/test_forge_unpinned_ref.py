from __future__ import annotations

from pathlib import Path

import pytest
from lintkit import hits, lint_ref, lint_yaml, messages
from medperf_lint.facts.forges import ForgeLookup
from medperf_lint.findings import Severity
from medperf_lint.gather import NetworkResults
from medperf_lint.input.config import Settings
from medperf_lint.refs.forges import forge_url_key
from medperf_lint.refs.references import Reference, RefKind
from medperf_lint.rule import Diagnostic, RuleContext
from medperf_lint.rules import forge_unpinned_ref

RULE = ("forge-unpinned-ref",)
SHA = "99b0d84bc107415d9fc6f69c4ea3fcdfbf22315d"


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("https://gitlab.com/o/r/-/raw/main/w.tar.gz", "GitLab ref 'main' is a branch or tag"),
        ("https://gitlab.com/g/sub/r/-/raw/v1.0/w.tar.gz?inline=false", "GitLab ref 'v1.0'"),
        ("https://git.example.org/o/r/-/archive/main/r-main.tar.gz", "GitLab ref 'main'"),
        ("https://gitlab.com/o/r/-/raw/99b0d84/w.tar.gz", "looks like a short commit SHA"),
        ("https://bitbucket.org/ws/r/raw/develop/w.tar.gz", "Bitbucket ref 'develop'"),
        ("https://bitbucket.org/ws/r/get/main.tar.gz", "Bitbucket ref 'main'"),
        ("https://codeberg.org/o/r/raw/branch/main/w.tar.gz", "branch 'main' moves"),
        ("https://gitea.example.org/o/r/raw/tag/v1/w.tar.gz", "tag 'v1' can be moved"),
        ("https://codeberg.org/o/r/raw/commit/99b0d84/w.tar.gz", "short SHA"),
        ("https://huggingface.co/o/m/resolve/main/w.safetensors", "X-Repo-Commit"),
        ("https://huggingface.co/datasets/o/d/resolve/v1.0/d.tar.gz", "ref 'v1.0'"),
        ("https://huggingface.co/o/m/resolve/refs%2Fpr%2F1/w.bin", "ref 'refs/pr/1'"),
        ("direct:https://huggingface.co/o/m/raw/main/config.json", "Hugging Face ref 'main'"),
        (
            "https://gitlab.com/o/r/-/releases/v1/downloads/w.tar.gz",
            "GitLab releases cannot be made immutable",
        ),
    ],
)
def test_branch_refs_on_forges_fail(url: str, expected: str) -> None:
    report = lint_ref(url, select=RULE)
    assert hits(report) == [("forge-unpinned-ref", 0, 0)]
    assert expected in messages(report)[0]
    assert report.findings[0].severity is Severity.ERROR


@pytest.mark.parametrize(
    "url",
    [
        f"https://gitlab.com/o/r/-/raw/{SHA}/w.tar.gz",
        f"https://gitlab.com/o/r/-/archive/{SHA}/r.tar.gz",
        f"https://bitbucket.org/ws/r/raw/{SHA}/w.tar.gz",
        f"https://bitbucket.org/ws/r/get/{SHA}.tar.gz",
        f"https://codeberg.org/o/r/raw/commit/{SHA}/w.tar.gz",
        f"https://huggingface.co/o/m/resolve/{SHA}/w.safetensors",
        "https://gitlab.com/o/r/-/blob/main/w.tar.gz",  # viewer-page-url's job
        "https://huggingface.co/o/m/blob/main/w.bin",  # viewer-page-url's job
        "https://raw.githubusercontent.com/o/r/main/w.tar.gz",  # github-unpinned-ref's job
        "https://bitbucket.org/ws/r/src/main/w.tar.gz",  # viewer-page-url's job
        "https://example.org/a/b/raw/branch",
    ],
)
def test_pinned_or_other_urls_pass(url: str) -> None:
    assert hits(lint_ref(url, select=RULE)) == []


def test_position_and_docs_url_skipped(tmp_path: Path) -> None:
    report = lint_yaml(
        tmp_path,
        """
        docs_url: https://gitlab.com/o/r/-/raw/main/README.md
        additional_files_tarball_url: https://gitlab.com/o/r/-/raw/main/w.tar.gz
        """,
        select=RULE,
    )
    assert hits(report) == [("forge-unpinned-ref", 2, 31)]


def test_examples(tmp_path: Path) -> None:
    bad = lint_yaml(tmp_path, forge_unpinned_ref.EXAMPLE_FAILING, "bad.medperf.yaml", select=RULE)
    good = lint_yaml(tmp_path, forge_unpinned_ref.EXAMPLE_PASSING, "ok.medperf.yaml", select=RULE)
    assert [f.rule for f in bad.findings] == ["forge-unpinned-ref"] * 4  # one per forge
    assert good.findings == ()


@pytest.mark.parametrize(
    "url",
    [
        "https://codeload.github.com/o/r/tar.gz/refs/heads/main",
        "https://codeload.github.com/o/r/zip/v1.2",
        "https://codeload.github.com/o/r/legacy.tar.gz/main",
    ],
)
def test_codeload_branches_are_github_unpinned_refs(url: str) -> None:
    report = lint_ref(url, select=("github-unpinned-ref",))
    assert [f.rule for f in report.findings] == ["github-unpinned-ref"]


def test_codeload_at_a_commit_passes() -> None:
    url = f"https://codeload.github.com/o/r/tar.gz/{SHA}"
    assert lint_ref(url, select=("github-unpinned-ref",)).findings == ()


REPLACE = "replace it with the full commit SHA"
HF_HINT = " (the X-Repo-Commit response header of the URL names it)"


@pytest.mark.parametrize(
    ("url", "message"),
    [
        (
            "https://gitlab.com/o/r/-/raw/v1.0/w.tar.gz",
            f"GitLab ref 'v1.0' is a branch or tag name, which can point at another commit tomorrow; {REPLACE}",
        ),
        (
            "https://gitlab.com/o/r/-/raw/1234/w.tar.gz",
            f"GitLab ref '1234' is a branch or tag name, which can point at another commit tomorrow; {REPLACE}",
        ),
        (
            "https://gitlab.com/o/r/-/raw/deadbeef/w.tar.gz",
            f"GitLab ref 'deadbeef' is a branch or tag name, which can point at another commit tomorrow; {REPLACE}",
        ),
        (
            "https://gitlab.com/o/r/-/raw/abc1234/w.tar.gz",
            f"GitLab ref 'abc1234' looks like a short commit SHA: short SHAs are ambiguous; {REPLACE}",
        ),
        (
            "https://bitbucket.org/o/r/raw/1234567/w",
            f"Bitbucket ref '1234567' looks like a short commit SHA: short SHAs are ambiguous; {REPLACE}",
        ),
        (
            "https://huggingface.co/o/m/resolve/main/w.bin",
            f"Hugging Face ref 'main' is a branch or tag name, which can point at another commit tomorrow; {REPLACE}{HF_HINT}",
        ),
    ],
)
def test_messages_in_full(url: str, message: str) -> None:
    assert messages(lint_ref(url, select=("forge-unpinned-ref",))) == [message]


NEW = "ab813a8142e1d9f2f215cb10cc59842dfc9b701c"
ARCHIVE_NOTE = " (the archive's top folder may be named after the ref: check its hash)"


def _online(url: str, lookup: ForgeLookup | None, settings: Settings) -> list[Diagnostic]:
    """The rule's answer when the forge said ``lookup`` about the URL's ref."""
    key = forge_url_key(url.removeprefix("direct:"), settings)
    forges = {key: lookup} if key is not None and lookup is not None else {}
    ctx = RuleContext(settings=settings, network=NetworkResults(forges=forges))
    ref = Reference(url, RefKind.RESOURCE, field="additional_files_tarball_url")
    return list(forge_unpinned_ref.check(ref, ctx))


@pytest.mark.parametrize(
    ("url", "sha", "fixed", "note", "safe"),
    [
        (
            "https://gitlab.com/o/r/-/raw/main/w.tar.gz",
            NEW.upper(),
            f"https://gitlab.com/o/r/-/raw/{NEW}/w.tar.gz",
            "",
            True,
        ),
        (
            "https://gitlab.com/o/r/-/archive/main/r-main.tar.gz",
            NEW,
            f"https://gitlab.com/o/r/-/archive/{NEW}/r-main.tar.gz",
            ARCHIVE_NOTE,
            False,
        ),
        (
            "https://bitbucket.org/ws/r/get/main.tar.gz",
            NEW,
            f"https://bitbucket.org/ws/r/get/{NEW}.tar.gz",
            ARCHIVE_NOTE,
            False,
        ),
        (
            "https://codeberg.org/o/r/raw/branch/main/w.tar.gz",
            NEW,
            f"https://codeberg.org/o/r/raw/commit/{NEW}/w.tar.gz",
            "",
            True,
        ),
        (  # a SHA-256 repository's commit is 64 hex
            "https://huggingface.co/o/m/resolve/main/w.bin",
            "c" * 64,
            f"https://huggingface.co/o/m/resolve/{'c' * 64}/w.bin",
            "",
            True,
        ),
        (
            "direct:https://gitlab.com/o/r/-/raw/main/w.tar.gz",
            NEW,
            f"direct:https://gitlab.com/o/r/-/raw/{NEW}/w.tar.gz",
            "",
            True,
        ),
    ],
)
def test_online_fix_pins_to_the_commit_in_full(
    url: str, sha: str, fixed: str, note: str, safe: bool
) -> None:
    [diag] = _online(url, ForgeLookup(sha=sha), Settings())
    assert diag.fix is not None
    assert diag.fix.replacement == fixed
    assert diag.fix.description == f"pin to commit {sha.lower()}, which main points at now{note}"
    assert diag.fix.safe is safe


@pytest.mark.parametrize(
    "lookup",
    [
        None,  # not looked up
        ForgeLookup(inconclusive="HTTP 429"),
        ForgeLookup(sha="99b0d84"),  # a short SHA is no pin
        ForgeLookup(sha="z" * 40),
        ForgeLookup(sha=NEW + "0"),  # 41 hex
    ],
    ids=["not-looked-up", "inconclusive", "short", "not-hex", "41-hex"],
)
def test_online_without_a_full_sha_gives_no_fix(lookup: ForgeLookup | None) -> None:
    url = "https://gitlab.com/o/r/-/raw/main/w.tar.gz"
    [diag] = _online(url, lookup, Settings())
    assert diag.message.startswith("GitLab ref 'main' is a branch or tag name")
    assert diag.fix is None


def test_a_self_hosted_gitlab_is_looked_up_only_when_configured() -> None:
    url = "https://git.example.org/o/r/-/raw/main/w.tar.gz"
    configured = Settings(gitlab_hosts=("https://git.example.org",))
    [diag] = _online(url, ForgeLookup(sha=NEW), configured)
    assert diag.fix is not None
    assert diag.fix.replacement == f"https://git.example.org/o/r/-/raw/{NEW}/w.tar.gz"
    assert forge_url_key(url, Settings()) is None  # any other host: no lookup, so no fix
    key = forge_url_key(url, configured)
    assert key is not None
    ctx = RuleContext(
        settings=Settings(), network=NetworkResults(forges={key: ForgeLookup(sha=NEW)})
    )
    ref = Reference(url, RefKind.RESOURCE, field="additional_files_tarball_url")
    [unconfigured] = forge_unpinned_ref.check(ref, ctx)
    assert unconfigured.fix is None
