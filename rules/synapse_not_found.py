"""A `synapse:` ID that Synapse does not know, or whose entity sits in the trash can.

MedPerf downloads `synapse:synN` with synapseclient's `get`, which fails on a 404. Synapse
answers 404 both for an ID that never existed ("Resource: 'syn999' does not exist") and for
an entity that was deleted to the trash can ("Entity syn123 is in trash can."). The finding
quotes Synapse's reason so you can tell the two apart. Checked with one
`POST /entity/{id}/bundle2` per unique ID.
"""

from __future__ import annotations

from collections.abc import Iterator

from medperf_lint.findings import FixAvailability, Severity
from medperf_lint.refs.references import Reference
from medperf_lint.rule import Diagnostic, Need, RuleContext

from ._synapse import answered

CODE = "MPL601"
NAME = "synapse-not-found"
SEVERITY = Severity.ERROR
FIX = FixAvailability.NONE
NEEDS = frozenset({Need.SYNAPSE})

EXAMPLE_FAILING = """\
# model.medperf.yaml
name: chestxray-model
additional_files_tarball_url: synapse:syn999999999
additional_files_tarball_hash: 71faabd59139bee698010a0ae3a69e16d97bc4f2dde799d9e187b94ff9157c00
"""
EXAMPLE_PASSING = """\
# model.medperf.yaml
name: chestxray-model
additional_files_tarball_url: synapse:syn3000
additional_files_tarball_hash: 71faabd59139bee698010a0ae3a69e16d97bc4f2dde799d9e187b94ff9157c00
"""


def check(ref: Reference, ctx: RuleContext) -> Iterator[Diagnostic]:
    lookup = answered(ref, ctx)
    if lookup is None or lookup.status != 404:
        return
    syn_id = lookup.synapse_id
    reason = lookup.reason or "not found"
    if "trash" in reason.lower():
        yield Diagnostic(
            f'{syn_id} is in the Synapse trash can (Synapse: "{reason}"); MedPerf cannot '
            "download it: restore it from your trash can on synapse.org or point at another File"
        )
        return
    yield Diagnostic(
        f'Synapse has no entity {syn_id} (Synapse: "{reason}"); check the ID on synapse.org'
    )
