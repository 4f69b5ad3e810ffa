"""A URL whose content can change under the same address: a shortener, a branch or a "latest".

MedPerf stores the URL with the hash of what it downloaded at submission. Every later download
by another participant must produce the same bytes, or it fails with "Hash mismatch". These
addresses are built to serve whatever is current:

- URL shorteners (bit.ly, tinyurl.com, goo.gl, t.co, 1drv.ms, …): the owner can repoint them and
  services shut down (goo.gl links stopped resolving in 2025). Link the final URL.
- Zenodo concept DOIs and `zenodo.org/records/ID/latest` resolve to the newest version; a DOI
  `10.5281/zenodo.N` cannot be told apart from a version DOI offline, so it is flagged to check.
- figshare DOIs without a `.vN` suffix and `ndownloader.figshare.com/articles/ID` without a version.
- OSF `osf.io/GUID/download` without `?version=N`.
- Google Drive and Docs (the owner can upload a new version under the same ID), Dropbox
  (a link serves the current file) and Box `shared/static` direct links (the owner can
  upload a new version, unshare the item or set an expiry).

Not flagged: GitHub URLs (github-unpinned-ref covers them), branch refs on GitLab, Bitbucket,
Codeberg and Hugging Face (forge-unpinned-ref), WeTransfer (expiring-url), and object
store URLs without `versionId`/`generation` (nearly every public bucket URL would warn; the hash
still catches a change). `docs_url` is skipped: documentation pages are meant to change.

Which version to pin is the author's choice.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from urllib.parse import unquote

from medperf_lint.findings import FixAvailability, Severity
from medperf_lint.refs.hosts import (
    DROPBOX_HOSTS,
    GOOGLE_DRIVE_HOSTS,
    is_github,
    is_wetransfer,
)
from medperf_lint.refs.references import Reference
from medperf_lint.refs.urls import UrlParts
from medperf_lint.rule import Diagnostic, RuleContext

from ._url_text import download_parts

CODE = "MPL105"
NAME = "mutable-url"
SEVERITY = Severity.WARNING
FIX = FixAvailability.NONE

EXAMPLE_FAILING = """\
# model.medperf.yaml
name: chestxray-model
additional_files_tarball_url: https://bit.ly/3xYzAbC
additional_files_tarball_hash: 71faabd59139bee698010a0ae3a69e16d97bc4f2dde799d9e187b94ff9157c00
"""
EXAMPLE_PASSING = """\
# model.medperf.yaml
name: chestxray-model
additional_files_tarball_url: https://zenodo.org/records/1234567/files/weights.tar.gz?download=1
additional_files_tarball_hash: 71faabd59139bee698010a0ae3a69e16d97bc4f2dde799d9e187b94ff9157c00
"""

SHORTENERS = frozenset(
    {
        "bit.ly",
        "bitly.com",
        "j.mp",
        "tinyurl.com",
        "goo.gl",
        "t.co",
        "ow.ly",
        "is.gd",
        "v.gd",
        "buff.ly",
        "rebrand.ly",
        "cutt.ly",
        "shorturl.at",
        "rb.gy",
        "tiny.cc",
        "t.ly",
        "s.id",
        "lnkd.in",
        "git.io",
        "db.tt",
        "1drv.ms",
        "aka.ms",
        "we.tl",
    }
)
_ZENODO_DOI = re.compile(r"^10\.5281/zenodo\.\d+$", re.IGNORECASE)
_FIGSHARE_DOI = re.compile(r"^10\.6084/m9\.figshare\.\d+(?P<version>\.v\d+)?$", re.IGNORECASE)


def check(ref: Reference, _ctx: RuleContext) -> Iterator[Diagnostic]:
    found = download_parts(ref)
    if found is None:
        return
    _url, parts = found
    if is_github(parts) or is_wetransfer(parts):
        return  # github-unpinned-ref and expiring-url say more about these
    for checker in (_shortener, _doi, _zenodo, _figshare, _osf, _drive, _dropbox, _box):
        message = checker(parts)
        if message is not None:
            yield Diagnostic(message)
            return


def _shortener(parts: UrlParts) -> str | None:
    host = parts.host[4:] if parts.host.startswith("www.") else parts.host
    if host not in SHORTENERS:
        return None
    extra = "; goo.gl links stopped resolving in 2025" if host == "goo.gl" else ""
    return (
        f"{host} is a URL shortener: its owner can point it elsewhere and the service can shut "
        f"down{extra}; link the final URL it redirects to instead"
    )


def _doi(parts: UrlParts) -> str | None:
    if not parts.host_is("doi.org"):
        return None
    doi = unquote(parts.path.lstrip("/"))
    if _ZENODO_DOI.match(doi):
        return (
            f"Zenodo DOI {doi}: a concept DOI resolves to the latest version (and a DOI opens the "
            "record page, not a file); make sure it is a version DOI, or better link the file: "
            "https://zenodo.org/records/ID/files/NAME?download=1"
        )
    match = _FIGSHARE_DOI.match(doi)
    if match and not match.group("version"):
        return (
            f"figshare DOI {doi} has no .vN suffix, so it resolves to the latest version; add the "
            "version (e.g. .v1) or link the file: https://ndownloader.figshare.com/files/FILE_ID"
        )
    return None


def _zenodo(parts: UrlParts) -> str | None:
    seg = parts.segments
    if not parts.host_is("zenodo.org") or "latest" not in seg:
        return None
    if "files" in seg[: seg.index("latest")]:
        return None  # a file that happens to be named "latest"
    return (
        "Zenodo …/latest follows the newest version of the record; link the files of one "
        "version: https://zenodo.org/records/ID/files/NAME?download=1"
    )


def _figshare(parts: UrlParts) -> str | None:
    seg = parts.segments
    if parts.host_is("ndownloader.figshare.com"):
        rest = seg
    elif parts.host_is("figshare.com") and seg[:1] == ("ndownloader",):
        rest = seg[1:]
    else:
        return None
    if rest[:1] != ("articles",) or "versions" in rest:
        return None
    return (
        "figshare article download without a version serves the latest version; add "
        "/versions/N or link the file: https://ndownloader.figshare.com/files/FILE_ID"
    )


def _osf(parts: UrlParts) -> str | None:
    seg = parts.segments
    if not parts.host_is("osf.io") or "download" not in seg or parts.has_param("version"):
        return None
    return (
        "OSF download without ?version=N serves the latest version of the file; add "
        "?version=N for the version you hashed"
    )


def _drive(parts: UrlParts) -> str | None:
    if not parts.host_is(*GOOGLE_DRIVE_HOSTS):
        return None
    return (
        "Google Drive: the owner can upload a new version under the same ID, change sharing or "
        "delete the file; re-host it on Zenodo or Hugging Face for a permanent copy"
    )


def _dropbox(parts: UrlParts) -> str | None:
    if not parts.host_is(*DROPBOX_HOSTS):
        return None
    return (
        "Dropbox links serve the current file: replacing it keeps the link, and links can be "
        "disabled or expire; re-host it on Zenodo or Hugging Face for a permanent copy"
    )


def _box(parts: UrlParts) -> str | None:
    if not parts.host_is("box.com") or "shared" not in parts.segments[:2]:
        return None
    if "static" not in parts.segments:
        return None
    return (
        "Box shared/static links are direct but serve the item's current version: the owner "
        "can upload a new version, unshare it or let the link expire; re-host it on Zenodo or "
        "Hugging Face for a permanent copy"
    )
