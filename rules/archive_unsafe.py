"""A tarball MedPerf extracts holds a member that would land outside its folder.

MedPerf unpacks additional-files and demo-dataset tarballs with `tarfile`'s `extractall`. A
member with an absolute path, a `..` component, a symbolic or hard link pointing outside the
archive, or a device file is either written outside the extraction folder (Python versions
without tarfile's `data` filter) or makes the extraction fail (those with it): both are wrong on
a participant's machine. Re-create the archive from inside the folder
(`tar -czf files.tar.gz -C DIR .`) without such entries.

The archive has to be made again.
"""

from __future__ import annotations

from collections.abc import Iterator

from medperf_lint.findings import FixAvailability, Severity
from medperf_lint.refs.references import Reference, tarball_role
from medperf_lint.rule import Diagnostic, Need, RuleContext

from ._download import downloaded

CODE = "MPL702"
NAME = "archive-unsafe"
SEVERITY = Severity.ERROR
FIX = FixAvailability.NONE
NEEDS = frozenset({Need.DOWNLOAD})

EXAMPLE_FAILING = """\
# model.medperf.yaml
name: chestxray-model
additional_files_tarball_url: https://storage.googleapis.com/medperf-storage/examples/unsafe.tar
additional_files_tarball_hash: 71faabd59139bee698010a0ae3a69e16d97bc4f2dde799d9e187b94ff9157c00
"""
EXAMPLE_PASSING = """\
# model.medperf.yaml
name: chestxray-model
additional_files_tarball_url: https://storage.googleapis.com/medperf-storage/examples/weights.tar
additional_files_tarball_hash: 79dcac93f9fab92250f7d951d78a30dcb98de968272f89ea6d153d6c4b0fb159
"""


def check(ref: Reference, ctx: RuleContext) -> Iterator[Diagnostic]:
    if not tarball_role(ref.field).extracted:
        return
    facts = downloaded(ref, ctx)
    archive = facts.archive if facts is not None else None
    if archive is None or not archive.unsafe:
        return
    shown = "; ".join(f"{m.name!r}: {m.reason}" for m in archive.unsafe[:3])
    more = archive.unsafe_count - min(3, len(archive.unsafe))
    tail = f" (and {more} more)" if more > 0 else ""
    yield Diagnostic(
        f"{archive.unsafe_count} member(s) unsafe to extract with extractall: {shown}{tail}; "
        "re-create the archive from inside its folder (tar -czf files.tar.gz -C DIR .)"
    )
