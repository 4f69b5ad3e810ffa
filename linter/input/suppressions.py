"""Inline suppressions: ``# medperf-lint: ignore[rule-or-code, …] optional reason``.

A comment on its own line covers the next line; a comment after a value covers its own line.
Suppressions that match nothing, names in one that match nothing on its line, and malformed
ones are reported (``unused-suppression``),
and rule names nobody knows are reported (``unknown-rule``), so a typo never hides a check.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from medperf_lint.findings import Finding, Span

_PRAGMA = re.compile(r"(?:^|\s)#\s*medperf-lint\s*:\s*(?P<body>.*)$")
_IGNORE = re.compile(r"^ignore\[(?P<rules>[^\]]*)\](?:\s+(?P<reason>.*))?\s*$")


@dataclass(frozen=True)
class Suppression:
    """One ``# medperf-lint: ignore[...]`` comment, as written."""

    line: int  # where the comment is
    covers: int  # the line whose findings it silences
    column: int
    names: tuple[str, ...]
    reason: str | None
    malformed: bool = False

    @property
    def span(self) -> Span:
        return Span(self.line, self.column, self.line, self.column + 1)


def parse(lines: Iterable[str]) -> list[Suppression]:
    found: list[Suppression] = []
    for number, text in enumerate(lines, start=1):
        if "medperf-lint" not in text:
            continue
        match = _PRAGMA.search(text)
        if not match:
            continue
        column = match.start() + (1 if text[match.start()].isspace() else 0) + 1
        own_line = text[: match.start()].strip() == ""
        covers = number + 1 if own_line else number
        body = _IGNORE.match(match.group("body").strip())
        if not body:
            found.append(Suppression(number, covers, column, (), None, malformed=True))
            continue
        names = tuple(n.strip() for n in body.group("rules").split(",") if n.strip())
        found.append(Suppression(number, covers, column, names, body.group("reason")))
    return found


def matches(suppression: Suppression, finding: Finding) -> bool:
    return bool(matching_names(suppression, finding))


def matching_names(suppression: Suppression, finding: Finding) -> tuple[str, ...]:
    """The names in ``suppression`` that silence ``finding`` (as written in the comment)."""
    if finding.span is None or finding.span.line != suppression.covers:
        return ()
    return tuple(
        n
        for n in suppression.names
        if n in (finding.code, finding.rule) or n.upper() == finding.code
    )
