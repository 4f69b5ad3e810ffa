"""A GitHub URL pinned to a commit that is not in the named repository, or only in a fork of it.

A full 40-hex SHA is the only permanent GitHub ref, so it is what a manifest should pin. Two
ways that pin can still be wrong, checked online with GitHub's REST API:

* The commit does not exist there (a typo, a commit that was force-pushed away, the wrong
  repository, or a repository that is gone or private). Every download fails.
* An impostor commit: GitHub stores the objects of a repository and all its forks together and
  serves any commit of that fork network under every fork's name. Anyone can fork the project,
  push a commit to the fork and link it as `github.com/OWNER/REPO/.../SHA/...` of the original:
  the URL looks like the original project's code but holds whatever the fork's author pushed.
  The commit is an impostor when no branch or tag of the named repository contains it (checked
  with the compare API against the default branch, then against branch and tag tips).

When GitHub cannot answer (rate limit, outage) this rule says nothing and `inconclusive`
reports why, with the rate limit's reset time.

Which commit was meant is the author's knowledge.
"""

from __future__ import annotations

from collections.abc import Iterator

from medperf_lint.findings import FixAvailability, Severity
from medperf_lint.refs.hosts import github_ref_key, parse_github_url
from medperf_lint.refs.references import Reference
from medperf_lint.rule import Diagnostic, Need, RuleContext

CODE = "MPL501"
NAME = "github-commit-not-found"
SEVERITY = Severity.ERROR
FIX = FixAvailability.NONE
NEEDS = frozenset({Need.GITHUB})

EXAMPLE_FAILING = """\
# model.medperf.yaml
name: chestxray-model
additional_files_tarball_url: https://raw.githubusercontent.com/mlcommons/medperf/4f1c3e0d9a8b7c6d5e4f3a2b1c0d9e8f7a6b5c4d/weights.tar.gz
additional_files_tarball_hash: 71faabd59139bee698010a0ae3a69e16d97bc4f2dde799d9e187b94ff9157c00
"""
EXAMPLE_PASSING = """\
# model.medperf.yaml
name: chestxray-model
additional_files_tarball_url: https://raw.githubusercontent.com/mlcommons/medperf/99b0d84bc107415d9fc6f69c4ea3fcdfbf22315d/weights.tar.gz
additional_files_tarball_hash: 71faabd59139bee698010a0ae3a69e16d97bc4f2dde799d9e187b94ff9157c00
"""


def check(ref: Reference, ctx: RuleContext) -> Iterator[Diagnostic]:
    url = ref.download_url
    if url is None or ctx.network is None:
        return
    gh = parse_github_url(url)
    if gh is None or not gh.pinned:
        return
    key = github_ref_key(url)
    lookup = ctx.network.github.get(key) if key is not None else None
    if lookup is None or lookup.inconclusive:
        return
    repo = f"{gh.owner}/{gh.repo}"
    detail = lookup.detail
    if lookup.exists is False:
        if lookup.repo_exists is False:
            yield Diagnostic(
                f"repository {repo} does not exist or is private, so commit {gh.ref} cannot be "
                f"downloaded from it{_because(detail)}"
            )
        else:
            yield Diagnostic(
                f"commit {gh.ref} does not exist in {repo}; check the SHA and the repository "
                f"name{_because(detail)}"
            )
    elif lookup.impostor:
        yield Diagnostic(
            f"impostor commit: {gh.ref} is on no branch or tag of {repo}; GitHub serves it only "
            f"because it exists in a fork of {repo} (the fork network shares objects), so the URL "
            f"can hold code {repo}'s maintainers never published; pin a commit from {repo}'s own "
            f"history{_because(detail)}"
        )


def _because(detail: str | None) -> str:
    return f" ({detail})" if detail else ""
