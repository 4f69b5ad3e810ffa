"""The transport's one retry classifier and one redirect loop, seen from the registry and
download providers (the probe's, GitHub's and Synapse's are in their own folders): a 503 that
asks to wait is retried and then answered, redirects are followed hop by hop, and a loop ends
in one clear line."""

from __future__ import annotations

import hashlib
import os
import ssl
from collections.abc import Iterator
from pathlib import Path

import pytest
from medperf_lint.facts.download import DownloadFacts
from medperf_lint.facts.registry import ImageLookup
from medperf_lint.input.config import Settings
from medperf_lint.net.transport import Timeouts, open_transport
from medperf_lint.providers.registry import lookup_images
from medperf_lint.providers.verify import DownloadJob, verify_all
from servers.hosts import HostsServer, Reply, redirect
from servers.tlskit import tls_for

HOST = "storage.googleapis.com"
BUSY = Reply(503, headers=(("Retry-After", "0"),), content_type="text/plain", ranged=False)
DIGEST = "sha256:" + "ab" * 32
MANIFEST = Reply(headers=(("Docker-Content-Digest", DIGEST),), ranged=False)


@pytest.fixture(scope="module")
def tls(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, ssl.SSLContext]:
    return tls_for(tmp_path_factory.mktemp("policy-ca"), HOST)


@pytest.fixture
def server(
    tls: tuple[Path, ssl.SSLContext], monkeypatch: pytest.MonkeyPatch
) -> Iterator[HostsServer]:
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", str(tls[0]))  # registries are reached over https
    with HostsServer(tls[1]) as running:
        yield running


def _settings(server: HostsServer) -> Settings:
    return Settings(resolve=server.resolve(HOST), allow_private_hosts=True)


def _verify(server: HostsServer, job: DownloadJob, retries: int = 2) -> DownloadFacts:
    with open_transport(_settings(server)) as shared:
        coro = verify_all(
            shared.transport, [job], timeouts=Timeouts(5.0, 10.0), max_size=1 << 30, retries=retries
        )
        return shared.call(coro, 60)[job.name]


def _image(server: HostsServer, name: str, retries: int = 2) -> ImageLookup:
    image = f"{HOST}:{server.port}/acme/{name}:1.0"
    with open_transport(_settings(server)) as shared:
        coro = lookup_images(shared.transport, [image], Timeouts(5.0, 10.0), retries)
        return shared.call(coro, 60)[image]


def _manifest(name: str) -> str:
    return f"/v2/acme/{name}/manifests/1.0"


# ---- downloads (--verify-hashes)


def test_a_download_answered_503_is_retried_then_hashed(server: HostsServer) -> None:
    body = os.urandom(10_000)
    url = server.route(HOST, "/b/busy.bin", BUSY, Reply(body=body, ranged=False))
    facts = _verify(server, DownloadJob(url, hashlib.sha256(body).hexdigest()))
    assert facts.sha256 == hashlib.sha256(body).hexdigest() and facts.inconclusive is None
    assert server.hits(HOST, "/b/busy.bin") == 2


def test_a_download_that_stays_503_is_not_hashed(server: HostsServer) -> None:
    url = server.route(HOST, "/b/down.bin", BUSY)
    facts = _verify(server, DownloadJob(url, None), retries=1)
    assert facts.error == "HTTP 503: MedPerf accepts only 200"
    assert server.hits(HOST, "/b/down.bin") == 2  # the first try and one retry


def test_a_download_redirect_loop_ends_in_one_line(server: HostsServer) -> None:
    a = server.route(HOST, "/b/a", redirect(302, "/b/b"))
    server.route(HOST, "/b/b", redirect(302, "/b/a"))
    facts = _verify(server, DownloadJob(a, None))
    assert facts.inconclusive == f"download failed: redirect loop back to {a}"
    assert server.hits(HOST, "/b/a") == 1


# ---- container registries


def test_a_registry_answered_503_is_retried(server: HostsServer) -> None:
    server.route(HOST, _manifest("busy"), BUSY, MANIFEST)
    found = _image(server, "busy")
    assert (found.digest, found.inconclusive) == (DIGEST, None)
    assert server.hits(HOST, _manifest("busy")) == 2
    assert found.requests == 2


def test_a_registry_that_stays_503_is_inconclusive(server: HostsServer) -> None:
    server.route(HOST, _manifest("down"), BUSY)
    found = _image(server, "down", retries=1)
    assert found.inconclusive == "the registry answered HTTP 503"
    assert server.hits(HOST, _manifest("down")) == 2


def test_a_registry_redirect_is_followed(server: HostsServer) -> None:
    server.route(HOST, _manifest("moved"), redirect(307, "/mirror/moved"))
    server.route(HOST, "/mirror/moved", MANIFEST)
    found = _image(server, "moved")
    assert (found.digest, found.inconclusive) == (DIGEST, None)
    assert found.requests == 2


def test_a_registry_redirect_loop_is_inconclusive(server: HostsServer) -> None:
    server.route(HOST, _manifest("loop"), redirect(307, "/mirror/loop"))
    server.route(HOST, "/mirror/loop", redirect(307, _manifest("loop")))
    found = _image(server, "loop")
    assert found.inconclusive is not None and "redirect loop back to" in found.inconclusive
