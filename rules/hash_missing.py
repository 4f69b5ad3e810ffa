"""A hosted file submitted without its SHA-256: MedPerf then trusts the first download.

When a hash field is empty, the MedPerf client downloads the file, hashes whatever arrived
and submits that hash (trust on first use). A wrong file (an HTML error page, a moved
object, a swapped upload) becomes the reference everyone else is checked against. Compute the
hash yourself from the file you mean (`sha256sum FILE`) and add it to the hash field. The
MedPerf web UI always sends an empty `additional_files_tarball_hash`, so it is worth adding
there too.

The hash has to be computed from the file you mean (`sha256sum FILE`).
"""

from __future__ import annotations

from collections.abc import Iterator

from medperf_lint.findings import FixAvailability, Severity
from medperf_lint.refs.references import Reference, RefKind
from medperf_lint.rule import Diagnostic, RuleContext

CODE = "MPL201"
NAME = "hash-missing"
SEVERITY = Severity.WARNING
FIX = FixAvailability.NONE

EXAMPLE_FAILING = """\
# model.medperf.yaml
name: chestxray-model
additional_files_tarball_url: https://zenodo.org/records/1234567/files/weights.tar.gz?download=1
"""
EXAMPLE_PASSING = """\
# model.medperf.yaml
name: chestxray-model
additional_files_tarball_url: https://zenodo.org/records/1234567/files/weights.tar.gz?download=1
additional_files_tarball_hash: 71faabd59139bee698010a0ae3a69e16d97bc4f2dde799d9e187b94ff9157c00
"""


def check(ref: Reference, _ctx: RuleContext) -> Iterator[Diagnostic]:
    if ref.kind is not RefKind.RESOURCE or not ref.present or ref.hash is None:
        return
    if ref.hash.value:
        return
    yield Diagnostic(
        f"no hash: MedPerf then trusts whatever the first download returns (trust on first "
        f"use); add {ref.hash.field} with the file's SHA-256 (sha256sum FILE)"
    )
