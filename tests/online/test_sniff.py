"""First-bytes classification and the Drive and sign-in page detectors."""

from __future__ import annotations

import gzip
import io
import json
import struct
import tarfile
import zipfile

import pytest
from medperf_lint.refs.sniff import drive_file_id, drive_page, sign_in_page, sniff


def _tar() -> bytes:
    out = io.BytesIO()
    with tarfile.open(fileobj=out, mode="w") as tar:
        info = tarfile.TarInfo("a.txt")
        info.size = 1
        tar.addfile(info, io.BytesIO(b"x"))
    return out.getvalue()


def _zip() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("a.txt", "x")
    return out.getvalue()


def _safetensors() -> bytes:
    header = json.dumps({"w": {"dtype": "F32", "shape": [1], "data_offsets": [0, 4]}}).encode()
    return struct.pack("<Q", len(header)) + header + b"\x00" * 4


def _nifti1() -> bytes:
    return struct.pack("<i", 348) + b"\x00" * 340 + b"n+1\x00" + b"\x00" * 8


@pytest.mark.parametrize(
    ("data", "kind"),
    [
        (gzip.compress(b"data", mtime=0), "gzip"),  # no timestamp: one id for every worker
        (_tar(), "tar"),
        (_zip(), "zip"),
        (b"BZh91AY&SY", "bzip2"),
        (b"\xfd7zXZ\x00\x00", "xz"),
        (b"\x28\xb5\x2f\xfd\x00", "zstd"),
        (b"7z\xbc\xaf\x27\x1c\x00", "7z"),
        (b"\x89HDF\r\n\x1a\n\x00", "hdf5"),
        (b"\x00" * 512 + b"\x89HDF\r\n\x1a\n", "hdf5"),
        (b"CDF\x01\x00", "netcdf"),
        (b"\x00" * 128 + b"DICM" + b"\x00" * 8, "dicom"),
        (_nifti1(), "nifti"),
        (_safetensors(), "safetensors"),
        (b"\x93NUMPY\x01\x00", "npy"),
        (b"GGUF\x03\x00", "gguf"),
        (b"PAR1\x15\x04", "parquet"),
        (b"%PDF-1.7\n", "pdf"),
        (b"\x89PNG\r\n\x1a\n", "png"),
        (b"num_classes: 14\nbatch_size: 8\n", "text"),
        (b"", "empty"),
        (b"\x00\x01\x02\x03binary", None),
    ],
)
def test_file_signatures(data: bytes, kind: str | None) -> None:
    assert sniff(data).kind == kind


@pytest.mark.parametrize(
    "data",
    [
        b"<!DOCTYPE html><html>",
        b"\xef\xbb\xbf  \n<HTML lang=en>",
        b"<head><title>x</title>",
        b"<script>location='/'</script>",
        b"<!-- page -->",
        b"<p>soft 404</p>",
        b'<?xml version="1.0"?><!DOCTYPE html><html xmlns="http://www.w3.org/1999/xhtml">',
    ],
)
def test_html_in_many_shapes(data: bytes) -> None:
    assert sniff(data).kind == "html"


def test_not_html_lookalikes() -> None:
    assert sniff(b"<abbr>not a sniffing tag</abbr>").kind == "text"
    assert sniff(b'<?xml version="1.0"?><data><row/></data>').kind == "text"


def test_error_documents_and_pointers() -> None:
    s3 = b'<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>NoSuchKey</Code><Message>m</Message></Error>'
    azure = b'\xef\xbb\xbf<?xml version="1.0" encoding="utf-8"?><Error><Code>AuthenticationFailed</Code>'
    assert (sniff(s3).kind, sniff(s3).detail) == ("xml-error", "NoSuchKey")
    assert sniff(azure).detail == "AuthenticationFailed"
    hf = sniff(b'{"error":"Repository not found"}')
    assert (hf.kind, hf.detail) == ("json-error", "Repository not found")
    gh = sniff(b'{"message":"Not Found","documentation_url":"https://docs.github.com"}')
    assert (gh.kind, gh.detail) == ("json-error", "Not Found")
    assert sniff(b'{"message": "hello", "items": [1, 2]}').kind == "text"  # data, not an error
    lfs = sniff(
        b"version https://git-lfs.github.com/spec/v1\noid sha256:" + b"b" * 64 + b"\nsize 12\n"
    )
    assert lfs.kind == "lfs-pointer" and lfs.detail == "oid sha256:" + "b" * 64 + ", size 12"


def test_drive_pages() -> None:
    confirm = drive_page(
        b'<form id="download-form" action="x"><input type="hidden" name="id" value="1AbCdEfGhIjK">'
    )
    assert confirm is not None and (confirm.kind, confirm.drive_id) == (
        "drive-confirm",
        "1AbCdEfGhIjK",
    )
    error = drive_page(
        b'<p class="uc-error-subcaption">Too many users have\n viewed <b>this</b> file.</p>'
    )
    assert error is not None and (error.kind, error.detail) == (
        "drive-error",
        "Too many users have viewed this file.",
    )
    assert drive_page(b"<html><body>hello</body></html>") is None


def test_sign_in_pages_and_drive_ids() -> None:
    assert sign_in_page("https://accounts.google.com/ServiceLogin?continue=x")
    assert sign_in_page("https://gitlab.example.org/users/sign_in")
    assert sign_in_page("https://www.dropbox.com/login?cont=x")
    assert not sign_in_page("https://zenodo.org/records/1/files/login-data.tar.gz")
    assert drive_file_id("https://drive.google.com/file/d/1AbCdEfGhIjK/view") == "1AbCdEfGhIjK"
    assert (
        drive_file_id("https://drive.google.com/uc?id=1AbCdEfGhIjK&export=download")
        == "1AbCdEfGhIjK"
    )
    assert drive_file_id("https://example.org/uc?id=1AbCdEfGhIjK") is None
