"""What GitHub said about the refs in GitHub file URLs: the values rules read.

A leaf module (standard library only) so rules, reporters and the network registry can type
against GitHub facts without importing the client, the transport or any HTTP library.
"""

from __future__ import annotations

from dataclasses import dataclass

from medperf_lint.refs.hosts import RefKey

__all__ = ["RefKey", "RefLookup", "ReleaseKey", "ReleaseLookup", "RepoRefs"]


@dataclass(frozen=True)
class RefLookup:
    """What GitHub says about one (owner, repo, ref) key.

    ``sha``: the 40-hex commit the ref resolves to. ``exists``: False when GitHub says the ref or
    commit is not in that repository (``repo_exists`` tells whether the repository itself was
    found). ``impostor``: the SHA exists only through the fork network, on no branch or tag of
    the repository. ``inconclusive``: why GitHub could not answer (rate limit, outage, ...).
    """

    sha: str | None = None
    exists: bool | None = None
    impostor: bool = False
    inconclusive: str | None = None
    detail: str | None = None
    repo_exists: bool | None = None


@dataclass(frozen=True)
class RepoRefs:
    """Branch and tag tips of one repository (first page each)."""

    branches: tuple[tuple[str, str], ...]  # (name, commit sha)
    tags: tuple[tuple[str, str], ...]
    complete: bool  # False when either list had a next page


ReleaseKey = tuple[str, str, str]  # (owner, repo, tag), owner and repo lower case


@dataclass(frozen=True)
class ReleaseLookup:
    """What GitHub says about the release of one tag (``GET /repos/O/R/releases/tags/TAG``).

    ``exists``: False when the repository has no published release for the tag.
    ``immutable``: GitHub's ``immutable`` field: the tag cannot move and no asset can be
    replaced or deleted. ``assets``: the names of its assets.
    """

    exists: bool | None = None
    immutable: bool | None = None
    assets: tuple[str, ...] = ()
    inconclusive: str | None = None
    detail: str | None = None

    def has_asset(self, name: str) -> bool | None:
        """Whether the release has asset ``name``; None when its list may be cut short
        (the release object lists at most ``ASSETS_LISTED`` assets)."""
        if name in self.assets:
            return True
        return None if len(self.assets) >= ASSETS_LISTED else False


ASSETS_LISTED = 100
