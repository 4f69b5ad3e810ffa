"""Full downloads hashed as MedPerf saves them, against local HTTP(S) servers."""

from __future__ import annotations

import gzip
import hashlib
import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from medperf_lint.facts.download import DownloadFacts
from medperf_lint.input.config import Settings
from medperf_lint.net.transport import Timeouts, open_transport
from medperf_lint.providers.verify import DownloadJob, verify_all
from servers.hosts import HostsServer, Reply, redirect
from tarkit import GOOD_DEMO, Member, build

HOST = "storage.googleapis.com"


@pytest.fixture
def server() -> Iterator[HostsServer]:
    with HostsServer() as running:
        yield running


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _verify(
    server: HostsServer, *jobs: DownloadJob, keep: Path | None = None, max_size: int = 1 << 30
) -> dict[str, DownloadFacts]:
    settings = Settings(resolve=server.resolve(HOST), allow_private_hosts=True)
    with open_transport(settings) as shared:
        coro = verify_all(
            shared.transport, jobs, timeouts=Timeouts(5.0, 10.0), max_size=max_size, keep=keep
        )
        return shared.call(coro, 60)


def test_hash_of_a_plain_file(server: HostsServer) -> None:
    body = os.urandom(300_000)
    url = server.route(HOST, "/b/w.bin", Reply(body=body, ranged=False))
    facts = _verify(server, DownloadJob(url, _sha(body)))[url]
    assert facts.sha256 == _sha(body)
    assert facts.size == len(body)
    assert facts.content_encoding is None and facts.encoded_sha256 is None


def test_redirects_are_followed_like_requests(server: HostsServer) -> None:
    body = b"final bytes"
    final = server.route(HOST, "/b/final.bin", Reply(body=body, ranged=False))
    start = server.route(HOST, "/b/start.bin", redirect(302, final))
    facts = _verify(server, DownloadJob(start, None))[start]
    assert facts.sha256 == _sha(body)


def test_gcs_style_content_encoding(server: HostsServer) -> None:
    """The stored object is the .tar.gz (whose hash the uploader took); served with
    Content-Encoding: gzip, MedPerf saves the decoded tar."""
    tar = build([Member("weights/w.bin", os.urandom(5000))], "w")
    stored = gzip.compress(tar)
    url = server.route(
        HOST,
        "/b/w.tar.gz",
        Reply(body=stored, headers=(("Content-Encoding", "gzip"),), ranged=False),
    )
    facts = _verify(server, DownloadJob(url, _sha(stored), archive=True))[url]
    assert facts.content_encoding == "gzip"
    assert facts.sha256 == _sha(tar)  # what MedPerf saves
    assert facts.encoded_sha256 == _sha(stored)  # what the uploader hashed
    assert facts.archive is not None and facts.archive.error is None
    assert facts.archive.compression is None  # the saved file is a bare tar


def test_non_200_is_an_error_for_medperf(server: HostsServer) -> None:
    url = server.route(HOST, "/b/gone.bin", Reply(404, b"nope", ranged=False))
    facts = _verify(server, DownloadJob(url, None))[url]
    assert facts.sha256 is None
    assert facts.error == "HTTP 404: MedPerf accepts only 200"


def test_size_cap_makes_it_inconclusive(server: HostsServer) -> None:
    url = server.route(HOST, "/b/big.bin", Reply(body=b"x" * 50_000, ranged=False))
    facts = _verify(server, DownloadJob(url, None), max_size=10_000)[url]
    assert facts.sha256 is None
    assert facts.inconclusive is not None and "download cap" in facts.inconclusive


def test_archive_and_demo_checks_ride_on_the_download(server: HostsServer) -> None:
    hostile = build([Member("ok", b"1"), Member("../../evil", b"2")])
    demo_url = server.route(HOST, "/b/demo.tar.gz", Reply(body=GOOD_DEMO, ranged=False))
    bad_url = server.route(HOST, "/b/files.tar.gz", Reply(body=hostile, ranged=False))
    facts = _verify(
        server,
        DownloadJob(demo_url, None, archive=True, demo=True),
        DownloadJob(bad_url, None, archive=True),
    )
    demo = facts[demo_url].archive
    assert demo is not None and demo.demo is not None and demo.demo.problem is None
    bad = facts[bad_url].archive
    assert bad is not None and [m.name for m in bad.unsafe] == ["../../evil"]


def test_identical_urls_are_downloaded_once(server: HostsServer) -> None:
    url = server.route(HOST, "/b/once.bin", Reply(body=b"abc", ranged=False))
    facts = _verify(server, DownloadJob(url, None), DownloadJob(url, _sha(b"abc"), archive=False))
    assert list(facts) == [url]
    assert server.hits(HOST, "/b/once.bin") == 1


def test_keep_writes_the_file_under_its_hash_and_nothing_partial(
    server: HostsServer, tmp_path: Path
) -> None:
    body = os.urandom(10_000)
    ok = server.route(HOST, "/b/ok.bin", Reply(body=body, ranged=False))
    big = server.route(HOST, "/b/big.bin", Reply(body=b"y" * 50_000, ranged=False))
    keep = tmp_path / "keep"
    _verify(server, DownloadJob(ok, None), DownloadJob(big, None), keep=keep, max_size=20_000)
    assert sorted(p.name for p in keep.iterdir()) == [_sha(body)]
    assert (keep / _sha(body)).read_bytes() == body


def test_nothing_written_without_keep(server: HostsServer) -> None:
    url = server.route(HOST, "/b/w.bin", Reply(body=b"z" * 1000, ranged=False))
    before = set(Path(os.environ.get("TMPDIR", "/tmp")).iterdir())
    _verify(server, DownloadJob(url, None))
    after = set(Path(os.environ.get("TMPDIR", "/tmp")).iterdir())
    assert not [p for p in after - before if p.name.startswith(".partial-")]
