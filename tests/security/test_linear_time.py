"""Every pattern on the path from input to output runs in linear time (issue 14, item 1).

Growth, not wall time: each check times the same work on a hostile input of about 100 KB and of
twice that, in one process, and fails when doubling the input more than ~2.5x the work (a
quadratic pattern quadruples it). Timings are the best of several repeats of a batch long
enough for the clock, so a busy machine slows both sides alike; a check measures up to five times
before it fails.
"""

from __future__ import annotations

import io
import time
from collections.abc import Callable
from pathlib import Path

import pytest
import yaml
from medperf_lint import engine
from medperf_lint.api import lint, lint_refs
from medperf_lint.findings import Finding, Severity, Span
from medperf_lint.input import suppressions
from medperf_lint.input.yamlnodes import is_placeholder
from medperf_lint.refs import forges, hosts, images, medperf_url, redact, references, sniff, urls
from medperf_lint.refs.references import parse_resource
from medperf_lint.report import Report
from medperf_lint.reporters import render

SIZE = 100_000
MAX_GROWTH = 2.5
MAX_VALUE_LENGTH = 8 * 1024  # references.MAX_VALUE_LENGTH, the longest value rules read
BATCH = 0.002  # seconds of CPU (not wall: nothing else counts) a timed batch lasts at least


def _best_time(work: Callable[[], object]) -> float:
    """The best of three batches; a batch repeats ``work`` until it lasts 10 ms or more.

    This thread's CPU time, not the wall clock: with the suite in parallel on two cores (and
    other work beside it) a batch is often preempted, and the wall clock then counts another
    process's work as this pattern's, enough to make a linear reader look 7x slower on twice
    the input in every one of five tries."""
    runs = 1
    while True:
        started = time.thread_time()
        for _ in range(runs):
            work()
        took = time.thread_time() - started
        if took >= BATCH or runs >= 1024:
            break
        runs *= 2
    best = took
    for _ in range(2):
        started = time.thread_time()
        for _ in range(runs):
            work()
        best = min(best, time.thread_time() - started)
    return best / runs


def _copy(text: str) -> object:
    """Plain linear work over the text, allocating like the readers do: the baseline."""
    return text.lower().upper()


def growth(function: Callable[[str], object], build: Callable[[int], str]) -> float:
    """How much more work ``function`` does on ``build(2 * SIZE)`` than on ``build(SIZE)``.

    Measured against a plain copy of the same inputs in the same moment: above ~128 KiB the
    allocator may hand out fresh pages, which makes even a copy cost more per character, and
    that is the machine, not the pattern. The least of up to five measurements: a busy
    machine can make one look superlinear, but a quadratic pattern gives about 4 every time.
    """
    small, large = build(SIZE), build(2 * SIZE)
    function(small)  # compile patterns and import modules before timing
    ratios = []
    for _ in range(5):
        own = _best_time(lambda: function(large)) / _best_time(lambda: function(small))
        copy = _best_time(lambda: _copy(large)) / _best_time(lambda: _copy(small))
        ratios.append(own / max(1.0, copy / 2))
        if ratios[-1] < MAX_GROWTH:
            break
    return min(ratios)


def repeat(piece: str, head: str = "", tail: str = "") -> Callable[[int], str]:
    """An input of about ``n`` characters: ``head``, ``piece`` repeated, ``tail``."""
    return lambda n: head + piece * max(1, n // len(piece)) + tail


_CACHED = (
    urls.split_url,
    parse_resource,
    hosts.parse_github_url,
    hosts.parse_huggingface_url,
    forges.parse_forge_file,
)


def _uncached(function: Callable[[str], object]) -> Callable[[str], object]:
    """``function`` with the URL parsers' caches emptied first, so every call does the work."""

    def call(value: str) -> object:
        for cached in _CACHED:
            cached.cache_clear()
        return function(value)

    return call


# (name, function, input builder): each names the shape that made some pattern rescan.
TEXT_CASES = [
    ("run of letters", repeat("a")),
    ("scheme chars, no ://", repeat("a+.-")),
    ("many :// without scheme", repeat("://")),
    ("scheme then nothing", repeat("a:// ")),
    ("one long URL", repeat("a", "http://")),
    ("quoted URLs", repeat("'http://a ")),
    ("JWT starts glued by -", repeat("eyJ-")),
    ("JWT one dot short", repeat("eyJaaaaaaaaa.")),
    ("GitLab token starts", repeat("glpat-")),
    ("auth words", repeat("token ")),
    ("auth word, long value", repeat("a", "Bearer ")),
    ("bare parameters", repeat("?a")),
    ("bare keys without =", repeat("&aaaaaaaa")),
    ("percent signs", repeat("%", "http://a/?token=")),
]
URL_CASES = [
    ("host without a dot", repeat("a", "http://")),
    ("hyphenated host", repeat("a-", "http://")),
    ("many labels, no TLD", repeat("a.", "http://", "!")),
    ("xn-- labels", repeat("xn--", "http://")),
    ("userinfo colons", repeat(":", "http://")),
    ("userinfo ats", repeat("@", "http://")),
    ("query of # then space", repeat("#", "http://a.com/?", " ")),
    ("query of ? then space", repeat("?", "http://a.com/", " ")),
    ("IPv6 colons", repeat(":", "http://[", "]")),
    ("IPv6 zone", repeat("a", "http://[fe80::%", "]")),
    ("long path", repeat("a/", "https://github.com/")),
    ("GitLab separators", repeat("-/", "https://gitlab.com/o/r/")),
    ("many parameters", repeat("a=b&", "https://files.example.org/w?")),
    ("percent-encoded path", repeat("%2", "https://files.example.org/")),
]
URL_FUNCTIONS: list[tuple[str, Callable[[str], object]]] = [
    ("medperf_accepts_url", medperf_url.medperf_accepts_url),
    ("parse_resource", _uncached(parse_resource)),
    ("split_url", _uncached(urls.split_url)),
    ("redact_url", redact.redact_url),
    ("find_secrets", redact.find_secrets),
    ("parse_github_url", _uncached(hosts.parse_github_url)),
    ("parse_huggingface_url", _uncached(hosts.parse_huggingface_url)),
    ("parse_forge_file", _uncached(forges.parse_forge_file)),
    ("sign_in_page", _uncached(sniff.sign_in_page)),
    ("drive_file_id", _uncached(sniff.drive_file_id)),
]
IMAGE_CASES = [
    ("letters", repeat("a")),
    ("letters then a capital", repeat("a", "", "A")),
    ("hyphen runs", repeat("a-", "", "-")),
    ("dotted host, no slash", repeat("a.", "", "!")),
    ("double underscores", repeat("a__", "", "_")),
    ("path components", repeat("a/", "", "!")),
    ("colons", repeat("a:")),
]
PRAGMA_CASES = [
    ("spaces after the mark", repeat(" ", "# medperf-lint", "x")),
    ("many marks", repeat(" # medperf-lint")),
    ("long name list", repeat("a,", "x: 1  # medperf-lint: ignore[", "")),
    ("hashes", repeat(" #", "", " medperf-lint")),
    ("long reason", repeat("a ", "# medperf-lint: ignore[x] ")),
]
BODY_CASES = [
    ("open tags", repeat("<")),
    ("form tags never closed", repeat("<form ")),
    ("error marks never closed", repeat('class="uc-error-subcaption">')),
    ("hidden ids", repeat('name="id" ')),
    ("XML error starts", repeat("<Error><Code>", "<?xml")),
]


@pytest.mark.parametrize("build", [c[1] for c in TEXT_CASES], ids=[c[0] for c in TEXT_CASES])
def test_redact_text_is_linear(build: Callable[[int], str]) -> None:
    assert growth(redact.redact_text, build) < MAX_GROWTH


@pytest.mark.parametrize("build", [c[1] for c in URL_CASES], ids=[c[0] for c in URL_CASES])
@pytest.mark.parametrize(
    "function", [f[1] for f in URL_FUNCTIONS], ids=[f[0] for f in URL_FUNCTIONS]
)
def test_url_readers_are_linear(
    function: Callable[[str], object], build: Callable[[int], str]
) -> None:
    assert growth(function, build) < MAX_GROWTH


@pytest.mark.parametrize("build", [c[1] for c in IMAGE_CASES], ids=[c[0] for c in IMAGE_CASES])
def test_image_grammar_is_linear(build: Callable[[int], str]) -> None:
    assert growth(images.parse_image, build) < MAX_GROWTH


@pytest.mark.parametrize("build", [c[1] for c in PRAGMA_CASES], ids=[c[0] for c in PRAGMA_CASES])
def test_suppression_pragmas_are_linear(build: Callable[[int], str]) -> None:
    assert growth(lambda line: suppressions.parse([line]), build) < MAX_GROWTH


@pytest.mark.parametrize("build", [c[1] for c in BODY_CASES], ids=[c[0] for c in BODY_CASES])
def test_body_sniffing_is_linear(build: Callable[[int], str]) -> None:
    def read(text: str) -> object:
        data = text.encode()
        return sniff.sniff(data), sniff.drive_page(data)

    assert growth(read, build) < MAX_GROWTH


@pytest.mark.parametrize("piece", ["{{", "{%", "{{ }"])
def test_placeholder_check_is_linear(piece: str) -> None:
    def check(text: str) -> bool:
        return is_placeholder(yaml.ScalarNode("tag:yaml.org,2002:str", text))

    assert growth(check, repeat(piece)) < MAX_GROWTH


def _report(value: str) -> Report:
    span = Span(1, 1, 1, 2)
    finding = Finding(None, span, "MPL004", "credentials-in-url", Severity.ERROR, value, value)
    return Report(findings=(finding,), references=1)


@pytest.mark.parametrize("fmt", ["text", "json", "sarif", "github"])
@pytest.mark.parametrize(
    "build",
    [c[1] for c in (TEXT_CASES[0], TEXT_CASES[1], TEXT_CASES[6], TEXT_CASES[11])],
    ids=["letters", "scheme chars", "JWT starts", "bare parameters"],
)
def test_reporters_redact_in_linear_time(fmt: str, build: Callable[[int], str]) -> None:
    def output(value: str) -> str:
        buffer = io.StringIO()
        render(_report(value), fmt, buffer)
        return buffer.getvalue()

    assert growth(output, build) < MAX_GROWTH


# Values for the whole offline run with the length cap lifted: every rule reads them.
VALUE_CASES = [
    ("letters", repeat("a")),
    ("long http URL", repeat("a", "https://")),
    ("host without a dot", repeat("a-", "http://")),
    ("query of # then space", repeat("#", "https://a.org/w?", " x")),
    ("GitHub path", repeat("a/", "https://github.com/o/r/blob/")),
    ("Synapse digits", repeat("1.", "synapse:syn")),
    ("direct prefixes", repeat("direct:")),
    ("JWT starts", repeat("eyJ-", "https://a.org/?t=")),
    ("signed URL keys", repeat("X-Amz-Signature=a&", "https://b.s3.amazonaws.com/w?")),
]


@pytest.mark.parametrize("build", [c[1] for c in VALUE_CASES], ids=[c[0] for c in VALUE_CASES])
def test_every_offline_rule_is_linear_in_the_value(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, build: Callable[[int], str]
) -> None:
    monkeypatch.setattr(engine, "MAX_VALUE_LENGTH", 10**9, raising=False)  # every rule reads it
    path = tmp_path / "model.medperf.yaml"

    def lint_value(value: str) -> Report:
        path.write_text(
            "name: m\nadditional_files_tarball_url: " + yaml.safe_dump(value, width=10**9),
            encoding="utf-8",
        )
        return lint([path], online=False)

    assert growth(lint_value, build) < MAX_GROWTH


def test_a_megabyte_value_is_reported_too_long_and_read_by_no_other_rule() -> None:
    assert getattr(references, "MAX_VALUE_LENGTH", None) == MAX_VALUE_LENGTH
    value = "https://files.example.org/" + "a" * 1_000_000
    report = lint_refs([value], online=False)
    assert {f.rule for f in report.findings} == {"url-too-long"}
    assert f"reads no value over {MAX_VALUE_LENGTH} characters" in report.findings[0].message


def test_an_over_long_image_is_reported_although_images_have_no_server_limit(
    tmp_path: Path,
) -> None:
    path = tmp_path / "container_config.yaml"
    image = "a" * (MAX_VALUE_LENGTH + 1)
    path.write_text(f"container_type: DockerImage\nimage: {image}\n", encoding="utf-8")
    report = lint([path], online=False)
    assert [f.rule for f in report.findings] == ["url-too-long"]  # no image rule read it
    assert report.exit_code() == 1


def test_rfc3986_never_reads_an_over_long_value() -> None:
    """rfc3986's authority expression is quadratic in a long host: it gets 8 KiB at most."""
    problem = urls.rfc3986_problem("http://" + "a" * MAX_VALUE_LENGTH)
    assert problem is not None and str(MAX_VALUE_LENGTH) in problem
    assert urls.rfc3986_problem("http://" + "a" * 100 + ".org/") is None


def test_an_over_long_value_is_an_input_error_when_url_too_long_is_off() -> None:
    value = "https://files.example.org/" + "a" * MAX_VALUE_LENGTH
    report = lint_refs([value], online=False, overrides={"ignore": ("url-too-long",)})
    assert report.findings == ()
    assert report.exit_code() == 2
    assert "longer than the 8192 characters medperf-lint reads" in report.input_errors[0].message


def test_offline_rules_stop_at_the_deadline_and_say_so(tmp_path: Path) -> None:
    """--deadline bounds offline work too: rules not run by then are an input error (exit 2),
    never a silent pass."""
    path = tmp_path / "model.medperf.yaml"
    path.write_text("name: m\nadditional_files_tarball_url: http://a.org/w\n", encoding="utf-8")
    report = lint([path], online=False, overrides={"deadline": 0})
    assert report.exit_code() == 2
    assert [p.path for p in report.input_errors] == [str(path)]
    assert "deadline (0 s) ran out before" in report.input_errors[0].message
    assert report.findings == ()
    assert lint([path], online=False, overrides={"deadline": 60}).input_errors == ()
