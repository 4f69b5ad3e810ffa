"""The CLI in a subprocess: --resolve, --allow-private-hosts and the JSON ``urls`` entries."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from servers.hosts import HostsServer, Reply, gzip_bytes, redirect

SHA = "0123456789abcdef0123456789abcdef01234567"
HTTP_RULES = "MPL401,MPL402,MPL403,MPL404,MPL405"


def _run(args: list[str], ca_bundle: Path, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "REQUESTS_CA_BUNDLE": str(ca_bundle), "NO_COLOR": "1"}
    return subprocess.run(
        [sys.executable, "-m", "medperf_lint", *args],
        capture_output=True,
        text=True,
        env=env,
        cwd=cwd,
        timeout=60,
        check=False,
    )


def test_json_urls_entry(tmp_path: Path, https: HostsServer, ca_bundle: Path) -> None:
    body = gzip_bytes()
    path = f"/o/r/{SHA}/weights.tar.gz"
    url = https.route("raw.githubusercontent.com", path, Reply(body=body))
    moved = https.route("zenodo.org", "/record/5/files/w.tar.gz", redirect(301, url))
    resolve = [
        a
        for entry in https.resolve("raw.githubusercontent.com", "zenodo.org")
        for a in ("--resolve", entry)
    ]
    done = _run(
        [
            "--ref",
            url,
            "--ref",
            moved,
            *resolve,
            "--allow-private-hosts",
            "--select",
            HTTP_RULES,
            "--cache-dir",
            str(tmp_path / "cache"),
            "--format",
            "json",
        ],
        ca_bundle,
        tmp_path,
    )
    assert done.returncode == 0, done.stderr
    assert done.stderr == ""  # no progress bar when stderr is not a terminal
    payload = json.loads(done.stdout)
    entries = {entry["url"]: entry for entry in payload["urls"]}
    assert entries[url] == {
        "url": url,
        "final_url": url,
        "status": 206,
        "size": len(body),
        "sniffed_type": "gzip",
        "content_encoding": None,
        "proxy": None,
        "redirects": [],
        "error": None,
        "inconclusive": None,
    }
    assert entries[moved]["final_url"] == url
    assert entries[moved]["redirects"] == [{"status": 301, "location": url}]
    (finding,) = payload["findings"]
    assert (finding["code"], finding["rule"], finding["severity"]) == (
        "MPL405",
        "redirected",
        "info",
    )
    assert finding["fix"]["replacement"] == url


def test_private_address_refused_through_cli(
    tmp_path: Path, https: HostsServer, ca_bundle: Path
) -> None:
    url = https.route("storage.googleapis.com", "/b/w.tar.gz", Reply(body=gzip_bytes()))
    done = _run(
        [
            "--ref",
            url,
            "--resolve",
            https.resolve("storage.googleapis.com")[0],
            "--select",
            HTTP_RULES,
            "--no-cache",
            "--format",
            "json",
        ],
        ca_bundle,
        tmp_path,
    )
    # --resolve to loopback without --allow-private-hosts: one line before any request,
    # rather than one unreachable error per URL it covers
    assert done.returncode == 2
    assert done.stdout == ""
    entry = https.resolve("storage.googleapis.com")[0]
    assert done.stderr == (
        f"medperf-lint: error: --resolve {entry!r}: 127.0.0.1 (loopback) is an address "
        "medperf-lint connects to only with --allow-private-hosts\n"
    )
    assert https.total == 0


def test_bad_resolve_entry_is_a_usage_error(tmp_path: Path, ca_bundle: Path) -> None:
    done = _run(
        [
            "--ref",
            "https://zenodo.org/records/1/files/w.tar.gz",
            "--resolve",
            "zenodo.org:443:nowhere",
            "--select",
            HTTP_RULES,
            "--no-cache",
        ],
        ca_bundle,
        tmp_path,
    )
    assert done.returncode == 2
    assert "--resolve 'zenodo.org:443:nowhere'" in done.stderr
