"""A demo dataset tarball that MedPerf's compatibility test cannot use.

`medperf benchmark submit` runs a compatibility test on the demo dataset: it extracts the
tarball, reads `paths.yaml` at its root, and joins `data_path` and `labels_path` (and
`metadata_path` when given) to the extraction folder. With `--verify-hashes` the archive is
read in full: `paths.yaml` must be there, be a YAML mapping with those keys, and every path it
names must exist in the archive and stay inside it.

The demo tarball has to be made again with its paths.yaml.
"""

from __future__ import annotations

from collections.abc import Iterator

from medperf_lint.findings import FixAvailability, Severity
from medperf_lint.refs.references import Reference, tarball_role
from medperf_lint.rule import Diagnostic, Need, RuleContext

from ._download import downloaded

CODE = "MPL703"
NAME = "demo-dataset-invalid"
SEVERITY = Severity.ERROR
FIX = FixAvailability.NONE
NEEDS = frozenset({Need.DOWNLOAD})

EXAMPLE_FAILING = """\
# benchmark.medperf.yaml
name: chestxray-benchmark
demo_dataset_tarball_url: https://storage.googleapis.com/medperf-storage/examples/demo-without-paths.tar
demo_dataset_tarball_hash: 71faabd59139bee698010a0ae3a69e16d97bc4f2dde799d9e187b94ff9157c00
"""
EXAMPLE_PASSING = """\
# benchmark.medperf.yaml
name: chestxray-benchmark
demo_dataset_tarball_url: https://storage.googleapis.com/medperf-storage/examples/demo.tar
demo_dataset_tarball_hash: 71faabd59139bee698010a0ae3a69e16d97bc4f2dde799d9e187b94ff9157c00
"""


def check(ref: Reference, ctx: RuleContext) -> Iterator[Diagnostic]:
    if not tarball_role(ref.field).demo:
        return
    facts = downloaded(ref, ctx)
    archive = facts.archive if facts is not None else None
    if archive is None or archive.error is not None or archive.demo is None:
        return
    if archive.demo.problem is None:
        return
    yield Diagnostic(
        f"{archive.demo.problem}; MedPerf's compatibility test reads paths.yaml at the archive "
        "root (data_path, labels_path, optional metadata_path, relative to it)"
    )
