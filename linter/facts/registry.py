"""What a container registry said about one image: the value rules read and the cache stores."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class ImageLookup:
    """The outcome for one image reference. At most one of ``not_found`` and ``inconclusive``
    is set; with neither, ``digest`` is the manifest digest ``docker pull`` would get."""

    image: str  # as written in the manifest
    registry: str
    repository: str
    reference: str  # the tag or digest asked for
    digest: str | None = None
    not_found: str | None = None  # the registry has no such image or tag (or refuses it)
    inconclusive: str | None = None
    requests: int = 0


def unanswered(image: str, reason: str) -> ImageLookup:
    """An inconclusive lookup of ``image``, named as Docker reads it where it parses."""
    from medperf_lint.refs.images import parse_image

    name = parse_image(image)
    if name is None:
        return ImageLookup(image, "", "", "", inconclusive=reason)
    return ImageLookup(image, name.registry, name.repository, name.reference, inconclusive=reason)
