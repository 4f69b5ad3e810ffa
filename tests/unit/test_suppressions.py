"""Parsing ``# medperf-lint: ignore[...]`` comments, and the lines that only look like one."""

from __future__ import annotations

import pytest
from medperf_lint.findings import Span
from medperf_lint.input.suppressions import Suppression, parse


@pytest.mark.parametrize(
    "line",
    [
        "docs_url: https://github.com/mlcommons/medperf-lint  # see medperf-lint docs",
        "# medperf-lint ignores nothing here",
        "name: medperf-lint-demo",
        "url: https://example.org/medperf-lint:ignore[x]",  # no '#' before it
        "# medperf-lint",
        "#medperf-lint-ignore[mutable-url]",
    ],
)
def test_a_line_that_mentions_the_tool_is_not_a_pragma(line: str) -> None:
    assert parse([line]) == []


def test_after_a_value_it_covers_its_own_line() -> None:
    [s] = parse(["a: 1", "url: x  # medperf-lint: ignore[mutable-url, MPL003] moved later"])
    assert s == Suppression(2, 2, 9, ("mutable-url", "MPL003"), "moved later")


def test_on_its_own_line_it_covers_the_next() -> None:
    [s] = parse(["   # medperf-lint: ignore[insecure-http]", "url: http://x"])
    assert (s.line, s.covers, s.column, s.names, s.reason) == (1, 2, 4, ("insecure-http",), None)
    assert s.span == Span(1, 4, 1, 5)  # one character, the "#": what JSON and SARIF report


@pytest.mark.parametrize(
    "comment",
    [
        "# medperf-lint: ignor[x]",
        "# medperf-lint: ignore",
        "# medperf-lint: ignore[x",
        "# medperf-lint: skip",
    ],
)
def test_malformed(comment: str) -> None:
    [s] = parse([f"url: x  {comment}"])
    assert s.malformed and s.names == () and s.covers == 1


def test_spacing_and_empty_names() -> None:
    [s] = parse(["#medperf-lint:ignore[ a ,, b ]   why not"])
    assert (s.names, s.reason, s.column, s.covers) == (("a", "b"), "why not", 1, 2)


def test_matching_names_on_another_line_is_an_empty_tuple() -> None:
    from medperf_lint.findings import Finding, Severity
    from medperf_lint.input.suppressions import matches, matching_names

    [s] = parse(["url: x  # medperf-lint: ignore[MPL003]"])
    elsewhere = Finding(
        rule="insecure-http",
        code="MPL003",
        severity=Severity.WARNING,
        message="m",
        path="f.yaml",
        span=Span(2, 1, 2, 2),
        reference="http://x",
    )
    assert matching_names(s, elsewhere) == ()
    assert not matches(s, elsewhere)
