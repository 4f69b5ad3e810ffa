"""The transport's behaviours, each against real local servers: encodings, IDN host names,
every address tried, bare-LF responses, over-long bodies, a connection cap under a small
RLIMIT_NOFILE, and proxies taken from the environment only."""

from __future__ import annotations

import gzip
import json
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any

import pytest
from lintkit import lint_yaml
from medperf_lint.input.config import Settings
from medperf_lint.providers import probe as http
from medperf_lint.report import Report
from onlinekit import lint_urls, probe
from servers.hosts import HostsServer, Reply, tar_bytes
from servers.proxy import ForwardProxy
from servers.raw import RawServer

GCS = "storage.googleapis.com"
RAW = "raw.githubusercontent.com"
SHA = "0123456789abcdef0123456789abcdef01234567"
TAR_GZ = gzip.compress(tar_bytes())
MPL407 = ("MPL401", "MPL402", "MPL403", "MPL404", "MPL405", "MPL407")


def rules_hit(report: object) -> list[str]:
    return [f.rule for f in report.findings]  # type: ignore[attr-defined]


# ---- Content-Encoding -------------------------------------------------------------------


@pytest.mark.parametrize("when", ["always", "accepted"])
def test_tar_gz_with_content_encoding_fires_and_names_gcs(
    tmp_path: Path, https: HostsServer, when: str
) -> None:
    url = https.route(GCS, "/b/weights.tar.gz", Reply(body=TAR_GZ, gzip_encoded=when))
    report = lint_urls(tmp_path, [url], https, select=MPL407)
    assert rules_hit(report) == ["compressed-in-transit"]
    message = report.findings[0].message
    assert "MedPerf stores the decoded bytes" in message
    assert 'gsutil setmeta -h "Content-Encoding:"' in message and "-Z/-z" in message
    result = probe(report, url)
    assert (result.content_encoding, result.sniffed) == ("gzip", "tar")
    sent = [s.headers.get("accept-encoding") for s in https.log]
    from requests.utils import DEFAULT_ACCEPT_ENCODING

    assert set(sent) == {DEFAULT_ACCEPT_ENCODING}


def test_other_hosts_get_a_generic_fix(tmp_path: Path, https: HostsServer) -> None:
    url = https.route(
        "zenodo.org", "/records/1/files/w.tgz", Reply(body=TAR_GZ, gzip_encoded="always")
    )
    report = lint_urls(tmp_path, [url], https, select=MPL407)
    assert rules_hit(report) == ["compressed-in-transit"]
    assert "without a Content-Encoding header" in report.findings[0].message


def test_text_gzipped_on_the_fly_is_harmless(tmp_path: Path, https: HostsServer) -> None:
    script = b"print('hello')\n" * 50
    url = https.route(
        RAW,
        f"/o/r/{SHA}/run.py",
        Reply(body=gzip.compress(script), gzip_encoded="accepted", content_type="text/plain"),
    )
    report = lint_urls(tmp_path, [url], https, select=MPL407)
    assert rules_hit(report) == []
    assert probe(report, url).content_encoding == "gzip"
    assert probe(report, url).sniffed == "text"


def test_a_tar_gz_gzipped_once_more_is_harmless(tmp_path: Path, https: HostsServer) -> None:
    url = https.route(
        GCS, "/b/double.tar.gz", Reply(body=gzip.compress(TAR_GZ), gzip_encoded="always")
    )
    report = lint_urls(tmp_path, [url], https, select=MPL407)
    assert rules_hit(report) == []
    assert (probe(report, url).content_encoding, probe(report, url).sniffed) == ("gzip", "gzip")


def test_a_plain_tar_gz_is_clean(tmp_path: Path, https: HostsServer) -> None:
    url = https.route(GCS, "/b/plain.tar.gz", Reply(body=TAR_GZ))
    report = lint_urls(tmp_path, [url], https, select=MPL407)
    assert rules_hit(report) == []
    assert probe(report, url).content_encoding is None


# ---- names and addresses ----------------------------------------------------------------


def _probe(url: str, **settings: object) -> object:
    values = {"allow_private_hosts": True, "no_cache": True, "retries": 0, **settings}
    return http.probe_urls([url], Settings(**values))[url]  # type: ignore[arg-type]


def test_idn_host_goes_out_in_idna_form(http: HostsServer) -> None:
    http.route("xn--bcher-kva.example", "/w.bin", Reply(body=b"\x00" * 64))
    url = f"http://bücher.example:{http.port}/w.bin"
    result = _probe(url, resolve=(f"bücher.example:{http.port}:127.0.0.1",))
    assert result.status == 206 and result.error is None  # type: ignore[attr-defined]
    assert {s.host for s in http.log} == {"xn--bcher-kva.example"}


def test_first_address_refuses_the_next_one_answers(http: HostsServer) -> None:
    url = http.route(GCS, "/b/w.bin", Reply(body=b"\x00" * 64))
    result = _probe(url, resolve=(f"{GCS}:{http.port}:127.0.0.2,127.0.0.1",))
    assert result.status == 206 and result.error is None  # type: ignore[attr-defined]
    assert http.hits(GCS, "/b/w.bin") == 2


def test_every_address_blocked_is_refused_before_connecting(http: HostsServer) -> None:
    url = http.route(GCS, "/b/w.bin", Reply(body=b"\x00" * 64))
    result = _probe(
        url, allow_private_hosts=False, resolve=(f"{GCS}:{http.port}:127.0.0.2,10.0.0.1",)
    )
    assert result.error == "blocked-address"  # type: ignore[attr-defined]
    assert "--allow-private-hosts" in (result.detail or "")  # type: ignore[attr-defined]
    assert http.total == 0


@pytest.mark.parametrize("host", ["127.0.0.1", "[::ffff:127.0.0.1]"])
def test_a_literal_ip_in_the_url_is_refused_before_connecting(http: HostsServer, host: str) -> None:
    """aiohttp connects to a literal IP without asking the resolver: the policy still applies."""
    http.route("127.0.0.1", "/b/w.bin", Reply(body=b"\x00" * 64))
    url = f"http://{host}:{http.port}/b/w.bin"
    result = _probe(url, allow_private_hosts=False)
    assert result.error == "blocked-address"  # type: ignore[attr-defined]
    assert "loopback" in (result.detail or "")  # type: ignore[attr-defined]
    assert http.total == 0


# ---- malformed but real responses -------------------------------------------------------


def test_bare_lf_response_is_read() -> None:
    body = b"\x1f\x8b" + b"\x00" * 30

    def answer(method: str, _path: str) -> bytes:
        head = f"HTTP/1.1 200 OK\nContent-Type: application/gzip\nContent-Length: {len(body)}\n\n"
        return head.encode() + (b"" if method == "HEAD" else body)

    with RawServer(answer) as server:
        url = server.url("files.example", "/w.tar.gz")
        result = _probe(url, resolve=(f"files.example:{server.port}:127.0.0.1",))
    assert result.error is None and result.status == 200  # type: ignore[attr-defined]
    assert result.sniffed == "gzip"  # type: ignore[attr-defined]


def test_over_long_body_does_not_spoil_the_next_response() -> None:
    good = tar_bytes()

    def answer(method: str, path: str) -> bytes:
        if path == "/long.bin":  # announces 4 bytes, sends 4 + junk that looks like a response
            extra = b"HTTP/1.1 500 Junk\r\nContent-Length: 0\r\n\r\n"
            return b"HTTP/1.1 200 OK\r\nContent-Length: 4\r\n\r\n" + (
                b"" if method == "HEAD" else b"\x00\x01\x02\x03" + extra
            )
        head = f"HTTP/1.1 200 OK\r\nContent-Type: application/x-tar\r\nContent-Length: {len(good)}\r\n\r\n"
        return head.encode() + (b"" if method == "HEAD" else good)

    with RawServer(answer) as server:
        urls = [server.url("files.example", p) for p in ("/long.bin", "/next.tar")]
        settings = Settings(
            allow_private_hosts=True,
            no_cache=True,
            retries=0,
            max_connections_per_host=1,
            resolve=(f"files.example:{server.port}:127.0.0.1",),
        )
        results = http.probe_urls(urls, settings)
        seen = list(server.seen)
    after = results[urls[1]]
    assert after.error is None and after.ok_status and after.sniffed == "tar"
    assert results[urls[0]].error is None
    assert len(seen) >= 4  # HEAD and GET of each, whatever connections they took


# ---- file descriptors -------------------------------------------------------------------


def test_300_hosts_under_ulimit_256_are_all_reachable(http: HostsServer, tmp_path: Path) -> None:
    hosts = [f"h{i}.example" for i in range(300)]
    for host in hosts:
        http.route(host, "/w.bin", Reply(body=b"\x00" * 512))
    urls = [http.url(h, "/w.bin") for h in hosts]
    resolve = [f"{h}:{http.port}:127.0.0.1" for h in hosts]
    (tmp_path / "job.json").write_text(json.dumps({"urls": urls, "resolve": resolve}))
    code = textwrap.dedent(
        """
        import json, sys
        from medperf_lint.providers import probe as http
        from medperf_lint.input.config import Settings
        job = json.load(open(sys.argv[1]))
        settings = Settings(resolve=tuple(job["resolve"]), allow_private_hosts=True,
                            no_cache=True, retries=0, max_connections_per_host=8)
        results = http.probe_urls(job["urls"], settings)
        bad = [(u, r.error, r.inconclusive) for u, r in results.items() if not r.healthy]
        print(json.dumps(bad))
        """
    )

    def small_limit() -> None:
        import resource

        resource.setrlimit(resource.RLIMIT_NOFILE, (256, 256))

    done = subprocess.run(
        [sys.executable, "-c", code, str(tmp_path / "job.json")],
        capture_output=True,
        text=True,
        timeout=300,
        preexec_fn=small_limit,
    )
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout) == []
    assert {h for (h, _p) in http.counts} == set(hosts)


# ---- proxies from the environment -------------------------------------------------------


@pytest.fixture
def no_direct(monkeypatch: pytest.MonkeyPatch) -> None:
    """Proxy variables set by the test; nothing exempt unless the test says so."""
    monkeypatch.delenv("NO_PROXY", raising=False)
    monkeypatch.delenv("no_proxy", raising=False)


def _lint_refs(tmp_path: Path, urls: list[str], **overrides: Any) -> Report:
    text = "urls:\n" + "".join(f"  - {u}\n" for u in urls)
    overrides.setdefault("cache_dir", str(tmp_path / "cache"))
    overrides.setdefault("select", MPL407)
    return lint_yaml(tmp_path, text, "refs.yaml", online=True, **overrides)


@pytest.mark.usefixtures("no_direct")
def test_https_through_a_connect_proxy_named_only_in_the_environment(
    tmp_path: Path, https: HostsServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    url = https.route(GCS, "/b/w.tar.gz", Reply(body=TAR_GZ))
    with ForwardProxy({GCS: "127.0.0.1"}) as proxy:
        monkeypatch.setenv("https_proxy", proxy.url)
        report = _lint_refs(tmp_path, [url])  # no --resolve: only the proxy knows the name
        targets = proxy.targets()
    assert rules_hit(report) == []
    assert targets == [f"{GCS}:{https.port}"] * len(targets) and targets
    result = probe(report, url)
    assert result.ok_status and result.proxy == proxy.url and result.sniffed == "gzip"


@pytest.mark.usefixtures("no_direct")
def test_http_through_an_absolute_uri_proxy(
    tmp_path: Path, http: HostsServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    url = http.route("zenodo.org", "/records/1/files/w.tar", Reply(body=tar_bytes()))
    with ForwardProxy({"zenodo.org": "127.0.0.1"}) as proxy:
        monkeypatch.setenv("ALL_PROXY", proxy.url)
        report = _lint_refs(tmp_path, [url])
        targets = proxy.targets()
    assert [f.rule for f in report.findings] == ["insecure-http"] or rules_hit(report) == []
    assert set(targets) == {url}
    assert probe(report, url).proxy == proxy.url and probe(report, url).sniffed == "tar"


@pytest.mark.usefixtures("no_direct")
def test_no_proxy_goes_direct(
    tmp_path: Path, http: HostsServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    url = http.route("zenodo.org", "/records/1/files/w.tar", Reply(body=tar_bytes()))
    with ForwardProxy({}) as proxy:
        monkeypatch.setenv("HTTP_PROXY", proxy.url)
        monkeypatch.setenv("NO_PROXY", "zenodo.org")
        report = _lint_refs(
            tmp_path,
            [url],
            resolve=(f"zenodo.org:{http.port}:127.0.0.1",),
            allow_private_hosts=True,
        )
        targets = proxy.targets()
    assert targets == []
    assert probe(report, url).proxy is None and probe(report, url).ok_status


@pytest.mark.usefixtures("no_direct")
def test_a_literal_private_ip_is_still_refused_through_a_proxy(
    tmp_path: Path, http: HostsServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    url = http.route("127.0.0.1", "/w.tar", Reply(body=tar_bytes()))  # would answer 200
    with ForwardProxy({}) as proxy:
        monkeypatch.setenv("HTTP_PROXY", proxy.url)
        report = _lint_refs(tmp_path, [url])
        targets = proxy.targets()
    assert targets == [] and http.total == 0
    assert probe(report, url).error == "blocked-address"


@pytest.mark.usefixtures("no_direct")
def test_a_dead_proxy_makes_the_check_inconclusive_not_the_url_broken(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import socket

    with socket.socket() as closed:  # a port nobody listens on
        closed.bind(("127.0.0.1", 0))
        dead = f"http://127.0.0.1:{closed.getsockname()[1]}"
    monkeypatch.setenv("HTTPS_PROXY", dead)
    url = f"https://{GCS}/b/w.tar.gz"
    report = _lint_refs(tmp_path, [url], select=(*MPL407, "MPL406"))
    assert rules_hit(report) == ["inconclusive"]
    assert f"cannot connect to the proxy {dead}" in report.findings[0].message
    monkeypatch.setenv("HTTPS_PROXY", "not a url")
    report = _lint_refs(tmp_path, [url], select=(*MPL407, "MPL406"))
    assert rules_hit(report) == ["inconclusive"]
    assert "is not an http(s) URL" in report.findings[0].message
