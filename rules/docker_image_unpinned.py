"""A Docker image reference that is invalid, floating (`latest` or no tag), or not pinned by digest.

For `container_type: DockerImage` (and `docker.image` in legacy MLCube manifests) MedPerf runs
`docker pull <image>`. A tag is a pointer the publisher can move: with no tag Docker pulls
`latest`, which changes with every push, and even a version tag can be pushed again. Since
PR #663 MedPerf compares the pulled image's digest with `image_hash`, so a moved tag breaks
every participant's run with "Hash mismatch". Pin the image by digest,
`name:tag@sha256:<64 hex>` (`docker buildx imagetools inspect name:tag` prints it), and it
cannot change. Invalid references (upper case in the name, a URL, spaces) are errors: the
pull fails. Floating tags are warnings, tags without a digest are information. Online, the
fix is the same reference pinned to the digest the registry serves for it today.

Safe fixes: surrounding whitespace removed; online, the tag pinned to the digest the registry serves
for it today (the same image, made immutable). Unsafe fix: an upper-case repository name lower-cased
(a guess at which image was meant). Offline a digest is never guessed.
"""

from __future__ import annotations

from collections.abc import Iterator

from medperf_lint.findings import Fix, FixAvailability, Severity
from medperf_lint.refs.references import Reference, RefKind
from medperf_lint.rule import Diagnostic, Need, RuleContext

from ._registry import image_lookup

CODE = "MPL301"
NAME = "docker-image-unpinned"
SEVERITY = Severity.WARNING
FIX = FixAvailability.SAFE_OR_UNSAFE
WANTS = frozenset({Need.REGISTRY})  # online, the fix carries the digest the tag points at
ALSO_EMITS = (Severity.ERROR, Severity.INFO)  # invalid reference; tag without digest

EXAMPLE_FAILING = """\
# container_config.yaml
container_type: DockerImage
image: mlcommons/chestxray-tutorial-mobilenetv2:latest
"""
EXAMPLE_PASSING = """\
# container_config.yaml
container_type: DockerImage
image: mlcommons/chestxray-tutorial-mobilenetv2:0.0.0@sha256:71faabd59139bee698010a0ae3a69e16d97bc4f2dde799d9e187b94ff9157c00
"""


def check(ref: Reference, ctx: RuleContext) -> Iterator[Diagnostic]:
    if ref.kind is not RefKind.IMAGE or not ref.present:
        return
    if ref.not_a_string:
        yield _invalid(f"expected an image name, found a {ref.not_a_string}")
        return
    from medperf_lint.refs.images import NAME_MAX as _NAME_MAX  # loaded when an image is named
    from medperf_lint.refs.images import reference as _reference

    value = ref.raw
    match = _reference().fullmatch(value)
    if match is None:
        yield _explain_invalid(value)
        return
    if len(match.group("name")) > _NAME_MAX:
        yield _invalid(f"the name is longer than {_NAME_MAX} characters")
        return
    if match.group("digest"):
        return
    tag = match.group("tag")
    fix = _digest_fix(ref, ctx)
    if tag is None or tag == "latest":
        what = "no tag, so Docker pulls latest" if tag is None else "the latest tag"
        yield Diagnostic(
            f"{what}, which moves with every push; pin a version tag and its digest "
            "(name:tag@sha256:…)",
            fix,
        )
        return
    yield Diagnostic(
        "pin with @sha256:… so the image cannot change under the same tag "
        "(docker buildx imagetools inspect prints the digest)",
        fix,
        severity=Severity.INFO,
    )


def _digest_fix(ref: Reference, ctx: RuleContext) -> Fix | None:
    """Online: the same image pinned to the digest its tag points at today."""
    from medperf_lint.refs.images import parse_image

    lookup = image_lookup(ref, ctx)
    image = parse_image(ref.raw)
    if lookup is None or lookup.digest is None or image is None:
        return None
    return Fix(
        image.pinned(lookup.digest),
        "pin the digest the registry serves for this tag today",
        safe=True,  # the image the tag names today, made immutable: as a branch -> its commit
    )


def _invalid(reason: str, fix: Fix | None = None) -> Diagnostic:
    return Diagnostic(
        f"not a valid Docker image reference, so docker pull fails: {reason}",
        fix,
        severity=Severity.ERROR,
    )


def _explain_invalid(value: str) -> Diagnostic:
    from medperf_lint.refs.images import GRAMMAR as _GRAMMAR
    from medperf_lint.refs.images import reference as _reference

    if not value.strip():
        return _invalid(f"it is empty; write {_GRAMMAR}")
    if "://" in value:
        return _invalid(
            "a URL is not an image name; DockerImage takes a registry name, a hosted archive "
            "needs container_type DockerArchive or SingularityFile"
        )
    if any(ch.isspace() for ch in value):
        stripped = value.strip()
        fix = (
            Fix(stripped, "remove the whitespace", safe=True)
            if _reference().fullmatch(stripped)
            else None
        )
        return _invalid("it contains whitespace", fix)
    lowered = _lower_name(value)
    if lowered != value and _reference().fullmatch(lowered):
        return _invalid(
            "repository names must be lower case", Fix(lowered, "lower-case the name", safe=False)
        )
    return _invalid(f"expected {_GRAMMAR}")


def _lower_name(value: str) -> str:
    """``value`` with its name part (before ``:tag`` and ``@digest``) in lower case."""
    head, at, digest = value.partition("@")
    slash = head.rfind("/")
    colon = head.find(":", slash + 1)
    name = head[:colon] if colon >= 0 else head
    return name.lower() + head[len(name) :] + at + digest
