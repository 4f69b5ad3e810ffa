"""The one place where the engine asks for network facts, all at once, before rules run.

``PROVIDERS`` maps each kind of :class:`Need` to the provider that answers it: which inputs
it takes from the references, how it checks them, and what to report for inputs it did not
finish. Each provider module (``http``, ``github``, ``synapse``) is imported only when a
selected rule needs it and a reference of its kind exists, so an offline run never imports
requests or synapseclient.

The run's ``deadline`` is one instant for every provider. Providers run side by side on daemon
threads (:mod:`medperf_lint.net.background`) and hand in each fact as they find it (:class:`Partial`); at the
deadline (plus a short grace for providers that stop on their own) the engine stops waiting,
keeps every fact already handed in, reports every other input inconclusive, and no stuck
thread keeps the process alive.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Generic, TypeVar

from medperf_lint.facts import NetworkResults, Progress
from medperf_lint.net.background import run_until
from medperf_lint.rule import Need

if TYPE_CHECKING:
    from medperf_lint.facts.github import RefKey, RefLookup
    from medperf_lint.facts.probe import ProbeResult
    from medperf_lint.facts.synapse import SynapseLookup
    from medperf_lint.input.config import Settings
    from medperf_lint.providers.verify import DownloadJob
    from medperf_lint.refs.references import Reference

__all__ = ["PROVIDERS", "NetworkResults", "Partial", "Progress", "Provider", "gather"]

# Providers that honour the deadline themselves get this long to hand in what they have.
GRACE = 0.5
DEADLINE_PASSED = "the run's deadline ({:g} s) ran out"

Inputs = tuple[str, ...]


class Partial:
    """Facts as providers find them, so a provider cut off at the deadline loses none it had."""

    def __init__(self) -> None:
        self._lock = threading.Condition()
        self._probes: dict[str, ProbeResult] = {}
        self._github: dict[RefKey, RefLookup] = {}
        self._synapse: dict[str, SynapseLookup] = {}
        self._probing = False  # the HTTP provider is running and may still hand in probes

    def probe(self, url: str, result: ProbeResult) -> None:
        with self._lock:
            self._probes[url] = result
            self._lock.notify_all()

    def probing(self, running: bool) -> None:
        with self._lock:
            self._probing = running
            self._lock.notify_all()

    def wait_probes(self, urls: Sequence[str], until: float | None) -> dict[str, ProbeResult]:
        """The probes of ``urls`` once all are in, the prober has stopped, or ``until`` passed:
        how a provider reads a fact the prober finds on its way (Hugging Face's commit)."""
        with self._lock:
            while self._probing and not all(u in self._probes for u in urls):
                left = None if until is None else until - time.monotonic()
                if left is not None and left <= 0:
                    break
                self._lock.wait(left)
            return {u: self._probes[u] for u in urls if u in self._probes}

    def github(self, key: RefKey, lookup: RefLookup) -> None:
        with self._lock:
            self._github[key] = lookup

    def synapse(self, syn_id: str, lookup: SynapseLookup) -> None:
        with self._lock:
            self._synapse[syn_id] = lookup

    def results(self) -> NetworkResults:
        with self._lock:
            return NetworkResults(dict(self._probes), dict(self._github), dict(self._synapse))


K = TypeVar("K", bound=Hashable)


@dataclass(frozen=True)
class Plan:
    """One provider's work for this run, its inputs bound."""

    check: Callable[[Progress | None, float | None, Partial], NetworkResults]
    unfinished: Callable[[], NetworkResults]  # facts when cut off
    probes: bool = False  # the HTTP prober: others may wait on its probes (Partial.wait_probes)


@dataclass(frozen=True)
class Provider(Generic[K]):
    """How one kind of network fact is gathered.

    ``check`` gets (inputs, settings, progress, the deadline as a ``time.monotonic()``
    instant, the Partial where each fact also goes as soon as it is known).
    """

    inputs: Callable[[Sequence[Reference], Settings], tuple[K, ...]]  # unique, sorted
    check: Callable[
        [tuple[K, ...], Settings, Progress | None, float | None, Partial], NetworkResults
    ]
    unfinished: Callable[[tuple[K, ...], Settings], NetworkResults]  # facts when cut off
    probes: bool = False

    def plan(self, refs: Sequence[Reference], settings: Settings) -> Plan | None:
        inputs = self.inputs(refs, settings)
        if not inputs:
            return None
        return Plan(
            lambda progress, until, partial: self.check(inputs, settings, progress, until, partial),
            lambda: self.unfinished(inputs, settings),
            self.probes,
        )


def gather(
    refs: Iterable[Reference],
    needs: frozenset[Need],
    settings: Settings,
    progress: Progress | None = None,
) -> NetworkResults:
    """Check every unique input of every needed provider, side by side, within the deadline."""
    refs = list(refs)
    until = None if settings.deadline is None else time.monotonic() + settings.deadline
    jobs = [
        plan
        for need, provider in PROVIDERS.items()
        if need in needs and (plan := provider.plan(refs, settings)) is not None
    ]

    partial = Partial()
    partial.probing(any(plan.probes for plan in jobs))

    def work(plan: Plan) -> NetworkResults:
        try:
            return plan.check(progress, until, partial)
        finally:
            if plan.probes:
                partial.probing(False)

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


def _deadline_reason(settings: Settings) -> str:
    return DEADLINE_PASSED.format(settings.deadline or 0)


# ---- HTTP probes ----


def _web_urls(refs: Sequence[Reference], settings: Settings) -> Inputs:
    return tuple(
        sorted(
            {u for r in refs if (u := r.url) is not None and u.startswith(("http://", "https://"))}
        )
    )


def _probe(
    urls: Inputs,
    settings: Settings,
    progress: Progress | None,
    until: float | None,
    partial: Partial,
) -> NetworkResults:
    from medperf_lint.providers import probe as http

    found = http.probe_urls(list(urls), settings, progress, on_result=partial.probe)
    return NetworkResults(probes=found)


def _probes_unfinished(urls: Inputs, settings: Settings) -> NetworkResults:
    from medperf_lint.facts.probe import ProbeResult

    reason = _deadline_reason(settings)
    return NetworkResults(probes={u: ProbeResult(u, u, inconclusive=reason) for u in urls})


# ---- GitHub lookups ----


def _resolve(
    urls: Inputs,
    settings: Settings,
    progress: Progress | None,
    until: float | None,
    partial: Partial,
) -> NetworkResults:
    from medperf_lint.providers import github

    # GitHub returns at the deadline itself, every lookup answered: nothing to hand in early.
    refs, releases = github.resolve(urls, settings)
    return NetworkResults(github=refs, releases=releases)


def _github_unfinished(urls: Inputs, settings: Settings) -> NetworkResults:
    from medperf_lint.facts.github import RefLookup, ReleaseLookup
    from medperf_lint.refs.hosts import github_ref_key, github_release_key

    keys = {k for u in urls if (k := github_ref_key(u)) is not None}
    tags = {k for u in urls if (k := github_release_key(u)) is not None}
    reason = _deadline_reason(settings)
    return NetworkResults(
        github=dict.fromkeys(keys, RefLookup(inconclusive=reason)),
        releases=dict.fromkeys(tags, ReleaseLookup(inconclusive=reason)),
    )


# ---- Other forges (GitLab, Bitbucket, Gitea/Codeberg, Hugging Face) ----


def _forge_urls(refs: Sequence[Reference], settings: Settings) -> Inputs:
    from medperf_lint.refs.forges import forge_url_key

    return tuple(u for u in _web_urls(refs, settings) if forge_url_key(u, settings) is not None)


def _forge_lookups(
    urls: Inputs,
    settings: Settings,
    progress: Progress | None,
    until: float | None,
    partial: Partial,
) -> NetworkResults:
    from medperf_lint.providers import forges

    return NetworkResults(forges=forges.look_up(urls, settings, until, partial.wait_probes))


def _forges_unfinished(urls: Inputs, settings: Settings) -> NetworkResults:
    from medperf_lint.facts.forges import ForgeLookup
    from medperf_lint.refs.forges import forge_url_key

    keys = {k for u in urls if (k := forge_url_key(u, settings)) is not None}
    lookup = ForgeLookup(inconclusive=_deadline_reason(settings))
    return NetworkResults(forges=dict.fromkeys(keys, lookup))


# ---- Synapse lookups ----


def _synapse_ids(refs: Sequence[Reference], settings: Settings) -> Inputs:
    return tuple(sorted({s for r in refs if (s := r.synapse_id) is not None}))


def _look_up(
    ids: Inputs,
    settings: Settings,
    progress: Progress | None,
    until: float | None,
    partial: Partial,
) -> NetworkResults:
    from medperf_lint.providers import synapse

    # Synapse returns at the deadline itself, every ID answered: nothing to hand in early.
    lookups, identity = synapse.check_ids(list(ids), settings, until)
    return NetworkResults(synapse=lookups, synapse_identity=identity)


def _synapse_unfinished(ids: Inputs, settings: Settings) -> NetworkResults:
    from medperf_lint.facts.synapse import SynapseLookup
    from medperf_lint.input.synapse_credentials import find_credentials

    # Cut off before or during login: whether the token is good is unknown, not missing.
    auth = "missing" if find_credentials() is None else "user (unverified)"
    reason = _deadline_reason(settings)
    lookups = {i: SynapseLookup(i, auth=auth, inconclusive=reason) for i in ids}
    return NetworkResults(synapse=lookups)


# ---- Container registries ----


def _images(refs: Sequence[Reference], settings: Settings) -> Inputs:
    from medperf_lint.refs.images import parse_image
    from medperf_lint.refs.references import RefKind

    images = {r.raw for r in refs if r.kind is RefKind.IMAGE and r.present and r.raw}
    return tuple(sorted(i for i in images if parse_image(i) is not None))


def _look_up_images(
    images: Inputs,
    settings: Settings,
    progress: Progress | None,
    until: float | None,
    partial: Partial,
) -> NetworkResults:
    from medperf_lint.providers import registry

    return NetworkResults(images=registry.look_up(images, settings, until))


def _images_unfinished(images: Inputs, settings: Settings) -> NetworkResults:
    from medperf_lint.facts.registry import unanswered

    reason = _deadline_reason(settings)
    return NetworkResults(images={value: unanswered(value, reason) for value in images})


# ---- Full downloads (--verify-hashes) ----


def _downloads(refs: Sequence[Reference], settings: Settings) -> tuple[DownloadJob, ...]:
    if not settings.verify_hashes:
        return ()
    from medperf_lint.providers.verify import plan_downloads

    return plan_downloads(refs)


def _download(
    jobs: tuple[DownloadJob, ...],
    settings: Settings,
    progress: Progress | None,
    until: float | None,
    partial: Partial,
) -> NetworkResults:
    from medperf_lint.providers import verify

    return NetworkResults(downloads=verify.download_all(jobs, settings, until, progress))


def _downloads_unfinished(jobs: tuple[DownloadJob, ...], settings: Settings) -> NetworkResults:
    from medperf_lint.facts.download import DownloadFacts

    reason = _deadline_reason(settings)
    return NetworkResults(
        downloads={j.url: DownloadFacts(j.url, inconclusive=reason) for j in jobs}
    )


PROVIDERS: Mapping[Need, Provider[str] | Provider[DownloadJob]] = {
    Need.HTTP: Provider(_web_urls, _probe, _probes_unfinished, probes=True),
    Need.GITHUB: Provider(_web_urls, _resolve, _github_unfinished),
    Need.FORGES: Provider(_forge_urls, _forge_lookups, _forges_unfinished),
    Need.SYNAPSE: Provider(_synapse_ids, _look_up, _synapse_unfinished),
    Need.REGISTRY: Provider(_images, _look_up_images, _images_unfinished),
    Need.DOWNLOAD: Provider(_downloads, _download, _downloads_unfinished),
}
