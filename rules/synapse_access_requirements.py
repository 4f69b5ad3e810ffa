"""A `synapse:` File with access requirements the checking user has not met.

Synapse refuses downloads while an access requirement is unmet
(`restrictionInformation.hasUnmetAccessRequirement`): terms of use to accept
(`RESTRICTED_BY_TERMS_OF_USE`) or an application approved by Synapse's Access and Compliance
Team (`CONTROLLED_BY_ACT`). synapseclient then raises `SynapseUnmetAccessRestrictions` and
MedPerf stops with a retrieval error. Accept the requirements on the entity's page on
synapse.org before MedPerf can download it; every MedPerf user who downloads the File must
meet them too.

The requirements are met on synapse.org.
"""

from __future__ import annotations

from collections.abc import Iterator

from medperf_lint.findings import FixAvailability, Severity
from medperf_lint.refs.references import Reference
from medperf_lint.rule import Diagnostic, Need, RuleContext

from ._synapse import answered, identity

CODE = "MPL604"
NAME = "synapse-access-requirements"
SEVERITY = Severity.ERROR
FIX = FixAvailability.NONE
NEEDS = frozenset({Need.SYNAPSE})

EXAMPLE_FAILING = """\
# model.medperf.yaml
name: chestxray-model
additional_files_tarball_url: synapse:syn5000
additional_files_tarball_hash: 71faabd59139bee698010a0ae3a69e16d97bc4f2dde799d9e187b94ff9157c00
"""
EXAMPLE_PASSING = """\
# model.medperf.yaml
name: chestxray-model
additional_files_tarball_url: synapse:syn3000
additional_files_tarball_hash: 71faabd59139bee698010a0ae3a69e16d97bc4f2dde799d9e187b94ff9157c00
"""

_LEVELS = {
    "RESTRICTED_BY_TERMS_OF_USE": "terms of use to accept",
    "CONTROLLED_BY_ACT": "controlled access that needs approval by Synapse's Access and Compliance Team",
}


def check(ref: Reference, ctx: RuleContext) -> Iterator[Diagnostic]:
    lookup = answered(ref, ctx)
    if lookup is None or not lookup.found or not lookup.unmet_requirements:
        return
    from medperf_lint.facts.synapse import portal_url  # loaded by online runs only

    level = lookup.restriction_level or "unknown level"
    what = _LEVELS.get(level, "access requirements")
    yield Diagnostic(
        f"{lookup.synapse_id} has unmet access requirements ({level}: {what}) when checked "
        f"{identity(ctx)}; accept them at {portal_url(lookup.synapse_id)} before MedPerf can "
        "download it (every MedPerf user who downloads it must meet them too)"
    )
