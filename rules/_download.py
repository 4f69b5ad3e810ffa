"""Shared by the integrity rules: find a reference's full-download facts."""

from __future__ import annotations

from typing import TYPE_CHECKING

from medperf_lint.refs.references import Reference
from medperf_lint.rule import RuleContext

if TYPE_CHECKING:
    from medperf_lint.facts.download import DownloadFacts


def download_for(ref: Reference, ctx: RuleContext) -> DownloadFacts | None:
    """The full download of the reference's URL, when ``--verify-hashes`` gathered one."""
    if ctx.network is None:
        return None
    syn_id = ref.synapse_id
    key = f"synapse:{syn_id}" if syn_id is not None else ref.download_url
    return ctx.network.downloads.get(key) if key is not None else None


def downloaded(ref: Reference, ctx: RuleContext) -> DownloadFacts | None:
    """Like :func:`download_for`, but only a complete download (with its hash)."""
    facts = download_for(ref, ctx)
    if facts is None or facts.sha256 is None or facts.error or facts.inconclusive:
        return None
    return facts
