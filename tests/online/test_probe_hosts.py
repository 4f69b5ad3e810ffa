"""End to end: the HTTP rules against local servers playing GitHub, Drive, Dropbox, GCS and S3."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest
from lintkit import hits, lint_yaml, messages
from medperf_lint.input.config import ConfigError
from onlinekit import SHA, lint_urls, probe
from servers.hosts import HOSTS, HostsServer, Reply, gzip_bytes, page, redirect, tar_bytes

GZ = gzip_bytes()
TAR = tar_bytes()
RAW = "raw.githubusercontent.com"
GCS = "storage.googleapis.com"
S3 = "bucket.s3.amazonaws.com"
DRIVE = "drive.google.com"
DROPBOX = "www.dropbox.com"
DRIVE_ID = "1AbCdEfGhIjKlMnOpQrStUv"


def test_healthy_files_pass_with_two_requests_each(tmp_path: Path, https: HostsServer) -> None:
    gz = https.route(RAW, f"/o/r/{SHA}/weights.tar.gz", Reply(body=GZ))
    tar = https.route("zenodo.org", "/records/1/files/w.tar?download=1", Reply(body=TAR))
    report = lint_urls(tmp_path, [gz, tar], https)
    assert hits(report) == []
    first, second = probe(report, gz), probe(report, tar)
    assert (first.status, first.size, first.sniffed) == (206, len(GZ), "gzip")
    assert (second.status, second.size, second.sniffed) == (206, len(TAR), "tar")
    assert https.hits(RAW, f"/o/r/{SHA}/weights.tar.gz") == 2
    assert https.hits("zenodo.org", "/records/1/files/w.tar?download=1") == 2
    seen = [s for s in https.log if s.host == RAW]
    assert sorted(s.method for s in seen) == ["GET", "HEAD"]  # side by side, either first
    get = next(s for s in seen if s.method == "GET").headers
    assert get["range"] == "bytes=0-8191"
    assert get["user-agent"].startswith("medperf-lint/")
    assert "+https://github.com/mlcommons/medperf" in get["user-agent"]
    assert "authorization" not in get and "cookie" not in get


def test_warm_rerun_of_pinned_url_sends_no_request(tmp_path: Path, https: HostsServer) -> None:
    url = https.route(RAW, f"/o/r/{SHA}/w.tar.gz", Reply(body=GZ))
    lint_urls(tmp_path, [url], https)
    assert https.total == 2
    again = lint_urls(tmp_path, [url], https)
    assert https.total == 2
    cached = probe(again, url)
    assert cached.from_cache and cached.sniffed == "gzip" and cached.requests == 2


def test_no_cache_probes_again(tmp_path: Path, https: HostsServer) -> None:
    url = https.route(RAW, f"/o/r/{SHA}/w.tar.gz", Reply(body=GZ))
    lint_urls(tmp_path, [url], https, no_cache=True)
    lint_urls(tmp_path, [url], https, no_cache=True)
    assert https.total == 4


def test_head_405_lets_get_decide(tmp_path: Path, https: HostsServer) -> None:
    url = https.route(GCS, "/b/w.tar.gz", Reply(body=GZ, head_status=405))
    report = lint_urls(tmp_path, [url], https)
    assert hits(report) == []
    result = probe(report, url)
    assert (result.head_status, result.status, result.sniffed) == (405, 206, "gzip")
    assert https.hits(GCS, "/b/w.tar.gz") == 2


def test_head_reset_lets_get_decide(tmp_path: Path, https: HostsServer) -> None:
    url = https.route(GCS, "/b/reset-head.tar.gz", Reply(body=GZ, head_reset=True))
    report = lint_urls(tmp_path, [url], https)
    assert hits(report) == []
    assert probe(report, url).sniffed == "gzip"


def test_html_sent_as_octet_stream(tmp_path: Path, https: HostsServer) -> None:
    html = b"<!DOCTYPE html><html><body>Dropbox - preview</body></html>"
    url = https.route(DROPBOX, "/s/abc/w.tar.gz?dl=1", Reply(body=html))
    report = lint_urls(tmp_path, [url], https)
    assert hits(report) == [("html-content", 2, 5)]
    assert "Content-Type: application/octet-stream" in messages(report)[0]
    assert "HTML page" in messages(report)[0]


def test_xml_errors_are_quoted(tmp_path: Path, https: HostsServer) -> None:
    denied = b'<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>AccessDenied</Code><Message>Access Denied</Message></Error>'
    missing = b"<?xml version='1.0' encoding='UTF-8'?><Error><Code>NoSuchKey</Code></Error>"
    private = https.route(S3, "/private.tar.gz", Reply(403, denied, content_type="application/xml"))
    gone = https.route(GCS, "/b/gone.tar.gz", Reply(404, missing, content_type="application/xml"))
    soft = https.route(GCS, "/b/soft.tar.gz", Reply(200, missing))
    report = lint_urls(tmp_path, [private, gone, soft], https)
    assert hits(report) == [("not-public", 2, 5), ("unreachable", 3, 5), ("html-content", 4, 5)]
    first, second, third = messages(report)
    assert "HTTP 403" in first and "<Code>AccessDenied</Code>" in first
    assert second == "unreachable: not found (HTTP 404)"
    # a HEAD 404 is final; the ranged GET that went out beside it may or may not have arrived
    assert https.hits(GCS, "/b/gone.tar.gz") <= 2
    assert "<Code>NoSuchKey</Code>" in third


def test_lfs_pointer_gets_media_fix(tmp_path: Path, https: HostsServer) -> None:
    pointer = (
        b"version https://git-lfs.github.com/spec/v1\noid sha256:" + b"a" * 64 + b"\nsize 1048576\n"
    )
    url = https.route(
        RAW, f"/o/r/{SHA}/model.tar.gz", Reply(body=pointer, content_type="text/plain")
    )
    report = lint_urls(tmp_path, [url], https)
    assert hits(report) == [("html-content", 2, 5)]
    finding = report.findings[0]
    assert "Git LFS pointer" in finding.message and "size 1048576" in finding.message
    assert finding.fix is not None
    assert (
        finding.fix.replacement
        == f"https://media.githubusercontent.com/media/o/r/{SHA}/model.tar.gz"
    )


def test_release_asset_redirect_to_signed_url_is_fine(tmp_path: Path, https: HostsServer) -> None:
    signed = https.route(
        "objects.githubusercontent.com",
        "/asset?X-Amz-Signature=deadbeef&X-Amz-Expires=300",
        Reply(body=GZ),
    )
    url = https.route("github.com", "/o/r/releases/download/v1/w.tar.gz", redirect(302, signed))
    report = lint_urls(tmp_path, [url], https)
    assert hits(report) == []
    result = probe(report, url)
    assert result.final_url == signed and result.redirects == ((302, signed),)
    shown = result.to_dict()
    assert "deadbeef" not in str(shown)
    assert shown["sniffed_type"] == "gzip" and shown["status"] == 206


def test_permanent_redirect_suggests_final_url(tmp_path: Path, https: HostsServer) -> None:
    new = https.route("zenodo.org", "/records/7/files/w.tar.gz", Reply(body=GZ))
    old = https.route("zenodo.org", "/record/7/files/w.tar.gz", redirect(301, new))
    report = lint_urls(tmp_path, [old], https)
    assert hits(report) == [("redirected", 2, 5)]
    finding = report.findings[0]
    assert finding.severity.value == "info"
    assert finding.fix is not None and finding.fix.replacement == new


def test_redirect_loop_and_too_many_redirects(tmp_path: Path, https: HostsServer) -> None:
    a, b = https.url(GCS, "/loop/a"), https.url(GCS, "/loop/b")
    https.route(GCS, "/loop/a", redirect(302, b))
    https.route(GCS, "/loop/b", redirect(302, a))
    chain = [https.url(GCS, f"/chain/{i}") for i in range(13)]
    for i in range(12):
        https.route(GCS, f"/chain/{i}", redirect(307, chain[i + 1]))
    https.route(GCS, "/chain/12", Reply(body=GZ))
    report = lint_urls(tmp_path, [a, chain[0]], https)
    assert hits(report) == [("unreachable", 2, 5), ("unreachable", 3, 5)]
    loop, many = messages(report)
    assert "redirect-loop" in loop and "too-many-redirects" in many
    assert https.hits(GCS, "/chain/11") == 0  # stopped after 10 hops


def test_redirect_to_other_scheme_is_refused(tmp_path: Path, https: HostsServer) -> None:
    url = https.route(GCS, "/b/ftp", redirect(302, "ftp://files.example.org/w.tar.gz"))
    report = lint_urls(tmp_path, [url], https)
    assert hits(report) == [("unreachable", 2, 5)]
    assert "bad-redirect-scheme" in messages(report)[0] and "ftp" in messages(report)[0]


def test_429_with_retry_after_then_200(tmp_path: Path, https: HostsServer) -> None:
    busy = Reply(429, headers=(("Retry-After", "1"),), content_type="text/plain", ranged=False)
    url = https.route(GCS, "/b/busy.tar.gz", busy, Reply(body=GZ))
    report = lint_urls(tmp_path, [url], https)
    assert hits(report) == []
    result = probe(report, url)
    # HEAD and GET go out side by side; whichever came second got the 200. A GET that got
    # the 429 waits Retry-After and asks again; a HEAD that got it defers to the GET.
    assert result.status == 206 and result.head_status in (429, 200)
    assert https.hits(GCS, "/b/busy.tar.gz") == (2 if result.head_status == 429 else 3)


def test_head_refused_with_429_lets_the_get_decide(tmp_path: Path, https: HostsServer) -> None:
    url = https.route(
        GCS, "/b/head429.tar.gz", Reply(body=GZ, head_status=429, headers=(("Retry-After", "1"),))
    )
    report = lint_urls(tmp_path, [url], https)
    assert hits(report) == []
    assert (probe(report, url).head_status, probe(report, url).status) == (429, 206)
    assert https.hits(GCS, "/b/head429.tar.gz") == 2


def test_429_after_retries_is_inconclusive_and_not_cached(
    tmp_path: Path, https: HostsServer
) -> None:
    busy = Reply(429, headers=(("Retry-After", "1"),), content_type="text/plain", ranged=False)
    url = https.route(GCS, "/b/always-busy.tar.gz", busy)
    report = lint_urls(tmp_path, [url], https, retries=1, inconclusive=True)
    assert hits(report) == [("inconclusive", 2, 5)]
    assert report.findings[0].severity.value == "warning"
    assert "HTTP 429 after 1 retry" in messages(report)[0]
    before = https.total
    lint_urls(tmp_path, [url], https, retries=0)
    assert https.total > before  # never served from the cache


def test_503_then_200_is_retried(tmp_path: Path, https: HostsServer) -> None:
    down = Reply(503, b"busy", content_type="text/plain", ranged=False)
    url = https.route(GCS, "/b/flaky.tar.gz", down, down, Reply(body=GZ))
    report = lint_urls(tmp_path, [url], https, retries=2)
    assert hits(report) == []
    assert https.hits(GCS, "/b/flaky.tar.gz") == 3
    assert sorted(s.method for s in https.log) == ["GET", "GET", "HEAD"]


def test_hanging_server_is_inconclusive(tmp_path: Path, https: HostsServer) -> None:
    url = https.route(GCS, "/b/hang.tar.gz", Reply(hang=True))
    report = lint_urls(tmp_path, [url], https, read_timeout=0.3, timeout=5, inconclusive=True)
    assert hits(report) == [("inconclusive", 2, 5)]
    assert "timeout" in messages(report)[0]


def test_deadline_bounds_the_run(tmp_path: Path, https: HostsServer) -> None:
    url = https.route(GCS, "/b/slow.tar.gz", Reply(hang=True))
    report = lint_urls(tmp_path, [url], https, deadline=0.5, inconclusive=True)
    assert hits(report) == [("inconclusive", 2, 5)]
    assert "deadline reached" in messages(report)[0]


def test_reset_after_retries_is_unreachable(tmp_path: Path, https: HostsServer) -> None:
    url = https.route(GCS, "/b/reset.tar.gz", Reply(reset=True))
    report = lint_urls(tmp_path, [url], https, retries=1)
    assert hits(report) == [("unreachable", 2, 5)]
    assert "(reset)" in messages(report)[0]
    # HEAD, GET, one retry: each sent twice, as aiohttp re-sends an idempotent request once on a
    # fresh connection when a connection drops (RFC 9112 §9.3.1)
    assert https.hits(GCS, "/b/reset.tar.gz") == 6


def test_401_403_and_404(tmp_path: Path, https: HostsServer) -> None:
    forbidden = https.route(DRIVE, f"/uc?id={DRIVE_ID}&export=download", page("<p>no</p>", 403))
    unauthorized = https.route(
        GCS, "/b/auth.tar.gz", Reply(401, b"{}", content_type="application/json")
    )
    missing = https.route(
        RAW, f"/o/r/{SHA}/missing.tar.gz", page("404: Not Found", 404, "text/plain")
    )
    report = lint_urls(tmp_path, [forbidden, unauthorized, missing], https)
    assert hits(report) == [("not-public", 2, 5), ("not-public", 3, 5), ("unreachable", 4, 5)]
    assert "HTTP 403 Forbidden" in messages(report)[0]
    assert "HTTP 401 Unauthorized" in messages(report)[1]
    assert "not found (HTTP 404)" in messages(report)[2]
    assert https.hits(RAW, f"/o/r/{SHA}/missing.tar.gz") <= 2  # a HEAD 404 is final


def test_cloudflare_challenge_is_inconclusive(tmp_path: Path, https: HostsServer) -> None:
    challenge = replace(
        page("<html><body>Just a moment...</body></html>", 403),
        headers=(("cf-mitigated", "challenge"),),
    )
    url = https.route(GCS, "/b/cf.tar.gz", challenge)
    report = lint_urls(tmp_path, [url], https, inconclusive=True)
    assert hits(report) == [("inconclusive", 2, 5)]
    assert "Cloudflare" in messages(report)[0]


def test_drive_virus_scan_page(tmp_path: Path, https: HostsServer) -> None:
    scan = (
        "<html><head><title>Google Drive - Virus scan warning</title></head><body>"
        '<form id="download-form" action="https://drive.usercontent.google.com/download" method="get">'
        f'<input type="hidden" name="id" value="{DRIVE_ID}"><input type="hidden" name="confirm" value="t">'
        "</form></body></html>"
    )
    landing = https.route(
        "drive.usercontent.google.com", f"/download?id={DRIVE_ID}&export=download", page(scan)
    )
    url = https.route(DRIVE, f"/uc?id={DRIVE_ID}&export=download", redirect(303, landing))
    report = lint_urls(tmp_path, [url], https)
    assert hits(report) == [("not-direct-download", 2, 5)]
    finding = report.findings[0]
    assert "virus-scan" in finding.message
    assert finding.fix is not None
    assert finding.fix.replacement == (
        f"https://drive.usercontent.google.com/download?id={DRIVE_ID}&export=download&confirm=t"
    )


def test_drive_error_page_and_sign_in_redirect(tmp_path: Path, https: HostsServer) -> None:
    quota = (
        '<html><body><div class="uc-main"><p class="uc-error-caption">Sorry</p>'
        '<p class="uc-error-subcaption">Too many users have viewed or downloaded this file recently.</p>'
        "</div></body></html>"
    )
    busy = https.route(DRIVE, "/uc?id=1QuotaQuotaQuota&export=download", page(quota))
    login = https.route(
        "accounts.google.com", "/ServiceLogin?continue=x", page("<html>sign in</html>")
    )
    private = https.route(DRIVE, "/uc?id=1PrivatePrivate&export=download", redirect(302, login))
    report = lint_urls(tmp_path, [busy, private], https)
    assert hits(report) == [("not-direct-download", 2, 5), ("not-direct-download", 3, 5)]
    quota_msg, login_msg = messages(report)
    assert "Too many users have viewed or downloaded this file recently." in quota_msg
    assert "sign-in page" in login_msg


def test_plain_http_html_page(tmp_path: Path, http: HostsServer) -> None:
    url = http.route(GCS, "/b/index.html", page("<html><body>listing</body></html>"))
    report = lint_urls(tmp_path, [url], http)
    assert hits(report) == [("not-direct-download", 2, 5)]
    assert "Content-Type: text/html" in messages(report)[0]


def test_docs_url_is_never_probed(tmp_path: Path, https: HostsServer) -> None:
    """docs_url is a page for people, never downloaded: even a dead one blocks nothing."""
    docs = https.route(GCS, "/docs/", Reply(status=404, body=b"gone"))
    resolve = https.resolve(GCS)
    text = f"name: model\ndocs_url: {docs}\n"
    report = lint_yaml(
        tmp_path,
        text,
        "container.medperf.yaml",
        select=("ALL",),
        online=True,
        resolve=resolve,
        allow_private_hosts=True,
        cache_dir=str(tmp_path / "cache"),
    )
    assert hits(report) == []
    assert https.total == 0


def test_private_address_is_refused_without_a_request(tmp_path: Path, https: HostsServer) -> None:
    https.route(GCS, "/b/w.tar.gz", Reply(body=GZ))
    url = f"https://127.0.0.1:{https.port}/b/w.tar.gz"  # a manifest's own URL, no --resolve
    report = lint_urls(tmp_path, [url], allow_private_hosts=False)
    assert hits(report) == [("unreachable", 2, 5)]
    message = messages(report)[0]
    assert "blocked-address" in message and "loopback" in message
    assert "--allow-private-hosts" in message
    assert https.total == 0


def test_resolve_to_a_private_address_needs_the_flag(tmp_path: Path, https: HostsServer) -> None:
    """One clear line before any request, not one unreachable error per URL it covers."""
    url = https.route(GCS, "/b/w.tar.gz", Reply(body=GZ))
    with pytest.raises(ConfigError) as raised:
        lint_urls(tmp_path, [url, url.replace("w.tar", "x.tar")], https, allow_private_hosts=False)
    entry = str(raised.value).split("'")[1]
    assert entry in https.resolve(*HOSTS)  # the first entry of the table, named as given
    assert str(raised.value) == (
        f"--resolve {entry!r}: 127.0.0.1 (loopback) is an address medperf-lint connects to "
        "only with --allow-private-hosts"
    )
    assert https.total == 0


def test_certificate_for_another_host_fails_tls(tmp_path: Path, https: HostsServer) -> None:
    url = https.url("files.example.org", "/w.tar.gz")
    report = lint_yaml(
        tmp_path,
        f"urls:\n  - {url}\n",
        "refs.yaml",
        select=("MPL401", "MPL402", "MPL403", "MPL404", "MPL405"),
        online=True,
        resolve=https.resolve("files.example.org"),
        allow_private_hosts=True,
        no_cache=True,
    )
    assert hits(report) == [("unreachable", 2, 5)]
    assert "(tls)" in messages(report)[0]
    assert https.total == 0
