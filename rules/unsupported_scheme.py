"""A URL whose scheme MedPerf cannot download: anything but http:// and https://.

MedPerf downloads every hosted file with `requests.get`, which speaks only http and https.
There is no `s3://`, `gs://`, `file://` or `data:` source. `ftp://` is worse than rejected:
MedPerf's URL check (`validators.url`) accepts it, so the submission starts and then fails
inside `requests` with an unexpected-error traceback. Public S3 and Google Cloud Storage
objects have https URLs; the fix offers them.

The fix, the object's public https URL, names the same object, but it downloads only if the object
is publicly readable, which the rewrite can only guess.
"""

from __future__ import annotations

from collections.abc import Iterator
from urllib.parse import urlsplit

from medperf_lint.findings import Fix, FixAvailability, Severity
from medperf_lint.refs.references import Reference
from medperf_lint.rule import Diagnostic, RuleContext

from ._url_text import url_parts, with_prefix

CODE = "MPL002"
NAME = "unsupported-scheme"
SEVERITY = Severity.ERROR
FIX = FixAvailability.UNSAFE

EXAMPLE_FAILING = """\
# model.medperf.yaml
name: chestxray-model
additional_files_tarball_url: s3://medperf-weights/chestxray/weights.tar.gz
additional_files_tarball_hash: 71faabd59139bee698010a0ae3a69e16d97bc4f2dde799d9e187b94ff9157c00
"""
EXAMPLE_PASSING = """\
# model.medperf.yaml
name: chestxray-model
additional_files_tarball_url: https://medperf-weights.s3.amazonaws.com/chestxray/weights.tar.gz
additional_files_tarball_hash: 71faabd59139bee698010a0ae3a69e16d97bc4f2dde799d9e187b94ff9157c00
"""

_WHY = {
    "ftp": "MedPerf's URL check accepts ftp:// but it downloads with requests, which cannot "
    "fetch ftp://; the submission fails with an unexpected error",
    "file": "MedPerf downloads from the network only, and a local path exists on your machine "
    "only; upload the file and use its https URL",
    "data": "MedPerf has no data: source; host the file and use its https URL",
}


def check(ref: Reference, _ctx: RuleContext) -> Iterator[Diagnostic]:
    found = url_parts(ref)
    if found is None:
        return
    text, parts = found
    scheme = parts.scheme
    if scheme in ("http", "https"):
        return
    why = _WHY.get(scheme, "MedPerf downloads only http:// and https:// URLs (with requests)")
    https = _https_form(scheme, text)
    if https is None:
        shown = f"{scheme}://" if "://" in text else f"{scheme}:"
        yield Diagnostic(f"{shown} URLs cannot be downloaded: {why}")
        return
    yield Diagnostic(
        f"{scheme}:// URLs cannot be downloaded: MedPerf has no {scheme} source, only http(s); "
        "use the object's https URL (the object must be publicly readable)",
        Fix(with_prefix(ref, https), "use the public https URL of the same object", safe=False),
    )


def _https_form(scheme: str, text: str) -> str | None:
    """The https object URL for ``s3://bucket/key`` and ``gs://bucket/obj``, else None."""
    if scheme not in ("s3", "gs"):
        return None
    try:
        parts = urlsplit(text.strip())
    except ValueError:
        return None
    bucket, key = parts.netloc, parts.path.lstrip("/")
    if not bucket or not key or "@" in bucket or ":" in bucket:
        return None
    tail = key + (f"?{parts.query}" if parts.query else "")
    if scheme == "s3":
        return f"https://{bucket}.s3.amazonaws.com/{tail}"
    return f"https://storage.googleapis.com/{bucket}/{tail}"
