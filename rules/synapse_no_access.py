"""A `synapse:` File the checking user cannot download: 403, no DOWNLOAD, or no file handle.

Synapse separates READ (see the entity) from DOWNLOAD (get its bytes). The check reads
`permissions.canDownload` and whether the bundle carries the file handle named by
`dataFileHandleId` (Synapse leaves it out without DOWNLOAD); a 403 means not even READ.
The finding says whether the check ran anonymously or as which user. MedPerf always logs in
for Synapse downloads, as whoever runs it: share the File with those MedPerf users (or a team
they are in) with download permission. Anonymous users can download only Files the Access
and Compliance Team marked OPEN_DATA; for public data MedPerf's docs suggest a direct link.
Access requirements (terms of use, ACT approval) are reported by
`synapse-access-requirements` instead.

Sharing settings are changed on Synapse.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from medperf_lint.findings import FixAvailability, Severity
from medperf_lint.refs.references import Reference
from medperf_lint.rule import Diagnostic, Need, RuleContext

from ._synapse import answered, identity

if TYPE_CHECKING:
    from medperf_lint.facts.synapse import SynapseLookup

CODE = "MPL603"
NAME = "synapse-no-access"
SEVERITY = Severity.ERROR
FIX = FixAvailability.NONE
NEEDS = frozenset({Need.SYNAPSE})

EXAMPLE_FAILING = """\
# model.medperf.yaml
name: chestxray-model
additional_files_tarball_url: synapse:syn4000
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
    if lookup is None:
        return
    who = identity(ctx)
    if lookup.status == 403:
        said = f': "{lookup.reason}"' if lookup.reason else ""
        yield Diagnostic(
            f"Synapse refused {lookup.synapse_id} when checked {who}{said}; {_advice(lookup)}"
        )
        return
    if not lookup.found or not lookup.is_file or lookup.unmet_requirements:
        return
    if lookup.can_download is False or lookup.has_file_handle is False:
        named = f' ("{lookup.name}")' if lookup.name else ""
        yield Diagnostic(
            f"{lookup.synapse_id}{named} can be seen but not downloaded when checked {who}; "
            f"{_advice(lookup)}"
        )


def _advice(lookup: SynapseLookup) -> str:
    share = (
        "share it with the MedPerf users who will download it (download permission), "
        "ask Synapse's Access and Compliance Team to mark it OPEN_DATA, or, for a public "
        "file, host it elsewhere and use a direct: link"
    )
    if lookup.auth == "missing":
        return (
            "MedPerf always logs in to Synapse, so set up a token (see synapse-auth-missing) "
            f"and re-run to check as a MedPerf user would; otherwise {share}"
        )
    return share
