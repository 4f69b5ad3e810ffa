"""What a container registry said about one image: the value rules read and the cache stores."""

from __future__ import annotations

from dataclasses import dataclass

from medperf_lint.facts.records import not_stored


@dataclass(frozen=True)
class ImageLookup:
    """The outcome for one image reference. At most one of ``not_found`` and ``inconclusive``
    is set; with neither, ``digest`` is the manifest digest ``docker pull`` would get.

    ``requests``: what the lookup cost this run (0 from the cache), and ``from_cache``: this
    run read it from the cache; neither is ever stored."""

    image: str  # as written in the manifest
    registry: str
    repository: str
    reference: str  # the tag or digest asked for
    digest: str | None = None
    not_found: str | None = None  # the registry has no such image or tag (or refuses it)
    inconclusive: str | None = None
    requests: int = not_stored(0)
    from_cache: bool = not_stored(False)

    @property
    def pinned_answer(self) -> bool:
        """The registry served the very digest the image is pinned to: an answer that cannot
        change (a digest names its content), so it is cached like a commit-pinned URL."""
        from medperf_lint.refs.images import parse_image

        name = parse_image(self.image)
        return (
            name is not None
            and name.digest is not None
            and self.digest == name.digest
            and (self.registry, self.repository, self.reference)
            == (name.registry, name.repository, name.digest)
            and self.not_found is None
            and self.inconclusive is None
        )


def unanswered(image: str, reason: str) -> ImageLookup:
    """An inconclusive lookup of ``image``, named as Docker reads it where it parses."""
    from medperf_lint.refs.images import parse_image

    name = parse_image(image)
    if name is None:
        return ImageLookup(image, "", "", "", inconclusive=reason)
    return ImageLookup(image, name.registry, name.repository, name.reference, inconclusive=reason)
