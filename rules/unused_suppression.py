"""A `# medperf-lint: ignore[…]` comment that silences nothing, or one that is malformed.

A suppression that matches no finding is left over from a fixed problem, sits on the wrong
line, or names the wrong rule; either way it would silently hide the next real finding on
that line. In a suppression naming several rules, each name that silences nothing on its line
is reported too. A comment after a value covers its own line, a comment on a line of its own covers
the next line. Malformed pragmas (`ignor[…]`, a missing bracket) are reported here too, so a
typo never looks like a working suppression. Suppressions for network rules are not reported
as unused in `--offline` runs. The engine emits this rule; it has no check of its own.

Delete the comment or correct it.
"""

from __future__ import annotations

from medperf_lint.findings import FixAvailability, Severity

CODE = "MPL901"
NAME = "unused-suppression"
SEVERITY = Severity.WARNING
FIX = FixAvailability.NONE

EXAMPLE_FAILING = """\
# model.medperf.yaml
name: chestxray-model
additional_files_tarball_url: https://example.org/weights.tar.gz  # medperf-lint: ignore[insecure-http]
additional_files_tarball_hash: 71faabd59139bee698010a0ae3a69e16d97bc4f2dde799d9e187b94ff9157c00
"""
EXAMPLE_PASSING = """\
# model.medperf.yaml
name: chestxray-model
additional_files_tarball_url: http://example.org/weights.tar.gz  # medperf-lint: ignore[insecure-http] the mirror has no TLS
additional_files_tarball_hash: 71faabd59139bee698010a0ae3a69e16d97bc4f2dde799d9e187b94ff9157c00
"""
