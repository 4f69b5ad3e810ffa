"""Synapse rejected the token (401): it is wrong, expired or revoked.

The token comes from `~/.synapseConfig` or `SYNAPSE_AUTH_TOKEN`, the same places MedPerf's
synapseclient reads. Synapse answers 401 "Invalid access token" to a bad or expired token,
both when logging in (`GET /userProfile`) and on any later call, and MedPerf's Synapse
downloads would fail the same way. Create a new personal access token (with view and
download scopes) on synapse.org and update the config file or the variable. When the token
is rejected at login, no entity is checked.

Reported once per file, on its first `synapse:` reference. The token is never printed.

Create a new personal access token.

Fails (with an expired token in `SYNAPSE_AUTH_TOKEN`):
    additional_file: synapse:syn3000
"""

from __future__ import annotations

from collections.abc import Iterator

from medperf_lint.findings import FixAvailability, Severity
from medperf_lint.input.documents import Document
from medperf_lint.rule import Diagnostic, Need, RuleContext

from ._synapse import identity, lookup_for

CODE = "MPL606"
NAME = "synapse-auth-invalid"
SEVERITY = Severity.ERROR
FIX = FixAvailability.NONE
NEEDS = frozenset({Need.SYNAPSE})

# Failing: checked with a revoked SYNAPSE_AUTH_TOKEN. Passing: nothing on Synapse, so no
# token is sent.
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
        if lookup is None or lookup.auth != "invalid":
            continue
        status = f"{lookup.status} " if lookup.status else ""
        said = f'"{lookup.reason}"' if lookup.reason else "no reason given"
        yield Diagnostic(
            f"Synapse rejected the token ({status}{said}) when checking {identity(ctx)}; "
            "the token is wrong, expired or revoked: create a new personal access token "
            "(view and download scopes) on synapse.org and update ~/.synapseConfig or "
            "SYNAPSE_AUTH_TOKEN, or MedPerf's Synapse downloads will fail the same way",
            span=ref.span,
        )
        return
