"""File URLs on code and model forges other than GitHub, split into repository, ref and path.

GitLab (gitlab.com and self-hosted: ``…/-/raw/REF/PATH``, ``…/-/archive/REF/NAME``),
Bitbucket Cloud (``bitbucket.org/WS/REPO/raw/REF/PATH``, ``…/get/REF.tar.gz``), Gitea,
Forgejo and Codeberg (``…/raw/branch|tag|commit/REF/PATH``) and Hugging Face
(``…/resolve/REV/PATH``). Only parsing lives here: which refs are pins is a rule's business.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from urllib.parse import unquote

from medperf_lint.refs.hosts import parse_huggingface_url
from medperf_lint.refs.urls import split_url

_BITBUCKET_ARCHIVE = (".tar.gz", ".tar.bz2", ".zip", ".tgz")


@dataclass(frozen=True)
class ForgeFile:
    """One file (or source archive) on a forge, at ``ref`` as written."""

    forge: str  # "GitLab", "Bitbucket", "Gitea/Codeberg", "Hugging Face"
    ref: str
    ref_kind: str | None = None  # "branch", "tag" or "commit" when the URL says so


@lru_cache(maxsize=4096)
def parse_forge_file(url: str) -> ForgeFile | None:
    parts = split_url(url)
    if parts is None or parts.scheme not in ("http", "https"):
        return None
    seg = [unquote(s) for s in parts.segments]
    hf = parse_huggingface_url(url)
    if hf is not None:
        if hf.action not in ("resolve", "raw"):
            return None
        return ForgeFile("Hugging Face", unquote(hf.revision))
    if "-" in seg:  # GitLab's project/-/action separator, on any host
        index = seg.index("-")
        rest = seg[index + 1 :]
        if index >= 2 and len(rest) >= 3 and rest[0] in ("raw", "archive"):
            return ForgeFile("GitLab", rest[1])
        return None
    if parts.host_is("bitbucket.org") and len(seg) >= 4:
        if seg[2] == "raw" and len(seg) >= 5:
            return ForgeFile("Bitbucket", seg[3])
        if seg[2] == "get":
            name = seg[3]
            for suffix in _BITBUCKET_ARCHIVE:
                if name.endswith(suffix):
                    return ForgeFile("Bitbucket", name[: -len(suffix)])
        return None
    if len(seg) >= 6 and seg[2] == "raw" and seg[3] in ("branch", "tag", "commit"):
        return ForgeFile("Gitea/Codeberg", seg[4], seg[3])
    return None
