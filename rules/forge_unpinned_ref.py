"""A GitLab, Bitbucket, Gitea/Codeberg or Hugging Face file URL on a branch or tag, not a commit.

Like github-unpinned-ref, for the other forges: MedPerf downloads the file again on other
machines and compares it with the hash recorded at submission, so when the branch moves every
later download fails with "Hash mismatch". Only a full 40-hex commit SHA (64-hex on SHA-256
repositories) is a pin; a short SHA is ambiguous. Shapes covered:

- GitLab (any host): `…/-/raw/REF/PATH` and source archives `…/-/archive/REF/NAME`.
- Bitbucket Cloud: `bitbucket.org/WS/REPO/raw/REF/PATH` and `…/get/REF.tar.gz`.
- Gitea, Forgejo and Codeberg: `…/raw/branch/NAME/PATH` and `…/raw/tag/NAME/PATH`
  (`…/raw/commit/SHA/PATH` is pinned).
- Hugging Face: `…/resolve/REV/PATH` and `…/raw/REV/PATH` where REV is a branch, tag or
  `refs%2Fpr%2F1`; the `X-Repo-Commit` response header names the commit.

Viewer pages (`/-/blob/`, `/src/`, `/blob/`) are viewer-page-url's job; once fixed to the raw
form, this rule asks for the pin. `docs_url` is skipped.

Finding the commit needs each forge's API, which medperf-lint does not call, so there is no fix.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from medperf_lint.findings import FixAvailability, Severity
from medperf_lint.refs.forges import parse_forge_file
from medperf_lint.refs.references import Reference
from medperf_lint.rule import Diagnostic, RuleContext

from ._url_text import download_parts

CODE = "MPL106"
NAME = "forge-unpinned-ref"
SEVERITY = Severity.ERROR
FIX = FixAvailability.NONE

EXAMPLE_FAILING = """\
# model.medperf.yaml
name: fets-model
additional_files_tarball_url: https://gitlab.com/fets/model/-/raw/main/weights.tar.gz
additional_files_tarball_hash: bff003e244759c3d7c8b9784af0819c7f252da8626745671ccf7f46b8f19a0ca
"""
EXAMPLE_PASSING = """\
# model.medperf.yaml
name: fets-model
additional_files_tarball_url: https://gitlab.com/fets/model/-/raw/99b0d84bc107415d9fc6f69c4ea3fcdfbf22315d/weights.tar.gz
additional_files_tarball_hash: bff003e244759c3d7c8b9784af0819c7f252da8626745671ccf7f46b8f19a0ca
"""

_FULL_SHA = re.compile(r"^(?:[0-9a-fA-F]{40}|[0-9a-fA-F]{64})$")
_SHORT_SHA = re.compile(r"^[0-9a-fA-F]{7,39}$")


def check(ref: Reference, _ctx: RuleContext) -> Iterator[Diagnostic]:
    found = download_parts(ref)
    if found is None:
        return
    forge = parse_forge_file(found[0])
    if forge is None or _FULL_SHA.match(forge.ref):
        return
    if forge.ref_kind == "commit":
        why = f"commit {forge.ref!r} is a short SHA: short SHAs are ambiguous and not a pin"
    elif forge.ref_kind in ("branch", "tag"):
        moves = "moves with every push" if forge.ref_kind == "branch" else "can be moved"
        why = f"{forge.ref_kind} {forge.ref!r} {moves}"
    elif _SHORT_SHA.match(forge.ref) and any(c.isdigit() for c in forge.ref):
        why = f"ref {forge.ref!r} looks like a short commit SHA: short SHAs are ambiguous"
    else:
        why = (
            f"ref {forge.ref!r} is a branch or tag name, which can point at another commit tomorrow"
        )
    hint = (
        " (the X-Repo-Commit response header of the URL names it)"
        if forge.forge == "Hugging Face"
        else ""
    )
    yield Diagnostic(f"{forge.forge} {why}; replace it with the full commit SHA{hint}")
