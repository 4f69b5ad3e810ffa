"""A data-repository landing page or Synapse web page where MedPerf needs the file itself.

Researchers copy the address bar of the page that describes their data or weights. These
pages answer 200 with HTML, so MedPerf downloads the page, and the submission fails later with
"Hash mismatch" or "Cannot extract tar.gz file". Where the file URL follows from the page URL
the fix gives it:

- Synapse `www.synapse.org/#!Synapse:syn123`, `…/Synapse:syn123/files/`, `…/Synapse:syn123.4`
  → `synapse:syn123`, the form MedPerf downloads through the Synapse client (it takes no
  version: MedPerf fetches the current one).
- Zenodo record pages (`zenodo.org/records/ID` without `/files/NAME`, old `/record/ID`,
  `/api/records/ID` metadata) → link `zenodo.org/records/ID/files/NAME?download=1`;
  a preview page `…/records/ID/preview/NAME` is fixed to exactly that.
- Dataverse `file.xhtml?fileId=N` / `?persistentId=…` → `/api/access/datafile/N` (or
  `:persistentId?persistentId=…`); `dataset.xhtml` is a dataset page.
- PhysioNet `physionet.org/content/NAME/VERSION/PATH` → `physionet.org/files/NAME/VERSION/PATH`.
- Pages with no file URL to derive: figshare articles, OSF project and file pages, Mendeley
  Data, Kaggle (downloads need an account and API token), TCIA (downloads go through the NBIA
  Data Retriever), OpenNeuro, Grand Challenge, and Hugging Face repository and folder pages.

`docs_url` is skipped: it is a page for people.

Safe fixes: a Synapse link without a version, a Zenodo preview page and a PhysioNet content page
(the same file). Unsafe: a Synapse link with a version (MedPerf takes the current one) and Dataverse
(tabular files are served in their ingested form).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from urllib.parse import quote

from medperf_lint.findings import Fix, FixAvailability, Severity
from medperf_lint.refs.references import Reference
from medperf_lint.refs.urls import UrlParts
from medperf_lint.rule import Diagnostic, RuleContext

from ._url_text import download_parts, with_prefix

CODE = "MPL107"
NAME = "landing-page-url"
SEVERITY = Severity.ERROR
FIX = FixAvailability.SAFE_OR_UNSAFE

EXAMPLE_FAILING = """\
# benchmark.medperf.yaml
name: chestxray-benchmark
demo_dataset_tarball_url: https://zenodo.org/records/7654321
demo_dataset_tarball_hash: 71faabd59139bee698010a0ae3a69e16d97bc4f2dde799d9e187b94ff9157c00
"""
EXAMPLE_PASSING = """\
# benchmark.medperf.yaml
name: chestxray-benchmark
demo_dataset_tarball_url: https://zenodo.org/records/7654321/files/demo.tar.gz?download=1
demo_dataset_tarball_hash: 71faabd59139bee698010a0ae3a69e16d97bc4f2dde799d9e187b94ff9157c00
"""

_HTML = "MedPerf would download the web page, not the file"
_SYNAPSE_ID = re.compile(r"^!?Synapse:(syn\d+)(?:\.(\d+))?(?:[/?].*)?$", re.IGNORECASE)


def check(ref: Reference, _ctx: RuleContext) -> Iterator[Diagnostic]:
    found = download_parts(ref)
    if found is None:
        return
    _url, parts = found
    for checker in _CHECKERS:
        diagnostic = checker(parts)
        if diagnostic is not None:
            fix = diagnostic.fix
            if fix is not None and not fix.replacement.startswith("synapse:"):
                fix = Fix(with_prefix(ref, fix.replacement), fix.description, safe=fix.safe)
            yield Diagnostic(diagnostic.message, fix)
            return


def _synapse(parts: UrlParts) -> Diagnostic | None:
    if not parts.host_is("synapse.org"):
        return None
    candidates = [parts.fragment, *parts.segments[:1]]
    for text in candidates:
        match = _SYNAPSE_ID.match(text)
        if match:
            ident, version = match.group(1).lower(), match.group(2)
            note = (
                f"; MedPerf's synapse: reference takes no version, so it downloads the current "
                f"one, not version {version}"
                if version
                else ""
            )
            return Diagnostic(
                f"Synapse web page: {_HTML}; MedPerf downloads Synapse files by ID{note}",
                # Safe without a version (the same File); with one, MedPerf takes the current one.
                Fix(
                    f"synapse:{ident}", "the Synapse ID in the form MedPerf takes", safe=not version
                ),
            )
    return Diagnostic(f"Synapse web page: {_HTML}; use synapse:synN with the file's ID")


def _zenodo(parts: UrlParts) -> Diagnostic | None:
    if not parts.host_is("zenodo.org"):
        return None
    seg = parts.segments
    if seg[:1] == ("api",):
        seg = seg[1:]
        if seg[:1] == ("records",) and len(seg) == 2:
            return Diagnostic(
                "Zenodo API record URL: it answers with the record's JSON metadata, not a file; "
                "link zenodo.org/records/ID/files/NAME?download=1"
            )
        return None
    if seg[:1] not in (("records",), ("record",)) or len(seg) < 2 or not seg[1].isdigit():
        return None
    if len(seg) >= 4 and seg[2] == "preview":
        name = "/".join(seg[3:])
        fixed = f"https://zenodo.org/records/{seg[1]}/files/{name}?download=1"
        return Diagnostic(
            f"Zenodo file preview page: {_HTML}", Fix(fixed, "download the same file", safe=True)
        )
    if len(seg) == 2:
        return Diagnostic(
            f"Zenodo record page: {_HTML}; link one file of the record: "
            f"https://zenodo.org/records/{seg[1]}/files/NAME?download=1"
        )
    return None


def _dataverse(parts: UrlParts) -> Diagnostic | None:
    page = parts.segments[-1:] if parts.segments else ()
    if page == ("dataset.xhtml",):
        return Diagnostic(
            f"Dataverse dataset page: {_HTML}; link one file: "
            f"https://{parts.host}/api/access/datafile/FILE_ID"
        )
    if page != ("file.xhtml",):
        return None
    file_id, pid = parts.param("fileId"), parts.param("persistentId")
    base = f"https://{parts.host}" + (f":{parts.port}" if parts.port else "")
    fix: Fix | None = None
    if file_id and file_id.isdigit():
        # Unsafe: tabular files are served in their ingested .tab form, not as uploaded.
        fix = Fix(
            f"{base}/api/access/datafile/{file_id}",
            "the Data Access API URL of the file",
            safe=False,
        )
    elif pid:
        fixed = f"{base}/api/access/datafile/:persistentId?persistentId={quote(pid, safe=':/')}"
        fix = Fix(fixed, "the Data Access API URL of the file", safe=False)
    return Diagnostic(f"Dataverse file page: {_HTML}", fix)


def _physionet(parts: UrlParts) -> Diagnostic | None:
    seg = parts.segments
    if not parts.host_is("physionet.org") or seg[:1] != ("content",) or len(seg) < 3:
        return None
    if len(seg) > 3 and not parts.path.endswith("/"):
        fixed = "https://physionet.org/files/" + "/".join(seg[1:])
        return Diagnostic(
            f"PhysioNet file page: {_HTML}",
            Fix(fixed, "the file itself (credentialed projects still need a login)", safe=True),
        )
    return Diagnostic(
        f"PhysioNet project page: {_HTML}; link a file under "
        f"https://physionet.org/files/{seg[1]}/{seg[2]}/"
    )


def _figshare(parts: UrlParts) -> Diagnostic | None:
    seg = parts.segments
    if not parts.host_is("figshare.com") or seg[:1] not in (("articles",), ("s",)):
        return None
    return Diagnostic(
        f"figshare article page: {_HTML}; link the file: "
        "https://ndownloader.figshare.com/files/FILE_ID (the file's download button)"
    )


_OSF_GUID = re.compile(r"^[a-z0-9]{5}$")


def _osf(parts: UrlParts) -> Diagnostic | None:
    seg = parts.segments
    if not parts.host_is("osf.io") or not seg or not _OSF_GUID.match(seg[0]):
        return None
    if len(seg) == 1 or seg[1] in ("files", "wiki", "overview"):
        return Diagnostic(
            f"OSF page: {_HTML}; link a file's download URL pinned to a version: "
            "https://osf.io/FILE_GUID/download?version=N"
        )
    return None


_NO_FILE_URL: tuple[tuple[tuple[str, ...], tuple[str, ...] | None, str], ...] = (
    (("data.mendeley.com",), ("datasets",), "Mendeley Data dataset page"),
    (
        ("kaggle.com",),
        None,
        "Kaggle page (Kaggle downloads need an account and an API token, so MedPerf cannot "
        "fetch them anonymously; re-host the file)",
    ),
    (
        ("cancerimagingarchive.net",),
        None,
        "TCIA page (TCIA data is downloaded with the NBIA Data Retriever, not by URL; "
        "re-host a derived .tar.gz where the licence allows)",
    ),
    (("openneuro.org",), ("datasets",), "OpenNeuro dataset page"),
    (("grand-challenge.org",), None, "Grand Challenge page"),
)


def _no_file_url(parts: UrlParts) -> Diagnostic | None:
    for hosts, first, what in _NO_FILE_URL:
        if parts.host_is(*hosts) and (first is None or parts.segments[:1] == first):
            return Diagnostic(f"{what}: {_HTML}; link the file itself")
    return None


_HF_SITE_PAGES = frozenset({"docs", "blog", "api", "settings", "login", "join", "models", "papers"})


def _hugging_face_repo(parts: UrlParts) -> Diagnostic | None:
    if parts.host not in ("huggingface.co", "www.huggingface.co", "hf.co"):
        return None
    seg = parts.segments
    if seg[:1] in (("datasets",), ("spaces",)):
        seg = seg[1:]
    elif seg[:1] and seg[0] in _HF_SITE_PAGES:
        return None
    if len(seg) == 2 or (len(seg) >= 3 and seg[2] == "tree"):
        return Diagnostic(
            f"Hugging Face repository page: {_HTML}; link one file: "
            "https://huggingface.co/REPO/resolve/COMMIT_SHA/FILE"
        )
    return None


_CHECKERS: tuple[Callable[[UrlParts], Diagnostic | None], ...] = (
    _synapse,
    _zenodo,
    _dataverse,
    _physionet,
    _figshare,
    _osf,
    _no_file_url,
    _hugging_face_repo,
)
