"""A `synapse:` File is mutable: MedPerf downloads whatever its current version is.

MedPerf accepts only `synapse:synN`; it rejects `synapse:synN.V`, so a Synapse reference
cannot pin a version. Uploading a new version to the same ID changes the bytes every later
MedPerf download gets. The SHA-256 hash stored beside the reference is what catches that
change (as a hash mismatch); without it MedPerf trusts whatever it downloads first. The
finding reports the version current at check time.

The hash beside the reference is the protection.

Reported (info) for every `synapse:` reference that names a File:
    additional_file: synapse:syn3000
    additional_hash: 71faabd59139bee698010a0ae3a69e16d97bc4f2dde799d9e187b94ff9157c00
"""

from __future__ import annotations

from collections.abc import Iterator

from medperf_lint.findings import FixAvailability, Severity
from medperf_lint.refs.references import Reference
from medperf_lint.rule import Diagnostic, Need, RuleContext

from ._synapse import answered

CODE = "MPL607"
NAME = "synapse-mutable-version"
SEVERITY = Severity.INFO
FIX = FixAvailability.NONE
NEEDS = frozenset({Need.SYNAPSE})

EXAMPLE_FAILING = """\
# model.medperf.yaml
name: chestxray-model
additional_files_tarball_url: synapse:syn3000
additional_files_tarball_hash: 71faabd59139bee698010a0ae3a69e16d97bc4f2dde799d9e187b94ff9157c00
"""
EXAMPLE_PASSING = """\
# model.medperf.yaml
name: chestxray-model
additional_files_tarball_url: https://zenodo.org/records/1234567/files/weights.tar.gz?download=1
additional_files_tarball_hash: 71faabd59139bee698010a0ae3a69e16d97bc4f2dde799d9e187b94ff9157c00
"""


def check(ref: Reference, ctx: RuleContext) -> Iterator[Diagnostic]:
    lookup = answered(ref, ctx)
    if lookup is None or not lookup.found or not lookup.is_file or lookup.version is None:
        return
    syn_id = lookup.synapse_id
    if ref.hash is None:
        guard = "nothing beside this reference checks the bytes"
    elif ref.hash.value:
        guard = f"the hash in {ref.hash.field} is what catches it"
    else:
        guard = f"add {ref.hash.field} (SHA-256 of the file) so MedPerf catches it"
    yield Diagnostic(
        f"{syn_id} is at version {lookup.version}; MedPerf rejects synapse:{syn_id}.V, so the "
        f"version cannot be pinned and a new upload changes the bytes MedPerf downloads: {guard}"
    )
