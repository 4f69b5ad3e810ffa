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
- GitLab release links `…/-/releases/TAG/downloads/PATH`: GitLab has no immutable releases, so
  the tag can move and the link can be edited; no fix, host the file at a commit-pinned URL.

Viewer pages (`/-/blob/`, `/src/`, `/blob/`) are viewer-page-url's job; once fixed to the raw
form, this rule asks for the pin. `docs_url` is skipped.

Offline the rule names the ref to replace. Online it asks the forge which commit the branch or
tag points at now and offers the same URL pinned to it: Hugging Face from the probe's own
`X-Repo-Commit` answer (no extra call; else `/api/models/REPO/revision/REV`), GitLab on
gitlab.com and the `gitlab-hosts` instances (`/api/v4/projects/ID/repository/commits/REF`),
Bitbucket Cloud (`/2.0/repositories/WS/REPO/commit/REF`), Codeberg and the `gitea-hosts`
instances (`/api/v1/repos/O/R/git/commits/REF`). A forge that cannot answer (401, 404, 429)
leaves the finding without a fix and `inconclusive` says why.

The fix, online only: the same file at the commit the branch or tag points to today (safe); for
a source archive (`/-/archive/`, Bitbucket `/get/`) it is unsafe, since the archive's top folder
may be named after the ref, so its bytes (and hash) can change with the pin.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from medperf_lint.findings import Fix, FixAvailability, Severity
from medperf_lint.refs.forges import ForgeFile, forge_key, parse_forge_file
from medperf_lint.refs.references import Reference
from medperf_lint.rule import Diagnostic, Need, RuleContext

from ._url_text import download_parts, with_prefix

CODE = "MPL106"
NAME = "forge-unpinned-ref"
SEVERITY = Severity.ERROR
FIX = FixAvailability.SAFE_OR_UNSAFE
WANTS = frozenset({Need.FORGES})

EXAMPLE_FAILING = """\
# weights.yaml
gitlab: https://gitlab.com/fets/model/-/raw/main/weights.tar.gz
bitbucket: https://bitbucket.org/fets/model/raw/main/weights.tar.gz
codeberg: https://codeberg.org/fets/model/raw/branch/main/weights.tar.gz
huggingface: https://huggingface.co/fets/model/resolve/main/weights.tar.gz
"""
EXAMPLE_PASSING = """\
# weights.yaml
gitlab: https://gitlab.com/fets/model/-/raw/99b0d84bc107415d9fc6f69c4ea3fcdfbf22315d/weights.tar.gz
bitbucket: https://bitbucket.org/fets/model/raw/99b0d84bc107415d9fc6f69c4ea3fcdfbf22315d/weights.tar.gz
codeberg: https://codeberg.org/fets/model/raw/commit/99b0d84bc107415d9fc6f69c4ea3fcdfbf22315d/weights.tar.gz
huggingface: https://huggingface.co/fets/model/resolve/99b0d84bc107415d9fc6f69c4ea3fcdfbf22315d/weights.tar.gz
"""

_FULL_SHA = re.compile(r"^(?:[0-9a-fA-F]{40}|[0-9a-fA-F]{64})$")
_SHORT_SHA = re.compile(r"^[0-9a-fA-F]{7,39}$")


def check(ref: Reference, ctx: RuleContext) -> Iterator[Diagnostic]:
    found = download_parts(ref)
    if found is None:
        return
    forge = parse_forge_file(found[0])
    if forge is None or _FULL_SHA.match(forge.ref):
        return
    if forge.ref_kind == "release":
        yield Diagnostic(
            f"GitLab release link of tag {forge.ref!r}: GitLab releases cannot be made "
            "immutable, so the tag can move and the link can be edited to serve another file; "
            "commit the file and link it at a commit (…/-/raw/SHA/PATH)"
        )
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
    yield Diagnostic(
        f"{forge.forge} {why}; replace it with the full commit SHA{hint}", _fix(forge, ref, ctx)
    )


def _fix(forge: ForgeFile, ref: Reference, ctx: RuleContext) -> Fix | None:
    """Online: the same URL at the commit the forge says the ref points at now."""
    if ctx.network is None:
        return None
    key = forge_key(forge, ctx.settings.gitlab_hosts, ctx.settings.gitea_hosts)
    lookup = ctx.network.forges.get(key) if key is not None else None
    sha = lookup.sha if lookup is not None else None
    if sha is None or not _FULL_SHA.match(sha):
        return None
    sha = sha.lower()
    what = f"pin to commit {sha}, which {forge.ref} points at now"
    if forge.archive:
        what += " (the archive's top folder may be named after the ref: check its hash)"
    return Fix(with_prefix(ref, forge.pinned_url(sha)), what, safe=not forge.archive)
