"""The URL answers with a web page, not the file: MedPerf would download HTML.

Checked online from the final response of the URL's redirect chain:

- `Content-Type: text/html` or `application/xhtml+xml`;
- a redirect that lands on a sign-in page (accounts.google.com, `/login`, `/signin`, …), which
  is where private share links send an anonymous visitor;
- the Google Drive virus-scan warning page (`<form id="download-form">`), served instead of
  large files; the fix is the `drive.usercontent.google.com/download?id=…&export=download&confirm=t`
  form, which skips it;
- a Google Drive error page (`uc-error-subcaption`: download quota exceeded, not shared).

MedPerf accepts the URL, downloads the page with status 200, and fails later with "Hash
mismatch" or "Cannot extract". `docs_url` is skipped: it is a page for humans.

The fix, for Google Drive only: the drive.usercontent.google.com download URL of the same file ID, a
rewrite that rests on Drive's current URL scheme.
"""

from __future__ import annotations

from collections.abc import Iterator

from medperf_lint.findings import Fix, FixAvailability, Severity
from medperf_lint.refs.references import Reference
from medperf_lint.refs.urls import split_url
from medperf_lint.rule import Diagnostic, Need, RuleContext

from ._probe import landed, probe_for

CODE = "MPL401"
NAME = "not-direct-download"
SEVERITY = Severity.ERROR
FIX = FixAvailability.UNSAFE
NEEDS = frozenset({Need.HTTP})

EXAMPLE_FAILING = """\
# model.medperf.yaml
name: chestxray-model
additional_files_tarball_url: https://zenodo.org/records/1234567
additional_files_tarball_hash: 71faabd59139bee698010a0ae3a69e16d97bc4f2dde799d9e187b94ff9157c00
"""
EXAMPLE_PASSING = """\
# model.medperf.yaml
name: chestxray-model
additional_files_tarball_url: https://zenodo.org/records/1234567/files/weights.tar.gz?download=1
additional_files_tarball_hash: 71faabd59139bee698010a0ae3a69e16d97bc4f2dde799d9e187b94ff9157c00
"""

_HTML = "MedPerf would download this HTML instead of the file"


def check(ref: Reference, ctx: RuleContext) -> Iterator[Diagnostic]:
    if ref.download_url is None:
        return
    probe = probe_for(ref, ctx)
    if probe is None or not probe.ok_status or probe.inconclusive:
        return
    from medperf_lint.facts.probe import HTML_TYPES  # loaded by online runs only

    where = landed(probe)
    if probe.page == "drive-confirm":
        yield Diagnostic(
            f"Google Drive answers with its virus-scan warning page{where}, not the file; {_HTML}",
            _drive_fix(probe.url, probe.final_url),
        )
    elif probe.page == "drive-error":
        reason = f': "{probe.page_detail}"' if probe.page_detail else ""
        yield Diagnostic(
            f"Google Drive answers with an error page{reason}{where}; {_HTML}. Share the file "
            "with 'Anyone with the link', or re-host it on Zenodo or Hugging Face"
        )
    elif probe.page == "sign-in":
        yield Diagnostic(
            f"the URL redirects to a sign-in page ({probe.final_url}): the file is not public "
            f"to an anonymous download; {_HTML}"
        )
    elif probe.media_type in HTML_TYPES:
        yield Diagnostic(
            f"the URL serves a web page (Content-Type: {probe.media_type}){where}, not a file; "
            f"{_HTML}. Link the file's direct download URL"
        )


def _drive_fix(url: str, final_url: str) -> Fix | None:
    from medperf_lint.refs.sniff import drive_download_url, drive_file_id

    file_id = drive_file_id(url) or drive_file_id(final_url)
    if file_id is None:
        return None
    parts = split_url(url)
    key = parts.param("resourcekey", case_sensitive=True) if parts else None
    return Fix(
        drive_download_url(file_id, key),
        "download the file itself (confirm=t skips the virus-scan page)",
        safe=False,
    )
