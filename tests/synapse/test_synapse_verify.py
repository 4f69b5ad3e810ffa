"""--verify-hashes on synapse: references: the File is downloaded from the pre-signed URL that
Synapse's /fileHandle/batch hands out (as synapseclient's download gets it) and hashed."""

from __future__ import annotations

import hashlib
import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from lintkit import lint_yaml
from servers.fake_synapse import FakeSynapse
from servers.hosts import HostsServer, Reply
from synkit import TOKEN, fast

S3 = "bucket.s3.amazonaws.com"


@pytest.fixture
def s3() -> Iterator[HostsServer]:
    with HostsServer() as server:
        yield server


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _lint(tmp_path: Path, fake: FakeSynapse, s3: HostsServer, text: str):  # type: ignore[no-untyped-def]
    overrides = fast(fake, select=("hash-mismatch", "hash-computed", "inconclusive"))
    return lint_yaml(
        tmp_path,
        text,
        online=True,
        verify_hashes=True,
        resolve=s3.resolve(S3),
        no_cache=True,
        **overrides,
    )


def test_synapse_file_is_hashed_from_its_presigned_url(
    tmp_path: Path, fake: FakeSynapse, s3: HostsServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SYNAPSE_AUTH_TOKEN", TOKEN)
    body = os.urandom(20_000)
    fake.downloads["syn3000"] = s3.route(
        S3, "/key/w.tar.gz?X-Amz-Signature=abc", Reply(body=body, ranged=False)
    )
    good = _lint(
        tmp_path,
        fake,
        s3,
        f"additional_files_tarball_url: synapse:syn3000\nadditional_files_tarball_hash: {_sha(body)}\n",
    )
    assert good.findings == ()
    assert good.network is not None
    assert good.network.downloads["synapse:syn3000"].sha256 == _sha(body)
    batch = [r for r in fake.requests if r.path == "/file/v1/fileHandle/batch"]
    assert len(batch) == 1 and batch[0].headers.get("authorization") == f"Bearer {TOKEN}"
    # the pre-signed URL is fetched without the Synapse token
    assert all("authorization" not in seen.headers for seen in s3.log)

    bad = _lint(
        tmp_path,
        fake,
        s3,
        f"additional_files_tarball_url: synapse:syn3000\nadditional_files_tarball_hash: {'b' * 64}\n",
    )
    assert [f.rule for f in bad.findings] == ["hash-mismatch"]
    assert "X-Amz-Signature" not in bad.findings[0].message


def test_no_download_url_is_inconclusive_not_a_mismatch(
    tmp_path: Path, fake: FakeSynapse, s3: HostsServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("SYNAPSE_AUTH_TOKEN", raising=False)
    report = _lint(
        tmp_path,
        fake,
        s3,
        f"additional_files_tarball_url: synapse:syn3000\nadditional_files_tarball_hash: {'b' * 64}\n",
    )
    assert report.network is not None
    facts = report.network.downloads["synapse:syn3000"]
    assert facts.sha256 is None and facts.inconclusive is not None
    assert [f.rule for f in report.findings] == ["inconclusive"]
    assert "Synapse gave no download URL" in report.findings[0].message
    assert s3.total == 0
