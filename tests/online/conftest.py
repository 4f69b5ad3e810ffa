"""Fixtures: one HTTPS and one HTTP server playing real hosts, reached through ``--resolve``.

A trustme CA signs a certificate for every host name below; its bundle is handed to the linter
through ``REQUESTS_CA_BUNDLE`` (read at probe time), so TLS verification stays on.
"""

from __future__ import annotations

import ssl
from collections.abc import Iterator
from pathlib import Path

import pytest
from servers.hosts import HOSTS, HostsServer
from servers.tlskit import tls_for


@pytest.fixture(scope="session")
def ca_and_context(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, ssl.SSLContext]:
    return tls_for(tmp_path_factory.mktemp("ca"), *HOSTS)


@pytest.fixture
def ca_bundle(ca_and_context: tuple[Path, ssl.SSLContext], monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", str(ca_and_context[0]))
    return ca_and_context[0]


@pytest.fixture
def https(
    ca_and_context: tuple[Path, ssl.SSLContext],
    ca_bundle: Path,  # noqa: ARG001 - requested to trust the test CA (REQUESTS_CA_BUNDLE)
) -> Iterator[HostsServer]:
    with HostsServer(ca_and_context[1]) as server:
        yield server


@pytest.fixture
def http() -> Iterator[HostsServer]:
    with HostsServer() as server:
        yield server
