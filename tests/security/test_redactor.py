"""The one redactor, on the cases the issue lists, and where its output goes."""

from __future__ import annotations

import io
import json
import logging
import subprocess
import sys
from pathlib import Path

import medperf_lint
import pytest
from medperf_lint.facts import NetworkResults
from medperf_lint.facts.synapse import SynapseLookup
from medperf_lint.refs.redact import install_log_redaction, redact_text, redact_url
from medperf_lint.reporters import render

SECRET = "QXZJ2345KVW6789Q"


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        (f"https://{SECRET}@h.example.org/f", "https://***@h.example.org/f"),
        (f"https://alice:{SECRET}@h.example.org/f", "https://alice:***@h.example.org/f"),
        (f"https://alice:p@{SECRET}@h.example.org/f", "https://alice:***@h.example.org/f"),
        (f"https://h.example.org/f?%74oken={SECRET}", "https://h.example.org/f?%74oken=***"),
        (f"https://h.example.org/f?token+={SECRET}&a=1", "https://h.example.org/f?token+=***&a=1"),
        (
            f"https://h.example.org/f#access_token={SECRET}",
            "https://h.example.org/f#access_token=***",
        ),
        (
            f"https://b.s3.amazonaws.com/k?X-Amz-Credential=AKIA{SECRET}&X-Amz-Signature={SECRET}",
            "https://b.s3.amazonaws.com/k?X-Amz-Credential=***&X-Amz-Signature=***",
        ),
        (
            f"https://storage.googleapis.com/b/k?GoogleAccessId=x@y&Signature={SECRET}",
            "https://storage.googleapis.com/b/k?GoogleAccessId=***&Signature=***",
        ),
        (
            f"https://a.blob.core.windows.net/c/k?sv=2022-11-02&sig={SECRET}",
            "https://a.blob.core.windows.net/c/k?sv=2022-11-02&sig=***",
        ),
        (
            f"https://d1.cloudfront.net/k?Expires=9&Signature={SECRET}&Key-Pair-Id=APKA{SECRET}",
            "https://d1.cloudfront.net/k?Expires=9&Signature=***&Key-Pair-Id=***",
        ),
        (f"http://h:1\\{SECRET}@api.github.com/x", "http://h:***@api.github.com/x"),
        (
            "https://zenodo.org/records/1/files/w.tar.gz?download=1",
            "https://zenodo.org/records/1/files/w.tar.gz?download=1",
        ),
    ],
)
def test_urls(url: str, expected: str) -> None:
    assert redact_url(url) == expected
    assert redact_text(f"Location: {url}") == f"Location: {expected}"


def test_relative_location_and_bare_auth_words() -> None:
    assert (
        redact_text(f"Location: /next?access_token={SECRET}") == "Location: /next?access_token=***"
    )
    assert redact_text(f"Authorization: Bearer {SECRET}") == "Authorization: Bearer ***"


def test_known_tokens_from_environment_and_synapse_config(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GITHUB_TOKEN", "plain-looking-token-1")
    (Path.home() / ".synapseConfig").write_text(f"[authentication]\nauthtoken = {SECRET}\n")
    text = f"server said: token plain-looking-token-1 and {SECRET} are invalid"
    assert redact_text(text) == "server said: token *** and *** are invalid"


def test_synapse_reason_echoing_the_token_is_redacted_in_json(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("SYNAPSE_AUTH_TOKEN", SECRET)
    # a real lookup whose server ``reason`` echoes the token, as some 401s do
    lookup = SynapseLookup("syn1", status=401, reason=f"invalid access token {SECRET}")
    network = NetworkResults(synapse={"syn1": lookup})
    report = medperf_lint.Report(online=True, network=network)
    out = io.StringIO()
    render(report, "json", out)
    data = json.loads(out.getvalue())
    assert data["synapse"][0]["reason"] == "invalid access token ***"


def test_library_logs_are_redacted_and_one_line() -> None:
    code = (
        "import logging\n"
        "from medperf_lint.refs.redact import install_log_redaction\n"
        "install_log_redaction()\n"
        f"logging.getLogger('urllib3').warning('GET %s\\nfailed', 'https://h/x?token={SECRET}')\n"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert proc.stderr == "medperf-lint: urllib3: GET https://h/x?token=*** failed\n"
    assert install_log_redaction is not None


def test_stderr_messages_are_redacted(tmp_path: Path) -> None:
    (tmp_path / ".medperf-lint.toml").write_text(
        f'severity = {{ "x" = "https://u:{SECRET}@h/" }}\n'
    )
    proc = subprocess.run(
        [sys.executable, "-m", "medperf_lint", "--offline", "--ref", f"https://h/?token={SECRET}"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert proc.returncode == 2 and SECRET not in proc.stderr + proc.stdout
    assert "unknown severity 'https://u:***@h/'" in proc.stderr  # the value is quoted, redacted


def test_exception_text_of_an_unexpected_error_is_redacted(monkeypatch: pytest.MonkeyPatch) -> None:
    from medperf_lint import cli

    def boom(*_a: object, **_k: object) -> None:
        raise RuntimeError(f"connect to https://x:{SECRET}@h/ failed")

    monkeypatch.setattr(cli, "_lint", boom)
    err = io.StringIO()
    monkeypatch.setattr(sys, "stderr", err)
    assert cli.main(["--offline", "--ref", "synapse:syn1"]) == 2
    assert SECRET not in err.getvalue() and "internal error: RuntimeError" in err.getvalue()
    logging.getLogger().handlers[:] = [
        h for h in logging.getLogger().handlers if not getattr(h, "_medperf_lint", False)
    ]


def test_progress_bar_host_is_redacted_and_defused() -> None:
    from medperf_lint.progress import terminal_progress

    class Tty(io.StringIO):
        def isatty(self) -> bool:
            return True

    out = Tty()
    with terminal_progress(enabled=True, stream=out) as update:
        assert update is not None
        update(f"evil\x1b]0;x\x07[bold]{SECRET}", 1, 2)
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("GITHUB_TOKEN", SECRET)
        with terminal_progress(enabled=True, stream=out) as update:
            assert update is not None
            update(f"host-{SECRET}", 1, 2)
    text = out.getvalue()
    assert "evil\\x1b]0;x\\x07[bold]" in text and "\x1b]0;x" not in text
    assert f"host-{SECRET}" not in text and "host-***" in text


def test_a_run_reads_the_known_tokens_once_however_many_findings(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Reading the tokens means the environment and a stat of ~/.synapseConfig; the engine
    redacts every finding's texts, so a large tree read them tens of thousands of times."""
    from medperf_lint.refs import redact

    reads: list[int] = []
    real = redact._read_known_tokens

    def counted() -> tuple[str, ...]:
        reads.append(1)
        return real()

    monkeypatch.setattr(redact, "_read_known_tokens", counted)
    for count in (10, 200):
        reads.clear()
        refs = [f"http://h{i}.example.org/f.tar.gz" for i in range(count)]
        report = medperf_lint.lint_refs(refs, online=False)
        assert len(report.findings) >= count  # an insecure-http finding each, all redacted
        assert len(reads) == 1, (count, len(reads))


def test_a_secret_registered_while_tokens_are_held_is_hidden_at_once(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from medperf_lint.refs import redact

    monkeypatch.setattr(redact, "_registered", set())
    late = "LATE" + SECRET
    with redact.tokens_held():
        held = redact.known_tokens()
        assert redact.known_tokens() is held  # worked out once for the block
        assert redact_text(f"got {late}") == f"got {late}"
        redact.register_secret(late)
        assert redact_text(f"got {late}") == "got ***"
    monkeypatch.setenv("GITHUB_TOKEN", "ENV" + SECRET)
    assert "ENV" + SECRET in redact.known_tokens()  # outside a block, read afresh
