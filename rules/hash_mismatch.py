"""The file MedPerf would download does not have the submitted SHA-256.

With `--verify-hashes`, every hosted file that has a hash is downloaded in full, the way
MedPerf's client saves it (redirects followed, any Content-Encoding decoded), and hashed.
MedPerf stops with "Hash mismatch" on every participant's machine when the two differ. Either
the URL serves another file than the one you hashed (a moved branch, a re-upload, a page), or
the hash was taken from another file.

A common cause is a server that decodes the file on the way: Google Cloud Storage serves an
object stored with `Content-Encoding: gzip` decompressed to clients that accept gzip, so
MedPerf saves the bare `.tar` while you hashed the `.tar.gz`. The message says so when the
submitted hash is that of the bytes on the wire; remove the encoding metadata
(`gsutil setmeta -h "Content-Encoding:" gs://…`) or upload without `-z`/`-Z`.

Which file is the right one is yours to say; if the URL serves it, submit its hash.
"""

from __future__ import annotations

from collections.abc import Iterator

from medperf_lint.findings import FixAvailability, Severity
from medperf_lint.refs.references import Reference
from medperf_lint.rule import Diagnostic, Need, RuleContext

from ._download import downloaded

CODE = "MPL204"
NAME = "hash-mismatch"
SEVERITY = Severity.ERROR
FIX = FixAvailability.NONE
NEEDS = frozenset({Need.DOWNLOAD})

EXAMPLE_FAILING = """\
# model.medperf.yaml
name: chestxray-model
additional_files_tarball_url: https://storage.googleapis.com/medperf-storage/examples/weights.tar
additional_files_tarball_hash: 71faabd59139bee698010a0ae3a69e16d97bc4f2dde799d9e187b94ff9157c00
"""
EXAMPLE_PASSING = """\
# model.medperf.yaml
name: chestxray-model
additional_files_tarball_url: https://storage.googleapis.com/medperf-storage/examples/weights.tar
additional_files_tarball_hash: 79dcac93f9fab92250f7d951d78a30dcb98de968272f89ea6d153d6c4b0fb159
"""


def check(ref: Reference, ctx: RuleContext) -> Iterator[Diagnostic]:
    facts = downloaded(ref, ctx)
    slot = ref.hash
    if facts is None or slot is None or not slot.value:
        return
    expected = slot.value.strip().lower()
    if expected == facts.sha256:
        return
    if facts.content_encoding and facts.encoded_sha256 == expected:
        yield Diagnostic(
            f"the server sends the file with Content-Encoding: {facts.content_encoding}, and "
            f"MedPerf saves the decoded bytes (SHA-256 {facts.sha256}), not the file you "
            f"hashed ({expected}); serve it without the encoding (GCS: gsutil setmeta -h "
            '"Content-Encoding:" gs://…, or upload without -z/-Z)',
            span=slot.span,
        )
        return
    yield Diagnostic(
        f"MedPerf would download a file with SHA-256 {facts.sha256} ({facts.size} bytes), "
        f"not {expected}; the URL serves other bytes than the ones hashed (if the file it "
        "serves is the right one, submit its hash instead)",
        span=slot.span,
    )
