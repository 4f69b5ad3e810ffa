"""A hosted file without a hash, downloaded: here is the SHA-256 MedPerf would record.

Without a hash MedPerf computes one from its own first download and trusts it (trust on first
use): whatever that download returned becomes the reference for every participant. With
`--verify-hashes` the file is downloaded now, as MedPerf would, and its SHA-256 is reported so
you can check the file and submit the hash with it. `hash-missing` reports the missing field
offline; this rule adds the value.

Fix: none. Add the hash field with the value the message gives, once you have checked the file.

Reports:
    additional_files_tarball_url: https://example.org/weights.tar.gz   # no hash given
"""

from __future__ import annotations

from collections.abc import Iterator

from medperf_lint.findings import Severity
from medperf_lint.references import Reference
from medperf_lint.rule import Diagnostic, Need, RuleContext

from ._download import downloaded

CODE = "MPL205"
NAME = "hash-computed"
SEVERITY = Severity.INFO
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
    if facts is None:
        return
    yield Diagnostic(
        f"the file MedPerf would download has SHA-256 {facts.sha256} ({facts.size} bytes); "
        f"check it is the file you mean and add {slot.field}: {facts.sha256}"
    )
