"""medperf-lint: check MedPerf file references before submission.

>>> report = medperf_lint.check_submission(body, online=True)
>>> report.raise_for_errors()  # raises medperf_lint.SubmissionBlocked
"""

from __future__ import annotations

from medperf_lint._version import __version__
from medperf_lint.api import check_submission, lint, lint_paths, lint_refs
from medperf_lint.findings import Finding, Fix, Severity, Span
from medperf_lint.input.config import ConfigError, Settings
from medperf_lint.report import InputProblem, Report, SubmissionBlocked

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
