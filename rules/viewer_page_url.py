"""A file-sharing link that serves a viewer or preview page instead of the file.

Drive, Dropbox, Hugging Face, GitLab, Bitbucket, OneDrive and Box links copied from a browser
open a web page. MedPerf accepts the URL (it is a valid URL), downloads the HTML with status 200,
and fails later with "Hash mismatch" or "Cannot extract tar.gz file". Where the provider has a
direct form the fix gives it, keeping the keys that grant access (Dropbox `rlkey`, Drive
`resourcekey`):

- Google Drive `file/d/ID/view`, `open?id=ID` → `drive.usercontent.google.com/download?id=ID&export=download&confirm=t`
  (`confirm=t` skips the virus-scan page of large files); `drive/folders/ID` is a folder: no fix.
- Google Drive `uc?id=ID` (and `drive.usercontent.google.com/download?id=ID`) without
  `confirm=`: a warning, since Drive answers a file over about 100 MB with an HTML virus-scan
  page that MedPerf would save as the file; the fix is the same `confirm=t` form. Online, the
  probe sees the page itself (`not-direct-download`).
- Google Docs/Sheets/Slides `…/d/ID/edit` → `…/d/ID/export?format=docx|csv|pptx` (live documents).
- Dropbox `/s/…`, `/scl/fi/…` without `dl=1`/`raw=1` → the same link with `dl=1`;
  `/scl/fo/` and `/sh/` are folders (Dropbox would serve a zip).
- Hugging Face `/blob/` → `/resolve/`; GitLab `/-/blob/` → `/-/raw/`; Bitbucket `/src/` → `/raw/`.
- `storage.cloud.google.com/B/O` (a cookie-authenticated browser download) → `storage.googleapis.com/B/O`.
- OneDrive, SharePoint and `1drv.ms` have no reliable anonymous direct form: re-host the file.
- Box `app.box.com/s/HASH` and vanity links (`app.box.com/v/NAME`, `ORG.app.box.com/v/NAME`)
  are pages; a direct `app.box.com/shared/static/HASH.EXT` form exists on some plans.
- Cloud consoles: the S3 console object page (`s3.console.aws.amazon.com/s3/object/B?prefix=K`)
  → `https://B.s3.REGION.amazonaws.com/K`; the Google Cloud console object page
  (`console.cloud.google.com/storage/browser/_details/B/O`) → `storage.googleapis.com/B/O`;
  bucket pages and the Azure portal have no file URL to derive. The console fixes only work
  if the object is public.

`docs_url` is skipped: it is a page for humans.

The fix is safe for Dropbox `dl=1` (keeping `rlkey`), Hugging Face `/resolve/`, GitLab `/-/raw/` and
Bitbucket `/raw/` at the same revision; unsafe for Google Drive and Docs rewrites and
`storage.cloud.google.com` → `storage.googleapis.com` (they rest on a guess: the file is public, the
export format is the one you meant).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from urllib.parse import quote, urlsplit, urlunsplit

from medperf_lint.findings import Fix, FixAvailability, Severity
from medperf_lint.refs.hosts import parse_huggingface_url
from medperf_lint.refs.references import DIRECT_PREFIX, Reference
from medperf_lint.refs.urls import UrlParts
from medperf_lint.rule import Diagnostic, RuleContext

from ._url_text import download_parts

CODE = "MPL103"
NAME = "viewer-page-url"
SEVERITY = Severity.ERROR
FIX = FixAvailability.SAFE_OR_UNSAFE
ALSO_EMITS = (Severity.WARNING,)  # a Drive download link without confirm=

EXAMPLE_FAILING = """\
# model.medperf.yaml
name: chestxray-model
additional_files_tarball_url: https://www.dropbox.com/scl/fi/x1/weights.tar.gz?rlkey=k9&dl=0
additional_files_tarball_hash: 71faabd59139bee698010a0ae3a69e16d97bc4f2dde799d9e187b94ff9157c00
demo_dataset_tarball_url: https://drive.google.com/file/d/1AbCdEf/view?usp=sharing
demo_dataset_tarball_hash: 71faabd59139bee698010a0ae3a69e16d97bc4f2dde799d9e187b94ff9157c00
"""
EXAMPLE_PASSING = """\
# model.medperf.yaml
name: chestxray-model
additional_files_tarball_url: https://www.dropbox.com/scl/fi/x1/weights.tar.gz?rlkey=k9&dl=1
additional_files_tarball_hash: 71faabd59139bee698010a0ae3a69e16d97bc4f2dde799d9e187b94ff9157c00
demo_dataset_tarball_url: https://huggingface.co/mlcommons/demo/resolve/99b0d84bc107415d9fc6f69c4ea3fcdfbf22315d/demo.tar.gz
demo_dataset_tarball_hash: 71faabd59139bee698010a0ae3a69e16d97bc4f2dde799d9e187b94ff9157c00
"""

_HTML = "MedPerf would download a web page, not the file"
_REHOST = "re-host the file on Zenodo, Hugging Face or a public object store"


def check(ref: Reference, _ctx: RuleContext) -> Iterator[Diagnostic]:
    found = download_parts(ref)
    if found is None:
        return
    url, parts = found
    for checker in _CHECKERS:
        diagnostic = checker(url, parts)
        if diagnostic is not None:
            fix = diagnostic.fix
            if fix is not None and ref.raw.startswith(DIRECT_PREFIX):  # keep the value's form
                diagnostic = replace(
                    diagnostic, fix=replace(fix, replacement=DIRECT_PREFIX + fix.replacement)
                )
            yield diagnostic
            return


# ---------------------------------------------------------------------------------------------
# Google Drive and Docs


def _drive_download(file_id: str, parts: UrlParts) -> Fix:
    fixed = f"https://drive.usercontent.google.com/download?id={quote(file_id, safe='')}&export=download&confirm=t"
    key = parts.param("resourcekey")
    if key:
        fixed += f"&resourcekey={quote(key, safe='')}"
    return Fix(
        fixed,
        "download the file itself (confirm=t skips the large-file virus-scan page)",
        safe=False,
    )


def _drive_without_confirm(parts: UrlParts) -> Diagnostic | None:
    """``uc?id=`` (or the usercontent download) without ``confirm=``: fine for small files."""
    seg = parts.segments
    download = (parts.host == "drive.google.com" and seg[:1] == ("uc",)) or (
        parts.host == "drive.usercontent.google.com" and seg[:1] == ("download",)
    )
    file_id = parts.param("id", case_sensitive=True)
    if not download or not file_id or parts.param("confirm", case_sensitive=True):
        return None
    return Diagnostic(
        "Google Drive download link without confirm=: for a file over about 100 MB Drive "
        "answers with an HTML virus-scan page, which MedPerf would save as the file (then "
        '"Hash mismatch" or "Cannot extract"); add confirm=t',
        _drive_download(file_id, parts),
        severity=Severity.WARNING,
    )


def _google_drive(_url: str, parts: UrlParts) -> Diagnostic | None:
    if parts.host == "drive.usercontent.google.com":
        return _drive_without_confirm(parts)
    if not parts.host_is("drive.google.com", "docs.google.com"):
        return None
    seg = parts.segments
    if "folders" in seg or seg[:1] == ("folderview",):
        return Diagnostic(
            "Google Drive folder link: a folder opens as a web page, but MedPerf needs one "
            "file: upload a .tar.gz and share that file"
        )
    if len(seg) >= 3 and seg[0] == "file" and seg[1] == "d":
        return Diagnostic(f"Google Drive file page: {_HTML}", _drive_download(seg[2], parts))
    if seg[:1] == ("open",) and parts.param("id"):
        return Diagnostic(
            f"Google Drive open?id= link opens the file page: {_HTML}",
            _drive_download(parts.param("id") or "", parts),
        )
    if parts.host == "docs.google.com" and len(seg) >= 3 and seg[1] == "d" and seg[2] != "e":
        return _google_doc(seg[0], seg[2], parts)
    return _drive_without_confirm(parts)


_EXPORTS = {"document": "docx", "spreadsheets": "csv", "presentation": "pptx"}


def _google_doc(kind: str, doc_id: str, parts: UrlParts) -> Diagnostic | None:
    export = _EXPORTS.get(kind)
    seg = parts.segments
    if export is None or (len(seg) >= 4 and seg[3] in ("export", "pub", "gviz")):
        return None
    fixed = f"https://docs.google.com/{kind}/d/{quote(doc_id, safe='')}/export?format={export}"
    gid = parts.param("gid") or _fragment_param(parts.fragment, "gid")
    if kind == "spreadsheets" and gid:
        fixed += f"&gid={quote(gid, safe='')}"
    key = parts.param("resourcekey")
    if key:
        fixed += f"&resourcekey={quote(key, safe='')}"
    return Diagnostic(
        f"Google {kind.rstrip('s').capitalize()} editor page: {_HTML}; note that a Google "
        "document is live: its export changes whenever someone edits it",
        Fix(fixed, f"export the document as {export} (tsv, xlsx, ods, pdf … work too)", safe=False),
    )


def _fragment_param(fragment: str, name: str) -> str | None:
    for item in fragment.split("&"):
        key, _, value = item.partition("=")
        if key == name and value:
            return value
    return None


# ---------------------------------------------------------------------------------------------
# Dropbox


def _dropbox(url: str, parts: UrlParts) -> Diagnostic | None:
    if parts.host not in ("dropbox.com", "www.dropbox.com"):
        return None
    seg = parts.segments
    if seg[:2] == ("scl", "fo") or seg[:1] == ("sh",):
        return Diagnostic(
            "Dropbox folder link: Dropbox serves a folder as a web page, or as a zip with dl=1, "
            "which MedPerf cannot extract as a tarball; share a single .tar.gz file"
        )
    if not (seg[:1] == ("s",) or seg[:2] == ("scl", "fi")):
        return None
    if parts.param("dl") == "1" or parts.param("raw") == "1":
        return None
    return Diagnostic(
        f"Dropbox link without dl=1 opens a preview page: {_HTML}",
        Fix(
            _with_dl1(url),
            "force the download with dl=1, keeping every other parameter",
            safe=True,
        ),
    )


def _with_dl1(url: str) -> str:
    """``url`` with ``dl=1`` set (and any ``raw``/``dl`` value replaced), encoding untouched."""
    split = urlsplit(url.strip())
    items = [i for i in split.query.split("&") if i]
    kept = [i for i in items if i.partition("=")[0].lower() not in ("dl", "raw")]
    return urlunsplit(split._replace(query="&".join([*kept, "dl=1"]), fragment=""))


# ---------------------------------------------------------------------------------------------
# Code and model hosts: Hugging Face, GitLab, Bitbucket


def _base(url: str) -> str:
    split = urlsplit(url.strip())
    return urlunsplit(split._replace(query="", fragment=""))


def _hugging_face(url: str, _parts: UrlParts) -> Diagnostic | None:
    hf = parse_huggingface_url(url)
    if hf is None or hf.action != "blob":
        return None
    return Diagnostic(
        f"huggingface.co/…/blob/… is the Hub's file page: {_HTML}",
        Fix(
            hf.with_action("resolve"),
            "link the file itself (/resolve/) at the same revision",
            safe=True,
        ),
    )


def _gitlab(url: str, parts: UrlParts) -> Diagnostic | None:
    seg = parts.segments
    if "-" not in seg:
        return None
    index = seg.index("-")
    action = seg[index + 1] if len(seg) > index + 1 else ""
    if action == "tree":
        return Diagnostic(
            "GitLab …/-/tree/… is a directory page, but MedPerf needs a file: pack the folder "
            "as a .tar.gz and link that file"
        )
    if action != "blob" or len(seg) < index + 4:
        return None
    base = _base(url)
    fixed = base.replace("/-/blob/", "/-/raw/", 1)
    return Diagnostic(
        f"GitLab …/-/blob/… is the file viewer: {_HTML}",
        Fix(fixed, "link the raw file (/-/raw/) at the same ref", safe=True),
    )


def _bitbucket(url: str, parts: UrlParts) -> Diagnostic | None:
    seg = parts.segments
    if not parts.host_is("bitbucket.org") or len(seg) < 3 or seg[2] != "src":
        return None
    if len(seg) < 5 or parts.path.endswith("/"):
        return Diagnostic(
            "Bitbucket …/src/… without a file is a directory page, but MedPerf needs a file"
        )
    prefix = f"/{seg[0]}/{seg[1]}/src/"
    base = _base(url)
    fixed = base.replace(prefix, f"/{seg[0]}/{seg[1]}/raw/", 1)
    return Diagnostic(
        f"Bitbucket …/src/… is the source viewer: {_HTML}",
        Fix(fixed, "link the raw file (/raw/) at the same commit", safe=True),
    )


# ---------------------------------------------------------------------------------------------
# Cloud storage consoles and consumer shares


def _gcs_console(url: str, parts: UrlParts) -> Diagnostic | None:
    if parts.host != "storage.cloud.google.com":
        return None
    split = urlsplit(url.strip())
    query = "&".join(
        i for i in split.query.split("&") if i and i.partition("=")[0].lower() != "authuser"
    )
    fixed = urlunsplit(("https", "storage.googleapis.com", split.path, query, ""))
    return Diagnostic(
        "storage.cloud.google.com is the Cloud Console's browser download, authenticated by a "
        "Google sign-in cookie; MedPerf would get a sign-in page",
        Fix(fixed, "the public object URL (only works if the object is public)", safe=False),
    )


def _onedrive(_url: str, parts: UrlParts) -> Diagnostic | None:
    if not parts.host_is("onedrive.live.com", "sharepoint.com", "1drv.ms"):
        return None
    return Diagnostic(
        "OneDrive/SharePoint links open a web page and have no reliable anonymous direct-download "
        f"form (sharing links often expire by policy too); {_REHOST}"
    )


def _box(_url: str, parts: UrlParts) -> Diagnostic | None:
    seg = parts.segments
    if not parts.host_is("box.com") or not seg or seg[0] not in ("s", "v", "file", "folder"):
        return None
    if seg[0] in ("s", "v"):
        kind = "vanity link" if seg[0] == "v" else "shared-link page"
        return Diagnostic(
            f"Box {kind}: {_HTML}; on some plans the direct form "
            "https://app.box.com/shared/static/HASH.EXT exists (the link's download_url), "
            f"otherwise {_REHOST}"
        )
    return Diagnostic(f"Box {seg[0]} page (needs a Box sign-in): {_HTML}; {_REHOST}")


def _aws_console(_url: str, parts: UrlParts) -> Diagnostic | None:
    seg = parts.segments
    if not parts.host_is("console.aws.amazon.com") or seg[:1] != ("s3",):
        return None
    page = "the AWS console (needs an AWS sign-in)"
    bucket = seg[2] if len(seg) >= 3 and seg[1] in ("object", "buckets") else None
    key = parts.param("prefix")
    if seg[1:2] != ("object",) or bucket is None or not key:
        return Diagnostic(f"S3 bucket or folder page in {page}: {_HTML}; link one object")
    region = parts.param("region")
    host = f"{bucket}.s3.{region}.amazonaws.com" if region else f"{bucket}.s3.amazonaws.com"
    fixed = f"https://{host}/{quote(key, safe='/-._~')}"
    return Diagnostic(
        f"S3 object page in {page}: {_HTML}",
        Fix(fixed, "the object URL (only works if the object is public)", safe=False),
    )


def _cloud_consoles(_url: str, parts: UrlParts) -> Diagnostic | None:
    seg = parts.segments
    if parts.host == "console.cloud.google.com" and seg[:2] == ("storage", "browser"):
        if seg[2:3] == ("_details",) and len(seg) >= 5:
            fixed = "https://storage.googleapis.com/" + "/".join(seg[3:])
            return Diagnostic(
                "Google Cloud console object page (needs a Google sign-in): " + _HTML,
                Fix(
                    fixed, "the public object URL (only works if the object is public)", safe=False
                ),
            )
        return Diagnostic(f"Google Cloud console bucket page: {_HTML}; link one object")
    if parts.host_is("portal.azure.com"):
        return Diagnostic(
            "Azure portal page (needs an Azure sign-in): "
            f"{_HTML}; link the blob: https://ACCOUNT.blob.core.windows.net/CONTAINER/BLOB"
        )
    return None


_CHECKERS = (
    _google_drive,
    _dropbox,
    _hugging_face,
    _gitlab,
    _bitbucket,
    _gcs_console,
    _onedrive,
    _box,
    _aws_console,
    _cloud_consoles,
)
