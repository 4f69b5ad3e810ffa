"""Values that flow out of the engine: severities, source spans, fixes and findings."""

from __future__ import annotations

import enum
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from medperf_lint.entity import EntityRef


class Severity(str, enum.Enum):
    """How bad a finding is. Only errors fail a run unless ``--strict`` is given."""

    ERROR = "error"
    WARNING = "warning"
    INFO = "info"

    @property
    def rank(self) -> int:
        return {"error": 2, "warning": 1, "info": 0}[self.value]

    @classmethod
    def parse(cls, text: str) -> Severity:
        try:
            return cls(text.strip().lower())
        except ValueError:
            valid = ", ".join(s.value for s in cls)
            raise ValueError(f"unknown severity {text!r} (valid: {valid})") from None


@dataclass(frozen=True)
class Span:
    """1-based, inclusive-start / exclusive-end position of a scalar in its file."""

    line: int
    column: int
    end_line: int
    end_column: int


@dataclass(frozen=True)
class Fix:
    """Replacement text for the offending value and a sentence saying what it does.

    ``safe`` means the new value serves the same bytes the old one meant (GitHub blob → raw at
    the same ref, Dropbox ``dl=1``): ``--fix`` applies only those. An unsafe fix could serve
    other bytes or rests on a guess (a Drive rewrite, http → https) and needs
    ``--unsafe-fixes``. The default is ``False`` so a fix nobody labelled is never applied
    silently; every rule states its kind explicitly.
    """

    replacement: str
    description: str
    safe: bool = False
    # (key, value): also add ``key: value`` on a new line below the value, in the same mapping
    # (the value itself stays ``replacement``); used to add a missing hash field.
    adds: tuple[str, str] | None = None

    @property
    def shown(self) -> str:
        """What reports print after the description: the new value, or the added line."""
        return f"{self.adds[0]}: {self.adds[1]}" if self.adds else self.replacement


class FixAvailability(str, enum.Enum):
    """Which fixes a rule offers: declared once, as ``FIX`` in its module.

    The engine holds every emitted :class:`Fix` to it, and the catalogue, SARIF, ``rule NAME``
    and docs/rules.md print it. ``SAFE_OR_UNSAFE``: the rule offers both kinds, each fix
    saying which it is.
    """

    SAFE = "safe"
    UNSAFE = "unsafe"
    SAFE_OR_UNSAFE = "safe or unsafe"
    NONE = "none"

    def allows(self, fix: Fix) -> bool:
        """True when a rule that declares ``self`` may emit ``fix``."""
        if self is FixAvailability.SAFE_OR_UNSAFE:
            return True
        return self is (FixAvailability.SAFE if fix.safe else FixAvailability.UNSAFE)


@dataclass(frozen=True)
class Finding:
    """One problem with one reference, ready for suppression filtering and reporting."""

    path: str | None
    span: Span | None
    code: str
    rule: str
    severity: Severity
    message: str
    reference: str | None
    fix: Fix | None = None
    # The field or flag that holds the reference (`additional_files_tarball_url`, `--ref`,
    # `--additional-file` under guard): where a value without a file is shown to come from.
    field: str | None = None
    entity: EntityRef | None = None  # set by ``medperf-lint audit``: the server's entity

    @property
    def sort_key(self) -> tuple[str, int, int, str]:
        line = self.span.line if self.span else 0
        col = self.span.column if self.span else 0
        where = self.path or (self.entity.where if self.entity else "")
        return (where, line, col, self.code)
