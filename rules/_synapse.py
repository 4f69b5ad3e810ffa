"""Shared by the synapse-* rules: find a reference's Synapse lookup and say as whom it ran."""

from __future__ import annotations

from typing import TYPE_CHECKING

from medperf_lint.refs.references import Reference
from medperf_lint.rule import RuleContext

if TYPE_CHECKING:
    from medperf_lint.facts.synapse import SynapseLookup


def lookup_for(ref: Reference, ctx: RuleContext) -> SynapseLookup | None:
    """The lookup for this reference's Synapse ID, or None (offline, not Synapse, no answer)."""
    syn_id = ref.synapse_id
    if syn_id is None or ctx.network is None:
        return None
    return ctx.network.synapse.get(syn_id)


def answered(ref: Reference, ctx: RuleContext) -> SynapseLookup | None:
    """The lookup when Synapse gave a real answer with valid (or no) credentials."""
    lookup = lookup_for(ref, ctx)
    if lookup is None or lookup.inconclusive is not None or lookup.auth == "invalid":
        return None
    return lookup


def identity(ctx: RuleContext) -> str:
    """How the checks ran: "anonymously" or "as user NAME"."""
    from medperf_lint.facts.synapse import ANONYMOUSLY  # an online run's: offline loads no facts

    if ctx.network is None or not ctx.network.synapse_identity:
        return ANONYMOUSLY
    return ctx.network.synapse_identity
