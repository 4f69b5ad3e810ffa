"""A hash field set while its URL field is missing: the hash has no file to check.

The MedPerf server checks that a URL and its hash come in pairs; for additional files it
answers "Additional files hash was provided without URL". Usually the URL field was
misspelt, removed, or given under a name MedPerf does not know. Add the URL, or remove the
hash. (An `image_hash` alone is fine: it is the digest of a registry image.)

Either the URL is missing or the hash is stale; only the author knows which.
"""

from __future__ import annotations

from collections.abc import Iterator

from medperf_lint.findings import FixAvailability, Severity
from medperf_lint.refs.references import Reference, RefKind
from medperf_lint.rule import Diagnostic, RuleContext

CODE = "MPL202"
NAME = "hash-without-url"
SEVERITY = Severity.ERROR
FIX = FixAvailability.NONE

EXAMPLE_FAILING = """\
# model.medperf.yaml
name: chestxray-model
additional_files_tarball_hash: 71faabd59139bee698010a0ae3a69e16d97bc4f2dde799d9e187b94ff9157c00
"""
EXAMPLE_PASSING = """\
# model.medperf.yaml
name: chestxray-model
additional_files_tarball_url: https://zenodo.org/records/1234567/files/weights.tar.gz?download=1
additional_files_tarball_hash: 71faabd59139bee698010a0ae3a69e16d97bc4f2dde799d9e187b94ff9157c00
"""

# The URL field that goes with each hash field, by MedPerf server name and by submit flag name.
_URL_FOR = {
    "additional_files_tarball_hash": "additional_files_tarball_url",
    "additional_hash": "additional_file",
    "demo_dataset_tarball_hash": "demo_dataset_tarball_url",
    "demo_hash": "demo_url",
    "asset_hash": "asset_url",
    "mlcube_hash": "git_mlcube_url",
    "parameters_hash": "git_parameters_url",
    "image_tarball_hash": "image_tarball_url",
}
_ADDITIONAL = ("additional_files_tarball_hash", "additional_hash")


def check(ref: Reference, _ctx: RuleContext) -> Iterator[Diagnostic]:
    if ref.present or ref.kind is not RefKind.RESOURCE or ref.hash is None:
        return
    if not ref.hash.value:
        return
    field = ref.hash.field
    url_field = _URL_FOR.get(field, "its URL field")
    server = (
        ' (the server answers "Additional files hash was provided without URL")'
        if field in _ADDITIONAL
        else ""
    )
    yield Diagnostic(
        f"{field} is set but {url_field} is missing{server}; add the URL or remove the hash",
        span=ref.hash.span,
    )
