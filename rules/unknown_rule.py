"""A suppression comment or config entry that names a rule medperf-lint does not have.

Rule names and codes in `# medperf-lint: ignore[…]`, `select`, `ignore`, `severity` and
`per-file-ignores` are checked against the registry, so a typo (`hash-mising`) is reported
instead of silently selecting, ignoring or re-grading nothing. Codes and code prefixes
(`MPL2`) count as known when some rule has them. `medperf-lint rules` lists the names. The
engine emits this rule; it has no check of its own.

In a config file it is an error that no `select`, `ignore` or `severity` entry can remove or
soften: `select = ["hash-mising"]` would otherwise select nothing, this rule included, and
pass. In a suppression comment it is a warning: the finding meant stays visible. On the
command line (`--select`, `--ignore`) an unknown name is a usage error (exit 2) that names
the closest rule.
"""

from __future__ import annotations

from medperf_lint.findings import FixAvailability, Severity

CODE = "MPL902"
NAME = "unknown-rule"
SEVERITY = Severity.WARNING
FIX = FixAvailability.NONE
ALSO_EMITS = (Severity.ERROR,)  # an unknown name in a config file

EXAMPLE_FAILING = """\
# model.medperf.yaml
name: chestxray-model
additional_files_tarball_url: http://example.org/weights.tar.gz  # medperf-lint: ignore[insecure-htp]
additional_files_tarball_hash: 71faabd59139bee698010a0ae3a69e16d97bc4f2dde799d9e187b94ff9157c00
"""
EXAMPLE_PASSING = """\
# model.medperf.yaml
name: chestxray-model
additional_files_tarball_url: http://example.org/weights.tar.gz  # medperf-lint: ignore[insecure-http] the mirror has no TLS
additional_files_tarball_hash: 71faabd59139bee698010a0ae3a69e16d97bc4f2dde799d9e187b94ff9157c00
"""
