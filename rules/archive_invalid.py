"""A tarball MedPerf extracts or loads is not a valid tar archive (plain, gzip, bzip2 or xz).

Additional-files, demo-dataset and image tarballs are opened with Python's `tarfile`. With
`--verify-hashes` the whole download is read as a tar stream, without extracting anything: a
page or error document instead of the file, a zip, a truncated upload or corrupt compressed
data all end MedPerf's run with "Cannot extract tar.gz file". Re-create the archive with
`tar -czf files.tar.gz DIR` and upload it again.

The archive has to be made again.
"""

from __future__ import annotations

from collections.abc import Iterator

from medperf_lint.findings import FixAvailability, Severity
from medperf_lint.refs.references import Reference, tarball_role
from medperf_lint.rule import Diagnostic, Need, RuleContext

from ._download import downloaded

CODE = "MPL701"
NAME = "archive-invalid"
SEVERITY = Severity.ERROR
FIX = FixAvailability.NONE
NEEDS = frozenset({Need.DOWNLOAD})

EXAMPLE_FAILING = """\
# model.medperf.yaml
name: chestxray-model
additional_files_tarball_url: https://storage.googleapis.com/medperf-storage/examples/weights.zip
additional_files_tarball_hash: 71faabd59139bee698010a0ae3a69e16d97bc4f2dde799d9e187b94ff9157c00
"""
EXAMPLE_PASSING = """\
# model.medperf.yaml
name: chestxray-model
additional_files_tarball_url: https://storage.googleapis.com/medperf-storage/examples/weights.tar
additional_files_tarball_hash: 79dcac93f9fab92250f7d951d78a30dcb98de968272f89ea6d153d6c4b0fb159
"""


def check(ref: Reference, ctx: RuleContext) -> Iterator[Diagnostic]:
    if not tarball_role(ref.field).tarball:
        return
    facts = downloaded(ref, ctx)
    if facts is None or facts.archive is None or facts.archive.error is None:
        return
    yield Diagnostic(
        f"{facts.archive.error}; MedPerf opens {ref.field} with tarfile and stops with "
        '"Cannot extract tar.gz file" (re-create it with tar -czf and upload it again)'
    )
