"""File URLs on code and model forges other than GitHub, split into repository, ref and path.

GitLab (gitlab.com and self-hosted: ``…/-/raw/REF/PATH``, ``…/-/archive/REF/NAME``, release
links ``…/-/releases/TAG/downloads/PATH``), Bitbucket Cloud (``bitbucket.org/WS/REPO/raw/REF/
PATH``, ``…/get/REF.tar.gz``), Gitea, Forgejo and Codeberg (``…/raw/branch|tag|commit/REF/
PATH``) and Hugging Face (``…/resolve/REV/PATH``). Only parsing lives here: which refs are pins
is a rule's business, and which hosts get an API lookup is :func:`forge_key`'s.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING
from urllib.parse import quote, unquote, urlsplit

from medperf_lint.refs.hosts import parse_huggingface_url
from medperf_lint.refs.urls import split_url

if TYPE_CHECKING:
    from medperf_lint.input.config import Settings

_BITBUCKET_ARCHIVE = (".tar.gz", ".tar.bz2", ".zip", ".tgz")
GITLAB = "GitLab"
BITBUCKET = "Bitbucket"
GITEA = "Gitea/Codeberg"
HUGGING_FACE = "Hugging Face"
# Hosts whose API is looked up without any configuration; self-hosted GitLab and Gitea
# instances are looked up only when the (trusted) settings name them.
KNOWN_HOSTS = {GITLAB: "gitlab.com", GITEA: "codeberg.org"}

# (forge, API origin as scheme://host[:port], project, ref): one lookup per key per run.
ForgeKey = tuple[str, str, str, str]


@dataclass(frozen=True)
class ForgeFile:
    """One file (or source archive) on a forge, at ``ref`` as written.

    ``origin`` is the URL's ``scheme://host[:port]``; ``project`` the repository as its API
    names it (``group/sub/repo``, ``workspace/repo``, ``owner/repo``, or ``[datasets/]o/name``
    on Hugging Face). ``head`` + REF + ``tail`` is the URL again, so :meth:`pinned_url` swaps
    the ref for a commit and keeps everything else as written.
    """

    forge: str  # GITLAB, BITBUCKET, GITEA or HUGGING_FACE
    ref: str
    ref_kind: str | None = None  # "branch", "tag", "commit" or "release" when the URL says so
    origin: str = ""
    project: str = ""
    head: str = ""
    tail: str = ""
    archive: bool = False  # a source archive: its top folder may be named after the ref

    def pinned_url(self, sha: str) -> str:
        """This URL at commit ``sha``."""
        return f"{self.head}{sha}{self.tail}"


def _rebuild(
    url: str, raw: list[str], index: int, count: int, before: str, after: str
) -> tuple[str, str]:
    """(head, tail) around raw segments ``index .. index+count`` of ``url``'s path."""
    parts = urlsplit(url.strip())
    head = f"{parts.scheme}://{parts.netloc}/" + "".join(s + "/" for s in raw[:index]) + before
    rest = raw[index + count :]
    tail = after + "".join("/" + s for s in rest)
    if parts.query:
        tail += "?" + parts.query
    if parts.fragment:
        tail += "#" + parts.fragment
    return head, tail


@lru_cache(maxsize=4096)
def parse_forge_file(url: str) -> ForgeFile | None:
    parts = split_url(url)
    if parts is None or parts.scheme not in ("http", "https"):
        return None
    raw = list(parts.segments)
    seg = [unquote(s) for s in raw]
    origin = f"{parts.scheme}://{parts.host}" + (f":{parts.port}" if parts.port else "")
    hf = parse_huggingface_url(url)
    if hf is not None:
        if hf.action not in ("resolve", "raw"):
            return None
        index = raw.index(hf.action, len(hf.prefix.split("/")) - 1 + len(hf.repo.split("/")))
        head, tail = _rebuild(url, raw, index + 1, 1, "", "")
        project = hf.prefix + unquote(hf.repo)
        return ForgeFile(HUGGING_FACE, unquote(hf.revision), None, origin, project, head, tail)
    if "-" in seg:  # GitLab's project/-/action separator, on any host
        return _gitlab(url, raw, seg, origin)
    if parts.host_is("bitbucket.org") and len(seg) >= 4:
        return _bitbucket(url, raw, seg, origin)
    if len(seg) >= 6 and seg[2] == "raw" and seg[3] in ("branch", "tag", "commit"):
        head, tail = _rebuild(url, raw, 3, 2, "commit/", "")
        return ForgeFile(GITEA, seg[4], seg[3], origin, f"{seg[0]}/{seg[1]}", head, tail)
    return None


def _gitlab(url: str, raw: list[str], seg: list[str], origin: str) -> ForgeFile | None:
    index = seg.index("-")
    rest = seg[index + 1 :]
    project = "/".join(seg[:index])
    if index < 2 or len(rest) < 3:
        return None
    if rest[0] in ("raw", "archive"):
        head, tail = _rebuild(url, raw, index + 2, 1, "", "")
        archive = rest[0] == "archive"
        return ForgeFile(GITLAB, rest[1], None, origin, project, head, tail, archive)
    if rest[0] == "releases" and len(rest) >= 4 and rest[2] == "downloads":
        return ForgeFile(GITLAB, rest[1], "release", origin, project)
    return None


def _bitbucket(url: str, raw: list[str], seg: list[str], origin: str) -> ForgeFile | None:
    project = f"{seg[0]}/{seg[1]}"
    if seg[2] == "raw" and len(seg) >= 5:
        head, tail = _rebuild(url, raw, 3, 1, "", "")
        return ForgeFile(BITBUCKET, seg[3], None, origin, project, head, tail)
    if seg[2] == "get":
        name = seg[3]
        for suffix in _BITBUCKET_ARCHIVE:
            if name.endswith(suffix):
                head, tail = _rebuild(url, raw, 3, 1, "", quote(suffix))
                ref = name[: -len(suffix)]
                return ForgeFile(BITBUCKET, ref, None, origin, project, head, tail, True)
    return None


def forge_key(
    file: ForgeFile, gitlab_hosts: tuple[str, ...] = (), gitea_hosts: tuple[str, ...] = ()
) -> ForgeKey | None:
    """The lookup that resolves ``file``'s ref, or None when its host gets none.

    GitLab and Gitea lookups go to gitlab.com and codeberg.org, and to the self-hosted
    instances the settings name (``gitlab_hosts``, ``gitea_hosts``: base URLs); a GitLab- or
    Gitea-shaped URL on any other host is not looked up. Release links have no commit.
    """
    if file.ref_kind == "release" or not file.origin:
        return None
    host = _host(file.origin)
    if file.forge == BITBUCKET:
        return (BITBUCKET, file.origin, file.project, file.ref)
    if file.forge == HUGGING_FACE:  # hf.co and www. answer under the canonical name
        origin = file.origin.replace(f"//{host}", "//huggingface.co", 1)
        return (HUGGING_FACE, origin, file.project, file.ref)
    configured = gitlab_hosts if file.forge == GITLAB else gitea_hosts
    known = KNOWN_HOSTS.get(file.forge)
    if host == known or host in {_host(h) for h in configured}:
        return (file.forge, file.origin, file.project, file.ref)
    return None


def _host(url: str) -> str:
    parts = split_url(url)
    return parts.host if parts is not None else ""


def forge_url_key(url: str, settings: Settings) -> ForgeKey | None:
    """The lookup a forge file URL depends on under ``settings`` (see :func:`forge_key`)."""
    file = parse_forge_file(url)
    if file is None:
        return None
    return forge_key(file, settings.gitlab_hosts, settings.gitea_hosts)
