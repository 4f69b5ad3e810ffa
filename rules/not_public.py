"""The URL answers 401 or 403 to an anonymous request: the file is not public.

MedPerf downloads without credentials, so every benchmark participant would be refused too.
Make the file public (S3/GCS bucket policy, Hugging Face repo not gated, Drive "Anyone with
the link"), or host it on Synapse and reference it as `synapse:synN`. An object store's XML
error code (`AccessDenied`, `AuthenticationFailed`) is quoted. A Cloudflare challenge is not
reported here but as `inconclusive`.

Sharing settings are changed at the host.
"""

from __future__ import annotations

from collections.abc import Iterator

from medperf_lint.findings import FixAvailability, Severity
from medperf_lint.refs.references import Reference
from medperf_lint.rule import Diagnostic, Need, RuleContext

from ._probe import error_document, landed, probe_for

CODE = "MPL404"
NAME = "not-public"
SEVERITY = Severity.ERROR
FIX = FixAvailability.NONE
NEEDS = frozenset({Need.HTTP})

EXAMPLE_FAILING = """\
# model.medperf.yaml
name: chestxray-model
additional_files_tarball_url: https://bucket.s3.amazonaws.com/private/weights.tar.gz
additional_files_tarball_hash: 71faabd59139bee698010a0ae3a69e16d97bc4f2dde799d9e187b94ff9157c00
"""
EXAMPLE_PASSING = """\
# model.medperf.yaml
name: chestxray-model
additional_files_tarball_url: https://bucket.s3.amazonaws.com/public/weights.tar.gz
additional_files_tarball_hash: 71faabd59139bee698010a0ae3a69e16d97bc4f2dde799d9e187b94ff9157c00
"""

_WORDS = {401: "Unauthorized", 403: "Forbidden"}


def check(ref: Reference, ctx: RuleContext) -> Iterator[Diagnostic]:
    probe = probe_for(ref, ctx)
    if probe is None or probe.inconclusive or probe.error or probe.status not in _WORDS:
        return
    status = probe.status
    yield Diagnostic(
        f"not public: HTTP {status} {_WORDS[status]} to an anonymous request{landed(probe)}"
        f"{error_document(probe)}; MedPerf downloads without credentials"
    )
