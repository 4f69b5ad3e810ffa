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
