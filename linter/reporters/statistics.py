"""``--statistics``: how many findings each rule produced, most frequent first.

The counts answer "what should we fix first" in a large repository, where the full listing is
too long to read; the fixable column says how many of them ``--fix`` would take care of.
"""

from __future__ import annotations

from collections import Counter
from typing import TextIO

from medperf_lint.fixer import fixable
from medperf_lint.report import Report
from medperf_lint.reporters.safe_text import safe
from medperf_lint.reporters.summary import summary_line


def statistics_rows(report: Report, *, unsafe: bool = False) -> list[tuple[int, str, str, int]]:
    """(count, code, name, fixable count) per rule that produced findings."""
    counts: Counter[tuple[str, str]] = Counter()
    fixes: Counter[tuple[str, str]] = Counter()
    for f in report.findings:
        counts[(f.code, f.rule)] += 1
        fixes[(f.code, f.rule)] += fixable(f, unsafe=unsafe)
    ordered = sorted(counts.items(), key=lambda item: (-item[1], item[0][0]))
    return [(n, code, name, fixes[(code, name)]) for (code, name), n in ordered]


def render_statistics(report: Report, out: TextIO, *, unsafe: bool = False) -> None:
    rows = statistics_rows(report, unsafe=unsafe)
    for problem in report.input_errors:
        where = safe(problem.path) if problem.path else "medperf-lint"  # the run's settings
        out.write(f"{where}: error: {safe(problem.message)}\n")
    if rows:
        count_width = max(len(str(n)) for n, *_ in rows)
        name_width = max(len(name) for _n, _c, name, _f in rows)
        for n, code, name, fixable_count in rows:
            fix_note = f"  ({fixable_count} fixable)" if fixable_count else ""
            out.write(f"{n:>{count_width}}  {code}  {name:<{name_width}}{fix_note}".rstrip() + "\n")
    out.write(summary_line(report) + "\n")
