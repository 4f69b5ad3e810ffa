"""The one request policy (medperf_lint.net.policy): its classifier, and that it is the only
one: no other module keeps a redirect or retry status set, a backoff, or a Retry-After reader."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
from medperf_lint.net.policy import (
    MAX_WAIT,
    REDIRECT_STATUSES,
    backoff,
    redirect_location,
    retry_delay,
)

LINTER = Path(__file__).resolve().parents[2] / "linter"


@pytest.mark.parametrize(
    ("status", "headers", "retried"),
    [
        (408, {}, True),
        (429, {}, True),
        (500, {}, True),
        (503, {"retry-after": "2"}, True),
        (403, {"retry-after": "1"}, True),  # GitHub's secondary rate limit
        (403, {}, False),
        (404, {}, False),
        (200, {}, False),
        (503, {"cf-mitigated": "challenge"}, False),  # a page for browsers
    ],
)
def test_retry_classifier(status: int, headers: dict[str, str], retried: bool) -> None:
    assert (retry_delay(status, headers, 0) is not None) is retried


def test_retry_after_is_honoured_and_backoff_grows_to_a_cap() -> None:
    assert retry_delay(503, {"retry-after": "7"}, 3) == 7.0
    assert all(0 < backoff(0) <= 0.375 for _ in range(20))
    assert all(backoff(20) <= MAX_WAIT * 1.5 for _ in range(20))


def test_redirect_location() -> None:
    assert redirect_location(302, {"location": " /next "}) == "/next"
    assert redirect_location(302, {}) is None
    assert redirect_location(200, {"location": "/x"}) is None


def _status_sets(path: Path) -> list[str]:
    """Literal sets or tuples of HTTP statuses that look like a redirect or retry policy."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, (ast.Set, ast.Tuple)):
            values = {e.value for e in node.elts if isinstance(e, ast.Constant)}
            retry_like = 408 in values or len(values & {429, 500, 502, 503, 504}) >= 3
            if len(values & REDIRECT_STATUSES) >= 3 or retry_like:
                found.append(f"{path.name}:{node.lineno}")
    return found


def test_no_second_policy_in_the_network_modules() -> None:
    folders = [LINTER / "net", LINTER / "providers", LINTER / "gather.py"]
    paths = [p for f in folders for p in ([f] if f.is_file() else sorted(f.rglob("*.py")))]
    outside = [p for p in paths if p.name != "policy.py"]
    assert [s for p in outside for s in _status_sets(p)] == []
    for path in outside:
        text = path.read_text(encoding="utf-8")
        assert "random.uniform" not in text, path  # the only jittered backoff is the policy's
        assert '"retry-after"' not in text or path.name == "github.py", path
