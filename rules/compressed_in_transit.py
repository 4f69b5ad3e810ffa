"""A compressed file served with a `Content-Encoding`: MedPerf saves other bytes than the file.

MedPerf downloads with `requests`, which undoes any `Content-Encoding` (gzip, deflate, br)
before the bytes reach disk. When the uploaded file is itself a compressed archive and the
server also labels it `Content-Encoding: gzip`, the download saves the *decoded* bytes (a bare
tar instead of the `.tar.gz`), so MedPerf's SHA-256 check fails. Google Cloud Storage does this
for objects that carry `Content-Encoding` metadata (decompressive transcoding), and so do web
servers configured with `AddEncoding x-gzip .gz`.

When it fires, precisely: the response had a Content-Encoding other than `identity`, the URL's
file name (the final URL's last path segment, or a Content-Disposition file name) or its
Content-Type names a compressed format (`.gz`/`.tgz`, `.zip`, `.xz`, `.zst`, `.bz2`, `.7z`,
`application/gzip`, ...), and the decoded first bytes are *not* that format. The decoded bytes
are then not the file the name promises, so they are not the file that was hashed.

Harmless, so silent: an encoding that is undone to the very file, e.g. raw.githubusercontent.com
gzipping a `.py` or `.yaml` on the fly (no compressed name), or a `.tar.gz` stored gzipped once
more (`gsutil cp -Z`): after decoding it still starts as gzip, which is what MedPerf hashes.

The cause is on the server: for GCS remove the object's Content-Encoding metadata (`gsutil setmeta
-h "Content-Encoding:" gs://…`) or upload without `-z`/`-Z`.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING
from urllib.parse import unquote, urlsplit

from medperf_lint.findings import FixAvailability, Severity
from medperf_lint.refs.references import Reference
from medperf_lint.rule import Diagnostic, Need, RuleContext

from ._probe import probe_for

if TYPE_CHECKING:
    from medperf_lint.facts.probe import ProbeResult

CODE = "MPL407"
NAME = "compressed-in-transit"
SEVERITY = Severity.ERROR
FIX = FixAvailability.NONE
NEEDS = frozenset({Need.HTTP})

EXAMPLE_FAILING = """\
# model.medperf.yaml
name: chestxray-model
additional_files_tarball_url: https://storage.googleapis.com/medperf-storage/transcoded/weights.tar.gz
additional_files_tarball_hash: bff003e244759c3d7c8b9784af0819c7f252da8626745671ccf7f46b8f19a0ca
"""
EXAMPLE_PASSING = """\
# model.medperf.yaml
name: chestxray-model
additional_files_tarball_url: https://storage.googleapis.com/medperf-storage/chestxray/weights.tar.gz
additional_files_tarball_hash: bff003e244759c3d7c8b9784af0819c7f252da8626745671ccf7f46b8f19a0ca
"""

# File name endings and media types that promise a compressed format, and its magic (sniff kind).
_SUFFIXES = (
    (".tar.gz", "gzip"),
    (".tgz", "gzip"),
    (".gz", "gzip"),
    (".zip", "zip"),
    (".xz", "xz"),
    (".txz", "xz"),
    (".zst", "zstd"),
    (".bz2", "bzip2"),
    (".tbz2", "bzip2"),
    (".7z", "7z"),
)
_TYPES = {
    "application/gzip": "gzip",
    "application/x-gzip": "gzip",
    "application/x-tgz": "gzip",
    "application/x-gtar": "gzip",
    "application/zip": "zip",
    "application/x-zip-compressed": "zip",
    "application/x-xz": "xz",
    "application/zstd": "zstd",
    "application/x-bzip2": "bzip2",
    "application/x-7z-compressed": "7z",
}
_GCS_HOSTS = ("storage.googleapis.com", "storage.cloud.google.com")


def check(ref: Reference, ctx: RuleContext) -> Iterator[Diagnostic]:
    probe = probe_for(ref, ctx)
    if probe is None or probe.error or probe.inconclusive or not probe.ok_status:
        return
    encoding = probe.content_encoding
    from medperf_lint.refs.sniff import NOT_A_FILE  # loaded by online runs only

    if not encoding or probe.sniffed is None or probe.sniffed in NOT_A_FILE:
        return
    promised = promised_format(probe)
    if promised is None or probe.sniffed == promised[0]:
        return
    kind, because = promised
    decoded = "unrecognised bytes" if probe.sniffed == "text" else f"{probe.sniffed} data"
    yield Diagnostic(
        f"served with Content-Encoding: {encoding} although {because} says it is already "
        f"{kind}; MedPerf stores the decoded bytes ({decoded}, not the {kind} file), so its "
        f"hash check fails; fix: {_fix(probe)}"
    )


def promised_format(probe: ProbeResult) -> tuple[str, str] | None:
    """(format, what promised it) from the file name or Content-Type, or None."""
    for name, what in (
        (probe.disposition_name, "the Content-Disposition file name"),
        (_last_segment(probe.final_url), "the file name"),
        (_last_segment(probe.url), "the file name"),
    ):
        lowered = (name or "").lower()
        for suffix, kind in _SUFFIXES:
            if lowered.endswith(suffix):
                return kind, f"{what} {name!r}"
    media = probe.media_type
    if media in _TYPES:
        return _TYPES[media], f"its Content-Type {media}"
    return None


def _last_segment(url: str) -> str | None:
    try:
        path = urlsplit(url).path
    except ValueError:
        return None
    return unquote(path.rsplit("/", 1)[-1]) or None


def _fix(probe: ProbeResult) -> str:
    host = (urlsplit(probe.final_url).hostname or "").lower()
    if host in _GCS_HOSTS or host.endswith(".storage.googleapis.com"):
        return (
            "this is Google Cloud Storage serving an object with Content-Encoding metadata; "
            'remove it (gsutil setmeta -h "Content-Encoding:" gs://BUCKET/OBJECT) or upload the '
            "file again without gsutil's -Z/-z"
        )
    return (
        "serve the file as it is, without a Content-Encoding header (e.g. remove an "
        "AddEncoding/gzip rule for this file type on the web server)"
    )
