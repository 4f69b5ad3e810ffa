"""medperf-lint: check MedPerf file references before submission.

>>> report = medperf_lint.check_submission(body, online=True)
>>> report.raise_for_errors()  # raises medperf_lint.SubmissionBlocked

The names below load on first use: importing the package costs nothing until a check runs, and
the command line loads them the way a process of its own can (:func:`medperf_lint.cli.main`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from medperf_lint._version import __version__

if TYPE_CHECKING:
    from medperf_lint.api import check_submission, lint, lint_paths, lint_refs
    from medperf_lint.findings import Finding, Fix, Severity, Span
    from medperf_lint.input.config import ConfigError, Settings
    from medperf_lint.report import InputProblem, Report, SubmissionBlocked

# Each exported name (but __version__) and the module that defines it.
_HOMES = {
    "check_submission": "api",
    "lint": "api",
    "lint_paths": "api",
    "lint_refs": "api",
    "Finding": "findings",
    "Fix": "findings",
    "Severity": "findings",
    "Span": "findings",
    "ConfigError": "input.config",
    "Settings": "input.config",
    "InputProblem": "report",
    "Report": "report",
    "SubmissionBlocked": "report",
}

if not TYPE_CHECKING:  # type checkers read the imports above

    def __getattr__(name: str) -> Any:
        home = _HOMES.get(name)
        if home is None:
            raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
        from importlib import import_module

        value = getattr(import_module(f"{__name__}.{home}"), name)
        globals()[name] = value
        return value


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
