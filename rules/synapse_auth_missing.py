"""No Synapse credentials were found, so `synapse:` references were checked anonymously.

MedPerf always logs in for Synapse downloads (`SynapseSource.authenticate` calls
synapseclient's `login()`), and anonymous Synapse users can download almost nothing, so an
anonymous check cannot tell whether MedPerf will succeed. synapseclient, and therefore
MedPerf and this linter, look for a personal access token in `~/.synapseConfig`
(`[authentication]` `authtoken = …`; synapseclient 4.9+ also reads `[default]`) and then in
the `SYNAPSE_AUTH_TOKEN` environment variable. `medperf auth synapse_login` only checks a
token, it does not store it, so MedPerf's later downloads fail unless one of those is set.

Reported once per file, on its first `synapse:` reference.

Set `SYNAPSE_AUTH_TOKEN` or write `~/.synapseConfig`.

Fails (with neither `~/.synapseConfig` nor `SYNAPSE_AUTH_TOKEN`):
    additional_file: synapse:syn3000
"""

from __future__ import annotations

from collections.abc import Iterator

from medperf_lint.findings import FixAvailability, Severity
from medperf_lint.input.documents import Document
from medperf_lint.rule import Diagnostic, Need, RuleContext

from ._synapse import lookup_for

CODE = "MPL605"
NAME = "synapse-auth-missing"
SEVERITY = Severity.WARNING
FIX = FixAvailability.NONE
NEEDS = frozenset({Need.SYNAPSE})

# Failing: checked with neither ~/.synapseConfig nor SYNAPSE_AUTH_TOKEN. Passing: nothing on
# Synapse, so nothing to log in for.
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


def check_document(doc: Document, ctx: RuleContext) -> Iterator[Diagnostic]:
    for ref in doc.references:
        lookup = lookup_for(ref, ctx)
        if lookup is None:
            continue
        if lookup.auth == "missing":
            yield Diagnostic(
                "no Synapse credentials found, so Synapse references were checked anonymously; "
                "MedPerf always logs in for Synapse downloads and, like synapseclient, looks "
                "for a personal access token in ~/.synapseConfig ([authentication] authtoken) "
                "and then the SYNAPSE_AUTH_TOKEN environment variable; `medperf auth "
                "synapse_login` alone does not store a token: set one of these and re-run",
                span=ref.span,
            )
        return
