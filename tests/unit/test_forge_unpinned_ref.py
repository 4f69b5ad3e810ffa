from __future__ import annotations

from pathlib import Path

import pytest
from lintkit import hits, lint_ref, lint_yaml, messages
from medperf_lint.findings import Severity
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
