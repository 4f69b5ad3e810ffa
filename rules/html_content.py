"""The headers promise a file, but the first bytes are a page, an error or a Git LFS pointer.

The prober reads the first 8 KiB of the body with a ranged GET and sniffs it:

- an HTML page sent as `application/octet-stream` (share links, soft-404 pages);
- an S3, GCS or Azure XML error document (`<Error><Code>AccessDenied</Code>`), quoted;
- a JSON API error (`{"error": …}`);
- a Git LFS pointer (`version https://git-lfs.github.com/spec/v1`): raw.githubusercontent.com
  serves the pointer of an LFS-tracked file; the fix is the
  `media.githubusercontent.com/media/OWNER/REPO/REF/PATH` form, which serves the file.

MedPerf would save these bytes as the file and fail on its hash or on extraction.
`docs_url` is skipped.

The fix turns a Git LFS pointer on raw.githubusercontent.com into the media.githubusercontent.com
URL of the same file at the same ref.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace

from medperf_lint.findings import Fix, FixAvailability, Severity
from medperf_lint.refs.hosts import parse_github_url
from medperf_lint.refs.references import Reference
from medperf_lint.rule import Diagnostic, Need, RuleContext

from ._probe import landed, probe_for

CODE = "MPL402"
NAME = "html-content"
SEVERITY = Severity.ERROR
FIX = FixAvailability.SAFE
NEEDS = frozenset({Need.HTTP})

EXAMPLE_FAILING = """\
# model.medperf.yaml
name: chestxray-model
additional_files_tarball_url: https://raw.githubusercontent.com/mlcommons/medperf/99b0d84bc107415d9fc6f69c4ea3fcdfbf22315d/weights.tar.gz
additional_files_tarball_hash: 71faabd59139bee698010a0ae3a69e16d97bc4f2dde799d9e187b94ff9157c00
"""
EXAMPLE_PASSING = """\
# model.medperf.yaml
name: chestxray-model
additional_files_tarball_url: https://media.githubusercontent.com/media/mlcommons/medperf/99b0d84bc107415d9fc6f69c4ea3fcdfbf22315d/weights.tar.gz
additional_files_tarball_hash: 71faabd59139bee698010a0ae3a69e16d97bc4f2dde799d9e187b94ff9157c00
"""

_SAVED = "MedPerf would save these bytes as the file"


def check(ref: Reference, ctx: RuleContext) -> Iterator[Diagnostic]:
    if ref.download_url is None:
        return
    probe = probe_for(ref, ctx)
    if probe is None or not probe.ok_status or probe.inconclusive or probe.page is not None:
        return
    from medperf_lint.facts.probe import HTML_TYPES  # loaded by online runs only

    if probe.media_type in HTML_TYPES:
        return  # not-direct-download reports pages that say what they are
    claimed = f"Content-Type: {probe.media_type}" if probe.media_type else "no Content-Type"
    where = landed(probe)
    if probe.sniffed == "html":
        yield Diagnostic(
            f"the server claims a file ({claimed}){where} but the first bytes are an HTML page; {_SAVED}"
        )
    elif probe.sniffed == "xml-error":
        code = probe.sniff_detail or "unknown"
        yield Diagnostic(
            f"the first bytes are a storage-service XML error document, <Code>{code}</Code> "
            f"({claimed}){where}; {_SAVED}"
        )
    elif probe.sniffed == "json-error":
        said = f': "{probe.sniff_detail}"' if probe.sniff_detail else ""
        yield Diagnostic(f"the first bytes are a JSON API error{said} ({claimed}){where}; {_SAVED}")
    elif probe.sniffed == "lfs-pointer":
        about = f" ({probe.sniff_detail})" if probe.sniff_detail else ""
        yield Diagnostic(
            f"the URL serves a Git LFS pointer{about}{where}, not the file it stands for; {_SAVED}",
            _media_fix(probe.url) or _media_fix(probe.final_url),
        )


def _media_fix(url: str) -> Fix | None:
    gh = parse_github_url(url)
    if gh is None or gh.ref is None or gh.kind not in ("raw", "raw-redirect", "blob"):
        return None
    fixed = replace(gh, kind="media").with_ref(gh.ref)
    return Fix(fixed, "media.githubusercontent.com serves the LFS file itself", safe=True)
