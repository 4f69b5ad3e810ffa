"""The one place where the engine asks for network facts, all at once, before rules run.

A loop over the providers. Each network module defines its own ``PROVIDER``
(:class:`~medperf_lint.facts.plan.Provider`: its inputs, its check, what it reports unfinished
at the deadline); ``PROVIDERS`` only says which module answers which kind of :class:`Need`.
A module is imported only when a selected rule needs it and a reference of its kind exists, so
an offline run never imports requests or synapseclient. Providers never import one another:
what one needs from another (a Synapse File's download URL for ``--verify-hashes``) is lent
here, as a :class:`~medperf_lint.facts.plan.Services` entry, or read from the
:class:`~medperf_lint.facts.plan.Partial` as it is handed in (the probe of a Hugging Face URL,
whose ``X-Repo-Commit`` spares the forge lookup a call).

The run's ``deadline`` is one instant for every provider. Providers run side by side on daemon
threads (:mod:`medperf_lint.net.background`) and hand in each fact as they find it
(:class:`Partial`); at the deadline (plus a short grace for providers that stop on their own)
the engine stops waiting, keeps every fact already handed in, reports every other input
inconclusive, and no stuck thread keeps the process alive.
"""

from __future__ import annotations

import importlib
import time
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any

from medperf_lint.facts import NetworkResults, Progress
from medperf_lint.facts.plan import Partial, Plan, Provider, Run, Services
from medperf_lint.net.background import run_until
from medperf_lint.rule import Need

if TYPE_CHECKING:
    from medperf_lint.input.config import Settings
    from medperf_lint.refs.references import Reference

__all__ = ["PROVIDERS", "NetworkResults", "Partial", "Progress", "Provider", "gather"]

# Providers that honour the deadline themselves get this long to hand in what they have.
GRACE = 0.5

# Which provider module answers each need (its ``PROVIDER``), or a Provider itself.
PROVIDERS: Mapping[Need, str | Provider[Any]] = {
    Need.HTTP: "probe",
    Need.GITHUB: "github",
    Need.FORGES: "forges",
    Need.SYNAPSE: "synapse",
    Need.REGISTRY: "registry",
    Need.DOWNLOAD: "verify",
    Need.MANIFEST: "remote_manifest",
}


def provider(entry: str | Provider[Any]) -> Provider[Any]:
    """The provider an entry of ``PROVIDERS`` names (its module imported now)."""
    if isinstance(entry, Provider):
        return entry
    module = importlib.import_module(f"medperf_lint.providers.{entry}")
    found: Provider[Any] = module.PROVIDER
    return found


def gather(
    refs: Iterable[Reference],
    needs: frozenset[Need],
    settings: Settings,
    progress: Progress | None = None,
    *,
    until: float | None = None,
) -> NetworkResults:
    """Check every unique input of every needed provider, side by side, within the deadline
    (``until``, a ``time.monotonic()`` instant, when the caller's passes share one)."""
    refs = list(refs)
    if until is None and settings.deadline is not None:
        until = time.monotonic() + settings.deadline
    jobs = [
        plan
        for need, entry in PROVIDERS.items()
        if need in needs and (plan := provider(entry).plan(refs, settings)) is not None
    ]
    partial = Partial(Services(synapse_download_urls=_synapse_download_urls))
    partial.probing(any(plan.hands_in_probes for plan in jobs))
    run = Run(settings, progress, until, partial)

    def work(plan: Plan) -> NetworkResults:
        try:
            return plan.check(run)
        finally:
            if plan.hands_in_probes:
                partial.probing(False)  # nobody waits for a probe that will not come

    outcomes = run_until(
        work, jobs, workers=len(jobs), until=None if until is None else until + GRACE
    )
    cut_off = NetworkResults()
    finished = NetworkResults()
    for index, plan in enumerate(jobs):
        outcome = outcomes.get(index)
        if outcome is None:
            cut_off = cut_off.merged(plan.unfinished())
        elif outcome.error is not None:
            raise outcome.error  # e.g. a malformed --resolve: a usage error, not a fact
        elif outcome.value is not None:
            finished = finished.merged(outcome.value)
    # What a cut-off provider had found stands; only the rest is "deadline ran out".
    return cut_off.merged(partial.results()).merged(finished)


def _synapse_download_urls(
    ids: list[str], settings: Settings
) -> Mapping[str, tuple[str | None, str | None]]:
    """Lent to the download provider: Synapse Files' pre-signed URLs, from the Synapse one."""
    from medperf_lint.providers.synapse import download_urls

    return download_urls(ids, settings)
