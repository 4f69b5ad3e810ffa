"""A value MedPerf cannot parse as a resource: not a URL, `direct:` URL or `synapse:synN`.

MedPerf resolves every hosted-file field the same way: `direct:` followed by a URL, a bare
URL, or `synapse:` followed by a Synapse ID. Its URL check is `validators.url` (0.18.2), so a
host without a top-level domain, a one-digit port or a space fails it. Anything else stops
`medperf ... submit` with "Invalid resource input".

The fix writes the prefix in lower case, removes the surrounding whitespace or adds the missing
`synapse:` prefix: the value names the same file as before.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from medperf_lint.findings import Fix, FixAvailability, Severity
from medperf_lint.refs.references import (
    DIRECT_PREFIX,
    MEDPERF_INVALID_MESSAGE,
    SYNAPSE_PREFIX,
    Reference,
    RefKind,
    looks_like_url,
    parse_resource,
    strip_direct,
)
from medperf_lint.refs.urls import rfc3986_problem, split_url
from medperf_lint.rule import Diagnostic, RuleContext

CODE = "MPL001"
NAME = "invalid-reference"
SEVERITY = Severity.ERROR
FIX = FixAvailability.SAFE

EXAMPLE_FAILING = """\
# model.medperf.yaml
name: chestxray-model
additional_files_tarball_url: syn51089171
additional_files_tarball_hash: 71faabd59139bee698010a0ae3a69e16d97bc4f2dde799d9e187b94ff9157c00
"""
EXAMPLE_PASSING = """\
# model.medperf.yaml
name: chestxray-model
additional_files_tarball_url: synapse:syn51089171
additional_files_tarball_hash: 71faabd59139bee698010a0ae3a69e16d97bc4f2dde799d9e187b94ff9157c00
"""

_BARE_SYNAPSE = re.compile(r"^syn\d+$", re.ASCII | re.IGNORECASE)


def check(ref: Reference, _ctx: RuleContext) -> Iterator[Diagnostic]:
    if not ref.present:
        return
    if ref.kind is RefKind.URL:
        # Free-form YAML and docs links: only a broken direct: prefix is MedPerf syntax.
        if ref.raw.startswith(DIRECT_PREFIX) and parse_resource(ref.raw).source is None:
            yield from _explain(ref.raw)
        return
    if ref.kind is not RefKind.RESOURCE:
        return
    if ref.not_a_string:
        yield Diagnostic(f"expected a resource string, found a {ref.not_a_string}")
        return
    if parse_resource(ref.raw).source is not None:
        return
    yield from _explain(ref.raw)


def _explain(raw: str) -> Iterator[Diagnostic]:
    medperf = MEDPERF_INVALID_MESSAGE.format(value=raw)
    value = raw.strip()
    if value.startswith(SYNAPSE_PREFIX):
        return  # synapse-id-syntax explains these
    if value.lower().startswith(SYNAPSE_PREFIX):
        fixed = SYNAPSE_PREFIX + value[len(SYNAPSE_PREFIX) :]
        fix = (
            Fix(fixed, "write the prefix in lower case", safe=True)
            if parse_resource(fixed).source
            else None
        )
        yield Diagnostic(f"the synapse: prefix must be lower case; {medperf}", fix)
        return
    target = strip_direct(value)
    if not value or (raw.startswith(DIRECT_PREFIX) and not target):
        yield Diagnostic(f"empty reference; {medperf}")
        return
    if value != raw and parse_resource(value).source is not None:
        yield Diagnostic(
            f"leading or trailing whitespace; {medperf}",
            Fix(value, "remove the surrounding whitespace", safe=True),
        )
        return
    parts = split_url(target) if looks_like_url(target) else None
    if parts is not None and parts.scheme not in ("http", "https"):
        return  # unsupported-scheme explains these
    if _BARE_SYNAPSE.match(target):
        fixed = SYNAPSE_PREFIX + "syn" + target[3:]
        yield Diagnostic(
            f"a Synapse ID needs the synapse: prefix; {medperf}",
            Fix(fixed, "add the synapse: prefix", safe=True),
        )
        return
    if value.startswith(DIRECT_PREFIX) and not looks_like_url(target):
        yield Diagnostic(f"direct: must be followed by an http(s) URL; {medperf}")
        return
    if parts is None:
        yield Diagnostic(f"not a URL, direct: URL or synapse:synN reference; {medperf}")
        return
    yield Diagnostic(f"{_url_reason(target, parts.host, parts.port)}; {medperf}")


def _url_reason(url: str, host: str, port: int | None) -> str:
    if any(ch.isspace() for ch in url):
        return "the URL contains whitespace (encode spaces as %20)"
    problem = rfc3986_problem(url)
    if problem:
        return f"not a valid URL: {problem}"
    if host and "." not in host and host != "localhost":
        return f"host {host!r} has no top-level domain, which MedPerf's URL check requires"
    if port is not None and port < 10:
        return "a one-digit port fails MedPerf's URL check"
    return "MedPerf's URL check (validators.url) rejects this URL"
