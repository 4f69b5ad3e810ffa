"""The HTTP rules' EXAMPLE_FAILING / EXAMPLE_PASSING, run against the local host servers.

The examples name real hosts (zenodo.org, bucket.s3.amazonaws.com, …); the test adds the
server's port to those URLs and plays each host through ``--resolve``, with the answers the
examples describe. A new HTTP rule is picked up here automatically: give its example URLs a
route below.
"""

from __future__ import annotations

import gzip
import re
from collections.abc import Callable
from pathlib import Path

import pytest
from examplekit import assert_example_holds, run_example
from medperf_lint.rule import Need, Rule
from medperf_lint.rules import RULES
from servers.hosts import HOSTS, HostsServer, Reply, gzip_bytes, page, redirect, tar_bytes

PIN = "99b0d84bc107415d9fc6f69c4ea3fcdfbf22315d"
HTTP_RULES = [r for r in RULES if Need.HTTP in r.needs]
LFS_POINTER = (
    b"version https://git-lfs.github.com/spec/v1\noid sha256:" + b"a" * 64 + b"\nsize 1048576\n"
)
DENIED = b'<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>AccessDenied</Code></Error>'
RECORD = "/records/1234567/files/weights.tar.gz?download=1"


def _routes(server: HostsServer) -> None:
    """What each host answers for the URLs in the examples."""
    archive = Reply(body=gzip_bytes(), content_type="application/gzip")
    server.route("zenodo.org", RECORD, archive)
    server.route("zenodo.org", "/records/1234567", page("<html><body>Zenodo record</body></html>"))
    server.route(
        "zenodo.org", "/records/1234567/files/deleted.tar.gz?download=1", page("gone", 404)
    )
    server.route(
        "zenodo.org",
        "/record/1234567/files/weights.tar.gz?download=1",
        redirect(301, server.url("zenodo.org", RECORD)),
    )
    server.route(
        "raw.githubusercontent.com",
        f"/mlcommons/medperf/{PIN}/weights.tar.gz",
        Reply(body=LFS_POINTER, content_type="text/plain; charset=utf-8"),
    )
    server.route(
        "media.githubusercontent.com", f"/media/mlcommons/medperf/{PIN}/weights.tar.gz", archive
    )
    server.route(
        "bucket.s3.amazonaws.com",
        "/private/weights.tar.gz",
        Reply(403, DENIED, content_type="application/xml"),
    )
    server.route("bucket.s3.amazonaws.com", "/public/weights.tar.gz", archive)
    server.route(
        "storage.googleapis.com",
        "/medperf-storage/busy/weights.tar.gz",
        Reply(503, b"busy", content_type="text/plain"),
    )
    server.route("storage.googleapis.com", "/medperf-storage/chestxray/weights.tar.gz", archive)
    server.route(  # a .tar.gz stored with Content-Encoding: gzip metadata, served decoded
        "storage.googleapis.com",
        "/medperf-storage/transcoded/weights.tar.gz",
        Reply(
            body=gzip.compress(tar_bytes()), content_type="application/gzip", gzip_encoded="always"
        ),
    )


def _on_port(port: int) -> Callable[[str], str]:
    hosts = "|".join(re.escape(h) for h in HOSTS)
    pattern = re.compile(rf"https://({hosts})/")
    return lambda text: pattern.sub(lambda m: f"https://{m.group(1)}:{port}/", text)


@pytest.mark.parametrize("which", ["failing", "passing"])
@pytest.mark.parametrize("rule", HTTP_RULES, ids=lambda r: r.name)
def test_http_rule_examples(tmp_path: Path, https: HostsServer, rule: Rule, which: str) -> None:
    _routes(https)
    report = run_example(
        tmp_path,
        rule,
        which,
        online=True,
        transform=_on_port(https.port),
        select=(rule.code,),
        resolve=https.resolve(*HOSTS),
        allow_private_hosts=True,
        cache_dir=str(tmp_path / "cache"),
        retries=0,
    )
    assert_example_holds(report, rule, which)
    assert https.total > 0  # the example really went to the server
