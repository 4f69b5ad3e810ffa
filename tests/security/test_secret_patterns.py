"""Secrets by pattern (issue 14): one definition for the redactor and credentials-in-url.

Keys are secret by what they contain, not by a closed list; values are secret by their shape.
Every output format hides them; keys that only happen to contain "key" stay readable.
"""

from __future__ import annotations

import io

import pytest
from medperf_lint.api import lint_refs
from medperf_lint.refs.redact import find_secrets, param_kind, redact_url
from medperf_lint.reporters import render

# Query keys that were printed verbatim by every output and missed by credentials-in-url.
SECRET_KEYS = (
    "access-token",
    "api_token",
    "apitoken",
    "oauth_token",
    "x-api-key",
    "auth-token",
    "sessiontoken",
    "token[]",
    "hf_token",
    "access_key",
    "secret_key",
    "x-auth-token",
    "accessKey",
    "private-token",
    "client-secret",
    "ticket",
    "sas",
    "otp",
)
# Parts of signed URLs: hidden too, but reported by expiring-url, not credentials-in-url.
SIGNATURE_KEYS = ("Policy", "x-amz-security-token")
# Keys of ordinary download links. rlkey (Dropbox) and resourcekey (Google Drive) are part of
# the shared link itself; hiding them would make every fix of such a link unwritable.
READABLE_KEYS = (
    "dl",
    "download",
    "raw",
    "rlkey",
    "versionId",
    "export",
    "id",
    "alt",
    "resourcekey",
    "author",
)
# Values secret whatever key holds them.
TOKEN_VALUES = (
    "ghp_" + "Q" * 36,
    "github_pat_" + "Q" * 30,
    "hf_" + "Q" * 34,
    "glpat-" + "Q" * 20,
    "AKIAQXZJKVW234567892",
    "eyJQXZJKVWQXZ.eyJQXZJKVWQXZ.QXZJKVW2345",
)
SECRET = "QXZJKVW23456789"  # letters no message, code or host holds
READABLE = "READABLE7"
FORMATS = ("text", "json", "sarif", "github")


def _outputs(url: str) -> dict[str, str]:
    """Every format's output for ``url`` over plain http, so a finding (insecure-http) always
    shows the reference itself."""
    report = lint_refs([url.replace("https://", "http://")], online=False)
    assert report.findings
    rendered = {}
    for fmt in FORMATS:
        buffer = io.StringIO()
        render(report, fmt, buffer)
        rendered[fmt] = buffer.getvalue()
    return rendered


@pytest.mark.parametrize("key", SECRET_KEYS + SIGNATURE_KEYS)
def test_secret_keys_are_hidden_in_every_output(key: str) -> None:
    url = f"https://files.example.org/w.tar.gz?dl={READABLE}&{key}={SECRET}"
    assert param_kind(key, SECRET) in ("credential", "signature")
    assert SECRET not in redact_url(url)
    for fmt, text in _outputs(url).items():
        assert SECRET not in text, fmt
        assert READABLE in text, fmt  # the rest of the URL is still shown


@pytest.mark.parametrize("key", SECRET_KEYS)
def test_credentials_in_url_reports_every_secret_key(key: str) -> None:
    url = f"https://files.example.org/w.tar.gz?{key}={SECRET}"
    assert find_secrets(url).credentials
    assert "credentials-in-url" in {f.rule for f in lint_refs([url], online=False).findings}


@pytest.mark.parametrize("key", SIGNATURE_KEYS)
def test_signature_parts_are_not_credentials(key: str) -> None:
    assert not find_secrets(f"https://d111.cloudfront.net/w.tar.gz?{key}={SECRET}").credentials


@pytest.mark.parametrize("key", READABLE_KEYS)
def test_harmless_keys_stay_readable_in_every_output(key: str) -> None:
    url = f"https://files.example.org/w.tar.gz?{key}={READABLE}"
    assert param_kind(key, READABLE) is None
    assert redact_url(url) == url
    assert not find_secrets(url).any
    for fmt, text in _outputs(url).items():
        assert f"{key}={READABLE}" in text, fmt


@pytest.mark.parametrize("value", TOKEN_VALUES)
def test_token_shaped_values_are_secret_under_any_key(value: str) -> None:
    url = f"https://files.example.org/w.tar.gz?dl={READABLE}&note={value}"
    assert param_kind("note", value) == "credential"
    assert find_secrets(url).credentials
    for fmt, text in _outputs(url).items():
        assert value not in text, fmt
        assert value[8:] not in text, fmt  # no readable tail either


def test_dropbox_link_keeps_rlkey_and_hides_a_token_beside_it() -> None:
    url = f"https://www.dropbox.com/scl/fi/abc/w.tar.gz?rlkey=abc123&dl=1&x-api-key={SECRET}"
    assert redact_url(url) == (
        "https://www.dropbox.com/scl/fi/abc/w.tar.gz?rlkey=abc123&dl=1&x-api-key=***"
    )
