"""The result of a run, and the exception the submission gate raises."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from medperf_lint.findings import Finding, Severity

if TYPE_CHECKING:
    from medperf_lint.facts import NetworkResults


@dataclass(frozen=True)
class InputProblem:
    """A file (or entity) that could not be read, parsed or configured."""

    path: str | None
    message: str

    def __str__(self) -> str:
        return f"{self.path}: {self.message}" if self.path else self.message


@dataclass(frozen=True)
class Report:
    """What one run found, and what it could not read or check."""

    findings: tuple[Finding, ...] = ()
    input_errors: tuple[InputProblem, ...] = ()
    files: int = 0
    references: int = 0
    online: bool = False
    network: NetworkResults | None = None
    skipped_online_rules: tuple[str, ...] = field(default=())
    # path -> the text each file had when it was linted (``--fix`` checks nothing moved since)
    sources: Mapping[str, str] = field(default_factory=dict, repr=False, compare=False)

    def _of(self, severity: Severity) -> list[Finding]:
        return [f for f in self.findings if f.severity is severity]

    @property
    def errors(self) -> list[Finding]:
        return self._of(Severity.ERROR)

    @property
    def warnings(self) -> list[Finding]:
        return self._of(Severity.WARNING)

    @property
    def infos(self) -> list[Finding]:
        return self._of(Severity.INFO)

    def exit_code(self, strict: bool = False) -> int:
        """2 for unreadable input, 1 for errors (or warnings with strict), else 0."""
        if self.input_errors:
            return 2
        if self.errors or (strict and self.warnings):
            return 1
        return 0

    def raise_for_errors(self) -> None:
        """Raise :class:`SubmissionBlocked` when any finding is an error or input failed."""
        if self.errors or self.input_errors:
            raise SubmissionBlocked(self.errors, self.input_errors)


class SubmissionBlocked(Exception):
    """Raised by :meth:`Report.raise_for_errors`; carries the blocking findings."""

    def __init__(self, findings: Sequence[Finding], input_errors: Sequence[InputProblem] = ()):
        self.findings = tuple(findings)
        self.input_errors = tuple(input_errors)
        lines = [f"{len(self.findings) + len(self.input_errors)} problem(s) block submission:"]
        lines += [f"  {p}" for p in self.input_errors]
        for f in self.findings:
            where = f.reference or f.path or ""
            lines.append(f"  {f.code} {f.rule}: {where}: {f.message}")
        super().__init__("\n".join(lines))
