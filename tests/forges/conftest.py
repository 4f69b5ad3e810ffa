"""Fixtures: the local fake forges (GitLab, Bitbucket, Codeberg, Hugging Face, a self-hosted
GitLab) on one HTTPS port, reached through ``--resolve`` with a trustme certificate."""

from __future__ import annotations

import ssl
from collections.abc import Iterator
from pathlib import Path

import pytest
from forgekit import populate
from servers.fake_forges import HOSTS, FakeForges
from servers.tlskit import tls_for


@pytest.fixture(scope="session")
def forge_tls(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, ssl.SSLContext]:
    return tls_for(tmp_path_factory.mktemp("ca"), *HOSTS)


@pytest.fixture
def forges(
    forge_tls: tuple[Path, ssl.SSLContext], monkeypatch: pytest.MonkeyPatch
) -> Iterator[FakeForges]:
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", str(forge_tls[0]))
    monkeypatch.delenv("GITLAB_TOKEN", raising=False)
    with FakeForges(forge_tls[1]) as server:
        populate(server)
        yield server
