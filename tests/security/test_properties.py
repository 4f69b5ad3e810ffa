"""Property-based proof (hypothesis): reference parsing, the URL rules, the YAML front end and
the redactor. No generated secret survives any output format."""

from __future__ import annotations

import io
import json
from pathlib import Path
from urllib.parse import quote

import medperf_lint
import pytest
import yaml
from hypothesis import HealthCheck, assume, example, given, settings
from hypothesis import strategies as st
from medperf_lint.findings import Finding, Fix
from medperf_lint.input.documents import load_text
from medperf_lint.input.yamlnodes import InputError, decode
from medperf_lint.refs.redact import (
    CREDENTIAL_PARAMS,
    SIGNATURE_PARAMS,
    carries_secret,
    find_secrets,
    redact_text,
    redact_url,
)
from medperf_lint.refs.references import parse_resource
from medperf_lint.report import InputProblem
from medperf_lint.reporters import render
from medperf_lint.rules import BY_CODE

FAST = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])

# Secrets from an alphabet no message, rule code or host name is made of (no M, P, L, 0, 1),
# so finding one in the output can only mean it leaked.
secrets = st.text(alphabet="QXZJKVW23456789", min_size=12, max_size=24)
hosts = st.sampled_from(
    [
        "files.example.org",
        "zenodo.org",
        "raw.githubusercontent.com",
        "drive.google.com",
        "bucket.s3.amazonaws.com",
        "storage.googleapis.com",
        "127.0.0.1:8443",
        "[::1]",
    ]
)
paths = st.lists(st.text(alphabet="abcdefghij-_.", min_size=1, max_size=8), max_size=4).map(
    lambda parts: "/" + "/".join(parts)
)


@st.composite
def disguised_keys(draw: st.DrawFn, names: frozenset[str]) -> str:
    """A key name as an attacker might write it: any case, any characters percent-encoded,
    ``+`` (a space once decoded) before or after it."""
    name = draw(st.sampled_from(sorted(names)))
    out = ""
    for ch in name:
        ch = ch.upper() if draw(st.booleans()) else ch
        out += quote(ch, safe="") if ch.isalnum() and draw(st.booleans()) else ch
        if ch != quote(ch, safe="") or not draw(st.booleans()):
            continue
        out = out[:-1] + "%" + format(ord(ch), "02X")
    return draw(st.sampled_from(["", "+"])) + out + draw(st.sampled_from(["", "+", "++"]))


@st.composite
def secret_urls(draw: st.DrawFn) -> tuple[str, list[str]]:
    """A URL that hides ``secret`` somewhere a real one could; returns (url, pieces to find)."""
    secret = draw(secrets)
    host, path = draw(hosts), draw(paths)
    where = draw(st.sampled_from(["user", "password", "password@", "query", "fragment", "sig"]))
    if where == "user":
        return f"https://{secret}@{host}{path}", [secret]
    if where == "password":
        return f"https://alice:{secret}@{host}{path}", [secret]
    if where == "password@":  # a password containing @: userinfo ends at the last @
        cut = len(secret) // 2
        return f"https://alice:{secret[:cut]}@{secret[cut:]}@{host}{path}", [
            secret[:cut],
            secret[cut:],
        ]
    names = SIGNATURE_PARAMS if where == "sig" else CREDENTIAL_PARAMS
    key = draw(disguised_keys(names))
    before = draw(st.sampled_from(["", "download=1&", "a=b&c=d&"]))
    after = draw(st.sampled_from(["", "&x=1", "&token_type=bearer"]))
    mark = "#" if where == "fragment" else "?"
    return f"https://{host}{path}{mark}{before}{key}={secret}{after}", [secret]


@FAST
@given(secret_urls())
@example(("https://files.example.org/w?%74oken=QXZJKVW23456", ["QXZJKVW23456"]))
@example(("https://files.example.org/w?token+=QXZJKVW23456", ["QXZJKVW23456"]))
@example(("https://h.example.org/w#access_token=QXZJKVW23456", ["QXZJKVW23456"]))
def test_redactor_hides_every_generated_secret(case: tuple[str, list[str]]) -> None:
    url, pieces = case
    for out in (redact_url(url), redact_text(url), redact_text(f"redirected to '{url}' (302)")):
        for piece in pieces:
            assert piece not in out, out
    assert carries_secret(url)


def _render_all(report: medperf_lint.Report) -> dict[str, str]:
    out = {}
    for fmt in ("text", "json", "github"):
        buffer = io.StringIO()
        render(report, fmt, buffer)
        out[fmt] = buffer.getvalue()
    return out


@settings(
    max_examples=100, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(secret_urls(), st.sampled_from(["", "direct:"]))
def test_no_generated_secret_survives_any_output_format(
    tmp_path: Path, case: tuple[str, list[str]], prefix: str
) -> None:
    url, pieces = case
    path = tmp_path / "leak.medperf.yaml"
    path.write_text(f"additional_file: '{prefix}{url}'\n", encoding="utf-8")
    report = medperf_lint.lint_paths([path], online=False)
    assert any(f.rule == "hash-missing" for f in report.findings)  # it did report on the URL
    for fmt, text in _render_all(report).items():
        assert "leak.medperf.yaml" in text
        for piece in pieces:
            assert piece not in text, (fmt, text)


@FAST
@given(secret_urls())
def test_reporters_redact_even_unredacted_findings(case: tuple[str, list[str]]) -> None:
    """Defence in depth: a finding built without the engine (a future code path) is safe too."""
    url, pieces = case
    finding = Finding(
        None,
        None,
        "MPL403",
        "unreachable",
        BY_CODE["MPL403"].severity,
        f"redirect to {url} failed; Location: {url}",
        url,
        Fix(url, f"use {url}"),
    )
    report = medperf_lint.Report(findings=(finding,), input_errors=(InputProblem(url, url),))
    for fmt, text in _render_all(report).items():
        for piece in pieces:
            assert piece not in text, (fmt, text)


@FAST
@given(secrets)
def test_server_text_echoing_a_known_token_is_redacted(secret: str) -> None:
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("SYNAPSE_AUTH_TOKEN", secret)
        reason = f"Invalid token {secret!r}: authentication failed for {secret}"
        assert secret not in redact_text(reason)
        finding = Finding(
            None,
            None,
            "MPL606",
            "synapse-auth-invalid",
            BY_CODE["MPL606"].severity,
            reason,
            "synapse:syn1",
            None,
        )
        report = medperf_lint.Report(findings=(finding,))
        for text in _render_all(report).values():
            assert secret not in text


@FAST
@given(st.text(max_size=200))
def test_redactor_never_raises_and_is_idempotent(text: str) -> None:
    once = redact_text(text)
    assert redact_text(once) == once
    assert redact_url(redact_url(text)) == redact_url(text)


# Texts near the triggers of the redactor's shortcut without holding one: URLs with escapes,
# quotes and brackets, and near misses of token shapes and auth words.
FILLER = "QXZJKVW234567890abcdxyzQXZJKVW234"  # token characters, no trigger among them
near_misses = st.lists(
    st.sampled_from(
        [
            "https://",
            "http://h.example.org",
            "ftp://",
            "://",
            "s3://b/k",
            "/a/b.tar.gz",
            ":8443",
            "[::1]",
            "%74oken",
            "%3D",
            "%40",
            "'",
            "(",
            ")",
            '"',
            "<",
            ">",
            "`",
            " ",
            "\n",
            "\\",
            "&",
            ";",
            "+",
            ":",
            "/",
            "?",
            "#",
            ".",
            "-",
            "_",
            "g_h",
            "gx_",
            "g h p_",
            "glpat",
            "hf",
            "h f_",
            "AKI",
            "ASI",
            "ey",
            "eJy",
            "tok",
            "oke",
            "bear",
            "eare",
            "Bas",
            "sic",
            "key",
            "sig",
            "secret",
            "pass",
            "auth",
            "QXZJKVW23456",
            "x",
            FILLER,
            "12345678901234567890",
        ]
    ),
    max_size=12,
).map("".join)
KNOWN = ("plain-looking-value-1",)  # a known token (one from the environment, say)
# One secret per trigger of the shortcut, each holding no other trigger: a trigger dropped
# from the shortcut lets one of these through unredacted.
ONE_TRIGGER_SECRETS = (
    "https://QXZJKVW23456@h.example.org/f",  # @
    "&apikey=QXZJKVW23456",  # =
    *(f"gh{kind}_{FILLER}" for kind in "pousr"),
    f"github_pat_{FILLER}",
    f"glpat-{FILLER}",
    f"hf_{FILLER}",
    "AKIAQXZJKVW234567890",
    "ASIAQXZJKVW234567890",
    "eyJQXZJKVW23.QXZJKVW23.x",
    "Bearer 12345678901234567890",
    "bearer 12345678901234567890",
    "Basic 12345678901234567890",
    "basic 12345678901234567890",
    "Token 12345678901234567890",
    "token 12345678901234567890",
    KNOWN[0],
)


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.one_of(near_misses, st.text(max_size=80)))
def test_redactor_shortcut_skips_only_texts_it_would_not_change(text: str) -> None:
    """A text the shortcut returns at once is one the whole redactor leaves as it is."""
    from medperf_lint.refs.redact import _plain, _redact_text, _redact_url

    for tokens in ((), KNOWN):
        if _plain(text, tokens):
            assert _redact_text(text, tokens) == text
            assert _redact_url(text, tokens) == text


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(near_misses, st.sampled_from(ONE_TRIGGER_SECRETS), near_misses)
def test_redactor_shortcut_never_skips_a_secret(before: str, secret: str, after: str) -> None:
    """Every trigger is needed: each secret above, amid near misses, is redacted."""
    from medperf_lint.refs.redact import _plain

    text = f"{before} {secret} {after}"
    assert not _plain(text, KNOWN)
    assert redact_text(text, KNOWN) != text


urlish = st.builds(
    lambda scheme, user, host, path, query, frag: f"{scheme}://{user}{host}{path}{query}{frag}",
    st.sampled_from(["http", "https"]),
    st.sampled_from(["", "u@", "u:p@", ":@", "@"]),
    hosts,
    paths,
    st.lists(
        st.tuples(
            st.sampled_from(
                [
                    *sorted(CREDENTIAL_PARAMS)[:6],
                    "x-amz-signature",
                    "sig",
                    "a",
                    "tok",
                    "%74oken",
                    "token+",
                    "download",
                ]
            ),
            st.sampled_from(["", "1", "QXZJKVW23456", "***"]),
        ),
        max_size=3,
    ).map(lambda kv: ("?" + "&".join(f"{k}={v}" for k, v in kv)) if kv else ""),
    st.sampled_from(["", "#", "#access_token=QXZJKVW23456", "#frag", "#key="]),
)


@FAST
@given(urlish)
def test_credentials_in_url_and_the_redactor_agree(url: str) -> None:
    """One definition of secret-bearing: the rule fires exactly on credentials, and the
    redactor changes a URL exactly when it carries a secret (credentials or signatures)."""
    assume("=***" not in url)  # an already redacted value has nothing left to hide
    found = find_secrets(url)
    report = medperf_lint.lint_refs([url], online=False, overrides={"select": ("MPL004",)})
    assert bool(report.findings) == found.credentials, (url, found)
    assert (redact_url(url) != url) == found.any, (url, redact_url(url))


@FAST
@given(st.text(max_size=300))
def test_reference_parsing_never_raises(value: str) -> None:
    parsed = parse_resource(value)
    assert parsed.source in (None, "direct", "synapse")
    report = medperf_lint.lint_refs([value], online=False)
    assert {f.code for f in report.findings} <= set(BY_CODE)


@FAST
@given(
    st.builds(
        lambda s, h, p: f"{s}://{h}{p}",
        st.sampled_from(["http", "https", "ftp", "s3"]),
        hosts,
        st.text(max_size=60),
    )
)
def test_url_rules_never_raise_on_odd_urls(url: str) -> None:
    report = medperf_lint.lint_refs([url, "direct:" + url], online=False)
    assert {f.code for f in report.findings} <= set(BY_CODE)
    for f in report.findings:
        assert f.rule == BY_CODE[f.code].name


yaml_data = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.text(max_size=40)
    | st.sampled_from(
        [
            "synapse:syn1",
            "https://zenodo.org/records/1/files/w.tar.gz",
            "direct:http://x.example/a",
            "syn123",
            "DockerImage",
        ]
    ),
    lambda inner: (
        st.lists(inner, max_size=4)
        | st.dictionaries(
            st.sampled_from(
                [
                    "image",
                    "container_type",
                    "demo_url",
                    "additional_file",
                    "docs_url",
                    "docker",
                    "singularity",
                    "x",
                    "mlcube_hash",
                ]
            )
            | st.text(max_size=8),
            inner,
            max_size=5,
        )
    ),
    max_leaves=25,
)


@FAST
@given(yaml_data)
def test_yaml_front_end_on_generated_documents(data: object) -> None:
    text = yaml.safe_dump(data, allow_unicode=True)
    try:
        doc = load_text(text, "gen.medperf.yaml")
    except InputError as err:
        assert "\n" not in str(err)
        return
    for ref in doc.references:
        assert ref.span is None or ref.span.line >= 1


@FAST
@given(st.binary(max_size=400))
def test_yaml_front_end_on_random_bytes(data: bytes) -> None:
    try:
        load_text(decode(data), "bytes.medperf.yaml")
    except InputError as err:
        assert str(err) and "\n" not in str(err)


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(yaml_data)
def test_cli_json_on_generated_files(tmp_path: Path, data: object) -> None:
    path = tmp_path / "gen.medperf.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    report = medperf_lint.lint_paths([path], online=False)
    payload = json.loads(_render_all(report)["json"])
    assert payload["version"] == 1
    assert len(payload["findings"]) == len(report.findings)
