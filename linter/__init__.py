"""medperf-lint: check MedPerf file references before submission.

>>> report = medperf_lint.check_submission(body, online=True)
>>> report.raise_for_errors()  # raises medperf_lint.SubmissionBlocked
"""

from __future__ import annotations

from ._version import __version__
from .api import check_submission, lint, lint_paths, lint_refs
from .config import ConfigError, Settings
from .findings import Finding, Fix, Severity, Span
from .report import InputProblem, Report, SubmissionBlocked

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
