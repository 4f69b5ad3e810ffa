"""Fixtures: a local fake GitHub API at https://api.github.com:PORT (trustme certificate,
reached through ``--resolve``) and a second HTTPS host, ``other.example.test``."""

from __future__ import annotations

import ssl
from collections.abc import Iterator

import pytest
import trustme
from ghkit import API_HOST, OTHER_HOST, RAW_HOST, Tls, medperf_repo
from servers.fake_github import FakeGitHub, RecordingServer


@pytest.fixture(scope="session")
def tls(tmp_path_factory: pytest.TempPathFactory) -> Tls:
    ca = trustme.CA()
    cert = ca.issue_cert(API_HOST, OTHER_HOST, RAW_HOST)
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    cert.configure_cert(context)
    ca_file = tmp_path_factory.mktemp("ca") / "ca.pem"
    ca.cert_pem.write_to_path(str(ca_file))
    return Tls(context, ca_file)


@pytest.fixture(autouse=True)
def _trust_test_ca(tls: Tls, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", str(tls.ca_file))


@pytest.fixture
def github(tls: Tls) -> Iterator[FakeGitHub]:
    with FakeGitHub(tls.server_context, {"mlcommons/medperf": medperf_repo()}) as server:
        yield server


@pytest.fixture
def other(tls: Tls) -> Iterator[RecordingServer]:
    with RecordingServer(tls.server_context) as server:
        yield server
