"""The URL cannot be downloaded: not found, no such host, refused, TLS failure, redirect trouble.

Checked online, anonymously, as MedPerf's download would: HTTP 404 or 410 (and other client
errors except 401/403/408/429), a DNS failure, a refused or reset connection, a TLS error, a
redirect loop, more than 10 redirects, a redirect to a non-http(s) scheme, or an address the
linter will not connect to (loopback, private, link-local such as the cloud metadata service
169.254.169.254): pass `--allow-private-hosts` when a private host is intended.
"""

from __future__ import annotations

from collections.abc import Iterator

from medperf_lint.findings import FixAvailability, Severity
from medperf_lint.refs.references import Reference
from medperf_lint.rule import Diagnostic, Need, RuleContext

from ._probe import error_document, landed, probe_for

CODE = "MPL403"
NAME = "unreachable"
SEVERITY = Severity.ERROR
FIX = FixAvailability.NONE
NEEDS = frozenset({Need.HTTP})

EXAMPLE_FAILING = """\
# model.medperf.yaml
name: chestxray-model
additional_files_tarball_url: https://zenodo.org/records/1234567/files/deleted.tar.gz?download=1
additional_files_tarball_hash: 71faabd59139bee698010a0ae3a69e16d97bc4f2dde799d9e187b94ff9157c00
"""
EXAMPLE_PASSING = """\
# model.medperf.yaml
name: chestxray-model
additional_files_tarball_url: https://zenodo.org/records/1234567/files/weights.tar.gz?download=1
additional_files_tarball_hash: 71faabd59139bee698010a0ae3a69e16d97bc4f2dde799d9e187b94ff9157c00
"""

_ERRORS = {
    "dns": "the host name does not resolve",
    "refused": "the connection was refused",
    "connect-failed": "no connection could be made",
    "tls": "the TLS connection failed",
    "reset": "the server reset the connection",
    "redirect-loop": "the redirects loop",
    "too-many-redirects": "too many redirects",
    "blocked-address": "the host is on a loopback, private or link-local address",
    "bad-redirect-scheme": "a redirect leaves HTTP",
    "bad-url": "the URL cannot be requested",
}
_NOT_HERE = {404: "not found", 410: "gone"}


def check(ref: Reference, ctx: RuleContext) -> Iterator[Diagnostic]:
    probe = probe_for(ref, ctx)
    if probe is None or probe.inconclusive:
        return
    where = landed(probe)
    if probe.error is not None:
        what = probe.detail or _ERRORS.get(probe.error, probe.error)
        yield Diagnostic(f"unreachable ({probe.error}): {what}{where}")
        return
    status = probe.status
    if status is None or status < 400 or status >= 500 or status in (401, 403, 408, 429):
        return
    reason = _NOT_HERE.get(status, "the server rejects the request")
    yield Diagnostic(f"unreachable: {reason} (HTTP {status}){where}{error_document(probe)}")
