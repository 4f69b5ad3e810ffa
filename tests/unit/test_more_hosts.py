"""Box, cloud consoles and the signed URLs of every common CDN and cloud (issue #8)."""

from __future__ import annotations

import pytest
from lintkit import hits, lint_ref, messages
from medperf_lint.findings import Severity


@pytest.mark.parametrize(
    ("url", "expected", "fix"),
    [
        ("https://app.box.com/s/abc123xyz", "Box shared-link page", None),
        ("https://app.box.com/v/medperf-weights", "Box vanity link", None),
        ("https://stanford.app.box.com/v/chexpert", "Box vanity link", None),
        ("https://app.box.com/file/123456", "needs a Box sign-in", None),
        (
            "https://s3.console.aws.amazon.com/s3/object/my-bucket?region=us-east-1&prefix=w/a%20b.tar.gz",
            "S3 object page",
            "https://my-bucket.s3.us-east-1.amazonaws.com/w/a%20b.tar.gz",
        ),
        ("https://s3.console.aws.amazon.com/s3/buckets/my-bucket?prefix=w/", "bucket", None),
        (
            "https://console.cloud.google.com/storage/browser/_details/bkt/w/x.tar.gz",
            "Google Cloud console object page",
            "https://storage.googleapis.com/bkt/w/x.tar.gz",
        ),
        ("https://console.cloud.google.com/storage/browser/bkt/w", "bucket page", None),
        ("https://portal.azure.com/#view/Microsoft_Azure_Storage/x", "Azure portal", None),
    ],
)
def test_pages_are_viewer_pages(url: str, expected: str, fix: str | None) -> None:
    report = lint_ref(url, select=("viewer-page-url",))
    assert hits(report) == [("viewer-page-url", 0, 0)]
    assert expected in messages(report)[0]
    assert (report.findings[0].fix.replacement if report.findings[0].fix else None) == fix


@pytest.mark.parametrize(
    "url",
    [
        "https://app.box.com/shared/static/abc123xyz.tar.gz",
        "https://my-bucket.s3.us-east-1.amazonaws.com/w.tar.gz",
        "https://storage.googleapis.com/bkt/w/x.tar.gz",
        "https://acct.blob.core.windows.net/c/w.tar.gz",
    ],
)
def test_direct_forms_are_not_pages(url: str) -> None:
    assert hits(lint_ref(url, select=("viewer-page-url",))) == []


def test_box_static_links_are_mutable() -> None:
    report = lint_ref("https://app.box.com/shared/static/abc.tar.gz", select=("mutable-url",))
    assert "Box shared/static" in messages(report)[0]
    assert report.findings[0].severity is Severity.WARNING
    other = lint_ref("https://app.box.com/s/abc", select=("mutable-url",))
    assert other.findings == ()


POLICY = "eyJTdGF0ZW1lbnQiOlt7IkNvbmRpdGlvbiI6eyJEYXRlTGVzc1RoYW4iOnsiQVdTOkVwb2NoVGltZSI6MTcwMDAwMDAwMH19fV19"


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        (
            "https://d1.cloudfront.net/w.tar.gz?Expires=1700000000&Signature=ab~12&Key-Pair-Id=K2J",
            "CloudFront signed URL: already expired at 2023-11-14T22:13:20Z",
        ),
        (
            f"https://cdn-lfs.hf.co/repos/x/y?Policy={POLICY}&Signature=ab&Key-Pair-Id=K2J",
            "CloudFront signed URL: already expired at 2023-11-14T22:13:20Z",
        ),
        (
            "https://cdn.example.org/w.tar.gz?__token__=exp=1700000000~acl=/*~hmac=ab12",
            "Akamai token-authenticated URL: already expired at 2023-11-14T22:13:20Z",
        ),
        ("https://x.akamaized.net/w?hdnts=st=1~exp=4102444800~hmac=ab", "expires at 2100-01-01"),
        (
            "https://b-1250000000.cos.ap-guangzhou.myqcloud.com/w.tar.gz?q-sign-algorithm=sha1"
            "&q-ak=AK&q-sign-time=1700000000;1700003600&q-key-time=1700000000;1700003600"
            "&q-signature=ab",
            "Tencent COS URL: already expired at 2023-11-14T23:13:20Z",
        ),
        (
            "https://b.oss-cn-hangzhou.aliyuncs.com/w.tar.gz?OSSAccessKeyId=AK&Expires=1700000000&Signature=ab",
            "Alibaba Cloud OSS URL",
        ),
        (
            "https://f000.backblazeb2.com/file/b/w.tar.gz?Authorization=3_2023_ab",
            "Backblaze B2 download authorization",
        ),
        (
            "https://objectstorage.us-ashburn-1.oraclecloud.com/p/AbC/n/ns/b/bkt/o/w.tar.gz",
            "pre-authenticated request",
        ),
        (
            "https://uc1a2b.dl.dropboxusercontent.com/cd/0/get/AbC/file",
            "Dropbox temporary link",
        ),
        (
            "https://cdn.example.org/w.tar.gz?Expires=1700000000&Signature=ab",
            "Signature and Expires",
        ),
    ],
)
def test_signed_urls_expire(url: str, expected: str) -> None:
    report = lint_ref(url, select=("expiring-url",))
    assert hits(report) == [("expiring-url", 0, 0)]
    assert expected in messages(report)[0]


def test_signatures_are_redacted_in_output() -> None:
    url = "https://b.example.org/w?q-sign-algorithm=sha1&q-key-time=1;2&q-signature=SECRETSIG"
    report = lint_ref(url, select=("expiring-url",))
    assert "SECRETSIG" not in (report.findings[0].reference or "")
    assert "q-signature=***" in (report.findings[0].reference or "")


@pytest.mark.parametrize(
    "url",
    [
        "https://d1.cloudfront.net/w.tar.gz",
        "https://cdn.example.org/w.tar.gz?exp=1700000000",
        "https://objectstorage.us-ashburn-1.oraclecloud.com/n/ns/b/bkt/o/w.tar.gz",
        "https://dl.dropboxusercontent.com/s/a1/w.tar.gz",
    ],
)
def test_unsigned_urls_do_not_expire(url: str) -> None:
    assert hits(lint_ref(url, select=("expiring-url",))) == []
