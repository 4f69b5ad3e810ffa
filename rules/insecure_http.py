"""A plain http:// URL: the file can be read or swapped on its way to every participant.

MedPerf downloads the URL as written, so over plain http anyone on the path (a hotel Wi-Fi,
a proxy, a compromised router) can replace the file. A hash catches a swap only when one was
given, and the first download decides the hash when it was not. Most hosts serve the same
path over https; the fix offers it (check that it works before you submit).

The fix, https:// at the same address, rests on a guess: the host may not serve https, or serve
something else there.
"""

from __future__ import annotations

from collections.abc import Iterator

from medperf_lint.findings import Fix, FixAvailability, Severity
from medperf_lint.refs.references import Reference
from medperf_lint.rule import Diagnostic, RuleContext

from ._url_text import url_parts, with_prefix

CODE = "MPL003"
NAME = "insecure-http"
SEVERITY = Severity.WARNING
FIX = FixAvailability.UNSAFE

EXAMPLE_FAILING = """\
# model.medperf.yaml
name: chestxray-model
additional_files_tarball_url: http://example.org/weights.tar.gz
additional_files_tarball_hash: 71faabd59139bee698010a0ae3a69e16d97bc4f2dde799d9e187b94ff9157c00
"""
EXAMPLE_PASSING = """\
# model.medperf.yaml
name: chestxray-model
additional_files_tarball_url: https://example.org/weights.tar.gz
additional_files_tarball_hash: 71faabd59139bee698010a0ae3a69e16d97bc4f2dde799d9e187b94ff9157c00
"""


def check(ref: Reference, _ctx: RuleContext) -> Iterator[Diagnostic]:
    found = url_parts(ref)
    if found is None or found[1].scheme != "http":
        return
    text = found[0]
    https = "https" + text[len("http") :]
    hashed = ref.hash is not None and bool(ref.hash.value)
    risk = (
        "(the hash would stop a swapped file, failing the run)"
        if hashed
        else "and with no hash MedPerf accepts whatever arrives"
    )
    yield Diagnostic(
        f"plain http:// can be read or altered in transit {risk}; use https://",
        Fix(with_prefix(ref, https), "use https (if the host serves it)", safe=False),
    )
