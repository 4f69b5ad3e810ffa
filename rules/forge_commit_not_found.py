"""A GitLab, Bitbucket, Gitea/Codeberg or Hugging Face URL pinned to a commit the forge does not have.

A full commit SHA is the pin `forge-unpinned-ref` asks for; checked online, it can still be
wrong: a typo, a commit that was force-pushed away, or the wrong project. Every download fails.
The forge's API is asked for the commit (see `forge-unpinned-ref` for which hosts and calls);
the commit is reported missing only when the forge shows the project and says the commit is not
in it. A forge that cannot answer (401, a 404 for the project itself, 429) says nothing here,
and `inconclusive` reports why. A conclusive answer is cached for 7 days.

There is no fix: which commit was meant is the author's knowledge.
"""

from __future__ import annotations

from collections.abc import Iterator

from medperf_lint.findings import FixAvailability, Severity
from medperf_lint.refs.forges import forge_key, parse_forge_file
from medperf_lint.refs.hosts import is_full_sha
from medperf_lint.refs.references import Reference
from medperf_lint.rule import Diagnostic, Need, RuleContext

from ._url_text import download_parts

CODE = "MPL502"
NAME = "forge-commit-not-found"
SEVERITY = Severity.ERROR
FIX = FixAvailability.NONE
NEEDS = frozenset({Need.FORGES})

EXAMPLE_FAILING = """\
# model.medperf.yaml
name: fets-model
additional_files_tarball_url: https://gitlab.com/fets/model/-/raw/4f1c3e0d9a8b7c6d5e4f3a2b1c0d9e8f7a6b5c4d/weights.tar.gz
additional_files_tarball_hash: bff003e244759c3d7c8b9784af0819c7f252da8626745671ccf7f46b8f19a0ca
"""
EXAMPLE_PASSING = """\
# model.medperf.yaml
name: fets-model
additional_files_tarball_url: https://gitlab.com/fets/model/-/raw/99b0d84bc107415d9fc6f69c4ea3fcdfbf22315d/weights.tar.gz
additional_files_tarball_hash: bff003e244759c3d7c8b9784af0819c7f252da8626745671ccf7f46b8f19a0ca
"""


def check(ref: Reference, ctx: RuleContext) -> Iterator[Diagnostic]:
    found = download_parts(ref)
    if found is None or ctx.network is None:
        return
    forge = parse_forge_file(found[0])
    if forge is None or not is_full_sha(forge.ref):
        return
    key = forge_key(forge, ctx.settings.gitlab_hosts, ctx.settings.gitea_hosts)
    lookup = ctx.network.forges.get(key) if key is not None else None
    if lookup is None or lookup.inconclusive or lookup.exists is not False:
        return
    detail = f" ({lookup.detail})" if lookup.detail else ""
    yield Diagnostic(
        f"commit {forge.ref} does not exist in {forge.forge} project {forge.project}; check "
        f"the SHA and the project name{detail}"
    )
