"""The one place where the engine asks for network facts, all at once, before rules run.

Each provider module (``http``, ``github``, ``synapse``) is imported only when a selected rule
needs it and a reference of its kind exists, so an offline run never imports requests or
synapseclient.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from .rule import Need

if TYPE_CHECKING:
    from .config import Settings
    from .references import Reference

Progress = Callable[[str, int, int], None]  # (what, done, total)


@dataclass(frozen=True)
class NetworkResults:
    """Facts per unique key; rules look up their reference's key and read the result."""

    probes: Mapping[str, Any] = field(default_factory=dict)  # URL -> http.ProbeResult
    github: Mapping[Any, Any] = field(default_factory=dict)  # github.RefKey -> github.RefLookup
    synapse: Mapping[str, Any] = field(default_factory=dict)  # synN -> synapse.SynapseLookup
    synapse_identity: str | None = None  # "anonymous" or the user name checks ran as


def gather(
    refs: Iterable[Reference],
    needs: frozenset[Need],
    settings: Settings,
    progress: Progress | None = None,
) -> NetworkResults:
    """Collect unique URLs and Synapse IDs; the providers check them concurrently, side by side."""
    refs = list(refs)
    urls = sorted(
        {u for r in refs if (u := r.url) is not None and u.startswith(("http://", "https://"))}
    )
    syn_ids = sorted({s for r in refs if (s := r.synapse_id) is not None})
    jobs: dict[str, Callable[[], Any]] = {}
    if Need.HTTP in needs and urls:
        from . import http

        jobs["http"] = lambda: http.probe_urls(urls, settings, progress)
    if Need.GITHUB in needs and urls:
        from . import github as gh

        jobs["github"] = lambda: gh.resolve_urls(urls, settings)
    if Need.SYNAPSE in needs and syn_ids:
        from . import synapse as syn

        jobs["synapse"] = lambda: syn.check_ids(syn_ids, settings)
    done = _run_side_by_side(jobs)
    probes: Mapping[str, Any] = done.get("http", {})
    github: Mapping[Any, Any] = done.get("github", {})
    synapse, identity = done.get("synapse", ({}, None))
    return NetworkResults(probes, github, synapse, identity)


def _run_side_by_side(jobs: dict[str, Callable[[], Any]]) -> dict[str, Any]:
    """Run the providers at the same time: each waits on a different service."""
    if len(jobs) <= 1:
        return {name: job() for name, job in jobs.items()}
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(max_workers=len(jobs), thread_name_prefix="medperf-lint") as pool:
        futures = {name: pool.submit(job) for name, job in jobs.items()}
        return {name: future.result() for name, future in futures.items()}
