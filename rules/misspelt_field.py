"""A submission field name that is nearly, but not exactly, one MedPerf reads.

The MedPerf server ignores body fields it does not know, and `medperf … submit` has no flag by
a misspelt name, so `additonal_files_tarball_url: https://…` submits a model without its
additional files: MedPerf never downloads them, and the benchmark fails later, elsewhere. Such
a value is still checked as a free reference, but nothing pairs it with its hash, so without
this rule the manifest could pass clean. Only near misses are reported (`additional_files`,
`parameter_file`, `Docs_URL`): a field name unlike every field MedPerf reads for a reference
is left alone, since a submission carries many other fields (`name`, `description`, …).

Only you know which field you meant; rename the key.
"""

from __future__ import annotations

from collections.abc import Iterator

from medperf_lint.findings import FixAvailability, Severity
from medperf_lint.input.documents import READ_FIELDS, DocKind, Document
from medperf_lint.rule import Diagnostic, RuleContext

CODE = "MPL009"
NAME = "misspelt-field"
SEVERITY = Severity.WARNING
FIX = FixAvailability.NONE

EXAMPLE_FAILING = """\
# model.medperf.yaml
name: chestxray-model
additonal_files_tarball_url: https://zenodo.org/records/1234567/files/weights.tar.gz?download=1
"""
EXAMPLE_PASSING = """\
# model.medperf.yaml
name: chestxray-model
additional_files_tarball_url: https://zenodo.org/records/1234567/files/weights.tar.gz?download=1
"""

_NEAR = 0.85  # difflib ratio: one or two letters off a field name, never two field names apart
_KNOWN = sorted(READ_FIELDS)
# A name over twice the longest field's length cannot reach _NEAR: compare no further (this
# bounds the work per key, so a hostile key costs nothing).
_LONGEST = 2 * max(map(len, _KNOWN))


def check_document(doc: Document, _ctx: RuleContext) -> Iterator[Diagnostic]:
    if doc.kind is not DocKind.SUBMISSION:
        return
    for name, span in doc.fields:
        meant = _meant(name)
        if meant is not None:
            yield Diagnostic(
                f"{name!r} is not a field MedPerf reads; did you mean {meant!r}? The server "
                "ignores fields it does not know, so this value would not be submitted",
                span=span,
            )


def _meant(name: str) -> str | None:
    """The field ``name`` is a near miss of, or None (a known field, or nothing close)."""
    from difflib import get_close_matches

    written = name.replace("-", "_")  # flag names are read with - as _
    if written in READ_FIELDS or len(written) > _LONGEST:
        return None
    found = get_close_matches(written.lower(), _KNOWN, n=1, cutoff=_NEAR)
    return found[0] if found else None
