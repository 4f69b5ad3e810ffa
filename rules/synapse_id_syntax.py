r"""A `synapse:` reference whose ID is not `syn` followed by ASCII digits, as MedPerf requires.

MedPerf's Synapse source takes the text after `synapse:` only when `re.match(r"syn\d+$")`
accepts it; anything else matches no source and stops the submission with "Invalid resource
input". That rules out `SYN123` (case is enforced), `syn1.2` (the Synapse client knows
versions, MedPerf does not: it cannot pin a Synapse version, so the hash is what protects you
from a changed file), spaces, a URL, or nothing at all. `\d` also admits non-ASCII digits and
`$` a trailing line break; both reach the Synapse client, so they are errors here too. A
leading zero (`syn0123`) works but is not the canonical ID Synapse shows: a warning.

The fix is safe when only the form of the ID changes (case, spaces, leading zeros, ASCII digits, a
needless `synapse:` before a URL); unsafe when it drops a version suffix (the current version may be
other bytes) or picks the ID out of a synapse.org page URL.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator

from medperf_lint.findings import Fix, FixAvailability, Severity
from medperf_lint.refs.references import SYNAPSE_PREFIX, Reference, RefKind, parse_resource
from medperf_lint.refs.urls import split_url
from medperf_lint.rule import Diagnostic, RuleContext

CODE = "MPL006"
NAME = "synapse-id-syntax"
SEVERITY = Severity.ERROR
FIX = FixAvailability.SAFE_OR_UNSAFE
ALSO_EMITS = (Severity.WARNING,)  # a leading zero: accepted, but not the canonical ID

EXAMPLE_FAILING = """\
# model.medperf.yaml
name: chestxray-model
additional_files_tarball_url: synapse:SYN51089171
additional_files_tarball_hash: 71faabd59139bee698010a0ae3a69e16d97bc4f2dde799d9e187b94ff9157c00
"""
EXAMPLE_PASSING = """\
# model.medperf.yaml
name: chestxray-model
additional_files_tarball_url: synapse:syn51089171
additional_files_tarball_hash: 71faabd59139bee698010a0ae3a69e16d97bc4f2dde799d9e187b94ff9157c00
"""

_STRICT = re.compile(r"syn([0-9]+)", re.ASCII)
_LOOSE = re.compile(r"(syn)?(\d+)(?:\.(\d+))?", re.IGNORECASE)
_ID_IN_TEXT = re.compile(r"(?<![A-Za-z])syn([0-9]+)", re.IGNORECASE | re.ASCII)
_NEEDS = 'MedPerf accepts only synapse:syn<digits> (re.match(r"syn\\d+$"))'


def check(ref: Reference, _ctx: RuleContext) -> Iterator[Diagnostic]:
    if ref.kind is RefKind.IMAGE or not ref.present or ref.not_a_string:
        return
    lead = ref.raw.lstrip()
    if not lead.startswith(SYNAPSE_PREFIX):
        return
    ident = lead[len(SYNAPSE_PREFIX) :]
    exact = _STRICT.fullmatch(ident) if lead == ref.raw else None
    if exact is not None:
        digits = exact.group(1)
        if _canonical(digits) != digits:
            fixed = f"{SYNAPSE_PREFIX}syn{_canonical(digits)}"
            yield Diagnostic(
                f"leading zero: MedPerf and Synapse accept it, but the canonical ID Synapse "
                f"shows is syn{_canonical(digits)}; write that",
                Fix(fixed, "drop the leading zeros", safe=True),
                severity=Severity.WARNING,
            )
        return
    yield _explain(ref.raw, ident)


def _explain(raw: str, ident: str) -> Diagnostic:
    reasons: list[str] = []
    todo: list[str] = []
    if raw.strip() != raw or ident.strip() != ident:
        if parse_resource(raw).source == "synapse":
            reasons.append("a trailing line break (MedPerf's regex happens to let it through)")
        else:
            reasons.append("whitespace in the reference")
        todo.append("remove the whitespace")
    core = ident.strip()
    while core.startswith(SYNAPSE_PREFIX):
        reasons.append("synapse: written twice")
        todo.append("keep one synapse:")
        core = core[len(SYNAPSE_PREFIX) :].strip()
    if not core:
        return Diagnostic(f"no Synapse ID after synapse:; {_NEEDS}")
    if "://" in core or core.lower().startswith("www."):
        return _url_after_prefix(core)
    loose = _LOOSE.fullmatch(core)
    if loose is None:
        return Diagnostic(f"{core!r} is not a Synapse ID; {_NEEDS}")
    syn, digits, version = loose.groups()
    if syn is None:
        reasons.append('"syn" is missing before the number')
        todo.append("add syn")
    elif syn != "syn":
        reasons.append(f'"{syn}" is not lower case (MedPerf matches "syn" case-sensitively)')
        todo.append("lower-case syn")
    if not digits.isascii():
        reasons.append("non-ASCII digits (MedPerf's \\d admits them; Synapse IDs are ASCII)")
        todo.append("use ASCII digits")
    note = ""
    if version is not None:
        reasons.append(f"a version suffix (.{version})")
        todo.append("drop the version")
        note = (
            "; MedPerf cannot pin a Synapse version, the hash is what protects against a "
            "changed file"
        )
    fixed = f"{SYNAPSE_PREFIX}syn{_canonical(digits)}"
    return Diagnostic(
        f"{', '.join(reasons)}: {_NEEDS}{note}", Fix(fixed, ", ".join(todo), safe=version is None)
    )


def _url_after_prefix(core: str) -> Diagnostic:
    message = f"synapse: takes a Synapse ID, not a URL; {_NEEDS}"
    parts = split_url(core)
    host = parts.host if parts is not None else ""
    found = _ID_IN_TEXT.search(core)
    if found is not None and (host == "synapse.org" or host.endswith(".synapse.org")):
        fixed = f"{SYNAPSE_PREFIX}syn{_canonical(found.group(1))}"
        return Diagnostic(message, Fix(fixed, "use the Synapse ID from that page", safe=False))
    if found is None and parts is not None and parts.scheme in ("http", "https"):
        return Diagnostic(
            message, Fix(core, "a direct download URL needs no synapse: prefix", safe=True)
        )
    return Diagnostic(message)


def _canonical(digits: str) -> str:
    """ASCII digits without leading zeros: the ID as Synapse writes it."""
    ascii_digits = "".join(str(unicodedata.digit(ch)) for ch in digits)
    return ascii_digits.lstrip("0") or "0"
