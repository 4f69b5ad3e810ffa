"""Every integrity and registry rule's own examples, run against local servers: the failing
example must produce the rule, the passing one must not (see tests/unit/test_catalogue.py)."""

from __future__ import annotations

import re
import ssl
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
import trustme
from examplekit import assert_example_holds, run_example
from medperf_lint.rule import Need, Rule
from medperf_lint.rules import RULES
from servers.fake_registry import FakeRegistry, manifest_bytes
from servers.hosts import HostsServer, Reply, tar_bytes
from tarkit import Member, build, demo

GCS = "storage.googleapis.com"
REGISTRY = "ghcr.io"
DOWNLOAD_RULES = [r for r in RULES if r.needs == {Need.DOWNLOAD}]
REGISTRY_RULES = [r for r in RULES if r.needs == {Need.REGISTRY}]


@pytest.fixture(scope="module")
def tls(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, ssl.SSLContext]:
    ca = trustme.CA()
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ca.issue_cert(GCS, REGISTRY).configure_cert(context)
    bundle = tmp_path_factory.mktemp("ca") / "ca.pem"
    ca.cert_pem.write_to_path(str(bundle))
    return bundle, context


def _on_port(host: str, port: int) -> Callable[[str], str]:
    pattern = re.compile(rf"(?<![\w.-]){re.escape(host)}/")
    return lambda text: pattern.sub(f"{host}:{port}/", text)


@pytest.fixture
def storage(
    tls: tuple[Path, ssl.SSLContext], monkeypatch: pytest.MonkeyPatch
) -> Iterator[HostsServer]:
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", str(tls[0]))
    with HostsServer(tls[1]) as server:
        base = "/medperf-storage/examples"
        server.route(GCS, f"{base}/weights.tar", Reply(body=tar_bytes(), ranged=False))
        server.route(
            GCS, f"{base}/weights.zip", Reply(body=b"PK\x03\x04" + bytes(60), ranged=False)
        )
        unsafe = build([Member("ok.txt", b"1"), Member("../../.bashrc", b"2")], "w")
        server.route(GCS, f"{base}/unsafe.tar", Reply(body=unsafe, ranged=False))
        server.route(
            GCS,
            f"{base}/demo.tar",
            Reply(body=demo("data_path: data\nlabels_path: labels/l.csv\n"), ranged=False),
        )
        server.route(GCS, f"{base}/demo-without-paths.tar", Reply(body=demo(None), ranged=False))
        yield server


@pytest.fixture
def registry(
    tls: tuple[Path, ssl.SSLContext], monkeypatch: pytest.MonkeyPatch
) -> Iterator[FakeRegistry]:
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", str(tls[0]))
    with FakeRegistry(tls[1]) as server:
        server.realm_host = REGISTRY  # the token service on the registry's own name
        server.push(
            "mlcommons/chestxray", "1.0.0", manifest=manifest_bytes("mlcommons/chestxray:1.0.0")
        )
        yield server


@pytest.mark.parametrize("which", ["failing", "passing"])
@pytest.mark.parametrize("rule", DOWNLOAD_RULES, ids=lambda r: r.name)
def test_download_rule_examples(
    tmp_path: Path, storage: HostsServer, rule: Rule, which: str
) -> None:
    report = run_example(
        tmp_path,
        rule,
        which,
        online=True,
        transform=_on_port(GCS, storage.port),
        select=(rule.code,),
        resolve=storage.resolve(GCS),
        allow_private_hosts=True,
        no_cache=True,
        verify_hashes=True,
    )
    assert_example_holds(report, rule, which)
    assert storage.total > 0  # the example really was downloaded


@pytest.mark.parametrize("which", ["failing", "passing"])
@pytest.mark.parametrize("rule", REGISTRY_RULES, ids=lambda r: r.name)
def test_registry_rule_examples(
    tmp_path: Path, registry: FakeRegistry, rule: Rule, which: str
) -> None:
    report = run_example(
        tmp_path,
        rule,
        which,
        online=True,
        transform=_on_port(REGISTRY, registry.port),
        select=(rule.code,),
        resolve=(f"{REGISTRY}:{registry.port}:127.0.0.1",),
        allow_private_hosts=True,
        no_cache=True,
    )
    assert_example_holds(report, rule, which)
    assert sum(registry.counts.values()) > 0  # the registry really was asked


def test_every_rule_with_an_integrity_need_has_its_examples_run() -> None:
    assert {r.name for r in DOWNLOAD_RULES} == {
        "hash-mismatch", "hash-computed", "archive-invalid", "archive-unsafe",
        "demo-dataset-invalid",
    }  # fmt: skip
    assert {r.name for r in REGISTRY_RULES} == {"docker-image-not-found", "docker-digest-mismatch"}
