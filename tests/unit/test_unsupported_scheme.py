from __future__ import annotations

from pathlib import Path

import pytest
from lintkit import hits, lint_ref, lint_yaml, messages

RULE = ("unsupported-scheme",)


@pytest.mark.parametrize(
    "value",
    [
        "ftp://ftp.example.org/weights.tar.gz",  # validators.url accepts it, requests cannot
        "s3://my-bucket/weights.tar.gz",
        "gs://my-bucket/weights.tar.gz",
        "file:///home/me/weights.tar.gz",
        "data:text/plain;base64,aGVsbG8=",
        "sftp://host.example.org/w.tar.gz",
        "direct:s3://my-bucket/weights.tar.gz",
        "S3://my-bucket/weights.tar.gz",
    ],
)
def test_non_http_schemes_are_errors(value: str) -> None:
    report = lint_ref(value, select=RULE)
    assert hits(report) == [("unsupported-scheme", 0, 0)]
    assert report.findings[0].severity.value == "error"


@pytest.mark.parametrize(
    "value",
    [
        "https://storage.googleapis.com/medperf-storage/w.tar.gz",
        "http://example.org/w.tar.gz",  # insecure-http's business
        "HTTPS://example.org/w.tar.gz",
        "direct:https://example.org/w.tar.gz",
        "synapse:syn51089171",
        "syn123",  # not a URL at all: invalid-reference's business
    ],
)
def test_http_and_non_urls_pass(value: str) -> None:
    assert hits(lint_ref(value, select=RULE)) == []


def test_ftp_message_explains_medperf_accepts_but_cannot_fetch() -> None:
    report = lint_ref("ftp://ftp.example.org/w.tar.gz", select=RULE)
    assert "requests" in messages(report)[0]
    assert report.findings[0].fix is None


@pytest.mark.parametrize(
    ("value", "fixed"),
    [
        ("s3://my-bucket/models/w.tar.gz", "https://my-bucket.s3.amazonaws.com/models/w.tar.gz"),
        (
            "gs://my-bucket/models/w.tar.gz",
            "https://storage.googleapis.com/my-bucket/models/w.tar.gz",
        ),
        ("direct:gs://b/o.tar", "direct:https://storage.googleapis.com/b/o.tar"),
    ],
)
def test_cloud_storage_gets_https_object_url(value: str, fixed: str) -> None:
    report = lint_ref(value, select=RULE)
    fix = report.findings[0].fix
    assert fix is not None and fix.replacement == fixed


def test_bucket_without_object_has_no_fix() -> None:
    report = lint_ref("s3://my-bucket", select=RULE)
    assert hits(report) == [("unsupported-scheme", 0, 0)]
    assert report.findings[0].fix is None


def test_position_in_submission_and_free_yaml(tmp_path: Path) -> None:
    report = lint_yaml(
        tmp_path,
        """
        name: my model
        additional_files_tarball_url: s3://my-bucket/w.tar.gz
        """,
        select=RULE,
    )
    assert hits(report) == [("unsupported-scheme", 2, 31)]
    params = lint_yaml(
        tmp_path,
        """
        weights:
          url: gs://my-bucket/w.pt
        """,
        name="parameters.yaml",
        select=RULE,
    )
    assert hits(params) == [("unsupported-scheme", 2, 8)]


def test_image_refs_are_not_urls(tmp_path: Path) -> None:
    report = lint_yaml(
        tmp_path,
        """
        container_type: DockerImage
        image: ubuntu:22.04
        """,
        name="container_config.yaml",
        select=RULE,
    )
    assert hits(report) == []


def test_archive_image_with_file_scheme(tmp_path: Path) -> None:
    report = lint_yaml(
        tmp_path,
        """
        container_type: DockerArchive
        image: file:///home/me/model.tar
        """,
        name="container_config.yaml",
        select=RULE,
    )
    assert hits(report) == [("unsupported-scheme", 2, 8)]


@pytest.mark.parametrize(
    ("value", "message"),
    [
        (
            "data:text/plain,hi",
            "data: URLs cannot be downloaded: MedPerf has no data: source; host the file and use its https URL",
        ),
        (
            "ftp://example.org/w",
            "ftp:// URLs cannot be downloaded: MedPerf's URL check accepts ftp:// but it downloads with requests, which cannot fetch ftp://; the submission fails with an unexpected error",
        ),
        (
            "file:///tmp/w",
            "file:// URLs cannot be downloaded: MedPerf downloads from the network only, and a local path exists on your machine only; upload the file and use its https URL",
        ),
        (
            "sftp://h/w",
            "sftp:// URLs cannot be downloaded: MedPerf downloads only http:// and https:// URLs (with requests)",
        ),
        (
            "s3://bucket",
            "s3:// URLs cannot be downloaded: MedPerf downloads only http:// and https:// URLs (with requests)",
        ),
        (
            "s3://user@bucket/k",
            "s3:// URLs cannot be downloaded: MedPerf downloads only http:// and https:// URLs (with requests)",
        ),
        (
            "gs://b:1/k",
            "gs:// URLs cannot be downloaded: MedPerf downloads only http:// and https:// URLs (with requests)",
        ),
    ],
)
def test_each_scheme_message_in_full(value: str, message: str) -> None:
    report = lint_ref(value, select=("unsupported-scheme",))
    assert messages(report) == [message]
    assert report.findings[0].fix is None


@pytest.mark.parametrize(
    ("value", "https"),
    [
        ("s3://bucket/key.tar", "https://bucket.s3.amazonaws.com/key.tar"),
        ("gs://b/o?x=1", "https://storage.googleapis.com/b/o?x=1"),
    ],
)
def test_object_store_urls_get_their_https_form(value: str, https: str) -> None:
    report = lint_ref(value, select=("unsupported-scheme",))
    scheme = value.split(":")[0]
    assert messages(report) == [
        f"{scheme}:// URLs cannot be downloaded: MedPerf has no {scheme} source, only http(s); "
        "use the object's https URL (the object must be publicly readable)"
    ]
    fix = report.findings[0].fix
    assert fix is not None
    assert (fix.replacement, fix.description, fix.safe) == (
        https,
        "use the public https URL of the same object",
        False,
    )
