"""A reference longer than the MedPerf server field that stores it (256, or 100 for docs_url).

The MedPerf server keeps URLs in `CharField(max_length=256)` columns
(`additional_files_tarball_url`, `demo_dataset_tarball_url`, `asset_url`) and `docs_url` in a
`max_length=100` one. A longer value is refused when you submit, after MedPerf has already
downloaded and tested everything. The whole string counts, `direct:` prefix included. Shorten
it: drop tracking query parameters, or use a shorter link (a Synapse ID, a release URL).
`image` in a container config is stored inside a JSON field and has no server limit.

Any reference value longer than 8192 characters (`MAX_VALUE_LENGTH`, an image included) is
reported here too, and no other rule reads it: no pattern runs over a hostile megabyte-long
value. When this rule is not enabled, such a value is an input error instead (exit 2), so it
never passes unchecked.

Only you can choose a shorter address (a Zenodo record, a Synapse ID).
"""

from __future__ import annotations

from collections.abc import Iterator

from medperf_lint.findings import FixAvailability, Severity
from medperf_lint.refs.references import MAX_VALUE_LENGTH, Reference
from medperf_lint.rule import Diagnostic, RuleContext

CODE = "MPL005"
NAME = "url-too-long"
SEVERITY = Severity.ERROR
FIX = FixAvailability.NONE

EXAMPLE_FAILING = """\
# model.medperf.yaml
name: chestxray-model
docs_url: https://docs.example.org/benchmarks/chest-x-ray/pneumonia-classification/model-submission-guide/v1.html
"""
EXAMPLE_PASSING = """\
# model.medperf.yaml
name: chestxray-model
docs_url: https://docs.medperf.org/
"""


_UNREAD = (
    f"; medperf-lint reads no value over {MAX_VALUE_LENGTH} characters, so no other rule checked it"
)


def check(ref: Reference, _ctx: RuleContext) -> Iterator[Diagnostic]:
    if not ref.present or ref.not_a_string:
        return
    length, limit = len(ref.raw), ref.max_length
    unread = _UNREAD if length > MAX_VALUE_LENGTH else ""
    if limit is None or length <= limit:
        if unread:
            yield Diagnostic(f"{length} characters{unread}")
        return
    field = "its URL field" if ref.field in (None, "--ref") else ref.field
    yield Diagnostic(
        f"{length} characters, but the MedPerf server stores at most {limit} in {field} "
        f'("Ensure this field has no more than {limit} characters."); '
        f"shorten it by {length - limit} (drop query parameters or use a shorter link){unread}"
    )
