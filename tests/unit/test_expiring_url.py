from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path

import pytest
from lintkit import hits, lint_ref, lint_yaml, messages
from medperf_lint.input.config import Settings
from medperf_lint.refs.references import Reference, RefKind
from medperf_lint.rule import Diagnostic, RuleContext
from medperf_lint.rules import expiring_url

RULE = ("expiring-url",)
SIG = "f3c1a9e07b2d4c6e8a0b1d2e3f405162738495a6b7c8d9e0f1a2b3c4d5e6f708"
S3 = "https://medperf-bucket.s3.us-east-1.amazonaws.com/models/weights.tar.gz"
S3_V4 = (
    f"{S3}?X-Amz-Algorithm=AWS4-HMAC-SHA256"
    "&X-Amz-Credential=AKIAIOSFODNN7EXAMPLE%2F20990501%2Fus-east-1%2Fs3%2Faws4_request"
    "&X-Amz-Date=20990501T120000Z&X-Amz-Expires=604800&X-Amz-SignedHeaders=host"
    f"&X-Amz-Signature={SIG}"
)
GCS = "https://storage.googleapis.com/medperf-storage/chestxray_tutorial/demo_data.tar.gz"
AZURE = "https://medperf.blob.core.windows.net/models/weights.tar.gz"


def _check(url: str, now: datetime) -> list[Diagnostic]:
    ctx = RuleContext(settings=Settings(), now=now)
    return list(expiring_url.check(Reference(url, RefKind.RESOURCE, field="asset_url"), ctx))


@pytest.mark.parametrize(
    ("url", "kind", "expiry", "unsigned"),
    [
        (S3_V4, "presigned S3 URL (SigV4)", "2099-05-08T12:00:00Z", S3),
        (
            f"{S3}?AWSAccessKeyId=AKIAIOSFODNN7EXAMPLE&Expires=4070908800&Signature={SIG}",
            "presigned S3 URL (SigV2)",
            "2099-01-01T00:00:00Z",
            S3,
        ),
        (
            f"{GCS}?X-Goog-Algorithm=GOOG4-RSA-SHA256&X-Goog-Credential=sa%40p.iam.gserviceaccount.com"
            f"%2F20990501%2Fauto%2Fstorage%2Fgoog4_request&X-Goog-Date=20990501T000000Z"
            f"&X-Goog-Expires=3600&X-Goog-SignedHeaders=host&X-Goog-Signature={SIG}",
            "signed Google Cloud Storage URL (V4)",
            "2099-05-01T01:00:00Z",
            GCS,
        ),
        (
            f"{GCS}?GoogleAccessId=sa%40p.iam.gserviceaccount.com&Expires=4070908800&Signature={SIG}",
            "signed Google Cloud Storage URL (V2)",
            "2099-01-01T00:00:00Z",
            GCS,
        ),
        (
            f"{AZURE}?sv=2022-11-02&st=2099-04-01T00%3A00%3A00Z&se=2099-05-01T12%3A30%3A00Z&sr=b&sp=r&sig={SIG}",
            "Azure shared access signature (SAS) URL",
            "2099-05-01T12:30:00Z",
            AZURE,
        ),
    ],
)
def test_signed_urls_show_expiry_and_unsigned_fix(
    url: str, kind: str, expiry: str, unsigned: str
) -> None:
    report = lint_ref(url, select=RULE)
    assert hits(report) == [("expiring-url", 0, 0)]
    message = messages(report)[0]
    assert message.startswith(f"{kind}: it expires at {expiry}")
    assert SIG not in message
    fix = report.findings[0].fix
    assert fix is not None and fix.replacement == unsigned
    assert "only works if the object is public" in fix.description
    assert SIG not in fix.replacement


def test_already_expired_against_ctx_now() -> None:
    url = S3_V4.replace("20990501T120000Z", "20240501T120000Z").replace("604800", "3600")
    [before] = _check(url, datetime(2024, 5, 1, 12, 59, tzinfo=timezone.utc))
    [after] = _check(url, datetime(2024, 5, 1, 13, 1, tzinfo=timezone.utc))
    assert "it expires at 2024-05-01T13:00:00Z" in before.message
    assert "already expired at 2024-05-01T13:00:00Z" in after.message
    assert SIG not in after.message


def test_azure_stored_policy_expiry_lives_on_server() -> None:
    [diag] = _check(f"{AZURE}?sv=2022-11-02&si=readonly&sr=b&sig={SIG}", datetime.now(timezone.utc))
    assert "stored access policy" in diag.message and "server" in diag.message
    assert "stops working when its signature expires" in diag.message
    assert SIG not in diag.message


def test_unreadable_expiry_still_flagged() -> None:
    [diag] = _check(
        f"{S3}?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Date=yesterday&X-Amz-Signature={SIG}",
        datetime.now(timezone.utc),
    )
    assert diag.message.startswith("presigned S3 URL (SigV4): it stops working")


@pytest.mark.parametrize(
    "url", ["https://we.tl/t-AbCdEf1234", "https://wetransfer.com/downloads/0a1b2c3d/4e5f6a"]
)
def test_wetransfer(url: str) -> None:
    report = lint_ref(url, select=RULE)
    assert hits(report) == [("expiring-url", 0, 0)]
    assert "every transfer has an expiry date" in messages(report)[0]


@pytest.mark.parametrize(
    "url",
    [
        GCS,
        f"{S3}?versionId=3HL4kqtJlcpXroDTDmJ.rmSpXd3dIbrHY",
        f"{GCS}?generation=1700000000000000",
        f"{AZURE}?snapshot=2024-05-01T12%3A00%3A00.0000000Z",
        "https://example.com/download?Expires=4070908800",  # no signature: not a signed URL
        "https://wetransfer.com/pricing",
    ],
)
def test_unsigned_urls_pass(url: str) -> None:
    assert hits(lint_ref(url, select=RULE)) == []


def test_position_and_redacted_reference(tmp_path: Path) -> None:
    report = lint_yaml(
        tmp_path,
        f"""
        name: chestxray-benchmark
        demo_dataset_tarball_url: {S3_V4}
        demo_dataset_tarball_hash: 71faabd59139bee698010a0ae3a69e16d97bc4f2dde799d9e187b94ff9157c00
        """,
        select=RULE,
    )
    assert hits(report) == [("expiring-url", 2, 27)]
    finding = report.findings[0]
    assert finding.fix is not None and finding.fix.replacement == S3
    assert finding.reference is not None and SIG not in finding.reference


def test_direct_prefix_is_kept_in_fix() -> None:
    report = lint_ref(f"direct:{S3_V4}", select=RULE)
    fix = report.findings[0].fix
    assert fix is not None and fix.replacement == f"direct:{S3}"


NOW = datetime(2023, 6, 1, tzinfo=timezone.utc)
AGAIN = "; MedPerf participants download it again later"
POLICY = (
    "eyJTdGF0ZW1lbnQiOiBbeyJDb25kaXRpb24iOiB7IkRhdGVMZXNzVGhhbiI6IHsiQVdTOkVwb2NoVGltZSI6IDE3"
    "MDAwMDAwMDB9fX1dfQ__"
)  # {"Statement": [{"Condition": {"DateLessThan": {"AWS:EpochTime": 1700000000}}}]}


@pytest.mark.parametrize(
    ("url", "message"),
    [
        *[
            (
                f"https://cdn.example.org/w.tar.gz?{name}=exp=1700000000~acl=/*~hmac=ab12",
                "Akamai token-authenticated URL: it expires at 2023-11-14T22:13:20Z",
            )
            for name in ("__token__", "hdnts", "hdnea")
        ],
        (
            "https://b-1250000000.cos.ap-beijing.myqcloud.com/w?q-sign-algorithm=sha1&q-ak=A"
            "&q-key-time=1600000000;1700000000&q-signature=ab",
            "signed Tencent COS URL: it expires at 2023-11-14T22:13:20Z",
        ),
        (
            "https://b.cos.ap-beijing.myqcloud.com/w?q-sign-algorithm=sha1&q-key-time=",
            "signed Tencent COS URL: it stops working when its signature expires",
        ),
        (
            f"https://d1.cloudfront.net/w.tar.gz?Policy={POLICY}&Signature=ab&Key-Pair-Id=K1",
            "CloudFront signed URL: it expires at 2023-11-14T22:13:20Z",
        ),
        (
            "https://acct.blob.core.windows.net/c/w?sv=2022-11-02&se=2023-05-01T12:00:00z&sig=ab",
            "Azure shared access signature (SAS) URL: already expired at 2023-05-01T12:00:00Z",
        ),
        (  # a bare date is midnight UTC, with or without a Z (Python 3.11 reads no Z on a date)
            "https://acct.blob.core.windows.net/c/w?se=2023-05-01&sig=ab",
            "Azure shared access signature (SAS) URL: already expired at 2023-05-01T00:00:00Z",
        ),
        (
            "https://acct.blob.core.windows.net/c/w?se=2023-05-01Z&sig=ab",
            "Azure shared access signature (SAS) URL: already expired at 2023-05-01T00:00:00Z",
        ),
        (  # Python 3.10 reads no Z at all
            "https://acct.blob.core.windows.net/c/w?se=2023-07-01T08:30:00Z&sig=ab",
            "Azure shared access signature (SAS) URL: it expires at 2023-07-01T08:30:00Z",
        ),
        (
            "https://f000.backblazeb2.com/file/b/w.tar.gz?Authorization=3_20230501_ab",
            "Backblaze B2 download authorization: it stops working when its signature expires",
        ),
        *[  # an expiry that is not a plain count of seconds is not guessed at
            (
                f"https://d1.cloudfront.net/w.tar.gz?Expires={expires}&Signature=ab&Key-Pair-Id=K1",
                "CloudFront signed URL: it stops working when its signature expires",
            )
            for expires in ("-1", "+1700000000", "1_700_000_000", "1.7e9", "99999999999999999999")
        ],
        (
            "https://b.cos.ap-beijing.myqcloud.com/w?q-sign-algorithm=sha1&q-key-time=1;-1",
            "signed Tencent COS URL: it stops working when its signature expires",
        ),
        (
            "https://acct.blob.core.windows.net/c/w?si=policy1&sig=ab",
            "Azure shared access signature (SAS) URL: it stops working when its signature "
            "expires; it uses a stored access policy (si=), whose expiry lives on the server and "
            "which the owner can revoke at any time",
        ),
    ],
)
def test_signed_urls_in_full(url: str, message: str) -> None:
    [diag] = _check(url, NOW)
    assert diag.message == message + AGAIN
    assert diag.fix is not None and diag.fix.replacement == url.split("?")[0]


def test_oracle_pre_authenticated_requests() -> None:
    url = "https://objectstorage.us-ashburn-1.oraclecloud.com/p/AbC/n/ns/b/bkt/o/w.tar.gz"
    [diag] = _check(url, NOW)
    assert diag.message == (
        "Oracle Cloud pre-authenticated request: it expires on the date set when it was created "
        "and can be revoked; use a public bucket's object URL" + AGAIN
    )
    assert diag.fix is None


@pytest.mark.parametrize(
    "url",
    [
        "https://cdn.example.org/w.tar.gz?__token__=exp=1700000000~acl=/*",  # no hmac: no token
        "https://cdn.example.org/w.tar.gz?hdnts=abc",
        "https://acct.blob.core.windows.net/c/w?sig=ab",  # a sig alone: no SAS expiry or policy
        "https://acct.blob.core.windows.net/c/w?se=2023-05-01&sv=1",
        "https://objectstorage.us-ashburn-1.oraclecloud.com/n/ns/b/bkt/o/w.tar.gz",
        "https://example.org/p/AbC/w.tar.gz",
        "https://example.org/w.tar.gz?Authorization=Bearer%20x",  # not Backblaze's host
        "https://f000.backblazeb2.com/file/b/w.tar.gz",  # a public bucket: no authorization
        "https://f000.backblazeb2.com.example.org/file/b/w.tar.gz?Authorization=3_ab",
        "https://b.cos.ap-beijing.myqcloud.com/w?q-sign-algorithm=sha1",  # no key time
        "https://b.cos.ap-beijing.myqcloud.com/w?q-key-time=1;2",  # no algorithm
        "synapse:syn51089171",
    ],
)
def test_look_alikes_are_silent(url: str) -> None:
    assert _check(url, NOW) == []
