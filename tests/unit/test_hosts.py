"""GitHub URL shapes, each branch of parse_github_url with its rewrite to a commit, and the
look-alikes that are not GitHub file URLs."""

from __future__ import annotations

import pytest
from medperf_lint.refs.hosts import (
    GitHubUrl,
    github_ref_key,
    is_github,
    parse_github_url,
    parse_huggingface_url,
)
from medperf_lint.refs.urls import split_url

SHA = "0123456789abcdef0123456789abcdef01234567"
SHA2 = "fedcba9876543210fedcba9876543210fedcba98"

SHAPES = [
    (
        "https://raw.githubusercontent.com/o/r/main/a/w.tar.gz",
        GitHubUrl("raw", "o", "r", "main", "a/w.tar.gz"),
        f"https://raw.githubusercontent.com/o/r/{SHA2}/a/w.tar.gz",
    ),
    (
        "https://media.githubusercontent.com/media/o/r/v1/w.bin",
        GitHubUrl("media", "o", "r", "v1", "w.bin"),
        f"https://media.githubusercontent.com/media/o/r/{SHA2}/w.bin",
    ),
    (
        "https://github.com/o/r/blob/dev/x.yaml",
        GitHubUrl("blob", "o", "r", "dev", "x.yaml"),
        f"https://github.com/o/r/blob/{SHA2}/x.yaml",
    ),
    (
        "https://www.github.com/o/r/tree/dev/models",
        GitHubUrl("tree", "o", "r", "dev", "models"),
        f"https://github.com/o/r/tree/{SHA2}/models",
    ),
    (
        "https://github.com/o/r/raw/dev/x.yaml",
        GitHubUrl("raw-redirect", "o", "r", "dev", "x.yaml"),
        f"https://github.com/o/r/raw/{SHA2}/x.yaml",
    ),
    (
        "https://github.com/o/r/releases/download/v1.0/w.tar.gz",
        GitHubUrl("release", "o", "r", "v1.0", "w.tar.gz"),
        None,
    ),
    (
        "https://github.com/o/r/releases/latest/download/w.tar.gz",
        GitHubUrl("release-latest", "o", "r", None, "w.tar.gz"),
        None,
    ),
    (
        "https://github.com/o/r/archive/refs/heads/main.tar.gz",
        GitHubUrl("archive", "o", "r", "refs/heads/main", ".tar.gz"),
        f"https://github.com/o/r/archive/{SHA2}.tar.gz",
    ),
    (
        f"https://gist.githubusercontent.com/alice/abc123/raw/{SHA}/w.yaml",
        GitHubUrl("gist-raw", "alice", "abc123", SHA, "w.yaml"),
        f"https://gist.githubusercontent.com/alice/abc123/raw/{SHA2}/w.yaml",
    ),
    (
        "https://gist.githubusercontent.com/alice/abc123/raw/w.yaml",
        GitHubUrl("gist-raw", "alice", "abc123", None, "w.yaml"),
        f"https://gist.githubusercontent.com/alice/abc123/raw/{SHA2}/w.yaml",
    ),
    (
        "https://gist.githubusercontent.com/alice/abc123/raw/notasha/w.yaml",
        GitHubUrl("gist-raw", "alice", "abc123", None, "notasha/w.yaml"),
        f"https://gist.githubusercontent.com/alice/abc123/raw/{SHA2}/notasha/w.yaml",
    ),
    *[
        (
            f"https://codeload.github.com/o/r/{fmt}/refs/heads/main",
            GitHubUrl("codeload", "o", "r", "refs/heads/main", fmt),
            f"https://codeload.github.com/o/r/{fmt}/{SHA2}",
        )
        for fmt in ("tar.gz", "zip", "legacy.tar.gz", "legacy.zip", "tar")
    ],
]


@pytest.mark.parametrize(("url", "parsed", "rewritten"), SHAPES, ids=lambda v: str(v)[:60])
def test_every_shape_and_its_rewrite(url: str, parsed: GitHubUrl, rewritten: str | None) -> None:
    assert parse_github_url(url) == parsed
    if rewritten is not None:
        assert parsed.with_ref(SHA2) == rewritten


@pytest.mark.parametrize(
    "url",
    [
        "https://codeload.github.com/o/r/tar.bz2/main",  # not a format codeload serves
        "https://codeload.github.com/o/r/zip",
        "https://gist.githubusercontent.com/alice/abc123/w.yaml",  # no /raw/
        "https://gist.githubusercontent.com/alice/abc123/blob/x/w.yaml",
        "https://gist.github.com/alice/abc123",
        "https://github.com/o/r",
        "https://github.com/o/r/issues/1",
        "https://github.com/o/r/releases/tag/v1",
        "https://github.com/o/r/blob",  # an action with no ref after it
        "https://github.com/o/r/tree/",
        "https://github.com/o/r/raw",
        "https://github.com/o/r/archive/main",  # no archive suffix
        "https://media.githubusercontent.com/o/r/main/w.bin",  # not under /media/
        "https://raw.githubusercontent.com/o/r",
        "https://o.github.io/r/w.tar.gz",  # GitHub Pages
        "https://gitlab.com/o/r/-/raw/main/w.tar.gz",
        "ftp://raw.githubusercontent.com/o/r/main/w",
        "https://raw.githubusercontent.com.evil.example/o/r/main/w",
    ],
)
def test_look_alikes_are_not_github_file_urls(url: str) -> None:
    assert parse_github_url(url) is None


def test_ref_keys_skip_gists_and_keep_the_api_form() -> None:
    assert github_ref_key("https://github.com/O/R/blob/refs/tags/v1/x") == ("o", "r", "tags/v1")
    assert github_ref_key(f"https://gist.githubusercontent.com/a/b/raw/{SHA}/w") is None
    assert github_ref_key("https://github.com/o/r/releases/latest/download/w") is None
    assert github_ref_key("https://codeload.github.com/o/r/zip/main") == ("o", "r", "main")


@pytest.mark.parametrize(
    ("host", "expected"),
    [
        ("github.com", True),
        ("raw.githubusercontent.com", True),
        ("media.githubusercontent.com", True),
        ("gist.githubusercontent.com", True),
        ("codeload.github.com", True),
        ("o.github.io", False),
        ("githubusercontent.com.example.org", False),
        ("objects.githubusercontent.com", False),
    ],
)
def test_is_github(host: str, expected: bool) -> None:
    parts = split_url(f"https://{host}/o/r/x")
    assert parts is not None and is_github(parts) is expected


@pytest.mark.parametrize(
    ("url", "ref_name", "api_ref"),
    [
        ("https://github.com/o/r/blob/main/x", "main", "main"),
        ("https://github.com/o/r/blob/refs/heads/dev/x", "dev", "heads/dev"),
        ("https://github.com/o/r/archive/refs/tags/v1.tar.gz", "v1", "tags/v1"),
        (f"https://raw.githubusercontent.com/o/r/{SHA}/x", SHA, SHA),
        ("https://github.com/o/r/releases/latest/download/w.tar.gz", None, None),  # no ref
        ("https://gist.githubusercontent.com/alice/abc123/raw/w.yaml", None, None),
    ],
)
def test_ref_name_and_api_ref(url: str, ref_name: str | None, api_ref: str | None) -> None:
    parsed = parse_github_url(url)
    assert parsed is not None
    assert (parsed.ref_name, parsed.api_ref) == (ref_name, api_ref)


def test_a_release_asset_path_keeps_its_slashes() -> None:
    parsed = parse_github_url("https://github.com/o/r/releases/download/v1.0/dir/w.tar.gz")
    assert parsed == GitHubUrl("release", "o", "r", "v1.0", "dir/w.tar.gz")


@pytest.mark.parametrize(
    ("url", "repo", "action", "revision", "path", "prefix"),
    [
        ("https://huggingface.co/o/m/resolve/main/w.bin", "o/m", "resolve", "main", "w.bin", ""),
        (
            "https://huggingface.co/bert-base-uncased/resolve/main/config.json",
            "bert-base-uncased",
            "resolve",
            "main",
            "config.json",
            "",
        ),
        ("https://hf.co/datasets/o/d/blob/v1/a/b.csv", "o/d", "blob", "v1", "a/b.csv", "datasets/"),
        ("http://huggingface.co/o/m/blob/main/w.bin", "o/m", "blob", "main", "w.bin", ""),
        (
            "https://www.huggingface.co/spaces/o/s/raw/refs%2Fpr%2F1/app.py",
            "o/s",
            "raw",
            "refs%2Fpr%2F1",
            "app.py",
            "spaces/",
        ),
    ],
)
def test_hugging_face_urls(
    url: str, repo: str, action: str, revision: str, path: str, prefix: str
) -> None:
    parsed = parse_huggingface_url(url)
    assert parsed is not None
    assert (parsed.prefix, parsed.repo, parsed.action, parsed.revision, parsed.path) == (
        prefix,
        repo,
        action,
        revision,
        path,
    )


@pytest.mark.parametrize(
    "url",
    [
        "https://huggingface.co/o/m",
        "https://huggingface.co/o/m/resolve/main",  # no file
        "https://huggingface.co/o/m/tree/main/w.bin",
        "https://cdn-lfs.huggingface.co/o/m/resolve/main/w.bin",
        "ftp://huggingface.co/o/m/resolve/main/w.bin",
    ],
)
def test_hugging_face_look_alikes(url: str) -> None:
    assert parse_huggingface_url(url) is None
