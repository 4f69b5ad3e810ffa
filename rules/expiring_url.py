"""A signed or transfer URL that stops working after a fixed time.

Presigned S3 URLs (SigV4 at most 7 days, SigV2 up to the `Expires` epoch), Google Cloud Storage
signed URLs (V4 and V2, 7 days), Azure SAS tokens (`se=` expiry, or a stored access policy
`si=` whose expiry lives on the server and can be revoked), CloudFront signed URLs
(`Signature` with `Key-Pair-Id` and `Expires` or a `Policy`; Hugging Face's CDN uses them),
Akamai tokens (`__token__`, `hdnts`, `hdnea` with `exp=`), Alibaba OSS, Tencent COS
(`q-key-time`) and other `Signature`+`Expires` URLs, Backblaze B2 download authorizations,
Oracle Cloud pre-authenticated requests (`/p/…/n/…`), Dropbox temporary links
(`*.dl.dropboxusercontent.com/cd/0/…`, 4 hours) and WeTransfer links all die on a date. MedPerf records the URL on the server and every participant downloads it again later, so
the submission breaks for everyone once the link expires. The rule prints the expiry (UTC) when
the URL shows it and says when it has already passed. The fix is the unsigned object URL, which
only works if the object is public; signature values are never repeated in messages.

The fix, the unsigned object URL, works only if the object is public.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta, timezone
from urllib.parse import urlsplit, urlunsplit

from medperf_lint.findings import Fix, FixAvailability, Severity
from medperf_lint.refs.hosts import is_wetransfer
from medperf_lint.refs.references import DIRECT_PREFIX, Reference, RefKind
from medperf_lint.refs.urls import UrlParts, split_url
from medperf_lint.rule import Diagnostic, RuleContext

CODE = "MPL104"
NAME = "expiring-url"
SEVERITY = Severity.ERROR
FIX = FixAvailability.UNSAFE

EXAMPLE_FAILING = """\
# model.medperf.yaml
name: chestxray-model
additional_files_tarball_url: https://medperf-weights.s3.amazonaws.com/weights.tar.gz?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Date=20240501T120000Z&X-Amz-Expires=3600&X-Amz-Signature=ab12
additional_files_tarball_hash: 71faabd59139bee698010a0ae3a69e16d97bc4f2dde799d9e187b94ff9157c00
"""
EXAMPLE_PASSING = """\
# model.medperf.yaml
name: chestxray-model
additional_files_tarball_url: https://medperf-weights.s3.us-east-1.amazonaws.com/weights.tar.gz?versionId=3HL4kqtJlcpXroDTDmJ
additional_files_tarball_hash: 71faabd59139bee698010a0ae3a69e16d97bc4f2dde799d9e187b94ff9157c00
"""

_UNSIGNED = "only works if the object is public"


def check(ref: Reference, ctx: RuleContext) -> Iterator[Diagnostic]:
    url = ref.url
    if url is None or ref.kind not in (RefKind.RESOURCE, RefKind.URL):
        return
    parts = split_url(url)
    if parts is None or parts.scheme not in ("http", "https"):
        return
    if is_wetransfer(parts):
        yield Diagnostic(
            "WeTransfer link: every transfer has an expiry date, after which nobody can download "
            "it; host the file somewhere permanent (Zenodo, Hugging Face, a public bucket)"
        )
        return
    temporary = _temporary_link(parts)
    if temporary is not None:
        yield Diagnostic(f"{temporary}; MedPerf participants download it again later")
        return
    signed = _signature(parts)
    if signed is None:
        return
    what, expiry, note = signed
    message = (
        f"{what}: {_when(expiry, ctx.now)}{note}; MedPerf participants download it again later"
    )
    prefix = DIRECT_PREFIX if ref.raw.startswith(DIRECT_PREFIX) else ""
    fix = Fix(prefix + _unsigned(url), f"the unsigned object URL ({_UNSIGNED})", safe=False)
    yield Diagnostic(message, fix)


def _temporary_link(parts: UrlParts) -> str | None:
    """Links whose expiry lives on the server: no fix, the URL itself is temporary."""
    seg = parts.segments
    if (
        parts.host_is("oraclecloud.com")
        and parts.host.startswith("objectstorage.")
        and (seg[:1] == ("p",))
    ):
        return (
            "Oracle Cloud pre-authenticated request: it expires on the date set when it was "
            "created and can be revoked; use a public bucket's object URL"
        )
    if parts.host_is("dl.dropboxusercontent.com") and seg[:2] == ("cd", "0"):
        return (
            "Dropbox temporary link (the API's get_temporary_link): it works for 4 hours; "
            "share the file and use the shared link with dl=1"
        )
    return None


def _signature(parts: UrlParts) -> tuple[str, datetime | None, str] | None:
    """(what kind of signed URL, expiry if the URL shows it, extra note) or None."""
    p = parts.param
    if p("Signature") is not None and p("Key-Pair-Id") is not None:
        expiry = _epoch(p("Expires")) if p("Expires") else _cloudfront_policy(p("Policy"))
        return "CloudFront signed URL", expiry, ""
    for name in ("__token__", "hdnts", "hdnea"):
        token = p(name)
        if token is not None and "hmac=" in token:
            return "Akamai token-authenticated URL", _akamai_expiry(token), ""
    if p("q-sign-algorithm") is not None and p("q-key-time") is not None:
        end = (p("q-key-time") or "").rpartition(";")[2]
        return "signed Tencent COS URL", _epoch(end), ""
    if p("x-oss-signature") is not None:
        expiry = _plus(_stamp(p("x-oss-date")), p("x-oss-expires"))
        return "signed Alibaba Cloud OSS URL (V4)", expiry, ""
    if parts.host_is("backblazeb2.com") and p("Authorization") is not None:
        return "Backblaze B2 download authorization", None, ""
    if p("X-Amz-Signature") is not None or p("X-Amz-Algorithm") is not None:
        return "presigned S3 URL (SigV4)", _plus(_stamp(p("X-Amz-Date")), p("X-Amz-Expires")), ""
    if p("X-Goog-Signature") is not None or p("X-Goog-Algorithm") is not None:
        expiry = _plus(_stamp(p("X-Goog-Date")), p("X-Goog-Expires"))
        return "signed Google Cloud Storage URL (V4)", expiry, ""
    if p("Signature") is not None and p("Expires") is not None:
        if p("GoogleAccessId") is not None:
            return "signed Google Cloud Storage URL (V2)", _epoch(p("Expires")), ""
        if p("AWSAccessKeyId") is not None:
            return "presigned S3 URL (SigV2)", _epoch(p("Expires")), ""
        if p("OSSAccessKeyId") is not None:
            return "signed Alibaba Cloud OSS URL", _epoch(p("Expires")), ""
        return "signed URL (Signature and Expires)", _epoch(p("Expires")), ""
    if p("sig") is not None and (p("se") is not None or p("si") is not None):
        expiry = _iso(p("se"))
        note = ""
        if p("si") is not None:
            note = (
                "; it uses a stored access policy (si=), whose expiry lives on the server and "
                "which the owner can revoke at any time"
            )
        return "Azure shared access signature (SAS) URL", expiry, note
    return None


def _cloudfront_policy(policy: str | None) -> datetime | None:
    """The ``DateLessThan`` of a CloudFront custom policy (URL-safe base64 JSON)."""
    if not policy:
        return None
    import base64
    import binascii
    import json

    text = policy.replace("-", "+").replace("_", "=").replace("~", "/")
    try:
        data = json.loads(base64.b64decode(text))
        epoch = data["Statement"][0]["Condition"]["DateLessThan"]["AWS:EpochTime"]
    except (binascii.Error, ValueError, KeyError, IndexError, TypeError):
        return None
    return _epoch(str(epoch))


def _akamai_expiry(token: str) -> datetime | None:
    for field in token.replace("~", "&").split("&"):
        key, _, value = field.partition("=")
        if key == "exp":
            return _epoch(value)
    return None


def _when(expiry: datetime | None, now: datetime) -> str:
    if expiry is None:
        return "it stops working when its signature expires"
    shown = expiry.strftime("%Y-%m-%dT%H:%M:%SZ")
    if expiry <= now:
        return f"already expired at {shown}"
    return f"it expires at {shown}"


def _stamp(value: str | None) -> datetime | None:
    """An AWS/GCS ``YYYYMMDDTHHMMSSZ`` timestamp."""
    if not value:
        return None
    try:
        return datetime.strptime(value, "%Y%m%dT%H%M%SZ").replace(tzinfo=timezone.utc)
    except ValueError:
        return None


def _plus(start: datetime | None, seconds: str | None) -> datetime | None:
    if start is None or seconds is None or not seconds.isdigit():
        return None
    try:
        return start + timedelta(seconds=int(seconds))
    except OverflowError:
        return None


def _epoch(value: str | None) -> datetime | None:
    if value is None or not value.isdigit():
        return None
    try:
        return datetime.fromtimestamp(int(value), tz=timezone.utc)
    except (OverflowError, OSError, ValueError):
        return None


def _iso(value: str | None) -> datetime | None:
    """An Azure ``se`` value: ISO 8601 UTC, ``2024-05-01T12:00:00Z`` or a bare date."""
    if not value:
        return None
    text = value.strip()
    if text.endswith(("Z", "z")):
        text = text[:-1] + "+00:00"
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError:
        return None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=timezone.utc)
    return parsed.astimezone(timezone.utc)


def _unsigned(url: str) -> str:
    split = urlsplit(url.strip())
    return urlunsplit(split._replace(query="", fragment=""))
