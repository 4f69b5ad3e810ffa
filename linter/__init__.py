"""medperf-lint: check MedPerf file references before submission.

>>> report = medperf_lint.check_submission(body, online=True)
>>> report.raise_for_errors()  # raises medperf_lint.SubmissionBlocked
"""

from __future__ import annotations

import gc as _gc

# Importing the package makes some 11,000 objects the collector tracks, all as long-lived as it,
# and no garbage: a collection in the middle would only walk them (about 5% of an offline run).
_collecting = _gc.isenabled()
_gc.disable()
try:
    from medperf_lint._version import __version__
    from medperf_lint.api import check_submission, lint, lint_paths, lint_refs
    from medperf_lint.findings import Finding, Fix, Severity, Span
    from medperf_lint.input.config import ConfigError, Settings
    from medperf_lint.report import InputProblem, Report, SubmissionBlocked
finally:
    if _collecting:
        _gc.enable()

__all__ = [
    "ConfigError",
    "Finding",
    "Fix",
    "InputProblem",
    "Report",
    "Settings",
    "Severity",
    "Span",
    "SubmissionBlocked",
    "__version__",
    "check_submission",
    "lint",
    "lint_paths",
    "lint_refs",
]
