"""The network facts of one run, as typed values: what the engine hands every rule.

A leaf module: it names only the other fact modules (:mod:`medperf_lint.facts.probe`,
:mod:`medperf_lint.facts.github`, :mod:`medperf_lint.facts.synapse`,
:mod:`medperf_lint.facts.registry`, :mod:`medperf_lint.facts.download`,
:mod:`medperf_lint.facts.forges`, :mod:`medperf_lint.facts.manifest`), never a provider, and
those only for type checking: an offline run, which has no facts, loads none of them.
Providers import it to build results; rules, reporters and the engine import it to read them;
nothing here opens a socket.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:  # the fact modules load with the providers that build them, not offline
    from medperf_lint.facts.download import DownloadFacts
    from medperf_lint.facts.forges import ForgeKey, ForgeLookup
    from medperf_lint.facts.github import RefKey, RefLookup, ReleaseKey, ReleaseLookup
    from medperf_lint.facts.manifest import RemoteText
    from medperf_lint.facts.probe import ProbeResult
    from medperf_lint.facts.registry import ImageLookup
    from medperf_lint.facts.synapse import SynapseLookup

BYTES = "bytes"  # ``what`` of a download progress report: done/total are byte counts


class Progress(Protocol):
    """Where providers report how far they are: ``what`` is the host just finished (done and
    total count inputs), or :data:`BYTES` (done and total count bytes downloaded)."""

    def __call__(self, what: str, done: int, total: int, /) -> None: ...


@dataclass(frozen=True)
class NetworkResults:
    """Facts per unique key; rules look up their reference's key and read the result."""

    probes: Mapping[str, ProbeResult] = field(default_factory=dict)  # URL -> probe
    github: Mapping[RefKey, RefLookup] = field(default_factory=dict)  # (owner, repo, ref)
    synapse: Mapping[str, SynapseLookup] = field(default_factory=dict)  # synN -> lookup
    synapse_identity: str | None = None  # "anonymously" or "as user NAME": how checks ran
    images: Mapping[str, ImageLookup] = field(default_factory=dict)  # image reference -> lookup
    downloads: Mapping[str, DownloadFacts] = field(default_factory=dict)  # URL -> full download
    forges: Mapping[ForgeKey, ForgeLookup] = field(default_factory=dict)  # other forges' refs
    releases: Mapping[ReleaseKey, ReleaseLookup] = field(default_factory=dict)  # GitHub releases
    manifests: Mapping[str, RemoteText] = field(default_factory=dict)  # URL -> remote manifest

    def merged(self, other: NetworkResults) -> NetworkResults:
        """Both sets of facts; ``other`` wins where both know a key (providers never overlap)."""
        return NetworkResults(
            probes={**self.probes, **other.probes},
            github={**self.github, **other.github},
            synapse={**self.synapse, **other.synapse},
            synapse_identity=other.synapse_identity or self.synapse_identity,
            images={**self.images, **other.images},
            downloads={**self.downloads, **other.downloads},
            forges={**self.forges, **other.forges},
            releases={**self.releases, **other.releases},
            manifests={**self.manifests, **other.manifests},
        )
