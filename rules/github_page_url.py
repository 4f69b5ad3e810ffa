"""A GitHub web page (blob viewer, folder or gist page) where MedPerf needs the file itself.

`github.com/o/r/blob/REF/PATH` answers 200 with an HTML viewer, so MedPerf downloads the page,
hashes it and fails later with "Hash mismatch" or "Cannot extract tar.gz file". The same file
is served raw at `raw.githubusercontent.com/o/r/REF/PATH` (the fix drops `?plain=1` and `#L10`
fragments). Online, when REF is a branch or tag, the fix goes straight to the raw URL at the
commit REF points at now, so one `--fix` run gives a pinned URL; offline it keeps REF, and
github-unpinned-ref then asks for the pin. `/tree/` is a folder page: MedPerf downloads one file, so pack
the folder as a tarball. `gist.github.com/USER/ID` is the gist's HTML page. `docs_url` is
skipped: it is a page for humans.

The fix, the raw file at the same ref, serves the bytes the page shows.
"""

from __future__ import annotations

from collections.abc import Iterator

from medperf_lint.findings import Fix, FixAvailability, Severity
from medperf_lint.refs.hosts import github_ref_key, is_full_sha, parse_github_url
from medperf_lint.refs.references import DIRECT_PREFIX, Reference
from medperf_lint.refs.urls import split_url
from medperf_lint.rule import Diagnostic, Need, RuleContext

CODE = "MPL102"
NAME = "github-page-url"
SEVERITY = Severity.ERROR
FIX = FixAvailability.SAFE
WANTS = frozenset({Need.GITHUB})  # to pin a blob page's branch in the same fix

EXAMPLE_FAILING = """\
# model.medperf.yaml
name: chestxray-model
git_mlcube_url: https://github.com/mlcommons/medperf/blob/99b0d84bc107415d9fc6f69c4ea3fcdfbf22315d/mlcube.yaml
mlcube_hash: 71faabd59139bee698010a0ae3a69e16d97bc4f2dde799d9e187b94ff9157c00
"""
EXAMPLE_PASSING = """\
# model.medperf.yaml
name: chestxray-model
git_mlcube_url: https://raw.githubusercontent.com/mlcommons/medperf/99b0d84bc107415d9fc6f69c4ea3fcdfbf22315d/mlcube.yaml
mlcube_hash: 71faabd59139bee698010a0ae3a69e16d97bc4f2dde799d9e187b94ff9157c00
"""

_TRUE = ("true", "1")


def check(ref: Reference, ctx: RuleContext) -> Iterator[Diagnostic]:
    url = ref.download_url
    if url is None:
        return
    parts = split_url(url)
    if parts is None:
        return
    if parts.host_is("gist.github.com"):
        if _is_gist_page(parts.segments):
            yield Diagnostic(
                "gist.github.com/USER/ID is the gist's HTML page; link one file's raw URL pinned "
                "to a revision: gist.githubusercontent.com/USER/ID/raw/REVISION/FILE"
            )
        return
    gh = parse_github_url(url)
    if gh is None:
        return
    if gh.kind == "blob":
        if (parts.param("raw") or "").lower() in _TRUE:
            return  # ?raw=true redirects to raw.githubusercontent.com
        prefix = DIRECT_PREFIX if ref.raw.startswith(DIRECT_PREFIX) else ""
        sha = None if gh.pinned else _commit(url, ctx)
        pin = ""
        if sha is not None:
            fix = Fix(
                prefix + gh.raw_url(sha),
                f"the raw file at commit {sha}, which {gh.ref} points at now",
                safe=True,
            )
        else:
            fix = Fix(prefix + gh.raw_url(), "link the raw file at the same ref", safe=True)
            if not gh.pinned:
                pin = f"; {gh.ref} is not a commit SHA, so pin the raw URL to one too"
        yield Diagnostic(
            "github.com/…/blob/… is GitHub's HTML file viewer, so MedPerf would download a web "
            f"page; use the raw.githubusercontent.com URL of the same file{pin}",
            fix,
        )
    elif gh.kind == "tree":
        yield Diagnostic(
            "github.com/…/tree/… is a directory page, but MedPerf needs a file: pack the folder "
            "as a .tar.gz (e.g. a release asset) and link that file"
        )


def _commit(url: str, ctx: RuleContext) -> str | None:
    """The commit a blob page's branch or tag points at, when GitHub facts were gathered."""
    key = github_ref_key(url)
    if ctx.network is None or key is None:
        return None
    sha = getattr(ctx.network.github.get(key), "sha", None)
    return sha.lower() if isinstance(sha, str) and is_full_sha(sha) else None


def _is_gist_page(segments: tuple[str, ...]) -> bool:
    """``/ID``, ``/USER/ID``, ``/USER/ID/REVISION`` or ``/USER/ID/revisions``; not raw/archive."""
    if not segments or len(segments) > 3:
        return False
    if any(s in ("raw", "archive", "download") for s in segments):
        return False
    return not segments[-1].endswith((".js", ".git", ".json"))
