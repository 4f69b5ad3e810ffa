"""Forge file URLs: the ref's place in the URL (so a pin keeps everything else as written),
and which hosts get an API lookup."""

from __future__ import annotations

import pytest
from medperf_lint.input.config import ConfigError, ConfigResolver, Settings
from medperf_lint.refs.forges import forge_key, forge_url_key, parse_forge_file

SHA = "99b0d84bc107415d9fc6f69c4ea3fcdfbf22315d"


@pytest.mark.parametrize(
    ("url", "pinned"),
    [
        (
            "https://gitlab.com/g/sub/r/-/raw/main/a%20b/w.tar.gz?inline=false",
            f"https://gitlab.com/g/sub/r/-/raw/{SHA}/a%20b/w.tar.gz?inline=false",
        ),
        (
            "https://gitlab.com/o/r/-/archive/v1/r-v1.tar.gz",
            f"https://gitlab.com/o/r/-/archive/{SHA}/r-v1.tar.gz",
        ),
        (
            "https://bitbucket.org/ws/r/raw/develop/w.tar.gz",
            f"https://bitbucket.org/ws/r/raw/{SHA}/w.tar.gz",
        ),
        (
            "https://bitbucket.org/ws/r/get/main.tar.gz",
            f"https://bitbucket.org/ws/r/get/{SHA}.tar.gz",
        ),
        (
            "https://codeberg.org/o/r/raw/tag/v1/dir/w.tar.gz",
            f"https://codeberg.org/o/r/raw/commit/{SHA}/dir/w.tar.gz",
        ),
        (
            "https://huggingface.co/datasets/o/d/resolve/refs%2Fpr%2F1/d.tar.gz",
            f"https://huggingface.co/datasets/o/d/resolve/{SHA}/d.tar.gz",
        ),
        (
            "https://huggingface.co/gpt2/resolve/main/w.bin",
            f"https://huggingface.co/gpt2/resolve/{SHA}/w.bin",
        ),
    ],
)
def test_pinned_url_swaps_only_the_ref(url: str, pinned: str) -> None:
    found = parse_forge_file(url)
    assert found is not None and found.pinned_url(SHA) == pinned


def test_keys_name_the_project_as_the_api_does() -> None:
    settings = Settings()
    assert forge_url_key("https://gitlab.com/g/sub/r/-/raw/main/w", settings) == (
        "GitLab",
        "https://gitlab.com",
        "g/sub/r",
        "main",
    )
    hf = forge_url_key("https://hf.co/datasets/o/d/resolve/refs%2Fpr%2F1/d.tar.gz", settings)
    assert hf == ("Hugging Face", "https://huggingface.co", "datasets/o/d", "refs/pr/1")


def test_only_known_or_configured_instances_are_looked_up() -> None:
    url = "https://git.example.org/o/r/-/raw/main/w.tar.gz"
    assert forge_url_key(url, Settings()) is None
    assert forge_url_key(url, Settings(gitlab_hosts=("https://git.example.org",))) is not None
    gitea = "https://gitea.example.org/o/r/raw/branch/main/w.tar.gz"
    assert forge_url_key(gitea, Settings()) is None
    assert forge_url_key(gitea, Settings(gitea_hosts=("https://gitea.example.org",))) is not None


def test_gitlab_release_links_are_parsed_but_never_looked_up() -> None:
    found = parse_forge_file("https://gitlab.com/o/r/-/releases/v1/downloads/w.tar.gz")
    assert found is not None and found.ref_kind == "release"
    assert forge_key(found) is None


def test_forge_hosts_are_trusted_settings(tmp_path: object) -> None:
    from pathlib import Path

    repo = Path(str(tmp_path))
    (repo / ".medperf-lint.toml").write_text('gitlab-hosts = ["https://attacker.example"]\n')
    settings = ConfigResolver(run_root=repo, environ={}).run_settings()
    assert settings.gitlab_hosts == ()
    env = {"MEDPERF_LINT_GITEA_HOSTS": "https://a.example, https://b.example"}
    settings = ConfigResolver(run_root=repo, environ=env).run_settings()
    assert settings.gitea_hosts == ("https://a.example", "https://b.example")
    with pytest.raises(ConfigError):
        ConfigResolver(
            run_root=repo, environ={"MEDPERF_LINT_GITLAB_HOSTS": "ftp://x"}
        ).run_settings()
