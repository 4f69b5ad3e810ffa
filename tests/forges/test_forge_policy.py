"""The transport's one retry classifier and one redirect loop, seen from the forge lookups: a
503 that asks to wait is retried and then answered, a short 429 is waited for, a long one stops
the host, a moved project's redirect is followed, and a loop ends in one clear line."""

from __future__ import annotations

from pathlib import Path

from forgekit import MAIN, fixes, lint_urls, urls
from servers.fake_forges import GITLAB, Answer, FakeForges

COMMIT_API = "/api/v4/projects/fets%2Fmodel/repository/commits/main"
BUSY = Answer(503, b"busy", {"Retry-After": "0", "Content-Type": "text/plain"})


def _inconclusive(report: object) -> list[str]:
    return [f.message for f in report.findings if f.rule == "inconclusive"]  # type: ignore[attr-defined]


def test_a_503_is_retried_then_answered(tmp_path: Path, forges: FakeForges) -> None:
    forges.script(GITLAB, COMMIT_API, BUSY)
    url = urls(forges)["gitlab"]
    report = lint_urls(tmp_path, forges, {"a": url}, retries=2)
    assert fixes(report) == {url: url.replace("/main/", f"/{MAIN}/")}
    assert forges.api_calls() == [f"{GITLAB} {COMMIT_API}"] * 2


def test_a_503_that_stays_is_inconclusive_after_the_retries(
    tmp_path: Path, forges: FakeForges
) -> None:
    forges.script(GITLAB, COMMIT_API, BUSY, BUSY, BUSY)
    report = lint_urls(tmp_path, forges, {"a": urls(forges)["gitlab"]}, retries=1)
    assert fixes(report) == {}
    [warning] = _inconclusive(report)
    assert "gitlab.com answered 503 (2 attempt(s))" in warning
    assert len(forges.api_calls()) == 2  # the first try and one retry


def test_a_short_429_is_waited_for(tmp_path: Path, forges: FakeForges) -> None:
    """Within the policy's longest wait, a 429 is one more try, not a stop."""
    forges.script(GITLAB, COMMIT_API, Answer(429, b"{}", {"Retry-After": "0"}))
    url = urls(forges)["gitlab"]
    report = lint_urls(tmp_path, forges, {"a": url}, retries=1)
    assert fixes(report) == {url: url.replace("/main/", f"/{MAIN}/")}
    assert len(forges.api_calls()) == 2


def test_a_long_429_stops_the_host_without_a_retry(tmp_path: Path, forges: FakeForges) -> None:
    """A wait beyond the policy's longest is not waited for, even with retries left."""
    forges.limited.add(GITLAB)
    report = lint_urls(tmp_path, forges, {"a": urls(forges)["gitlab"]}, retries=2)
    [warning] = _inconclusive(report)
    assert "gitlab.com rate limit reached (HTTP 429); retry after 3600 s" in warning
    assert len(forges.api_calls()) == 1


def test_a_moved_projects_redirect_is_followed(tmp_path: Path, forges: FakeForges) -> None:
    moved = COMMIT_API.replace("fets%2Fmodel", "fets%2Fold-model")
    forges.script(GITLAB, moved, Answer(301, b"", {"Location": COMMIT_API}))
    url = urls(forges)["gitlab"].replace("/fets/model/", "/fets/old-model/")
    report = lint_urls(tmp_path, forges, {"a": url})
    assert fixes(report) == {url: url.replace("/main/", f"/{MAIN}/")}
    assert forges.api_calls() == [f"{GITLAB} {moved}", f"{GITLAB} {COMMIT_API}"]


def test_a_redirect_loop_ends_in_one_line(tmp_path: Path, forges: FakeForges) -> None:
    other = COMMIT_API.replace("/main", "/elsewhere")
    forges.script(GITLAB, COMMIT_API, Answer(302, b"", {"Location": other}))
    forges.script(GITLAB, other, Answer(302, b"", {"Location": COMMIT_API}))
    report = lint_urls(tmp_path, forges, {"a": urls(forges)["gitlab"]})
    [warning] = _inconclusive(report)
    assert "redirect loop back to" in warning and "from the forge's API" in warning
    assert len(forges.api_calls()) == 2
