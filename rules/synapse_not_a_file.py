"""A `synapse:` ID that names a folder, project, table, link or other non-File entity.

MedPerf hands the ID to synapseclient's `get` and then expects one downloaded file. Only a
File entity has bytes to download: a Folder or Project downloads nothing, a Link is not
followed, and tables and views are queried, not downloaded. Point at the File itself, for
example the `.tar.gz` inside the folder.

Reference the File inside the folder or project.
"""

from __future__ import annotations

from collections.abc import Iterator

from medperf_lint.findings import FixAvailability, Severity
from medperf_lint.refs.references import Reference
from medperf_lint.rule import Diagnostic, Need, RuleContext

from ._synapse import answered

CODE = "MPL602"
NAME = "synapse-not-a-file"
SEVERITY = Severity.ERROR
FIX = FixAvailability.NONE
NEEDS = frozenset({Need.SYNAPSE})

EXAMPLE_FAILING = """\
# model.medperf.yaml
name: chestxray-model
additional_files_tarball_url: synapse:syn1000
additional_files_tarball_hash: 71faabd59139bee698010a0ae3a69e16d97bc4f2dde799d9e187b94ff9157c00
"""
EXAMPLE_PASSING = """\
# model.medperf.yaml
name: chestxray-model
additional_files_tarball_url: synapse:syn3000
additional_files_tarball_hash: 71faabd59139bee698010a0ae3a69e16d97bc4f2dde799d9e187b94ff9157c00
"""

_ADVICE = {
    "folder": "use the ID of the File inside it",
    "project": "use the ID of the File inside it",
    "link": "MedPerf does not follow Links: use the ID of the File it points to",
}


def check(ref: Reference, ctx: RuleContext) -> Iterator[Diagnostic]:
    lookup = answered(ref, ctx)
    if lookup is None or not lookup.found or lookup.is_file:
        return
    kind = lookup.entity_type or lookup.concrete_type or "an unknown entity type"
    named = f' ("{lookup.name}")' if lookup.name else ""
    advice = _ADVICE.get(kind, "upload the data as a File (e.g. a .tar.gz) and use its ID")
    yield Diagnostic(
        f"{lookup.synapse_id}{named} is a {kind}, not a File; MedPerf can only download a "
        f"File entity: {advice}"
    )
