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

from collections.abc import Callable, Iterator
from datetime import datetime, timedelta, timezone
from typing import NamedTuple
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
    message = (
        f"{signed.what}: {_when(signed.expiry, ctx.now)}{signed.note}; "
        "MedPerf participants download it again later"
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


class _Signed(NamedTuple):
    """What kind of signed URL, its expiry when the URL shows it, and an extra note (private,
    so a NamedTuple: a dataclass costs five times as much to define at start-up)."""

    what: str
    expiry: datetime | None
    note: str = ""


def _signature(parts: UrlParts) -> _Signed | None:
    """The first signing scheme whose parameters the URL carries, or None."""
    return next((found for scheme in _SCHEMES if (found := scheme(parts))), None)


def _cloudfront(parts: UrlParts) -> _Signed | None:
    p = parts.param
    if p("Signature") is None or p("Key-Pair-Id") is None:
        return None
    expiry = _epoch(p("Expires")) if p("Expires") else _cloudfront_policy(p("Policy"))
    return _Signed("CloudFront signed URL", expiry)


def _akamai(parts: UrlParts) -> _Signed | None:
    for name in ("__token__", "hdnts", "hdnea"):
        token = parts.param(name)
        if token is not None and "hmac=" in token:
            return _Signed("Akamai token-authenticated URL", _akamai_expiry(token))
    return None


def _tencent(parts: UrlParts) -> _Signed | None:
    p = parts.param
    if p("q-sign-algorithm") is None or p("q-key-time") is None:
        return None
    return _Signed("signed Tencent COS URL", _epoch((p("q-key-time") or "").rpartition(";")[2]))


def _alibaba_v4(parts: UrlParts) -> _Signed | None:
    p = parts.param
    if p("x-oss-signature") is None:
        return None
    expiry = _plus(_stamp(p("x-oss-date")), p("x-oss-expires"))
    return _Signed("signed Alibaba Cloud OSS URL (V4)", expiry)


def _backblaze(parts: UrlParts) -> _Signed | None:
    if not parts.host_is("backblazeb2.com") or parts.param("Authorization") is None:
        return None
    return _Signed("Backblaze B2 download authorization", None)


def _s3_v4(parts: UrlParts) -> _Signed | None:
    p = parts.param
    if p("X-Amz-Signature") is None and p("X-Amz-Algorithm") is None:
        return None
    return _Signed("presigned S3 URL (SigV4)", _plus(_stamp(p("X-Amz-Date")), p("X-Amz-Expires")))


def _gcs_v4(parts: UrlParts) -> _Signed | None:
    p = parts.param
    if p("X-Goog-Signature") is None and p("X-Goog-Algorithm") is None:
        return None
    expiry = _plus(_stamp(p("X-Goog-Date")), p("X-Goog-Expires"))
    return _Signed("signed Google Cloud Storage URL (V4)", expiry)


# The access-key parameter beside Signature and Expires that names the V2 scheme.
_V2_KEYS = (
    ("GoogleAccessId", "signed Google Cloud Storage URL (V2)"),
    ("AWSAccessKeyId", "presigned S3 URL (SigV2)"),
    ("OSSAccessKeyId", "signed Alibaba Cloud OSS URL"),
)


def _signature_expires(parts: UrlParts) -> _Signed | None:
    p = parts.param
    if p("Signature") is None or p("Expires") is None:
        return None
    what = next((w for key, w in _V2_KEYS if p(key) is not None), None)
    return _Signed(what or "signed URL (Signature and Expires)", _epoch(p("Expires")))


def _azure_sas(parts: UrlParts) -> _Signed | None:
    p = parts.param
    if p("sig") is None or (p("se") is None and p("si") is None):
        return None
    note = ""
    if p("si") is not None:
        note = (
            "; it uses a stored access policy (si=), whose expiry lives on the server and "
            "which the owner can revoke at any time"
        )
    return _Signed("Azure shared access signature (SAS) URL", _iso(p("se")), note)


# In order: the first that matches names the URL (CloudFront's Signature before the V2 forms).
_SCHEMES: tuple[Callable[[UrlParts], _Signed | None], ...] = (
    _cloudfront,
    _akamai,
    _tencent,
    _alibaba_v4,
    _backblaze,
    _s3_v4,
    _gcs_v4,
    _signature_expires,
    _azure_sas,
)


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
