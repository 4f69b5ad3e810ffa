"""What a provider is: the shape every network module fills in, and what the gatherer hands
each one (the run's deadline, progress, and a :class:`Partial` for facts as they are found).

Each provider module (:mod:`medperf_lint.providers.probe`, ``github``, ``forges``,
``synapse``, ``registry``, ``verify``) defines its ``PROVIDER``: which inputs it takes from the references,
how it checks them, and what it reports for inputs it did not finish by the deadline.
:mod:`medperf_lint.gather` only loops over them. Providers never import one another: what one
needs from another (a Synapse File's download URL, for a full download) is a :class:`Services`
entry the gatherer fills in.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Hashable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Generic, TypeVar

from medperf_lint.facts import NetworkResults, Progress

if TYPE_CHECKING:
    from medperf_lint.facts.github import RefKey, RefLookup
    from medperf_lint.facts.probe import ProbeResult
    from medperf_lint.facts.synapse import SynapseLookup
    from medperf_lint.input.config import Settings
    from medperf_lint.refs.references import Reference

DEADLINE_PASSED = "the run's deadline ({:g} s) ran out"

# Synapse IDs -> (pre-signed URL, None) or (None, why not), as the checking user.
DownloadUrls = Callable[[list[str], "Settings"], Mapping[str, tuple[str | None, str | None]]]


def deadline_reason(settings: Settings) -> str:
    """What an input cut off by the run's deadline is reported as."""
    return DEADLINE_PASSED.format(settings.deadline or 0)


@dataclass(frozen=True)
class Services:
    """What the gatherer lends providers from other providers."""

    synapse_download_urls: DownloadUrls | None = None


class Partial:
    """Facts as providers find them, so a provider cut off at the deadline loses none it had;
    also carries the gatherer's :class:`Services`, and lets a provider wait for a probe the
    prober finds on its way (:meth:`wait_probes`)."""

    def __init__(self, services: Services | None = None) -> None:
        self.services = services or Services()
        self._lock = threading.Condition()
        self._probes: dict[str, ProbeResult] = {}
        self._github: dict[RefKey, RefLookup] = {}
        self._synapse: dict[str, SynapseLookup] = {}
        self._probing = False  # a provider that hands in probes is still running

    def probe(self, url: str, result: ProbeResult) -> None:
        with self._lock:
            self._probes[url] = result
            self._lock.notify_all()

    def probing(self, running: bool) -> None:
        """The gatherer says whether a provider that hands in probes is (still) running."""
        with self._lock:
            self._probing = running
            self._lock.notify_all()

    def wait_probes(self, urls: Sequence[str], until: float | None) -> dict[str, ProbeResult]:
        """The probes of ``urls`` once all are in, the prober has stopped, or ``until`` (a
        ``time.monotonic()`` instant) passed: how a provider reads a fact the prober finds on
        its way (Hugging Face's ``X-Repo-Commit``) instead of asking for it again."""
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
class Run:
    """What the gatherer hands every provider's check: the run's settings, its progress
    callback, its deadline (a ``time.monotonic()`` instant) and the :class:`Partial` each fact
    also goes to as soon as it is known. A provider reads what it needs of it."""

    settings: Settings
    progress: Progress | None = None
    until: float | None = None
    partial: Partial = field(default_factory=Partial)


@dataclass(frozen=True)
class Plan:
    """One provider's work for this run, its inputs bound."""

    check: Callable[[Run], NetworkResults]
    unfinished: Callable[[], NetworkResults]  # facts when cut off
    hands_in_probes: bool = False  # others may wait on its probes (Partial.wait_probes)


@dataclass(frozen=True)
class Provider(Generic[K]):
    """How one kind of network fact is gathered.

    ``inputs`` picks the unique inputs from the references (sorted); ``check`` checks them in
    a :class:`Run`; ``unfinished`` says what inputs cut off by the deadline are reported as.
    ``hands_in_probes``: its check hands each probe to ``run.partial`` as it is found, so
    other providers may wait for one (:meth:`Partial.wait_probes`) while it runs.
    """

    inputs: Callable[[Sequence[Reference], Settings], tuple[K, ...]]
    check: Callable[[tuple[K, ...], Run], NetworkResults]
    unfinished: Callable[[tuple[K, ...], Settings], NetworkResults]  # facts when cut off
    hands_in_probes: bool = False

    def plan(self, refs: Sequence[Reference], settings: Settings) -> Plan | None:
        inputs = self.inputs(refs, settings)
        if not inputs:
            return None
        return Plan(
            lambda run: self.check(inputs, run),
            lambda: self.unfinished(inputs, settings),
            self.hands_in_probes,
        )


def web_urls(refs: Sequence[Reference], _settings: Settings) -> tuple[str, ...]:
    """The unique http(s) URLs of ``refs``, sorted (what the probe and GitHub providers take)."""
    return tuple(
        sorted(
            {
                u
                for r in refs
                if (u := r.download_url) is not None and u.startswith(("http://", "https://"))
            }
        )
    )
