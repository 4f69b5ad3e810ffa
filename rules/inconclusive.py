"""An online check could not decide: timeout, rate limit, server error, bot challenge, deadline.

Reported as a warning with the reason, never as an error, and never cached: the next run
checks again. Reasons include a timeout, HTTP 429 or 5xx after the retries (`Retry-After`
honoured, capped at 30 s), a Cloudflare challenge (`cf-mitigated: challenge`), the run's
`--deadline`, an inconclusive GitHub (ref or release), GitLab, Bitbucket, Gitea/Codeberg or
Hugging Face API, Synapse or container-registry lookup for the same
reference, and, with `--verify-hashes`, a download that could not be hashed (cut off, over
`max-download-size`, or a Synapse File without a download URL for the checking user).
Use `--severity` or `--strict` to make these fail a run.

Run again later.
"""

from __future__ import annotations

from collections.abc import Iterator

from medperf_lint.findings import FixAvailability, Severity
from medperf_lint.refs.forges import forge_url_key
from medperf_lint.refs.hosts import github_ref_key, github_release_key
from medperf_lint.refs.references import Reference
from medperf_lint.rule import Diagnostic, Need, RuleContext

from ._download import download_for
from ._probe import probe_for
from ._registry import image_lookup

CODE = "MPL406"
NAME = "inconclusive"
SEVERITY = Severity.WARNING
FIX = FixAvailability.NONE
NEEDS = frozenset({Need.HTTP, Need.GITHUB, Need.SYNAPSE, Need.REGISTRY, Need.DOWNLOAD, Need.FORGES})

EXAMPLE_FAILING = """\
# model.medperf.yaml
name: chestxray-model
additional_files_tarball_url: https://storage.googleapis.com/medperf-storage/busy/weights.tar.gz
additional_files_tarball_hash: 71faabd59139bee698010a0ae3a69e16d97bc4f2dde799d9e187b94ff9157c00
"""
EXAMPLE_PASSING = """\
# model.medperf.yaml
name: chestxray-model
additional_files_tarball_url: https://storage.googleapis.com/medperf-storage/chestxray/weights.tar.gz
additional_files_tarball_hash: 71faabd59139bee698010a0ae3a69e16d97bc4f2dde799d9e187b94ff9157c00
"""


def check(ref: Reference, ctx: RuleContext) -> Iterator[Diagnostic]:
    if ctx.network is None:
        return
    probe = probe_for(ref, ctx)
    if probe is not None and probe.inconclusive:
        yield Diagnostic(f"could not check the URL: {probe.inconclusive}")
    url = ref.download_url
    key = github_ref_key(url) if url else None
    if key is not None:
        lookup = ctx.network.github.get(key)
        if lookup is not None and (reason := lookup.inconclusive):
            yield Diagnostic(f"could not check the GitHub ref {key[2]!r}: {reason}")
    yield from _forges(url, ctx)
    syn = ref.synapse_id
    if syn is not None:
        found = ctx.network.synapse.get(syn)
        if found is not None and (reason := found.inconclusive):
            yield Diagnostic(f"could not check Synapse entity {syn}: {reason}")
    image = image_lookup(ref, ctx)
    if image is not None and (reason := image.inconclusive):
        yield Diagnostic(f"could not look up the image in its registry: {reason}")
    download = download_for(ref, ctx)
    if download is not None:
        if download.inconclusive:
            yield Diagnostic(f"could not verify the file's hash: {download.inconclusive}")
        elif download.error and syn is not None:  # URLs: the probe rules report these
            yield Diagnostic(f"could not download the Synapse file: {download.error}")


def _forges(url: str | None, ctx: RuleContext) -> Iterator[Diagnostic]:
    """A GitHub release or another forge's commit lookup that could not be answered."""
    if url is None or ctx.network is None:
        return
    tag = github_release_key(url)
    release = ctx.network.releases.get(tag) if tag is not None else None
    if tag is not None and release is not None and (reason := release.inconclusive):
        yield Diagnostic(f"could not look up the GitHub release of tag {tag[2]!r}: {reason}")
    key = forge_url_key(url, ctx.settings)
    lookup = ctx.network.forges.get(key) if key is not None else None
    if key is not None and lookup is not None and (reason := lookup.inconclusive):
        yield Diagnostic(f"could not check the {key[0]} ref {key[3]!r}: {reason}")
