"""Shared by the container-image rules: find an image reference's registry lookup."""

from __future__ import annotations

from typing import TYPE_CHECKING

from medperf_lint.refs.references import Reference, RefKind
from medperf_lint.rule import RuleContext

if TYPE_CHECKING:
    from medperf_lint.facts.registry import ImageLookup


def image_lookup(ref: Reference, ctx: RuleContext) -> ImageLookup | None:
    """What the registry said about the image, when the engine asked it."""
    if ref.kind is not RefKind.IMAGE or not ref.present or ctx.network is None:
        return None
    return ctx.network.images.get(ref.raw)
