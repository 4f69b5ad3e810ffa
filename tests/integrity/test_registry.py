"""The registry client against a local v2 registry with the anonymous token flow."""

from __future__ import annotations

import ssl
from collections.abc import Iterator
from pathlib import Path

import pytest
from medperf_lint.facts.registry import ImageLookup
from medperf_lint.input.config import Settings
from medperf_lint.net.transport import Timeouts, open_transport
from medperf_lint.providers.registry import lookup_images, parse_challenge
from servers.fake_registry import FakeRegistry
from servers.tlskit import tls_for

REGISTRY_HOSTS = ("registry-1.docker.io", "ghcr.io", "registry.example.org")


@pytest.fixture(scope="module")
def tls(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, ssl.SSLContext]:
    return tls_for(tmp_path_factory.mktemp("ca"), *REGISTRY_HOSTS, "127.0.0.1")


@pytest.fixture
def registry(
    tls: tuple[Path, ssl.SSLContext], monkeypatch: pytest.MonkeyPatch
) -> Iterator[FakeRegistry]:
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", str(tls[0]))
    with FakeRegistry(tls[1]) as server:
        yield server


def _lookup(registry: FakeRegistry, *images: str) -> dict[str, ImageLookup]:
    resolve = tuple(f"{h}:443:127.0.0.1" for h in REGISTRY_HOSTS)
    # The test registry listens on its own port; --resolve maps name:443 only, so images name
    # the port explicitly when they are not on Docker Hub.
    settings = Settings(
        resolve=(*resolve, *(f"{h}:{registry.port}:127.0.0.1" for h in REGISTRY_HOSTS)),
        allow_private_hosts=True,
    )
    with open_transport(settings) as shared:
        return shared.call(lookup_images(shared.transport, images, Timeouts(5.0, 10.0)), 60)


def test_tag_resolves_to_its_digest_through_the_token_flow(registry: FakeRegistry) -> None:
    digest = registry.push("acme/model", "1.0")
    image = f"registry.example.org:{registry.port}/acme/model:1.0"
    found = _lookup(registry, image)[image]
    assert found.digest == digest
    assert found.not_found is None and found.inconclusive is None
    assert registry.counts["/token"] == 1
    with_token = [h for m, p, h in registry.log if p.startswith("/v2/acme/model/manifests/")]
    assert with_token[-1].get("authorization") == "Bearer anon-acme-model"
    assert "application/vnd.oci.image.index.v1+json" in with_token[-1]["accept"]


def test_missing_tag_and_missing_name(registry: FakeRegistry) -> None:
    registry.push("acme/model", "1.0")
    host = f"registry.example.org:{registry.port}"
    no_tag, no_name = f"{host}/acme/model:9.9", f"{host}/acme/nothing:1.0"
    found = _lookup(registry, no_tag, no_name)
    assert found[no_tag].not_found == f"{host}/acme/model has no tag 9.9"
    assert found[no_name].not_found == f"the registry has no image {host}/acme/nothing"


def test_digest_pinned_reference(registry: FakeRegistry) -> None:
    digest = registry.push("acme/model", "1.0")
    host = f"registry.example.org:{registry.port}"
    pinned = f"{host}/acme/model:1.0@{digest}"
    unknown = f"{host}/acme/model@sha256:{'0' * 64}"
    found = _lookup(registry, pinned, unknown)
    assert found[pinned].digest == digest
    missing = found[unknown].not_found
    assert missing is not None and "no digest" in missing


def test_registry_without_digest_header_is_hashed(registry: FakeRegistry) -> None:
    registry.digest_header = False
    digest = registry.push("acme/model", "2.0")
    image = f"registry.example.org:{registry.port}/acme/model:2.0"
    assert _lookup(registry, image)[image].digest == digest


def test_anonymous_registry_and_server_errors(registry: FakeRegistry) -> None:
    registry.auth = False
    registry.push("acme/model", "1.0")
    image = f"registry.example.org:{registry.port}/acme/model:1.0"
    assert _lookup(registry, image)[image].digest is not None
    assert registry.counts["/token"] == 0
    registry.status_override = 503
    failed = _lookup(registry, image)[image]
    assert failed.digest is None and failed.inconclusive == "the registry answered HTTP 503"


def test_token_realm_on_a_blocked_address_is_refused(registry: FakeRegistry) -> None:
    """The realm comes from the registry's answer: the address policy applies to it too."""
    registry.realm_host = "auth.example.org"
    registry.push("acme/model", "1.0")
    image = f"registry.example.org:{registry.port}/acme/model:1.0"
    resolve = tuple(f"{h}:{registry.port}:127.0.0.1" for h in REGISTRY_HOSTS)
    metadata = f"auth.example.org:{registry.port}:169.254.169.254"  # never connected to
    settings = Settings(resolve=(*resolve, metadata), allow_private_hosts=False)
    with open_transport(settings) as shared:
        # The policy stays on; only the registry itself (on loopback here) is let through.
        shared.transport.exempt(f"https://registry.example.org:{registry.port}/")
        found = shared.call(lookup_images(shared.transport, [image], Timeouts(2.0, 5.0)), 60)
    assert registry.counts["/v2/acme/model/manifests/1.0"] == 1  # the registry was asked
    assert registry.counts["/token"] == 0
    assert found[image].digest is None
    reason = found[image].inconclusive
    assert reason is not None and "link-local" in reason


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        (
            'Bearer realm="https://auth.docker.io/token",service="registry.docker.io",'
            'scope="repository:library/ubuntu:pull"',
            {
                "realm": "https://auth.docker.io/token",
                "service": "registry.docker.io",
                "scope": "repository:library/ubuntu:pull",
            },
        ),
        ('Basic realm="x"', None),
        ("bearer realm=https://ghcr.io/token", {"realm": "https://ghcr.io/token"}),
    ],
)
def test_parse_challenge(header: str, expected: dict[str, str] | None) -> None:
    assert parse_challenge(header) == expected
