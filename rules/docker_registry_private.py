"""A Docker image on a registry that refuses anonymous pulls, by construction or by default.

MedPerf runs `docker pull <image>` on each participant's machine with whatever `docker login`
that machine has, usually none. Some registries never serve an anonymous pull, so the image
works for its owner and fails for everyone else; others are private until the owner opens
them. Offline the registry's name is enough to say so; online the registry is asked
anonymously and `docker-image-not-found` gives the verdict instead (this rule then stays
quiet).

Registries private by construction (error: an anonymous pull always fails):

- `docker.synapse.org`: every pull needs `docker login docker.synapse.org` with a Synapse
  account that can read the project (the MedPerf Synapse login does not log Docker in).
- `<account>.dkr.ecr.<region>.amazonaws.com`: private Amazon ECR; every pull needs an AWS
  token (`aws ecr get-login-password`). Amazon ECR Public, `public.ecr.aws`, is public.

Registries private by default (warning: public only if the owner made the repository so):

- `<name>.azurecr.io`: Azure Container Registry; anonymous pull is an opt-in setting.
- `<region>-docker.pkg.dev`: Google Artifact Registry; public only with `allUsers` as reader.
- `gcr.io`, `<region>.gcr.io`: Google Container Registry; public only when its storage is.

Move the image to a public registry (Docker Hub, a public `ghcr.io` package,
`public.ecr.aws`) or make the repository public, or make sure every participant logs in.

There is no fix: where an image is hosted is the owner's choice.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import NamedTuple

from medperf_lint.findings import FixAvailability, Severity
from medperf_lint.refs.references import Reference, RefKind
from medperf_lint.rule import Diagnostic, Need, RuleContext

from ._registry import image_lookup

CODE = "MPL304"
NAME = "docker-registry-private"
SEVERITY = Severity.ERROR
FIX = FixAvailability.NONE
ALSO_EMITS = (Severity.WARNING,)  # a registry that is only private by default
WANTS = frozenset({Need.REGISTRY})  # online, the anonymous lookup decides instead

EXAMPLE_FAILING = """\
# container_config.yaml
container_type: DockerImage
image: docker.synapse.org/syn51060790/mock-model-cpu:0.0.0@sha256:71faabd59139bee698010a0ae3a69e16d97bc4f2dde799d9e187b94ff9157c00
"""
EXAMPLE_PASSING = """\
# container_config.yaml
container_type: DockerImage
image: mlcommons/chestxray-tutorial-mobilenetv2:0.0.0@sha256:71faabd59139bee698010a0ae3a69e16d97bc4f2dde799d9e187b94ff9157c00
"""


class PrivateRegistry(NamedTuple):
    """A registry that refuses anonymous pulls: how to recognise its host, and what to say (a
    row of the table below, so a NamedTuple: a dataclass costs five times as much to define at
    start-up)."""

    name: str
    matches: Callable[[str], bool]
    by_construction: bool  # False: private only until the owner makes a repository public
    login: str


def _ecr(host: str) -> bool:
    labels = host.split(".")
    return (
        len(labels) >= 6
        and labels[1] == "dkr"
        and labels[2] in ("ecr", "ecr-fips")
        and "amazonaws" in labels[4:]
    )


def _artifact_registry(host: str) -> bool:
    first, _dot, rest = host.partition(".")
    return first.endswith("-docker") and rest == "pkg.dev"


PRIVATE_REGISTRIES: tuple[PrivateRegistry, ...] = (
    PrivateRegistry(
        "Synapse's registry",
        lambda host: host == "docker.synapse.org",
        True,
        "`docker login docker.synapse.org` with a Synapse account that can read the project",
    ),
    PrivateRegistry(
        "a private Amazon ECR registry", _ecr, True, "an AWS token (aws ecr get-login-password)"
    ),
    PrivateRegistry(
        "Azure Container Registry",
        lambda host: host.endswith(".azurecr.io"),
        False,
        "`az acr login`, unless the owner enabled anonymous pull",
    ),
    PrivateRegistry(
        "Google Artifact Registry",
        _artifact_registry,
        False,
        "Google credentials, unless the owner granted allUsers read access",
    ),
    PrivateRegistry(
        "Google Container Registry",
        lambda host: host == "gcr.io" or host.endswith(".gcr.io"),
        False,
        "Google credentials, unless the owner made its storage public",
    ),
)


def private_registry(image: str) -> PrivateRegistry | None:
    """The entry of ``PRIVATE_REGISTRIES`` whose host serves ``image``, or None."""
    from medperf_lint.refs.images import parse_image  # loaded when an image is named

    parsed = parse_image(image)
    if parsed is None:
        return None
    host = parsed.registry.lower()
    if not host.startswith("["):  # an IPv6 literal is no registry of the table
        host = host.partition(":")[0]
    return next((r for r in PRIVATE_REGISTRIES if r.matches(host)), None)


def check(ref: Reference, ctx: RuleContext) -> Iterator[Diagnostic]:
    if ref.kind is not RefKind.IMAGE or not ref.present or ref.not_a_string:
        return
    registry = private_registry(ref.raw)
    if registry is None:
        return
    lookup = image_lookup(ref, ctx)
    if lookup is not None and not lookup.inconclusive:
        return  # the registry answered an anonymous lookup: docker-image-not-found decides
    if registry.by_construction:
        yield Diagnostic(
            f"{registry.name} never serves an anonymous pull: each participant's docker pull "
            f"needs {registry.login}, so MedPerf fails for anyone without it; host the image "
            "on a public registry"
        )
        return
    yield Diagnostic(
        f"{registry.name} is private by default: docker pull needs {registry.login}; "
        "make the repository public or host the image on a public registry",
        severity=Severity.WARNING,
    )
