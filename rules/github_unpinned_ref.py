"""A GitHub file URL whose ref is not a full commit SHA, so the bytes behind it can change.

MedPerf downloads the file again on other machines and compares it with the hash recorded at
submission: when a branch moves, a tag is re-pointed or a release asset is replaced, every later
download fails with "Hash mismatch". GitHub's own permalink advice is to replace the branch with
a commit ID; only a full 40-hex SHA is permanent (a short SHA is ambiguous, `refs/heads/x` is a
branch, `releases/latest` follows the newest release). This covers `raw.githubusercontent.com`,
`github.com/…/raw/…`, `media.githubusercontent.com` (LFS), source archives (also
`codeload.github.com/o/r/tar.gz/REF`), release downloads and gist raw URLs; `blob`/`tree` pages are github-page-url's job.

Offline the rule cannot know the commit, so it says which ref to replace. Online (when GitHub
facts were gathered) it offers the exact URL rewritten to the commit the ref points at now.
`docs_url` is skipped: a page for humans, never downloaded or hashed.

A release asset (`releases/download/TAG/ASSET`) has no commit to pin to: it is permanent only
when the release is an Immutable Release (its tag cannot move, its assets cannot be replaced).
Online the release is looked up (`GET /repos/O/R/releases/tags/TAG`, one call, cached for 7 days
once immutable): an immutable release passes; a mutable one stays an error; a tag without a
release, or a release without that asset, is an error. Offline it stays an error, since only the
API can tell an immutable release. (Gitea/Codeberg and Hugging Face have no immutable releases;
GitLab release links are `forge-unpinned-ref`'s.)

The fix, online only: the same file at the commit the branch or tag points to today. A release
asset has none: make the release immutable (enable release immutability in the repository's
settings, then publish a new release: an existing release does not become immutable) or link
the file at a commit (raw.githubusercontent.com/O/R/SHA/PATH).
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from medperf_lint.findings import Fix, FixAvailability, Severity
from medperf_lint.refs.hosts import (
    GitHubUrl,
    github_ref_key,
    github_release_key,
    is_full_sha,
    parse_github_url,
)
from medperf_lint.refs.references import DIRECT_PREFIX, Reference
from medperf_lint.rule import Diagnostic, Need, RuleContext

CODE = "MPL101"
NAME = "github-unpinned-ref"
SEVERITY = Severity.ERROR
FIX = FixAvailability.SAFE
WANTS = frozenset({Need.GITHUB})

EXAMPLE_FAILING = """\
# model.medperf.yaml
name: chestxray-model
additional_files_tarball_url: https://raw.githubusercontent.com/mlcommons/medperf/main/weights.tar.gz
additional_files_tarball_hash: 71faabd59139bee698010a0ae3a69e16d97bc4f2dde799d9e187b94ff9157c00
"""
EXAMPLE_PASSING = """\
# model.medperf.yaml
name: chestxray-model
additional_files_tarball_url: https://raw.githubusercontent.com/mlcommons/medperf/99b0d84bc107415d9fc6f69c4ea3fcdfbf22315d/weights.tar.gz
additional_files_tarball_hash: 71faabd59139bee698010a0ae3a69e16d97bc4f2dde799d9e187b94ff9157c00
"""

_CHECKED = frozenset({"raw", "raw-redirect", "media", "archive", "gist-raw", "release", "codeload"})
_SHORT_SHA = re.compile(r"^[0-9a-fA-F]{7,39}$")


def check(ref: Reference, ctx: RuleContext) -> Iterator[Diagnostic]:
    url = ref.download_url
    if url is None:
        return
    gh = parse_github_url(url)
    if gh is None:
        return
    if gh.kind == "release-latest":
        yield Diagnostic(
            "releases/latest/download is mutable by design: it serves the asset of whichever "
            "release is newest; link releases/download/TAG/ASSET of an Immutable Release instead"
        )
        return
    if gh.kind not in _CHECKED or gh.pinned:
        return
    if gh.kind == "gist-raw":
        yield Diagnostic(
            "gist raw URL without a revision serves the latest revision of the gist; insert the "
            "revision's full SHA after /raw/ (gist.githubusercontent.com/USER/ID/raw/REVISION/FILE)"
        )
        return
    if gh.kind == "release":
        yield from _release(gh, url, ctx)
        return
    ref_text = gh.ref or ""
    yield Diagnostic(
        f"{_why(ref_text)}; replace {ref_text} with the full commit SHA", _fix(gh, url, ctx, ref)
    )


_MAKE_IMMUTABLE = (
    "make it an Immutable Release (turn on release immutability in the repository's settings "
    "and publish a new release) or host the file at a URL pinned to a commit"
)


def _release(gh: GitHubUrl, url: str, ctx: RuleContext) -> Iterator[Diagnostic]:
    """Offline: an error that says what would pass. Online: the release's own answer."""
    key = github_release_key(url)
    found = ctx.network.releases.get(key) if ctx.network is not None and key else None
    if found is None or found.inconclusive:
        unknown = "cannot be known offline" if ctx.network is None else "GitHub could not say"
        yield Diagnostic(
            f"release asset of tag {gh.ref!r}: a release's tag can move and its asset can be "
            f"replaced under the same URL; only an Immutable Release is permanent, and "
            f"whether this one is {unknown} (an immutable release passes online); "
            f"{_MAKE_IMMUTABLE}"
        )
    elif found.exists is False:
        yield Diagnostic(
            f"tag {gh.ref!r} has no published release in {gh.owner}/{gh.repo}, so the asset "
            f"cannot be downloaded; check the tag and the repository"
        )
    elif found.has_asset(gh.path) is False:
        yield Diagnostic(
            f"the release of tag {gh.ref!r} has no asset named {gh.path!r} (it has "
            f"{len(found.assets)}); check the file name"
        )
    elif not found.immutable:
        yield Diagnostic(
            f"release asset of tag {gh.ref!r}: the release is mutable, so the tag can move and "
            f"the asset can be deleted and re-uploaded under the same URL, and every later "
            f"download fails its hash check; {_MAKE_IMMUTABLE}"
        )


def _why(ref_text: str) -> str:
    if ref_text.startswith("refs/heads/"):
        return f"ref {ref_text!r} is a branch, which moves with every push"
    if ref_text.startswith("refs/tags/"):
        return f"ref {ref_text!r} is a tag, which can be moved or deleted"
    if _SHORT_SHA.match(ref_text) and any(c.isdigit() for c in ref_text):
        return f"ref {ref_text!r} looks like a short commit SHA: short SHAs are ambiguous and not a pin"
    return f"ref {ref_text!r} is a branch or tag name, which can point at another commit tomorrow"


def _fix(gh: GitHubUrl, url: str, ctx: RuleContext, ref: Reference) -> Fix | None:
    if ctx.network is None:
        return None
    key = github_ref_key(url)
    if key is None:
        return None
    lookup = ctx.network.github.get(key)
    sha = lookup.sha if lookup is not None else None
    if sha is None or not is_full_sha(sha):
        return None
    sha = sha.lower()
    prefix = DIRECT_PREFIX if ref.raw.startswith(DIRECT_PREFIX) else ""
    return Fix(
        prefix + gh.with_ref(sha), f"pin to commit {sha}, which {gh.ref} points at now", safe=True
    )
