"""The URL moved permanently (301 or 308): use the new URL.

A permanent redirect says the old URL may stop working; the fix is the target of the
permanent redirects at the start of the chain. Temporary redirects (302, 303, 307) are not
reported, including a stable URL that redirects to a signed, short-lived one (GitHub release
assets → objects.githubusercontent.com, Hugging Face LFS files → their CDN): the stable URL
is the one to keep.

The fix: the target of the permanent redirects, which is what the old URL serves today.
"""

from __future__ import annotations

from collections.abc import Iterator

from medperf_lint.findings import Fix, FixAvailability, Severity
from medperf_lint.refs.references import Reference
from medperf_lint.rule import Diagnostic, Need, RuleContext

from ._probe import probe_for

CODE = "MPL405"
NAME = "redirected"
SEVERITY = Severity.INFO
FIX = FixAvailability.SAFE
NEEDS = frozenset({Need.HTTP})

EXAMPLE_FAILING = """\
# model.medperf.yaml
name: chestxray-model
additional_files_tarball_url: https://zenodo.org/record/1234567/files/weights.tar.gz?download=1
additional_files_tarball_hash: 71faabd59139bee698010a0ae3a69e16d97bc4f2dde799d9e187b94ff9157c00
"""
EXAMPLE_PASSING = """\
# model.medperf.yaml
name: chestxray-model
additional_files_tarball_url: https://zenodo.org/records/1234567/files/weights.tar.gz?download=1
additional_files_tarball_hash: 71faabd59139bee698010a0ae3a69e16d97bc4f2dde799d9e187b94ff9157c00
"""

PERMANENT = frozenset({301, 308})


def check(ref: Reference, ctx: RuleContext) -> Iterator[Diagnostic]:
    probe = probe_for(ref, ctx)
    if probe is None or probe.error or probe.inconclusive or not probe.ok_status:
        return
    moved: list[tuple[int, str]] = []
    for status, location in probe.redirects:
        if status not in PERMANENT:
            break
        moved.append((status, location))
    if not moved:
        return
    status, target = moved[-1]
    if target == probe.url:
        return
    yield Diagnostic(
        f"the URL moved permanently (HTTP {moved[0][0]}) to {target}",
        Fix(target, "use the URL it permanently redirects to", safe=True),
    )
