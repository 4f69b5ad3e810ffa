"""Host-specific URL shapes shared by rules and network clients (see docs: hosts.md §1).

Only parsing lives here: no rule logic, no network.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from urllib.parse import unquote

from .urls import split_url

FULL_SHA = re.compile(r"^[0-9a-fA-F]{40}$")
_ARCHIVE_SUFFIX = re.compile(r"\.(tar\.gz|tgz|zip|tar)$")


def is_full_sha(ref: str | None) -> bool:
    return ref is not None and bool(FULL_SHA.match(ref))


@dataclass(frozen=True)
class GitHubUrl:
    """A GitHub file URL split into its parts.

    ``kind`` is one of: ``raw`` (raw.githubusercontent.com), ``raw-redirect``
    (github.com/o/r/raw/…), ``media`` (media.githubusercontent.com), ``blob``, ``tree``,
    ``release`` (releases/download/TAG/ASSET), ``release-latest``, ``archive``, ``gist-raw``.
    ``ref`` is the branch, tag or commit as written (``refs/heads/x`` kept whole); ``None`` for
    ``release-latest`` and unpinned gists.
    """

    kind: str
    owner: str
    repo: str
    ref: str | None
    path: str

    @property
    def pinned(self) -> bool:
        return is_full_sha(self.ref)

    @property
    def ref_name(self) -> str | None:
        """The ref without a ``refs/heads/`` or ``refs/tags/`` prefix."""
        if self.ref is None:
            return None
        for prefix in ("refs/heads/", "refs/tags/"):
            if self.ref.startswith(prefix):
                return self.ref[len(prefix) :]
        return self.ref

    @property
    def api_ref(self) -> str | None:
        """The ref as GitHub's commits API wants it: ``heads/x``, ``tags/x`` or the name."""
        if self.ref is None:
            return None
        if self.ref.startswith("refs/"):
            return self.ref[len("refs/") :]
        return self.ref

    def raw_url(self, ref: str | None = None) -> str:
        """The raw.githubusercontent.com form of this file at ``ref`` (default: its own)."""
        use = ref or self.ref or "HEAD"
        return f"https://raw.githubusercontent.com/{self.owner}/{self.repo}/{use}/{self.path}"

    def with_ref(self, sha: str) -> str:
        """This URL rewritten to point at commit ``sha``, keeping its form."""
        if self.kind == "raw":
            return self.raw_url(sha)
        if self.kind == "media":
            return f"https://media.githubusercontent.com/media/{self.owner}/{self.repo}/{sha}/{self.path}"
        if self.kind in ("raw-redirect", "blob", "tree"):
            return f"https://github.com/{self.owner}/{self.repo}/{self.kind.split('-')[0]}/{sha}/{self.path}"
        if self.kind == "archive":
            return f"https://github.com/{self.owner}/{self.repo}/archive/{sha}{self.path}"
        if self.kind == "gist-raw":
            return (
                f"https://gist.githubusercontent.com/{self.owner}/{self.repo}/raw/{sha}/{self.path}"
            )
        return self.raw_url(sha)


def _split_ref(rest: list[str]) -> tuple[str, str] | None:
    """Split REF/PATH segments, keeping a ``refs/heads/x`` or ``refs/tags/x`` ref whole."""
    if len(rest) >= 3 and rest[0] == "refs" and rest[1] in ("heads", "tags"):
        return "/".join(rest[:3]), "/".join(rest[3:])
    if not rest:
        return None
    return rest[0], "/".join(rest[1:])


@lru_cache(maxsize=4096)
def parse_github_url(url: str) -> GitHubUrl | None:
    parts = split_url(url)
    if parts is None or parts.scheme not in ("http", "https"):
        return None
    seg = [unquote(s) for s in parts.segments]
    host = parts.host
    if host == "raw.githubusercontent.com" and len(seg) >= 3:
        split = _split_ref(seg[2:])
        return GitHubUrl("raw", seg[0], seg[1], *split) if split else None
    if host == "media.githubusercontent.com" and len(seg) >= 4 and seg[0] == "media":
        split = _split_ref(seg[3:])
        return GitHubUrl("media", seg[1], seg[2], *split) if split else None
    if host == "gist.githubusercontent.com" and len(seg) >= 4 and seg[2] == "raw":
        if len(seg) >= 5 and is_full_sha(seg[3]):
            return GitHubUrl("gist-raw", seg[0], seg[1], seg[3], "/".join(seg[4:]))
        return GitHubUrl("gist-raw", seg[0], seg[1], None, "/".join(seg[3:]))
    if host not in ("github.com", "www.github.com") or len(seg) < 3:
        return None
    owner, repo, action, rest = seg[0], seg[1], seg[2], seg[3:]
    if action in ("blob", "tree", "raw"):
        split = _split_ref(rest)
        if split is None:
            return None
        kind = "raw-redirect" if action == "raw" else action
        return GitHubUrl(kind, owner, repo, *split)
    if action == "releases" and len(rest) >= 3 and rest[0] == "download":
        return GitHubUrl("release", owner, repo, rest[1], "/".join(rest[2:]))
    if action == "releases" and len(rest) >= 3 and rest[:2] == ["latest", "download"]:
        return GitHubUrl("release-latest", owner, repo, None, "/".join(rest[2:]))
    if action == "archive" and rest:
        joined = "/".join(rest)
        match = _ARCHIVE_SUFFIX.search(joined)
        if match:
            return GitHubUrl(
                "archive", owner, repo, joined[: match.start()], joined[match.start() :]
            )
    return None


RefKey = tuple[str, str, str]  # (owner, repo, ref as the commits API takes it)


def github_ref_key(url: str) -> RefKey | None:
    """The (owner, repo, ref) whose commit a GitHub file URL depends on, if any."""
    parsed = parse_github_url(url)
    if parsed is None or parsed.kind == "gist-raw" or parsed.api_ref is None:
        return None
    return (parsed.owner.lower(), parsed.repo.lower(), parsed.api_ref)
