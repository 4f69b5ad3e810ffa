"""Host-specific URL shapes shared by rules and network clients.

Only parsing lives here: no rule logic, no network.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from urllib.parse import quote, unquote

from medperf_lint.refs.urls import UrlParts, split_url

FULL_SHA = re.compile(r"^[0-9a-fA-F]{40}$")
_ARCHIVE_SUFFIX = re.compile(r"\.(tar\.gz|tgz|zip|tar)$")
_CODELOAD_FORMATS = ("tar.gz", "zip", "legacy.tar.gz", "legacy.zip", "tar")
# RFC 3986 pchar minus percent: what may stay unencoded in a path we rebuild from decoded parts.
_PATH_SAFE = "/:@!$&'()*+,;=-._~"


def is_full_sha(ref: str | None) -> bool:
    return ref is not None and bool(FULL_SHA.match(ref))


@dataclass(frozen=True)
class GitHubUrl:
    """A GitHub file URL split into its parts.

    ``kind`` is one of: ``raw`` (raw.githubusercontent.com), ``raw-redirect``
    (github.com/o/r/raw/…), ``media`` (media.githubusercontent.com), ``blob``, ``tree``,
    ``release`` (releases/download/TAG/ASSET), ``release-latest``, ``archive``, ``gist-raw``,
    ``codeload`` (codeload.github.com/o/r/FORMAT/REF, where ``path`` holds the FORMAT).
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

    @property
    def quoted_path(self) -> str:
        """``path`` percent-encoded again for use in a URL (``path`` itself is decoded)."""
        return quote(self.path, safe=_PATH_SAFE)

    def raw_url(self, ref: str | None = None) -> str:
        """The raw.githubusercontent.com form of this file at ``ref`` (default: its own)."""
        use = ref or self.ref or "HEAD"
        return (
            f"https://raw.githubusercontent.com/{self.owner}/{self.repo}/{use}/{self.quoted_path}"
        )

    def with_ref(self, sha: str) -> str:
        """This URL rewritten to point at commit ``sha``, keeping its form."""
        if self.kind == "raw":
            return self.raw_url(sha)
        if self.kind == "media":
            return f"https://media.githubusercontent.com/media/{self.owner}/{self.repo}/{sha}/{self.quoted_path}"
        if self.kind in ("raw-redirect", "blob", "tree"):
            return f"https://github.com/{self.owner}/{self.repo}/{self.kind.split('-')[0]}/{sha}/{self.quoted_path}"
        if self.kind == "archive":
            return f"https://github.com/{self.owner}/{self.repo}/archive/{sha}{self.path}"
        if self.kind == "gist-raw":
            return f"https://gist.githubusercontent.com/{self.owner}/{self.repo}/raw/{sha}/{self.quoted_path}"
        if self.kind == "codeload":
            return f"https://codeload.github.com/{self.owner}/{self.repo}/{self.path}/{sha}"
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
    parse = _PARSE_BY_HOST.get(parts.host)
    return parse([unquote(s) for s in parts.segments]) if parse else None


def _raw(seg: list[str]) -> GitHubUrl | None:
    """raw.githubusercontent.com/OWNER/REPO/REF/PATH"""
    split = _split_ref(seg[2:]) if len(seg) >= 3 else None
    return GitHubUrl("raw", seg[0], seg[1], *split) if split else None


def _media(seg: list[str]) -> GitHubUrl | None:
    """media.githubusercontent.com/media/OWNER/REPO/REF/PATH (Git LFS files)"""
    split = _split_ref(seg[3:]) if len(seg) >= 4 and seg[0] == "media" else None
    return GitHubUrl("media", seg[1], seg[2], *split) if split else None


def _gist(seg: list[str]) -> GitHubUrl | None:
    """gist.githubusercontent.com/OWNER/ID/raw/[SHA/]FILE"""
    if len(seg) < 4 or seg[2] != "raw":
        return None
    if len(seg) >= 5 and is_full_sha(seg[3]):
        return GitHubUrl("gist-raw", seg[0], seg[1], seg[3], "/".join(seg[4:]))
    return GitHubUrl("gist-raw", seg[0], seg[1], None, "/".join(seg[3:]))


def _codeload(seg: list[str]) -> GitHubUrl | None:
    """codeload.github.com/OWNER/REPO/FORMAT/REF"""
    if len(seg) < 4 or seg[2] not in _CODELOAD_FORMATS:
        return None
    return GitHubUrl("codeload", seg[0], seg[1], "/".join(seg[3:]), seg[2])


def _github(seg: list[str]) -> GitHubUrl | None:
    """github.com/OWNER/REPO/ACTION/…"""
    parse = _PARSE_BY_ACTION.get(seg[2]) if len(seg) >= 3 else None
    return parse(seg[0], seg[1], seg[2], seg[3:]) if parse else None


def _page(owner: str, repo: str, action: str, rest: list[str]) -> GitHubUrl | None:
    """blob/REF/PATH, tree/REF/PATH or raw/REF/PATH (which redirects to raw.githubusercontent)"""
    split = _split_ref(rest)
    if split is None:
        return None
    return GitHubUrl("raw-redirect" if action == "raw" else action, owner, repo, *split)


def _releases(owner: str, repo: str, _action: str, rest: list[str]) -> GitHubUrl | None:
    """releases/download/TAG/ASSET or releases/latest/download/ASSET"""
    if len(rest) >= 3 and rest[0] == "download":
        return GitHubUrl("release", owner, repo, rest[1], "/".join(rest[2:]))
    if len(rest) >= 3 and rest[:2] == ["latest", "download"]:
        return GitHubUrl("release-latest", owner, repo, None, "/".join(rest[2:]))
    return None


def _archive(owner: str, repo: str, _action: str, rest: list[str]) -> GitHubUrl | None:
    """archive/REF.tar.gz (or .tgz, .zip, .tar); ``path`` holds the suffix"""
    joined = "/".join(rest)
    match = _ARCHIVE_SUFFIX.search(joined)
    if not match:
        return None
    return GitHubUrl("archive", owner, repo, joined[: match.start()], joined[match.start() :])


_PARSE_BY_HOST: dict[str, Callable[[list[str]], GitHubUrl | None]] = {
    "raw.githubusercontent.com": _raw,
    "media.githubusercontent.com": _media,
    "gist.githubusercontent.com": _gist,
    "codeload.github.com": _codeload,
    "github.com": _github,
    "www.github.com": _github,
}
_PARSE_BY_ACTION: dict[str, Callable[[str, str, str, list[str]], GitHubUrl | None]] = {
    "blob": _page,
    "tree": _page,
    "raw": _page,
    "releases": _releases,
    "archive": _archive,
}


RefKey = tuple[str, str, str]  # (owner, repo, ref as the commits API takes it)


def github_ref_key(url: str) -> RefKey | None:
    """The (owner, repo, ref) whose commit a GitHub file URL depends on, if any."""
    parsed = parse_github_url(url)
    if parsed is None or parsed.kind in ("gist-raw", "release") or parsed.api_ref is None:
        return None  # a release asset depends on its release, not on a commit
    return (parsed.owner.lower(), parsed.repo.lower(), parsed.api_ref)


def github_release_key(url: str) -> RefKey | None:
    """The (owner, repo, tag) of a release asset URL (``releases/download/TAG/ASSET``)."""
    parsed = parse_github_url(url)
    if parsed is None or parsed.kind != "release" or not parsed.ref:
        return None
    return (parsed.owner.lower(), parsed.repo.lower(), parsed.ref)


# ---------------------------------------------------------------------------------------------
# Other hosts: the shapes more than one rule needs.

GITHUB_HOSTS = (
    "github.com",
    "raw.githubusercontent.com",
    "media.githubusercontent.com",
    "gist.githubusercontent.com",
    "codeload.github.com",
)
GOOGLE_DRIVE_HOSTS = ("drive.google.com", "docs.google.com", "drive.usercontent.google.com")
DROPBOX_HOSTS = ("dropbox.com", "dropboxusercontent.com", "db.tt")


def is_github(parts: UrlParts) -> bool:
    """GitHub itself (github.com, its raw/media/gist/codeload hosts), not GitHub Pages."""
    return parts.host_is(*GITHUB_HOSTS)


def is_wetransfer(parts: UrlParts) -> bool:
    """A WeTransfer link: ``we.tl/…`` or ``wetransfer.com/downloads/…``; every transfer expires."""
    if parts.host_is("we.tl"):
        return True
    return parts.host_is("wetransfer.com") and parts.segments[:1] == ("downloads",)


@dataclass(frozen=True)
class HuggingFaceUrl:
    """A Hugging Face Hub file URL: ``huggingface.co/[datasets/|spaces/]REPO/ACTION/REV/FILE``.

    ``action`` is ``blob`` (HTML viewer), ``resolve`` (the file) or ``raw`` (the git blob: an LFS
    pointer for large files). ``repo``, ``revision`` and ``path`` are kept as written (still
    percent-encoded), so ``refs%2Fpr%2F1`` stays one segment and a rewrite keeps the encoding.
    """

    prefix: str  # "", "datasets/" or "spaces/"
    repo: str  # "owner/name", or "name" for old un-namespaced models
    action: str
    revision: str
    path: str

    @property
    def pinned(self) -> bool:
        return is_full_sha(self.revision)

    def with_action(self, action: str) -> str:
        return (
            f"https://huggingface.co/{self.prefix}{self.repo}/{action}/{self.revision}/{self.path}"
        )


_HF_ACTIONS = ("blob", "resolve", "raw")


@lru_cache(maxsize=4096)
def parse_huggingface_url(url: str) -> HuggingFaceUrl | None:
    parts = split_url(url)
    if parts is None or parts.scheme not in ("http", "https"):
        return None
    if parts.host not in ("huggingface.co", "www.huggingface.co", "hf.co"):
        return None
    seg = list(parts.segments)
    prefix = ""
    if seg and seg[0] in ("datasets", "spaces"):
        prefix, seg = seg[0] + "/", seg[1:]
    # REPO is "owner/name" or, for old models, "name": the action sits at index 1 or 2.
    for index in (2, 1):
        if len(seg) > index + 2 and seg[index] in _HF_ACTIONS:
            return HuggingFaceUrl(
                prefix,
                "/".join(seg[:index]),
                seg[index],
                seg[index + 1],
                "/".join(seg[index + 2 :]),
            )
    return None
