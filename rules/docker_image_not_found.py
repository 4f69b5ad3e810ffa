"""The registry has no such image or tag, or refuses an anonymous pull of it.

For `container_type: DockerImage` (and `docker.image` in legacy manifests) MedPerf runs
`docker pull`. The image's manifest is looked up with the registry's HTTP API v2 and its
anonymous token flow, as `docker pull` does it (Docker Hub, ghcr.io and any other v2
registry; no Docker needed). A missing tag, a misspelt name, or a private repository fails
every participant's pull. Docker Hub answers "not found" and "private" alike (401), so the
message names both. Push the image, fix the name, or make the repository public.

Push the image or correct its name.
"""

from __future__ import annotations

from collections.abc import Iterator

from medperf_lint.findings import FixAvailability, Severity
from medperf_lint.refs.references import Reference
from medperf_lint.rule import Diagnostic, Need, RuleContext

from ._registry import image_lookup

CODE = "MPL302"
NAME = "docker-image-not-found"
SEVERITY = Severity.ERROR
FIX = FixAvailability.NONE
NEEDS = frozenset({Need.REGISTRY})

EXAMPLE_FAILING = """\
# container_config.yaml
container_type: DockerImage
image: ghcr.io/mlcommons/chestxray:9.9.9
"""
EXAMPLE_PASSING = """\
# container_config.yaml
container_type: DockerImage
image: ghcr.io/mlcommons/chestxray:1.0.0
"""


def check(ref: Reference, ctx: RuleContext) -> Iterator[Diagnostic]:
    lookup = image_lookup(ref, ctx)
    if lookup is None or lookup.not_found is None:
        return
    yield Diagnostic(
        f"docker pull would fail: {lookup.not_found}; push the image, correct its name, or "
        "make the repository public"
    )
