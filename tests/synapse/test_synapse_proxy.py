"""Synapse through a proxy, as requests (and so MedPerf) reaches it, and where the token goes.

The endpoint is named ``synapse.test``, a name only the test proxy resolves (its own table),
so the direct route is closed: a client that tried it would have to look the name up, which
the test netguard refuses and reports. The proxy is reached only through the environment
variables requests reads.
"""

from __future__ import annotations

import ssl
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests
import trustme
from medperf_lint.providers.synapse_client import BoundedSession, origin
from medperf_lint.report import Report
from servers.fake_synapse import FakeSynapse
from servers.proxy import ForwardProxy
from synkit import TOKEN, USER, entities, lint_ids

NAME = "synapse.test"
PROXY_VARS = ("HTTPS_PROXY", "https_proxy", "HTTP_PROXY", "http_proxy", "ALL_PROXY", "all_proxy")


@pytest.fixture(scope="module")
def tls(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, ssl.SSLContext]:
    ca = trustme.CA()
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ca.issue_cert(NAME).configure_cert(context)
    bundle = tmp_path_factory.mktemp("synapse-ca") / "ca.pem"
    ca.cert_pem.write_to_path(str(bundle))
    return bundle, context


@pytest.fixture
def proxy(monkeypatch: pytest.MonkeyPatch) -> Iterator[ForwardProxy]:
    for var in (*PROXY_VARS, "NO_PROXY", "no_proxy"):
        monkeypatch.delenv(var, raising=False)  # the suite's NO_PROXY=* would bypass it
    with ForwardProxy({NAME: "127.0.0.1"}) as server:
        yield server


def found(report: object) -> dict[str, tuple[int | None, str | None, str | None]]:
    network = getattr(report, "network", None)
    assert network is not None
    return {k: (v.status, v.entity_type, v.inconclusive) for k, v in network.synapse.items()}


@pytest.mark.parametrize("var", ["HTTPS_PROXY", "https_proxy", "ALL_PROXY"])
def test_https_endpoint_through_a_connect_tunnel(
    tls: tuple[Path, ssl.SSLContext],
    proxy: ForwardProxy,
    monkeypatch: pytest.MonkeyPatch,
    var: str,
) -> None:
    bundle, context = tls
    monkeypatch.setenv(var, proxy.url)
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", str(bundle))  # read from the environment, too
    monkeypatch.setenv("SYNAPSE_AUTH_TOKEN", TOKEN)
    with FakeSynapse(entities=entities(), tokens={TOKEN: USER}, ssl_context=context) as fake:
        report = lint_ids(fake, "syn3000", "syn1000", synapse_endpoint=fake.endpoint_as(NAME))
        assert found(report) == {"syn3000": (200, "file", None), "syn1000": (200, "folder", None)}
        assert report.network is not None and report.network.synapse_identity == "as user alice"
        assert set(fake.authorizations()) == {f"Bearer {TOKEN}"}  # inside the tunnel only
        assert len(fake.requests) == 3  # login, two bundles
    assert proxy.targets("CONNECT") and set(proxy.targets()) == {f"{NAME}:{fake.port}"}
    assert not any(n.lower() == "authorization" for r in proxy.requests for n, _ in r.headers)


@pytest.mark.parametrize("var", ["HTTP_PROXY", "http_proxy", "all_proxy"])
def test_http_endpoint_through_absolute_uri_requests(
    proxy: ForwardProxy, monkeypatch: pytest.MonkeyPatch, var: str
) -> None:
    monkeypatch.setenv(var, proxy.url)
    with FakeSynapse(entities=entities()) as fake:
        endpoint = fake.endpoint_as(NAME)
        report = lint_ids(fake, "syn3000", "syn6000", synapse_endpoint=endpoint)
        assert found(report) == {"syn3000": (200, "file", None), "syn6000": (404, None, None)}
    assert sorted(proxy.targets("POST")) == [
        f"{endpoint}/entity/syn3000/bundle2",
        f"{endpoint}/entity/syn6000/bundle2",
    ]


@pytest.mark.parametrize(
    ("var", "value"),
    [("NO_PROXY", "127.0.0.1"), ("no_proxy", "localhost,127.0.0.1"), ("NO_PROXY", "*")],
)
def test_no_proxy_is_honoured(
    proxy: ForwardProxy, monkeypatch: pytest.MonkeyPatch, var: str, value: str
) -> None:
    monkeypatch.setenv("HTTP_PROXY", proxy.url)
    monkeypatch.setenv(var, value)
    with FakeSynapse(entities=entities()) as fake:
        report = lint_ids(fake, "syn3000")
        assert found(report) == {"syn3000": (200, "file", None)}
        assert len(fake.requests) == 1
    assert proxy.requests == []


def test_without_no_proxy_even_loopback_goes_through_the_proxy(
    proxy: ForwardProxy, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HTTP_PROXY", proxy.url)
    with FakeSynapse(entities=entities()) as fake:
        report = lint_ids(fake, "syn3000")
        assert found(report) == {"syn3000": (200, "file", None)}
    assert proxy.targets("POST") == [f"{fake.endpoint}/entity/syn3000/bundle2"]


def test_a_proxy_that_cannot_reach_synapse_is_inconclusive(
    proxy: ForwardProxy, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HTTP_PROXY", proxy.url)
    report = lint_ids_at("http://unknown.test:9/repo/v1", "syn3000")
    assert report.network is not None
    (lookup,) = report.network.synapse.values()
    assert lookup.inconclusive == "Synapse answered 502"
    assert proxy.targets() == ["http://unknown.test:9/repo/v1/entity/syn3000/bundle2"] * 3


def lint_ids_at(endpoint: str, *ids: str) -> Report:
    import medperf_lint

    overrides = {
        "synapse_endpoint": endpoint,
        "select": ("inconclusive",),
        "connect_timeout": 1.0,
        "read_timeout": 1.0,
        "retries": 2,
        "allow_private_hosts": True,
    }
    return medperf_lint.lint_refs([f"synapse:{i}" for i in ids], online=True, overrides=overrides)


def test_netrc_is_never_read(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    netrc = tmp_path / "netrc"
    netrc.write_text("machine 127.0.0.1 login someone password hunter2\n", encoding="utf-8")
    netrc.chmod(0o600)
    monkeypatch.setenv("NETRC", str(netrc))
    with FakeSynapse(entities=entities()) as fake:
        lint_ids(fake, "syn3000")
        assert list(fake.authorizations()) == [None]


# ---- the token goes to the endpoint's exact origin, nowhere else ----


class _Bearer(requests.auth.AuthBase):
    def __call__(self, request: requests.PreparedRequest) -> requests.PreparedRequest:
        request.headers["Authorization"] = f"Bearer {TOKEN}"
        return request


def test_token_goes_only_to_the_endpoint_origin() -> None:
    with FakeSynapse(tokens={TOKEN: USER}) as home, FakeSynapse(tokens={TOKEN: USER}) as other:
        session = BoundedSession((1.0, 1.0), origin(home.endpoint))
        for url in (
            home.endpoint + "/userProfile",
            home.endpoint.replace("127.0.0.1", "localhost") + "/userProfile",  # other host
            other.endpoint + "/userProfile",  # same host, other port
        ):
            session.get(url, auth=_Bearer())
        session.close()
        assert list(home.authorizations()) == [f"Bearer {TOKEN}", None]
        assert list(other.authorizations()) == [None]


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        (
            "https://Repo-Prod.prod.sagebase.org/repo/v1",
            ("https", "repo-prod.prod.sagebase.org", 443),
        ),
        (
            "https://repo-prod.prod.sagebase.org:443/x",
            ("https", "repo-prod.prod.sagebase.org", 443),
        ),
        ("http://127.0.0.1/repo/v1", ("http", "127.0.0.1", 80)),
        ("http://[::1]:8080/", ("http", "[::1]", 8080)),  # as urllib3 keeps it
        ("ftp://example.org/", None),
        ("not a url", None),
    ],
)
def test_origin(url: str, expected: tuple[str, str, int] | None) -> None:
    assert origin(url) == expected
