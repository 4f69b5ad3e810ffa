"""A hash that is not the 64 lower-case hex digits of a SHA-256, the only form MedPerf compares.

MedPerf hashes downloads with `hashlib.sha256(...).hexdigest()` and compares strings, so an
upper-case hash never matches, a `sha256:` prefix never matches, and a 40-digit SHA-1 (what
MedPerf used before it switched to SHA-256 in 2023, PR #481) never matches: the run stops
with "Hash mismatch". The one exception is `image_hash`, which may also be a Docker registry
digest, `sha256:<64 hex>`, as `docker buildx imagetools inspect` prints it.

The fix writes the same digest the way MedPerf compares it (lower case, no prefix).
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from medperf_lint.findings import Fix, FixAvailability, Severity
from medperf_lint.refs.references import HashKind, Reference
from medperf_lint.rule import Diagnostic, RuleContext

CODE = "MPL203"
NAME = "hash-format"
SEVERITY = Severity.ERROR
FIX = FixAvailability.SAFE

EXAMPLE_FAILING = """\
# model.medperf.yaml
name: chestxray-model
additional_files_tarball_url: https://zenodo.org/records/1234567/files/weights.tar.gz?download=1
additional_files_tarball_hash: 71FAABD59139BEE698010A0AE3A69E16D97BC4F2DDE799D9E187B94FF9157C00
"""
EXAMPLE_PASSING = """\
# model.medperf.yaml
name: chestxray-model
additional_files_tarball_url: https://zenodo.org/records/1234567/files/weights.tar.gz?download=1
additional_files_tarball_hash: 71faabd59139bee698010a0ae3a69e16d97bc4f2dde799d9e187b94ff9157c00
"""

_SHA256 = re.compile(r"[0-9a-f]{64}")
_HEX = re.compile(r"[0-9a-fA-F]+")
_PREFIX = "sha256:"
_OTHER_DIGESTS = {32: "an MD5", 40: "a SHA-1", 128: "a SHA-512"}
_SHA256_CMD = "compute it with sha256sum FILE"


def check(ref: Reference, _ctx: RuleContext) -> Iterator[Diagnostic]:
    slot = ref.hash
    if slot is None or not slot.value:
        return
    image = slot.kind is HashKind.IMAGE
    value = slot.value
    if _SHA256.fullmatch(value) or (
        image and value.startswith(_PREFIX) and _SHA256.fullmatch(value[len(_PREFIX) :])
    ):
        return
    diag = _diagnose(value, image, slot.field)
    yield Diagnostic(diag.message, diag.fix, span=slot.span)


def _diagnose(value: str, image: bool, field: str) -> Diagnostic:
    text = value.strip()
    prefixed = text.lower().startswith(_PREFIX)
    hexpart = text[len(_PREFIX) :] if prefixed else text
    if not _HEX.fullmatch(hexpart):
        form = " or a sha256:<hex> registry digest" if image else ""
        return Diagnostic(
            f"{field} is not a SHA-256 hex digest (64 lower-case hex digits){form}; {_SHA256_CMD}"
        )
    if len(hexpart) != 64:
        what = _OTHER_DIGESTS.get(len(hexpart), f"{len(hexpart)} hex digits, not a SHA-256")
        if len(hexpart) == 40:
            what += " (MedPerf switched to SHA-256 in 2023)"
        return Diagnostic(
            f"{field} is {what}; MedPerf needs the SHA-256 (64 hex digits): {_SHA256_CMD}"
        )
    digest = hexpart.lower()
    problems: list[str] = []
    todo: list[str] = []
    if text != value:
        problems.append("surrounding whitespace")
        todo.append("trim it")
    if hexpart != digest:
        problems.append("upper-case hex, which never equals hashlib's lower-case hexdigest")
        todo.append("lower-case it")
    if prefixed and not image:
        problems.append("a sha256: prefix, which only image_hash (a registry digest) may have")
        todo.append("drop the prefix")
    elif prefixed and text[: len(_PREFIX)] != _PREFIX:
        problems.append("an upper-case sha256: prefix")
        todo.append("lower-case the prefix")
    fixed = _PREFIX + digest if prefixed and image else digest
    return Diagnostic(
        f"{field} has {' and '.join(problems)}; MedPerf compares hashes as exact strings",
        Fix(fixed, " and ".join(todo), safe=True),
    )
