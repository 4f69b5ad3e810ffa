"""Synapse under the one request policy, exactly as a plain URL (issue 15, item 1).

The real synapseclient against the local Synapse server: ``--resolve`` decides where its
connections go, a private address is refused without ``--allow-private-hosts``, a proxy from
the environment carries them (and is exempt, as the user named it), and a 503 is retried by
the same classifier as every other request, then answered.
"""

from __future__ import annotations

import ssl
from collections.abc import Iterator
from pathlib import Path

import pytest
from medperf_lint.input.config import ConfigError
from servers.fake_synapse import Canned, FakeSynapse
from servers.proxy import ForwardProxy
from servers.tlskit import tls_for
from synkit import entities, lint_ids

NAME = "repo-prod.prod.sagebase.org"  # Synapse's real host name, resolved only by --resolve


@pytest.fixture(scope="module")
def tls(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, ssl.SSLContext]:
    return tls_for(tmp_path_factory.mktemp("synapse-policy-ca"), NAME)


@pytest.fixture
def named(
    tls: tuple[Path, ssl.SSLContext], monkeypatch: pytest.MonkeyPatch
) -> Iterator[FakeSynapse]:
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", str(tls[0]))
    with FakeSynapse(entities=entities(), ssl_context=tls[1]) as server:
        yield server


def lookups(report: object) -> dict[str, tuple[int | None, str | None]]:
    network = getattr(report, "network", None)
    assert network is not None
    return {k: (v.status, v.inconclusive) for k, v in network.synapse.items()}


def test_resolve_sends_synapse_to_the_given_address(named: FakeSynapse) -> None:
    report = lint_ids(
        named,
        "syn3000",
        synapse_endpoint=named.endpoint_as(NAME),
        resolve=(f"{NAME}:{named.port}:127.0.0.1",),
    )
    assert lookups(report) == {"syn3000": (200, None)}
    assert [r.headers["host"] for r in named.requests] == [f"{NAME}:{named.port}"]


def test_a_private_address_is_refused_without_allow_private_hosts(named: FakeSynapse) -> None:
    report = lint_ids(
        named,
        "syn3000",
        synapse_endpoint=named.endpoint_as("127.0.0.1"),
        allow_private_hosts=False,
    )
    ((status, why),) = lookups(report).values()
    assert status is None and why is not None and "loopback address" in why, why
    assert "allow-private-hosts" in why
    assert named.requests == []  # refused before connecting


def test_a_resolve_to_a_private_address_needs_allow_private_hosts(named: FakeSynapse) -> None:
    """Sending Synapse's name to a loopback address is the user's choice, said with the flag;
    without it the run stops before any request (a usage error, as for a plain URL)."""
    with pytest.raises(ConfigError, match="allow-private-hosts"):
        lint_ids(
            named,
            "syn3000",
            synapse_endpoint=named.endpoint_as(NAME),
            resolve=(f"{NAME}:{named.port}:127.0.0.1",),
            allow_private_hosts=False,
        )
    assert named.requests == []


def test_a_proxy_carries_synapse_and_is_exempt_as_the_user_named_it(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    for var in ("NO_PROXY", "no_proxy", "HTTPS_PROXY", "https_proxy", "ALL_PROXY", "all_proxy"):
        monkeypatch.delenv(var, raising=False)
    with (
        ForwardProxy({"synapse.test": "127.0.0.1"}) as proxy,
        FakeSynapse(entities=entities()) as fake,
    ):
        monkeypatch.setenv("HTTP_PROXY", proxy.url)  # on 127.0.0.1: allowed, the user set it
        endpoint = fake.endpoint_as("synapse.test")
        report = lint_ids(fake, "syn3000", synapse_endpoint=endpoint, allow_private_hosts=False)
        assert lookups(report) == {"syn3000": (200, None)}
    assert proxy.targets("POST") == [f"{endpoint}/entity/syn3000/bundle2"]


def test_a_503_is_retried_then_answered(fake: FakeSynapse) -> None:
    busy = Canned(503, {"reason": "Service Unavailable"}, (("Retry-After", "0"),))
    fake.queue("syn3000", busy)
    report = lint_ids(fake, "syn3000", retries=1)
    assert lookups(report) == {"syn3000": (200, None)}
    assert len(fake.bundle_requests("syn3000")) == 2


def test_a_503_until_the_tries_run_out_is_inconclusive(fake: FakeSynapse) -> None:
    fake.always["syn3000"] = Canned(503, {"reason": "Service Unavailable"})
    report = lint_ids(fake, "syn3000", retries=1)
    assert lookups(report) == {"syn3000": (503, "Synapse answered 503: Service Unavailable")}
    assert len(fake.bundle_requests("syn3000")) == 2  # the first try and one retry


@pytest.fixture
def fake() -> Iterator[FakeSynapse]:
    with FakeSynapse(entities=entities()) as server:
        yield server
