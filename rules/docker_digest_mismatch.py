"""The registry's digest for the image differs from the submitted `image_hash`.

Since MedPerf PR #663 the `image_hash` of a `DockerImage` container is the registry digest that
`docker buildx imagetools inspect IMAGE` prints, and MedPerf stops with "Hash mismatch" when the
pulled image's digest differs. The registry is asked for the image's manifest digest (the
index digest for multi-platform images, as buildx reports it). A tag that was pushed again, or
a hash taken from another image or from `docker images` (an image ID, not a digest), gives a
mismatch. Pin the image by digest (`name:tag@sha256:…`) so a push cannot move it.

Which image is meant is yours to say; the message gives the registry's digest.
"""

from __future__ import annotations

from collections.abc import Iterator

from medperf_lint.findings import FixAvailability, Severity
from medperf_lint.refs.references import Reference
from medperf_lint.rule import Diagnostic, Need, RuleContext

from ._registry import image_lookup

CODE = "MPL303"
NAME = "docker-digest-mismatch"
SEVERITY = Severity.ERROR
FIX = FixAvailability.NONE
NEEDS = frozenset({Need.REGISTRY})

EXAMPLE_FAILING = """\
# container.medperf.yaml
name: chestxray-model
image_hash: sha256:cccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccc
container_config:
  container_type: DockerImage
  image: ghcr.io/mlcommons/chestxray:1.0.0
"""
EXAMPLE_PASSING = """\
# container.medperf.yaml
name: chestxray-model
image_hash: sha256:c203caa48974d7d51f6f5ce7dc4db1013a86e2aa51177a61796040ffe9df1e75
container_config:
  container_type: DockerImage
  image: ghcr.io/mlcommons/chestxray:1.0.0
"""


def check(ref: Reference, ctx: RuleContext) -> Iterator[Diagnostic]:
    lookup = image_lookup(ref, ctx)
    slot = ref.hash
    if lookup is None or lookup.digest is None or slot is None or not slot.value:
        return
    given = slot.value.strip().lower()
    expected = given if given.startswith("sha256:") else f"sha256:{given}"
    if expected == lookup.digest:
        return
    yield Diagnostic(
        f"the registry serves {ref.raw} with digest {lookup.digest}, not {expected}; MedPerf "
        'stops with "Hash mismatch" (submit the registry\'s digest and pin the image with it)',
        span=slot.span,
    )
