"""A hosted file without a hash, downloaded: here is the SHA-256 MedPerf would record.

Without a hash MedPerf computes one from its own first download and trusts it (trust on first
use): whatever that download returned becomes the reference for every participant. With
`--verify-hashes` the file is downloaded now, as MedPerf would, and its SHA-256 is reported so
you can check the file and submit the hash with it. `hash-missing` reports the missing field
offline; this rule adds the value.

The fix fills the hash field with the SHA-256 of what the URL serves today (an empty field is
filled, a missing one added below the URL): right only if that is the file you mean.
"""

from __future__ import annotations

from collections.abc import Iterator

from medperf_lint.findings import Fix, FixAvailability, Severity
from medperf_lint.refs.references import Reference
from medperf_lint.rule import Diagnostic, Need, RuleContext

from ._download import downloaded

CODE = "MPL205"
NAME = "hash-computed"
SEVERITY = Severity.INFO
FIX = FixAvailability.UNSAFE
NEEDS = frozenset({Need.DOWNLOAD})

EXAMPLE_FAILING = """\
# model.medperf.yaml
name: chestxray-model
additional_files_tarball_url: https://storage.googleapis.com/medperf-storage/examples/weights.tar
"""
EXAMPLE_PASSING = """\
# model.medperf.yaml
name: chestxray-model
additional_files_tarball_url: https://storage.googleapis.com/medperf-storage/examples/weights.tar
additional_files_tarball_hash: 79dcac93f9fab92250f7d951d78a30dcb98de968272f89ea6d153d6c4b0fb159
"""


def check(ref: Reference, ctx: RuleContext) -> Iterator[Diagnostic]:
    slot = ref.hash
    if slot is None or slot.value:
        return
    facts = downloaded(ref, ctx)
    sha = facts.sha256 if facts is not None else None
    if facts is None or sha is None:
        return
    message = (
        f"the file MedPerf would download has SHA-256 {sha} ({facts.size} bytes); "
        f"check it is the file you mean and add {slot.field}: {sha}"
    )
    if slot.span is not None:  # the field is there but empty: fill it in
        fill = Fix(sha, "the SHA-256 of the file the URL serves today", safe=False)
        yield Diagnostic(message, fill, span=slot.span)
        return
    add = Fix(
        ref.raw,
        "add the SHA-256 of the file the URL serves today below the URL",
        safe=False,
        adds=(slot.field, sha),
    )
    yield Diagnostic(message, add)
