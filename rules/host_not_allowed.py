"""A URL on a host outside the project's `allowed-hosts` list (checked only when the list is set).

Some benchmarks agree where files may live: an institutional bucket, Zenodo, Synapse. With
`allowed-hosts = ["storage.googleapis.com", "zenodo.org"]` in the config, every URL must be on
one of those hosts or below one of them: `googleapis.com` also allows
`storage.googleapis.com`. Entries are host names, matched without the port and case-blind.
Synapse IDs are not URLs and always pass, and so does `docs_url`: it is a page for people
(documentation sites live anywhere), never downloaded. The rule is silent while the list is
empty.

The file has to be re-hosted on an allowed host.

Fails (with allowed-hosts = ["zenodo.org"]):
    additional_file: https://www.dropbox.com/s/abc/w.tar.gz?dl=1

Passes (with allowed-hosts = ["zenodo.org", "googleapis.com"]):
    additional_file: https://zenodo.org/records/1/files/w.tar.gz?download=1
    additional_file: https://storage.googleapis.com/bucket/w.tar.gz
    additional_file: synapse:syn51089171
    docs_url: https://docs.example.org/model
"""

from __future__ import annotations

from collections.abc import Iterator

from medperf_lint.findings import FixAvailability, Severity
from medperf_lint.refs.references import Reference
from medperf_lint.rule import Diagnostic, RuleContext

from ._url_text import url_parts

CODE = "MPL008"
NAME = "host-not-allowed"
SEVERITY = Severity.ERROR
FIX = FixAvailability.NONE

EXAMPLE_CONFIG = """\
# .medperf-lint.toml
allowed-hosts = ["zenodo.org", "storage.googleapis.com"]
"""
EXAMPLE_FAILING = """\
# model.medperf.yaml
name: chestxray-model
additional_files_tarball_url: https://files.example.org/weights.tar.gz
additional_files_tarball_hash: 71faabd59139bee698010a0ae3a69e16d97bc4f2dde799d9e187b94ff9157c00
"""
EXAMPLE_PASSING = """\
# model.medperf.yaml
name: chestxray-model
additional_files_tarball_url: https://zenodo.org/records/1234567/files/weights.tar.gz?download=1
additional_files_tarball_hash: 71faabd59139bee698010a0ae3a69e16d97bc4f2dde799d9e187b94ff9157c00
"""


def check(ref: Reference, ctx: RuleContext) -> Iterator[Diagnostic]:
    allowed = tuple(_host(entry) for entry in ctx.settings.allowed_hosts if _host(entry))
    if not allowed or ref.field == "docs_url":
        return  # docs_url is a page for people, never downloaded
    found = url_parts(ref)
    if found is None:
        return
    host = found[1].host.rstrip(".")
    if not host or any(host == a or host.endswith("." + a) for a in allowed):
        return
    shown = ", ".join(allowed[:5]) + (", …" if len(allowed) > 5 else "")
    where = ctx.settings.config_path or "the settings"
    yield Diagnostic(
        f"host {host} is not in allowed-hosts ({shown}; from {where}): "
        "move the file to an allowed host or add this host to the list"
    )


def _host(entry: str) -> str:
    """A list entry as a bare lower-case host: no ``*.``, port or trailing dot."""
    host = entry.strip().lower().removeprefix("*.").lstrip(".")
    if host.startswith("["):  # [v6]:port -> v6, as the URL's host reads (no brackets)
        return host[1:].split("]", 1)[0]
    return host.split(":", 1)[0].rstrip(".")
