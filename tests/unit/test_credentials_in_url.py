from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from lintkit import hits, lint_ref, lint_yaml, messages
from medperf_lint.input.config import Settings
from medperf_lint.refs.references import Reference, RefKind
from medperf_lint.rule import RuleContext
from medperf_lint.rules import credentials_in_url

RULE = ("credentials-in-url",)
SECRET = "s3cr3t-Pa55w0rd-9f8e7d"


@pytest.mark.parametrize(
    ("value", "clean"),
    [
        (
            f"https://alice:{SECRET}@files.example.org/w.tar.gz",
            "https://files.example.org/w.tar.gz",
        ),
        (f"https://{SECRET}@raw.example.org/w.tar.gz", "https://raw.example.org/w.tar.gz"),
        (
            f"https://files.example.org/w.tar.gz?token={SECRET}",
            "https://files.example.org/w.tar.gz",
        ),
        (
            f"https://files.example.org/w.tar.gz?download=1&Access_Token={SECRET}&x=2",
            "https://files.example.org/w.tar.gz?download=1&x=2",
        ),
        (
            f"direct:https://gitlab.example.org/raw/w.tar.gz?private_token={SECRET}",
            "direct:https://gitlab.example.org/raw/w.tar.gz",
        ),
    ],
)
def test_secrets_are_errors_and_never_echoed(value: str, clean: str) -> None:
    report = lint_ref(value, select=RULE)
    assert hits(report) == [("credentials-in-url", 0, 0)]
    finding = report.findings[0]
    assert finding.severity.value == "error"
    assert finding.fix is not None and finding.fix.replacement == clean
    assert SECRET not in repr(finding)


@pytest.mark.parametrize(
    "value",
    [
        "https://files.example.org/w.tar.gz",
        "https://zenodo.org/records/1/files/w.tar.gz?download=1",
        "https://files.example.org/w.tar.gz?token=",  # an empty parameter holds no secret
        "https://www.dropbox.com/scl/fi/a/w.tar.gz?rlkey=abc123&dl=1",  # part of the link
        "https://bucket.s3.amazonaws.com/w.tar.gz?X-Amz-Signature=abc",  # expiring-url's business
        "synapse:syn51089171",
    ],
)
def test_clean_urls_pass(value: str) -> None:
    assert hits(lint_ref(value, select=RULE)) == []


def test_rule_itself_never_repeats_the_secret() -> None:
    """The engine redacts too; this checks the rule does not depend on it."""
    ctx = RuleContext(settings=Settings())
    for raw in (
        f"https://bob:{SECRET}@example.org/w.tar.gz",
        f"https://{SECRET}@example.org/w.tar.gz",
        f"https://example.org/w.tar.gz?api_key={SECRET}&password={SECRET}",
    ):
        diags = list(credentials_in_url.check(Reference(raw, RefKind.RESOURCE), ctx))
        assert len(diags) == 1
        assert SECRET not in diags[0].message
        assert diags[0].fix is not None
        assert SECRET not in diags[0].fix.replacement + diags[0].fix.description
        assert "bob" not in diags[0].message


def test_names_the_parameters(tmp_path: Path) -> None:
    report = lint_yaml(
        tmp_path,
        f"""
        name: m
        asset_url: https://example.org/a.tar.gz?Token={SECRET}&key={SECRET}
        """,
        select=RULE,
    )
    assert hits(report) == [("credentials-in-url", 2, 12)]
    assert "parameters key, token" in report.findings[0].message


def _cli(args: list[str], cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "medperf_lint", "--offline", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


@pytest.mark.parametrize("fmt", ["text", "json"])
def test_cli_output_never_contains_the_secret(tmp_path: Path, fmt: str) -> None:
    manifest = tmp_path / "model.medperf.yaml"
    manifest.write_text(
        f"additional_file: https://alice:{SECRET}@files.example.org/w.tar.gz\n"
        f"demo_url: https://files.example.org/demo.tar.gz?access_token={SECRET}\n",
        encoding="utf-8",
    )
    ref = f"https://{SECRET}@files.example.org/w.tar.gz?password={SECRET}"
    result = _cli([str(manifest), "--ref", ref, "--format", fmt], tmp_path)
    assert result.returncode == 1, result.stderr
    assert SECRET not in result.stdout
    assert SECRET not in result.stderr
    if fmt == "json":
        findings = json.loads(result.stdout)["findings"]
        located = sorted(
            (f["line"] or 0, f["column"] or 0)
            for f in findings
            if f["rule"] == "credentials-in-url"
        )
        assert located == [(0, 0), (1, 18), (2, 11)]
    else:
        assert f"{manifest}:1:18: MPL004 credentials-in-url [error]" in result.stdout


ADVICE = (
    "anyone who reads the manifest or the MedPerf server entry gets it; host the file publicly "
    "(or on Synapse) and revoke the secret"
)
GHP = "ghp_" + "a" * 36


@pytest.mark.parametrize(
    ("url", "what", "fixed"),
    [
        (
            "https://bob@h.example.org/w",
            "a user name or token before the host (…@)",
            "https://h.example.org/w",
        ),
        (
            f"https://{GHP}@h.example.org/w",
            "a user name or token before the host (…@)",
            "https://h.example.org/w",
        ),
        (
            "https://bob:pw@h.example.org/w",
            "a user name and password before the host (user:…@)",
            "https://h.example.org/w",
        ),
        (f"https://h.example.org/{GHP}/w", "a token", None),
        (
            "https://h.example.org/w?token=abc#frag",
            "a credential in parameter token",
            "https://h.example.org/w#frag",
        ),
        (
            "https://h.example.org/w?token=abc#",
            "a credential in parameter token",
            "https://h.example.org/w#",
        ),
        (
            "https://h.example.org/w#token=abc",
            "a credential in parameter token",
            "https://h.example.org/w",
        ),
        (
            "https://h.example.org/w#a=1&token=abc",
            "a credential in parameter token",
            "https://h.example.org/w#a=1",
        ),
        (
            "https://h.example.org/w?a=1&token=x&key=y",
            "a credential in parameters key, token",
            "https://h.example.org/w?a=1",
        ),
        (
            "https://bob:pw@h.example.org/w?key=y",
            "a user name and password before the host (user:…@) and a credential in parameter key",
            "https://h.example.org/w",
        ),
    ],
)
def test_each_kind_of_secret_in_full(url: str, what: str, fixed: str | None) -> None:
    report = lint_ref(url, select=("credentials-in-url",))
    assert messages(report) == [f"the URL holds {what}: {ADVICE}"]
    fix = report.findings[0].fix
    assert (fix.replacement if fix else None) == fixed
    if fix is not None:
        assert (fix.description, fix.safe) == (
            "drop the credentials (works once the file is public)",
            False,
        )
