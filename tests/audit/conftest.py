"""Fixtures: a fake MedPerf server and the loopback hosts its references live on.

One trustme CA signs both the MedPerf server's name and every host the reference servers play;
its bundle goes to the linter through ``REQUESTS_CA_BUNDLE``, so TLS verification stays on.
"""

from __future__ import annotations

import ssl
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from servers.fake_medperf import FakeMedPerf
from servers.hosts import HOSTS, HostsServer
from servers.tlskit import tls_for

sys.path.insert(0, str(Path(__file__).resolve().parent))

MEDPERF_HOST = "api.medperf.org"


@pytest.fixture(scope="session")
def audit_tls(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, ssl.SSLContext]:
    return tls_for(tmp_path_factory.mktemp("audit-ca"), *HOSTS, MEDPERF_HOST)


@pytest.fixture
def hosts(
    audit_tls: tuple[Path, ssl.SSLContext], monkeypatch: pytest.MonkeyPatch
) -> Iterator[HostsServer]:
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", str(audit_tls[0]))
    with HostsServer(audit_tls[1]) as server:
        yield server


@pytest.fixture
def medperf(
    audit_tls: tuple[Path, ssl.SSLContext], monkeypatch: pytest.MonkeyPatch
) -> Iterator[FakeMedPerf]:
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", str(audit_tls[0]))
    monkeypatch.setenv("MEDPERF_LINT_MEDPERF_TOKEN", "good-token")
    with FakeMedPerf(audit_tls[1], host=MEDPERF_HOST) as server:
        yield server
