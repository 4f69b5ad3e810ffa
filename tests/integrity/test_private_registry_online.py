"""Online, the anonymous registry lookup replaces docker-registry-private's offline guess."""

from __future__ import annotations

import ssl
from collections.abc import Iterator
from pathlib import Path

import pytest
import trustme
from lintkit import lint_yaml
from servers.fake_registry import FakeRegistry

HOSTS = ("europe-docker.pkg.dev", "docker.synapse.org")
RULES = ("docker-registry-private", "docker-image-not-found")


@pytest.fixture
def registry(
    tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> Iterator[FakeRegistry]:
    ca = trustme.CA()
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ca.issue_cert(*HOSTS, "127.0.0.1").configure_cert(context)
    bundle = tmp_path_factory.mktemp("ca") / "ca.pem"
    ca.cert_pem.write_to_path(str(bundle))
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", str(bundle))
    with FakeRegistry(context) as running:
        yield running


def _lint(tmp_path: Path, registry: FakeRegistry, image: str, online: bool) -> list[str]:
    report = lint_yaml(
        tmp_path,
        f"container_type: DockerImage\nimage: {image}\n",
        "container_config.yaml",
        select=RULES,
        online=online,
        resolve=tuple(f"{h}:{registry.port}:127.0.0.1" for h in HOSTS),
        allow_private_hosts=True,
        no_cache=True,
    )
    return [f.rule for f in report.findings]


def test_a_public_repository_on_a_private_by_default_registry(
    tmp_path: Path, registry: FakeRegistry
) -> None:
    registry.push("project/repo/model", "1.0")
    image = f"europe-docker.pkg.dev:{registry.port}/project/repo/model:1.0"
    assert _lint(tmp_path, registry, image, online=False) == ["docker-registry-private"]
    assert _lint(tmp_path, registry, image, online=True) == []


def test_a_refused_pull_is_reported_once_by_the_online_rule(
    tmp_path: Path, registry: FakeRegistry
) -> None:
    image = f"docker.synapse.org:{registry.port}/syn1/model:1.0"
    assert _lint(tmp_path, registry, image, online=True) == ["docker-image-not-found"]
