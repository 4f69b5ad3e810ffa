"""The redactor's key tables, every entry listed here (not read from the module), and the
look-alike keys it must leave alone."""

from __future__ import annotations

import logging
from collections.abc import Iterator

import pytest
from medperf_lint.refs.redact import find_secrets, install_log_redaction, redact_text, redact_url

CREDENTIAL_KEYS = [
    "token",
    "access_token",
    "accesstoken",
    "auth",
    "auth_token",
    "authtoken",
    "api_key",
    "apikey",
    "api-key",
    "key",
    "private_token",
    "password",
    "passwd",
    "pwd",
    "secret",
    "client_secret",
    "refresh_token",
    "id_token",
    "session",
    "sessionid",
    "jwt",
    "bearer",
]
SIGNATURE_KEYS = [
    "sig",
    "signature",
    "key-pair-id",
    "x-amz-signature",
    "x-amz-credential",
    "x-amz-security-token",  # an AWS session token: it must never print
    "x-goog-signature",
    "x-goog-credential",
    "x-goog-security-token",
    "awsaccessid",
    "awsaccesskeyid",
    "googleaccessid",
    "q-signature",
    "x-oss-signature",
    "ossaccesskeyid",
    "__token__",
    "hdnts",
    "hdnea",
    "authorization",
    "policy",  # CloudFront custom policy
    # the parts of signed URLs that the key patterns would read as secret
    "x-amz-signedheaders",
    "x-goog-signedheaders",
    "q-sign-algorithm",
    "q-sign-time",
    "q-key-time",
    "q-ak",
    "q-header-list",
    "q-url-param-list",
    "x-oss-signature-version",
    "x-oss-credential",
    "x-oss-additional-headers",
]
# Keys that must stay readable. Under the pattern rule (a key holding token, secret, sig, auth,
# pass, credential, session or ticket is a secret), `tokens`, `key_id`, `auth_type`,
# `sessions`, `signed` and `x-amz-signedheaders` are hidden on purpose: tests/security/
# test_secret_patterns.py pins that side.
LOOK_ALIKES = [
    "keys",
    "monkey",
    "author",
    "x-amz-date",
    "x-amz-expires",
    "x-amz-algorithm",
    "x-goog-date",
    "expires",
    "download",
    "id",
    "version",
]
VALUE = "Zq7secretValue42"
# A name ending in "key" (or "keyid") is a credential after one of these, written in one word.
KEY_QUALIFIERS = [
    "api",
    "access",
    "secret",
    "private",
    "client",
    "account",
    "subscription",
    "master",
    "signing",
    "shared",
    "storage",
    "app",
    "consumer",
    "encryption",
    "license",
    "user",
]


@pytest.mark.parametrize("key", CREDENTIAL_KEYS)
def test_every_credential_key_is_hidden_and_reported(key: str) -> None:
    url = f"https://files.example.org/w.tar.gz?dl=1&{key}={VALUE}"
    assert redact_url(url) == f"https://files.example.org/w.tar.gz?dl=1&{key}=***"
    assert (
        redact_text(f"GET {url} failed")
        == f"GET https://files.example.org/w.tar.gz?dl=1&{key}=*** failed"
    )
    assert find_secrets(url).credential_keys == (key,)
    assert find_secrets(url).signature_keys == ()


@pytest.mark.parametrize("key", SIGNATURE_KEYS)
def test_every_signature_key_is_hidden_and_reported(key: str) -> None:
    url = f"https://bucket.example.org/w.tar.gz?{key.upper()}={VALUE}&x=1"
    assert redact_url(url) == f"https://bucket.example.org/w.tar.gz?{key.upper()}=***&x=1"
    assert VALUE not in redact_text(f"server said: {url}")
    secrets = find_secrets(url)
    assert (secrets.signature_keys, secrets.credential_keys) == ((key,), ())
    assert not secrets.credentials and secrets.any


@pytest.mark.parametrize("key", LOOK_ALIKES)
def test_look_alike_keys_are_kept(key: str) -> None:
    url = f"https://files.example.org/w.tar.gz?{key}={VALUE}"
    assert redact_url(url) == url
    assert redact_text(f"see {url}") == f"see {url}"
    assert not find_secrets(url).any


@pytest.mark.parametrize("key", ["token", "x-amz-security-token"])
def test_an_empty_value_holds_no_secret(key: str) -> None:
    url = f"https://files.example.org/w.tar.gz?{key}="
    assert redact_url(url) == url
    assert not find_secrets(url).any


@pytest.mark.parametrize(
    ("spelled", "key"),
    [("%74oken", "token"), ("TOKEN", "token"), ("token+", "token"), ("%2574oken", "token")],
)
def test_keys_are_read_as_a_server_reads_them(spelled: str, key: str) -> None:
    url = f"https://files.example.org/w?{spelled}={VALUE}"
    assert VALUE not in redact_url(url)
    assert find_secrets(url).credential_keys == (key,)


def test_fragments_are_read_like_queries() -> None:
    url = f"https://files.example.org/w#access_token={VALUE}"
    assert redact_url(url) == "https://files.example.org/w#access_token=***"


@pytest.mark.parametrize(
    ("url", "shown", "userinfo"),
    [
        (f"https://alice:{VALUE}@h.example.org/w", "https://alice:***@h.example.org/w", "password"),
        (f"https://{VALUE}@h.example.org/w", "https://***@h.example.org/w", "user"),
        (f"https://a:b@c:{VALUE}@h.example.org/w", "https://a:***@h.example.org/w", "password"),
    ],
)
def test_user_info(url: str, shown: str, userinfo: str) -> None:
    assert redact_url(url) == shown
    assert find_secrets(url).userinfo == userinfo


@pytest.mark.parametrize(
    "token",
    [
        "ghp_" + "a" * 36,
        "github_pat_" + "B" * 30,
        "glpat-" + "c" * 20,
        "AKIA" + "D" * 16,
        "ASIA" + "E" * 16,
        "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.sig",
    ],
)
def test_token_shapes_anywhere(token: str) -> None:
    url = f"https://h.example.org/{token}/w.tar.gz"
    assert token not in redact_url(url)
    assert find_secrets(url).token_values
    assert token not in redact_text(f"token {token} rejected")


@pytest.mark.parametrize(
    "text", ["a token parameter", "Bearer of news", "the auth section", "basic setup"]
)
def test_prose_is_left_alone(text: str) -> None:
    assert redact_text(text) == text


@pytest.mark.parametrize("word", ["Bearer", "bearer", "Basic", "basic", "Token", "token"])
def test_auth_words_before_a_credential(word: str) -> None:
    assert redact_text(f"sent {word} abc123def456") == f"sent {word} ***"


def test_tokens_in_any_query_value_count_but_not_inside_signatures() -> None:
    token = "ghp_" + "a" * 36
    assert find_secrets(f"https://h.example.org/w?file={token}").token_values
    assert find_secrets(f"https://h.example.org/w#v={token}").token_values
    presigned = (
        "https://b.s3.amazonaws.com/w?X-Amz-Credential=AKIAABCDEFGHIJKLMNOP%2F20240101"
        "&X-Amz-Signature=abc"
    )
    secrets = find_secrets(presigned)
    assert not secrets.token_values and not secrets.credentials
    assert secrets.signature_keys == ("x-amz-credential", "x-amz-signature")


@pytest.fixture
def root_logger() -> Iterator[logging.Logger]:
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    yield root
    root.handlers[:] = handlers
    root.setLevel(level)


@pytest.mark.parametrize(
    ("before", "after"),
    [
        (logging.NOTSET, logging.WARNING),
        (logging.DEBUG, logging.WARNING),
        (logging.INFO, logging.WARNING),
        (logging.WARNING, logging.WARNING),
        (logging.ERROR, logging.ERROR),
    ],
)
def test_log_records_are_redacted_at_warning_or_above(
    root_logger: logging.Logger,
    capsys: pytest.CaptureFixture[str],
    before: int,
    after: int,
) -> None:
    root_logger.handlers[:] = [logging.NullHandler()]  # someone else's handler is kept
    root_logger.setLevel(before)
    install_log_redaction()
    install_log_redaction()  # once only
    assert root_logger.level == after
    ours = [h for h in root_logger.handlers if getattr(h, "_medperf_lint", False)]
    assert len(ours) == 1 and len(root_logger.handlers) == 2
    logging.getLogger("urllib3").error("GET %s\nfailed", f"https://h.example.org/w?token={VALUE}")
    assert capsys.readouterr().err == (
        "medperf-lint: urllib3: GET https://h.example.org/w?token=*** failed\n"
    )


@pytest.mark.parametrize(
    ("url", "shown"),
    [
        (
            f"direct:https://alice:{VALUE}@h.example.org/w?token={VALUE}",
            "direct:https://alice:***@h.example.org/w?token=***",
        ),
        (f"direct:https://{VALUE}@h.example.org/w", "direct:https://***@h.example.org/w"),
        (f"mailto:alice@example.org?token={VALUE}", "mailto:alice@example.org?token=***"),
    ],
)
def test_a_url_after_a_prefix_is_redacted_as_a_url(url: str, shown: str) -> None:
    """``direct:https://…``: the scheme before the URL is no authority to cut."""
    assert redact_url(url) == shown
    assert VALUE not in redact_text(f"GET {url} failed")


@pytest.mark.parametrize("gap", [" ", "  ", "   ", " and ", "\n then ", " -> "])
def test_every_url_in_a_text_is_redacted(gap: str) -> None:
    """Each URL's scheme is found wherever it starts after the URL before it, however short
    the scheme (``s3://``, ``gs://``)."""
    urls = [
        (f"https://a.example.org/w?token={VALUE}", "https://a.example.org/w?token=***"),
        (f"https://bob:{VALUE}@b.example.org/x", "https://bob:***@b.example.org/x"),
        (f"s3://c:{VALUE}@bucket/y", "s3://c:***@bucket/y"),
        (f"gs://d:{VALUE}@bucket/z?sig={VALUE}", "gs://d:***@bucket/z?sig=***"),
        (f"x://e:{VALUE}@h.example.org/", "x://e:***@h.example.org/"),
    ]
    text = "tried " + gap.join(url for url, _ in urls)
    assert redact_text(text) == "tried " + gap.join(shown for _, shown in urls)


def test_a_token_before_the_host_counts_as_a_token() -> None:
    token = "ghp_" + "a" * 36
    url = f"https://{token}@github.com/o/r.git"
    assert redact_url(url) == "https://***@github.com/o/r.git"
    secrets = find_secrets(url)
    assert (secrets.userinfo, secrets.token_values) == ("user", True)


@pytest.mark.parametrize("qualifier", KEY_QUALIFIERS)
@pytest.mark.parametrize("tail", ["key", "keyid"])
def test_a_qualified_key_in_one_word_is_a_credential(qualifier: str, tail: str) -> None:
    key = qualifier + tail
    url = f"https://files.example.org/w?{key}={VALUE}"
    assert redact_url(url) == f"https://files.example.org/w?{key}=***"
    assert find_secrets(url).credential_keys == (key,)


@pytest.mark.parametrize("key", ["rlkey", "resourcekey", "monkeyid"])
def test_other_words_ending_in_key_stay_readable(key: str) -> None:
    url = f"https://files.example.org/w?{key}={VALUE}"
    assert redact_url(url) == url


@pytest.mark.parametrize(
    ("text", "shown"),
    [
        (
            f"GET -https://u:{VALUE}@h.example.org/x",  # the URL starts at the first letter
            "GET -https://u:***@h.example.org/x",
        ),
        (f"see ...https://u:{VALUE}@h.example.org/x", "see ...https://u:***@h.example.org/x"),
        (f"2https://u:{VALUE}@h.example.org/x", "2https://u:***@h.example.org/x"),
        (f"?token={VALUE} ://", "?token=*** ://"),  # a separator with no scheme, at the end
        (
            f"x=1 :// and https://u:{VALUE}@h.example.org/",
            "x=1 :// and https://u:***@h.example.org/",
        ),
    ],
)
def test_a_scheme_after_other_characters(text: str, shown: str) -> None:
    assert redact_text(text) == shown
