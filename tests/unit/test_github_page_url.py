from __future__ import annotations

from pathlib import Path

import pytest
from lintkit import hits, lint_ref, lint_yaml, messages
from medperf_lint.facts.github import RefLookup
from medperf_lint.gather import NetworkResults
from medperf_lint.input.config import Settings
from medperf_lint.refs.hosts import github_ref_key
from medperf_lint.refs.references import Reference, RefKind
from medperf_lint.rule import RuleContext
from medperf_lint.rules import github_page_url

RULE = ("github-page-url",)
SHA = "c67f7ab5e35408186eaf9545eb0eeac26aaa2685"


@pytest.mark.parametrize(
    ("url", "fixed"),
    [
        (
            f"https://github.com/WinstonHuTiger/medperf/blob/{SHA}/examples/BraTS2024/parameters.yaml",
            f"https://raw.githubusercontent.com/WinstonHuTiger/medperf/{SHA}/examples/BraTS2024/parameters.yaml",
        ),
        (
            "https://github.com/o/r/blob/main/mlcube/workspace/parameters.yaml?plain=1#L10",
            "https://raw.githubusercontent.com/o/r/main/mlcube/workspace/parameters.yaml",
        ),
        (
            "https://www.github.com/o/r/blob/refs/heads/dev/my%20weights.tar.gz",
            "https://raw.githubusercontent.com/o/r/refs/heads/dev/my%20weights.tar.gz",
        ),
        (
            "direct:https://github.com/o/r/blob/v1.0/w.tar.gz#L1-L3",
            "direct:https://raw.githubusercontent.com/o/r/v1.0/w.tar.gz",
        ),
    ],
)
def test_blob_page_gets_raw_fix_with_same_ref(url: str, fixed: str) -> None:
    report = lint_ref(url, select=RULE)
    assert hits(report) == [("github-page-url", 0, 0)]
    assert "HTML file viewer" in messages(report)[0]
    fix = report.findings[0].fix
    assert fix is not None and fix.replacement == fixed


def test_tree_is_a_directory_without_fix() -> None:
    report = lint_ref("https://github.com/o/r/tree/main/examples/weights", select=RULE)
    assert hits(report) == [("github-page-url", 0, 0)]
    assert "directory" in messages(report)[0] and "MedPerf needs a file" in messages(report)[0]
    assert report.findings[0].fix is None


@pytest.mark.parametrize(
    "url",
    [
        "https://gist.github.com/u/5f1e2d",
        "https://gist.github.com/5f1e2d",
        f"https://gist.github.com/u/5f1e2d/{SHA}",
    ],
)
def test_gist_page(url: str) -> None:
    report = lint_ref(url, select=RULE)
    assert hits(report) == [("github-page-url", 0, 0)]
    assert "gist.githubusercontent.com/USER/ID/raw/REVISION/FILE" in messages(report)[0]


@pytest.mark.parametrize(
    "url",
    [
        "https://raw.githubusercontent.com/o/r/main/w.tar.gz",
        "https://github.com/o/r/raw/main/w.tar.gz",
        "https://github.com/o/r/blob/main/w.tar.gz?raw=true",
        "https://gist.github.com/u/5f1e2d/raw/parameters.yaml",
        "https://gist.github.com/u/5f1e2d.js",
        "https://github.com/o/r/releases/download/v1/w.tar.gz",
        "https://example.com/o/r/blob/main/w.tar.gz",
    ],
)
def test_direct_forms_pass(url: str) -> None:
    assert hits(lint_ref(url, select=RULE)) == []


def test_positions_and_docs_url_skipped(tmp_path: Path) -> None:
    report = lint_yaml(
        tmp_path,
        """
        name: brats-synthesis
        docs_url: https://github.com/o/r/blob/main/README.md
        additional_files_tarball_url: https://github.com/o/r/blob/main/additional_files.tar.gz
        additional_files_tarball_hash: bff003e244759c3d7c8b9784af0819c7f252da8626745671ccf7f46b8f19a0ca
        demo_dataset_tarball_url: https://github.com/o/r/tree/main/demo
        demo_dataset_tarball_hash: 71faabd59139bee698010a0ae3a69e16d97bc4f2dde799d9e187b94ff9157c00
        """,
        select=RULE,
    )
    assert hits(report) == [("github-page-url", 3, 31), ("github-page-url", 5, 27)]
    fix = report.findings[0].fix
    assert fix is not None
    assert fix.replacement == "https://raw.githubusercontent.com/o/r/main/additional_files.tar.gz"
    assert report.findings[1].fix is None


def test_mlcube_free_yaml_url(tmp_path: Path) -> None:
    report = lint_yaml(
        tmp_path,
        """
        name: mobilenet
        docker:
          image: mlcommons/chestxray-tutorial-mobilenetv2:0.0.0
        tasks:
          infer:
            parameters:
              inputs:
                weights: {type: file, default: "https://github.com/o/r/blob/main/w.pt"}
        """,
        name="mlcube.yaml",
        select=RULE,
    )
    assert hits(report) == [("github-page-url", 8, 40)]
    fix = report.findings[0].fix
    assert fix is not None and fix.replacement == "https://raw.githubusercontent.com/o/r/main/w.pt"


# -- messages, fixes and look-alikes in full ---------------------------------------------------


BLOB = (
    "github.com/…/blob/… is GitHub's HTML file viewer, so MedPerf would download a web page; "
    "use the raw.githubusercontent.com URL of the same file"
)


def _diagnose(url: str, sha: str | None = None) -> list[tuple[str, str | None, str | None]]:
    key = github_ref_key(url.removeprefix("direct:"))
    network = NetworkResults(github={key: RefLookup(sha=sha)}) if key else NetworkResults()
    ref = Reference(url, RefKind.RESOURCE, field="additional_files_tarball_url")
    return [
        (d.message, d.fix.replacement if d.fix else None, d.fix.description if d.fix else None)
        for d in github_page_url.check(ref, RuleContext(Settings(), network))
    ]


def test_a_blob_page_on_a_branch_gets_the_commit_it_points_at() -> None:
    url = "https://github.com/o/r/blob/main/w.yaml"
    assert _diagnose(url, SHA.upper()) == [
        (
            BLOB,
            f"https://raw.githubusercontent.com/o/r/{SHA}/w.yaml",
            f"the raw file at commit {SHA}, which main points at now",
        )
    ]


@pytest.mark.parametrize("sha", [None, "c67f7ab", "g" * 40])
def test_without_a_full_sha_the_fix_keeps_the_ref(sha: str | None) -> None:
    assert _diagnose("direct:https://github.com/o/r/blob/main/w.yaml", sha) == [
        (
            BLOB + "; main is not a commit SHA, so pin the raw URL to one too",
            "direct:https://raw.githubusercontent.com/o/r/main/w.yaml",
            "link the raw file at the same ref",
        )
    ]


def test_a_pinned_blob_page_needs_no_pin() -> None:
    assert _diagnose(f"https://github.com/o/r/blob/{SHA}/w.yaml") == [
        (
            BLOB,
            f"https://raw.githubusercontent.com/o/r/{SHA}/w.yaml",
            "link the raw file at the same ref",
        )
    ]


@pytest.mark.parametrize("raw", ["true", "1", "TRUE"])
def test_raw_true_redirects_to_the_file(raw: str) -> None:
    assert _diagnose(f"https://github.com/o/r/blob/main/w.yaml?raw={raw}") == []


@pytest.mark.parametrize("raw", ["false", "0", "yes", ""])
def test_other_raw_values_are_still_the_viewer(raw: str) -> None:
    assert len(_diagnose(f"https://github.com/o/r/blob/main/w.yaml?raw={raw}")) == 1


@pytest.mark.parametrize(
    "url",
    [
        "https://gist.github.com/abc123",
        "https://gist.github.com/alice/abc123",
        "https://gist.github.com/alice/abc123/0123456",
        "https://gist.github.com/alice/abc123/revisions",
    ],
)
def test_gist_pages(url: str) -> None:
    [(message, fix, _)] = _diagnose(url)
    assert message.startswith("gist.github.com/USER/ID is the gist's HTML page;")
    assert fix is None


@pytest.mark.parametrize(
    "url",
    [
        "https://gist.github.com/",
        "https://gist.github.com/alice/abc123/raw/w.yaml",
        "https://gist.github.com/alice/abc123/archive/0123.zip",
        "https://gist.github.com/alice/archive/0123",
        "https://gist.github.com/alice/raw/0123",
        "https://gist.github.com/alice/download",
        "https://gist.github.com/alice/abc123/download",
        "https://gist.github.com/alice/abc123/x/y",
        "https://gist.github.com/alice/abc123.js",
        "https://gist.github.com/alice/abc123.git",
        "https://gist.github.com/alice/abc123.json",
    ],
)
def test_gist_files_and_embeds_are_not_pages(url: str) -> None:
    assert _diagnose(url) == []
