"""What an online run does not pay for, and what it still does exactly as requests would.

A run with a few URLs is mostly start-up: aiohttp's default TLS contexts, a CA bundle read for
``http://`` URLs only, requests imported for a proxy or an ``Accept-Encoding`` value. Each is
left out here, and each test checks the behaviour it stood for is unchanged.
"""

from __future__ import annotations

import os
import ssl
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from medperf_lint.input.config import Settings
from medperf_lint.net import tls
from medperf_lint.net.identity import CA_VARIABLES, accept_encoding
from medperf_lint.net.transport import proxy_for
from medperf_lint.providers import probe as http_probe
from servers.hosts import HostsServer, Reply

GCS = "storage.googleapis.com"


def _python(code: str, **env: str) -> list[str]:
    """Run ``code`` in a fresh interpreter with no proxy variable set; its output lines."""
    clean = {k: v for k, v in os.environ.items() if not k.lower().endswith("_proxy")}
    proc = subprocess.run(
        [sys.executable, "-c", code],
        env={**clean, **env},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 0, proc.stderr
    return proc.stdout.splitlines()


# ---- importing the transport ------------------------------------------------------------


def test_importing_the_transport_builds_no_default_context_and_loads_no_requests() -> None:
    lines = _python(
        "import ssl, sys\n"
        "before = dict(vars(ssl.SSLContext))\n"
        "import medperf_lint.net.transport as t\n"
        "import aiohttp.connector as c\n"
        "print(dict(vars(ssl.SSLContext)) == before)\n"
        "made = [getattr(c, n, None) for n in ('_SSL_CONTEXT_VERIFIED', '_SSL_CONTEXT_UNVERIFIED')]\n"
        "print([m.cert_store_stats()['x509'] if m else None for m in made])\n"
        "print(t.proxy_for('https://example.org/w.bin'))\n"
        "print(sorted({'requests', 'urllib3', 'certifi'} & set(sys.modules)))\n"
    )
    restored, stores, proxy, loaded = lines
    assert restored == "True"  # ssl.SSLContext is as it was
    if stores == "[None, None]":
        pytest.skip("this aiohttp builds no default contexts at import")
    assert stores == "[0, 0]"  # nothing loaded; were one ever used, it would trust no CA
    assert (proxy, loaded) == ("None", "[]")


def test_other_threads_load_their_default_store_meanwhile(
    ca_and_context: tuple[Path, ssl.SSLContext], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SSL_CERT_FILE", str(ca_and_context[0]))  # the default store: one CA

    def default_cas() -> int:
        made = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
        made.set_default_verify_paths()
        return int(made.cert_store_stats()["x509_ca"])

    elsewhere: list[int] = []
    with tls.no_default_ca_store():
        here = default_cas()
        worker = threading.Thread(target=lambda: elsewhere.append(default_cas()))
        worker.start()
        worker.join()
    assert (here, elsewhere, default_cas()) == (0, [1], 1)


# ---- one TLS context per run, read at the first handshake -------------------------------


@pytest.fixture
def bundles_read(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[Any]]:
    """Every CA bundle the transport reads (tls_context calls) during the test."""
    read: list[Any] = []
    real = tls.tls_context

    def counting(ca: str | bool) -> ssl.SSLContext:
        read.append(ca)
        return real(ca)

    monkeypatch.setattr(tls, "tls_context", counting)
    yield read


def _probe_urls(urls: list[str], server: HostsServer) -> dict[str, Any]:
    settings = Settings(
        allow_private_hosts=True, no_cache=True, retries=0, resolve=server.resolve(GCS)
    )
    return dict(http_probe.probe_urls(urls, settings))


def test_a_run_of_http_urls_reads_no_ca_bundle(
    http: HostsServer, bundles_read: list[Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    for name in CA_VARIABLES:  # certifi's bundle, were one read
        monkeypatch.delenv(name, raising=False)
    urls = [http.route(GCS, f"/b/w{i}.bin", Reply(body=b"\x00" * 64)) for i in range(3)]
    results = _probe_urls(urls, http)
    assert [r.status for r in results.values()] == [206, 206, 206]
    assert bundles_read == []


def test_a_run_of_https_urls_reads_its_bundle_once_and_verifies_with_it(
    https: HostsServer, ca_bundle: Path, bundles_read: list[Any]
) -> None:
    urls = [https.route(GCS, f"/b/w{i}.bin", Reply(body=b"\x00" * 64)) for i in range(3)]
    results = _probe_urls(urls, https)
    assert [r.status for r in results.values()] == [206, 206, 206]
    assert bundles_read == [str(ca_bundle)]


def test_the_first_handshake_still_verifies(
    https: HostsServer, monkeypatch: pytest.MonkeyPatch, bundles_read: list[Any]
) -> None:
    for name in CA_VARIABLES:  # certifi's bundle: the test CA is not in it
        monkeypatch.delenv(name, raising=False)
    url = https.route(GCS, "/b/w.bin", Reply(body=b"\x00" * 64))
    result = _probe_urls([url], https)[url]
    assert result.error == "tls" and "certificate" in (result.detail or "")
    assert bundles_read == [True]
    assert https.total == 0


# ---- requests' choices, without requests ------------------------------------------------


def test_accept_encoding_is_what_requests_sends() -> None:
    from requests.utils import DEFAULT_ACCEPT_ENCODING

    assert accept_encoding() == DEFAULT_ACCEPT_ENCODING


def test_accept_encoding_follows_the_decoders_installed(tmp_path: Path) -> None:
    """With (stand-ins for) Brotli and Zstandard importable, urllib3 offers both; so do we."""
    (tmp_path / "brotli.py").write_text("class error(Exception):\n    pass\n")
    (tmp_path / "backports").mkdir()
    (tmp_path / "backports" / "__init__.py").write_text("")
    (tmp_path / "backports" / "zstd.py").write_text("class ZstdError(Exception):\n    pass\n")
    ours, theirs = _python(
        "from medperf_lint.net.identity import accept_encoding\n"
        "print(accept_encoding())\n"
        "from requests.utils import DEFAULT_ACCEPT_ENCODING\n"
        "print(DEFAULT_ACCEPT_ENCODING)\n",
        PYTHONPATH=os.pathsep.join([str(tmp_path), os.environ.get("PYTHONPATH", "")]),
    )
    assert ours == theirs
    assert ours.startswith("gzip, deflate, br")


PROXY = "http://proxy.test:3128"
ALL = "http://all.test:1080"


@pytest.mark.parametrize(
    ("variables", "url"),
    [
        ({}, "https://zenodo.org/w"),
        ({"no_proxy": "example.org"}, "https://zenodo.org/w"),
        ({"HTTP_PROXY": PROXY}, "http://zenodo.org/w"),
        ({"HTTP_PROXY": PROXY}, "https://zenodo.org/w"),
        ({"https_proxy": PROXY}, "https://zenodo.org/w"),
        ({"Https_Proxy": PROXY}, "https://zenodo.org/w"),
        ({"HTTPS_PROXY": ""}, "https://zenodo.org/w"),
        ({"ALL_PROXY": ALL}, "https://zenodo.org/w"),
        ({"all_proxy": ALL, "https_proxy": PROXY}, "https://zenodo.org/w"),
        ({"HTTPS_PROXY": PROXY, "NO_PROXY": "zenodo.org"}, "https://zenodo.org/w"),
        ({"HTTPS_PROXY": PROXY, "no_proxy": ".zenodo.org"}, "https://www.zenodo.org/w"),
        ({"HTTPS_PROXY": PROXY, "NO_PROXY": "*"}, "https://zenodo.org/w"),
        ({"HTTP_PROXY": PROXY, "NO_PROXY": "10.0.0.0/8"}, "http://10.1.2.3/w"),
        ({"HTTP_PROXY": PROXY, "NO_PROXY": "10.0.0.0/8"}, "http://11.1.2.3/w"),
        ({"HTTP_PROXY": PROXY, "NO_PROXY": "zenodo.org:8080"}, "http://zenodo.org:8080/w"),
        ({"HTTP_PROXY": PROXY, "NO_PROXY": "zenodo.org:8080"}, "http://zenodo.org/w"),
    ],
)
def test_the_proxy_is_the_one_requests_picks(
    variables: dict[str, str], url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    from requests.utils import get_environ_proxies, select_proxy

    for name in list(os.environ):
        if name.lower().endswith("_proxy"):
            monkeypatch.delenv(name)
    for name, value in variables.items():
        monkeypatch.setenv(name, value)
    assert proxy_for(url) == (select_proxy(url, get_environ_proxies(url)) or None)


# ---- classifying a failure ----------------------------------------------------------------


def test_classifying_a_failure_imports_no_http_library() -> None:
    lines = _python(
        "import asyncio, sys\n"
        "from medperf_lint.net.failures import classify\n"
        "print(classify(asyncio.TimeoutError())[0])\n"
        "print(sorted({'aiohttp', 'requests', 'urllib3'} & set(sys.modules)))\n"
        "import requests\n"  # imported later, as a Synapse check does: its classes count
        "print(classify(requests.exceptions.ProxyError())[0])\n"
    )
    assert lines == ["timeout", "[]", "proxy"]
