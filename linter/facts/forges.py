"""What a forge's API said about a ref in a GitLab, Bitbucket, Gitea/Codeberg or Hugging Face
file URL: the values rules read (standard library only, like the other fact modules)."""

from __future__ import annotations

from dataclasses import dataclass

from medperf_lint.facts.records import not_stored
from medperf_lint.refs.forges import ForgeKey

__all__ = ["ForgeKey", "ForgeLookup"]


@dataclass(frozen=True)
class ForgeLookup:
    """What the forge says about one (forge, origin, project, ref) key.

    ``sha``: the full commit the ref names now. ``exists``: False only when the forge showed
    the project and said the commit is not in it (never for a 401, 404 of the project, or 429:
    those are ``inconclusive``). ``calls``: API requests this lookup sent (0 when the probe's
    ``X-Repo-Commit`` answered, or from the cache), this run's cost and so never cached.
    """

    sha: str | None = None
    exists: bool | None = None
    inconclusive: str | None = None
    detail: str | None = None
    calls: int = not_stored(0)
