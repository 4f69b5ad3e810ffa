"""The one redactor: every secret in a URL or a text is replaced by ``***`` before it leaves.

Every output path goes through here: the reporters (text, JSON, GitHub), stderr messages,
exception texts, the probe cache. ``credentials-in-url`` reads :func:`find_secrets` too, so
the rule and the redactor share one definition of "secret-bearing": what the rule flags is
exactly what the redactor hides (plus signatures, which ``expiring-url`` reports).

Written by hand, not with ``urllib.parse``: the redactor must never raise (``urlsplit`` raises
on a bad port or bracket), and it must read a URL the most cautious way any client might. A
password containing ``@`` ends at the *last* ``@`` of the authority; key names are compared
after percent-decoding (repeatedly) and ``+``-to-space, so ``?%74oken=`` and ``?token+=`` are
keys named ``token``; fragments (``#access_token=…``) are read like queries.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import NamedTuple
from urllib.parse import unquote_plus

REDACTED = "***"

# Secrets by pattern, one definition for the redactor and credentials-in-url. A key is squashed
# (percent-decoded, lower case, "-", "_" and "[]" dropped, then one leading "x" for x-api-key
# style headers-as-parameters) and is secret when it holds one of these fragments anywhere ...
SECRET_KEY_FRAGMENTS = (
    "token",
    "secret",
    "sig",
    "auth",
    "pass",
    "credential",
    "session",
    "ticket",
)
# ... or is one of these short names whole (inside other words they mean nothing: "otp" in
# "hotpath", "sas" in "canvas", "code" in "encode"; "key" has its own rule, see _secret_key) ...
CREDENTIAL_PARAMS = frozenset({"otp", "sas", "pwd", "jwt", "bearer", "code", "key", "apikey"})
# ... or ends in "key" (or "keyid") after one of these: apikey, accesskey, secretkey. "key" also
# counts as a word of its own (x-api-key, access_key, accessKey). Anything else ending in "key"
# stays readable: Dropbox's rlkey and Google Drive's resourcekey are part of every shared link
# (the public address itself, not a login), and a redacted value could never be written by a fix.
_KEY_QUALIFIERS = (
    "",
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
)
_AUTHOR = re.compile(r"author(?!i[sz])")
_KEY_WORD = re.compile(r"(?:^|[^A-Za-z0-9]|(?<=[a-z0-9])(?=K))[Kk][Ee][Yy](?:[^A-Za-z]|[A-Z]|$)")
# Signatures and signing credentials of pre-signed URLs (AWS SigV2/SigV4, GCS V2/V4, Azure SAS,
# CloudFront, Tencent COS, Alibaba OSS, Akamai): expiring-url reports them; they are never
# echoed or cached either.
SIGNATURE_PARAMS = frozenset(
    {
        "sig",  # Azure SAS
        "signature",  # AWS SigV2, GCS V2, CloudFront
        "key-pair-id",  # CloudFront
        "x-amz-signature",
        "x-amz-credential",
        "x-amz-security-token",
        "x-goog-signature",
        "x-goog-credential",
        "x-goog-security-token",
        "awsaccessid",
        "awsaccesskeyid",
        "googleaccessid",
        "q-signature",  # Tencent COS
        "x-oss-signature",  # Alibaba OSS
        "ossaccesskeyid",
        "__token__",  # Akamai
        "hdnts",
        "hdnea",
        "authorization",
        "policy",  # CloudFront custom policy
        # Parts of signed URLs that look secret by pattern; they are the signature's business.
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
    }
)
# Values that are tokens whatever key (or path segment) holds them. Linear: each alternative
# starts at a literal and either matches its whole run or fails within 20 characters; a JWT
# starts only where a run of its characters does, so "eyJ-eyJ-…" is not rescanned from each.
_TOKEN_SHAPES = re.compile(
    r"(?:\bgh[pousr]_[A-Za-z0-9]{20,}"  # GitHub classic and app tokens
    r"|\bgithub_pat_[A-Za-z0-9_]{20,}"  # GitHub fine-grained tokens
    r"|\bglpat-[A-Za-z0-9_\-]{20,}"  # GitLab personal access tokens
    r"|\bhf_[A-Za-z0-9]{30,}"  # Hugging Face access tokens
    r"|\b(?:AKIA|ASIA)[0-9A-Z]{16}\b"  # AWS access key IDs
    r"|(?<![A-Za-z0-9_\-])eyJ[A-Za-z0-9_\-]{8,}\.[A-Za-z0-9_\-]{8,}\.[A-Za-z0-9_\-]*)"  # JWTs
)
# "Bearer X", "token X" in server texts; X must look like a credential (a digit, or 20+
# characters), so prose such as "a token parameter" is left alone. The digit is looked for in
# the first 20 characters only: a longer X is a credential anyway (same answer, bounded work).
_AUTH_WORDS = re.compile(
    r"\b(Bearer|bearer|Basic|basic|Token|token)(\s+)"
    r"((?=[A-Za-z0-9._~+/=\-]{0,19}\d)[A-Za-z0-9._~+/=\-]{8,}|[A-Za-z0-9._~+/=\-]{20,})"
)
_SCHEME_CHARS = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789+.-")
_URL_BODY = re.compile(r"[^\s\"<>`]*")
_BARE_PARAM = re.compile(r"(?P<sep>[?&;#])(?P<key>[^\s?&;#=]+)=(?P<val>[^\s&;#'\"]*)")
_PARAM = re.compile(r"(?P<sep>^|[?&;#/])(?P<key>[^?&;#/=]*)=(?P<val>[^&;#]*)")
_SCHEME = re.compile(r"^\s*[A-Za-z][A-Za-z0-9+.\-]*:")
_PLAIN_NAME = re.compile(r"[A-Za-z][A-Za-z0-9._\-]{0,31}")
TOKEN_VARIABLES = ("GITHUB_TOKEN", "GH_TOKEN", "SYNAPSE_AUTH_TOKEN")
_MIN_KNOWN_TOKEN = 8  # shorter values would redact ordinary words


def normalize_key(key: str) -> str:
    """A query key as a server reads it: percent-decoded (until stable), ``+`` as space."""
    for _ in range(3):
        decoded = unquote_plus(key)
        if decoded == key:
            break
        key = decoded
    return key.strip().lower()


def squash_key(key: str) -> str:
    """``key`` as the secret patterns read it: normalized, without ``-``, ``_``, ``[]`` and
    one leading ``x`` (``X-Api-Key``, ``api_key`` and ``apikey`` are one name)."""
    name = normalize_key(key)
    for drop in ("-", "_", "[]"):
        name = name.replace(drop, "")
    return name[1:] if name.startswith("x") else name


def _secret_key(key: str, squashed: str) -> bool:
    words = _AUTHOR.sub("", squashed)  # "author" is no "auth"; "authorization" still is
    if squashed in CREDENTIAL_PARAMS or any(f in words for f in SECRET_KEY_FRAGMENTS):
        return True
    stem = squashed[: -len("id")] if squashed.endswith("keyid") else squashed
    if stem.endswith("key") and stem[: -len("key")] in _KEY_QUALIFIERS:
        return True
    return _KEY_WORD.search(unquote_plus(key)) is not None


def is_secret_key(key: str) -> bool:
    """True when a query or fragment key names a credential, by the patterns above."""
    return _secret_key(key, squash_key(key))


def is_token_value(value: str) -> bool:
    """True when ``value`` is shaped like a known token (JWT, GitHub, GitLab, Hugging Face, AWS)."""
    return _TOKEN_SHAPES.search(value) is not None


def param_kind(key: str, value: str) -> str | None:
    """``"credential"``, ``"signature"`` or None for one ``key=value`` pair."""
    if not value:
        return None  # an empty parameter holds no secret
    if normalize_key(key) in SIGNATURE_PARAMS:
        return "signature"
    if is_secret_key(key) or is_token_value(value):
        return "credential"
    return None


@dataclass(frozen=True)
class UrlSecrets:
    """What in a URL is secret. ``credentials-in-url`` reports ``credentials``."""

    userinfo: str | None = None  # "password" (user:…@) or "user" (…@ alone)
    credential_keys: tuple[str, ...] = ()  # normalized, from the query and the fragment
    signature_keys: tuple[str, ...] = ()
    token_values: bool = False  # a token-shaped value or a known token anywhere in it

    @property
    def credentials(self) -> bool:
        return bool(self.userinfo or self.credential_keys or self.token_values)

    @property
    def any(self) -> bool:
        return self.credentials or bool(self.signature_keys)


class _Split(NamedTuple):
    """A URL cut the cautious way; the pieces join back to the input exactly (a private
    record, so a NamedTuple: a dataclass costs five times as much to define at start-up)."""

    prefix: str  # scheme, colon and "//"
    userinfo: str | None
    hostport: str
    path: str
    query: str | None  # without "?"
    fragment: str | None  # without "#"


def _split(url: str) -> _Split | None:
    scheme = _SCHEME.match(url)
    if scheme is None:
        return None
    rest = url[scheme.end() :]
    if not rest.startswith("//"):
        return None
    prefix, rest = url[: scheme.end() + 2], rest[2:]
    end = len(rest)
    for stop in "/?#":
        found = rest.find(stop)
        if found != -1:
            end = min(end, found)
    authority, rest = rest[:end], rest[end:]
    userinfo: str | None = None
    if "@" in authority:
        userinfo, _, authority = authority.rpartition("@")
    rest, hash_mark, fragment = rest.partition("#")
    path, question, query = rest.partition("?")
    return _Split(
        prefix,
        userinfo,
        authority,
        path,
        query if question else None,
        fragment if hash_mark else None,
    )


def _params(part: str | None) -> Iterable[tuple[str, str]]:
    if not part:
        return
    for match in _PARAM.finditer(part):
        yield match.group("key"), match.group("val")


def find_secrets(url: str, tokens: tuple[str, ...] | None = None) -> UrlSecrets:
    """The secrets ``url`` carries; never raises, whatever the input. ``tokens``:
    :func:`known_tokens`, when the caller already has them (a run's cache writes)."""
    cut = _split(url)
    userinfo: str | None = None
    credentials: set[str] = set()
    signatures: set[str] = set()
    if cut is not None:
        if cut.userinfo:
            userinfo = "password" if ":" in cut.userinfo else "user"
        for key, value in (*_params(cut.query), *_params(cut.fragment)):
            kind = param_kind(key, value)
            if kind == "credential":
                credentials.add(normalize_key(key))
            elif kind == "signature":
                signatures.add(normalize_key(key))
    # Token shapes count outside signature values: an AWS key ID inside X-Amz-Credential is
    # part of a pre-signed URL (expiring-url's business), not a credential written down.
    scan = url if cut is None else _without_signatures(cut)
    known = known_tokens() if tokens is None else tokens
    found = bool(_TOKEN_SHAPES.search(scan)) or any(t in url for t in known)
    return UrlSecrets(userinfo, tuple(sorted(credentials)), tuple(sorted(signatures)), found)


def _without_signatures(cut: _Split) -> str:
    def drop(part: str | None) -> str:
        if not part:
            return ""
        return _PARAM.sub(
            lambda m: (
                "" if param_kind(m.group("key"), m.group("val")) == "signature" else m.group(0)
            ),
            part,
        )

    return f"{cut.prefix}{cut.userinfo or ''}@{cut.hostport}{cut.path}?{drop(cut.query)}#{drop(cut.fragment)}"


def carries_secret(url: str, tokens: tuple[str, ...] | None = None) -> bool:
    """True when any part of ``url`` is a secret: such a URL is never cached or echoed."""
    return find_secrets(url, tokens).any


def _redact_params(part: str) -> str:
    def one(match: re.Match[str]) -> str:
        if param_kind(match.group("key"), match.group("val")) is None:
            return match.group(0)
        return f"{match.group('sep')}{match.group('key')}={REDACTED}"

    return _PARAM.sub(one, part)


def _redact_userinfo(userinfo: str) -> str:
    name, colon, _password = userinfo.partition(":")
    if colon and _PLAIN_NAME.fullmatch(name) and not _TOKEN_SHAPES.search(name):
        return f"{name}:{REDACTED}"  # a plain user name is kept, so the message stays useful
    return REDACTED


def redact_url(url: str, tokens: tuple[str, ...] | None = None) -> str:
    """``url`` with user-info, credential and signature values and tokens replaced by ``***``.

    ``tokens``: :func:`known_tokens`, when the caller already has them (a whole report)."""
    tokens = known_tokens() if tokens is None else tokens
    return url if _plain(url, tokens) else _redact_url(url, tokens)


def _redact_url(url: str, tokens: tuple[str, ...]) -> str:
    cut = _split(url)
    if cut is None:
        return redact_text(url, tokens)
    out = cut.prefix
    if cut.userinfo is not None:
        out += (_redact_userinfo(cut.userinfo) if cut.userinfo else "") + "@"
    out += cut.hostport + cut.path
    if cut.query is not None:
        out += "?" + _redact_params(cut.query)
    if cut.fragment is not None:
        out += "#" + _redact_params(cut.fragment)
    return _redact_tokens(out, tokens)


# Every part of the redactor needs one of these in a text to change anything: "@" for
# user-info, "=" for a parameter (in a query, a fragment or bare), a token shape's literal start
# ("gh" stands for gh[pousr]_), the tail of an auth word in either case ("earer", "asic",
# "oken"), or a known token. A text with none of them comes back as it is, so it is returned at
# once (most texts of a healthy run: plain URLs, content types, "gzip"). Plain substring tests:
# a regular expression for the same costs several times as much per string.
_TRIGGERS = (
    "@",
    "=",
    "gh",
    "github_pat_",
    "glpat-",
    "hf_",
    "AKIA",
    "ASIA",
    "eyJ",
    "earer",
    "asic",
    "oken",
)


def _plain(text: str, tokens: tuple[str, ...]) -> bool:
    """True when nothing in ``text`` can be a secret (see ``_TRIGGERS``)."""
    for trigger in _TRIGGERS:
        if trigger in text:
            return False
    return not tokens or all(token not in text for token in tokens)


def redact_text(text: str, tokens: tuple[str, ...] | None = None) -> str:
    """``text`` (a message, a server reply, an exception) with every secret in it hidden.

    ``tokens``: :func:`known_tokens`, when the caller already has them (a whole report)."""
    tokens = known_tokens() if tokens is None else tokens
    return text if _plain(text, tokens) else _redact_text(text, tokens)


def _redact_text(text: str, tokens: tuple[str, ...]) -> str:
    text = _redact_urls_in(_redact_tokens(text, tokens), tokens)

    def bare(match: re.Match[str]) -> str:
        if param_kind(match.group("key"), match.group("val")) is None:
            return match.group(0)
        return f"{match.group('sep')}{match.group('key')}={REDACTED}"

    text = _BARE_PARAM.sub(bare, text)
    return _AUTH_WORDS.sub(lambda m: f"{m.group(1)}{m.group(2)}{REDACTED}", text)


def _urls_in(text: str) -> Iterable[tuple[int, int]]:
    """Where ``[A-Za-z][A-Za-z0-9+.-]*://[^\\s"<>`]+`` matches in ``text``, found in linear time.

    The expression itself rescans from every start when a long run of scheme characters has no
    ``://``. Here each ``://`` is found once and its scheme read backwards, at most back to the
    previous URL's end: a URL starts at the first letter of the scheme characters before it.
    """
    done = 0
    mark = text.find("://")
    while mark != -1:
        start = mark
        while start > done and text[start - 1] in _SCHEME_CHARS:
            start -= 1
        while start < mark and not text[start].isalpha():
            start += 1
        end = _end_of_url(text, mark) if start < mark else mark + 3
        if end > mark + 3:
            yield start, end
            done = end
        else:
            end = mark + 3  # no URL here; a later "://" may still start one after it
        mark = text.find("://", end)


def _end_of_url(text: str, mark: int) -> int:
    body = _URL_BODY.match(text, mark + 3)
    return body.end() if body else mark + 3


def _redact_urls_in(text: str, tokens: tuple[str, ...]) -> str:
    pieces: list[str] = []
    done = 0
    for start, end in _urls_in(text):
        found = text[start:end]
        if start and text[start - 1] in "'(":  # quoted or parenthesised: ends where that does
            head, sep, tail = found.partition("'" if text[start - 1] == "'" else ")")
            found = redact_url(head, tokens) + sep + tail
        else:
            found = redact_url(found, tokens)
        pieces += (text[done:start], found)
        done = end
    pieces.append(text[done:])
    return "".join(pieces)


def _redact_tokens(text: str, tokens: tuple[str, ...]) -> str:
    for token in tokens:
        text = text.replace(token, REDACTED)
    return _TOKEN_SHAPES.sub(REDACTED, text)


_registered: set[str] = set()


def register_secret(value: str) -> None:
    """Hide ``value`` from every output from now on (a token read from a config, say)."""
    global _held
    if len(value.strip()) >= _MIN_KNOWN_TOKEN:
        _registered.add(value.strip())
        if _held is not None:  # a block holding the tokens sees it at once
            _held = _read_known_tokens()


_held: tuple[str, ...] | None = None


@contextmanager
def tokens_held() -> Iterator[None]:
    """Within the block, :func:`known_tokens` is worked out once, not per call.

    Reading them means the environment and a ``stat`` of ``~/.synapseConfig``; the engine
    redacts every finding's texts, tens of thousands of calls on a large tree. A secret
    registered inside the block joins at once."""
    global _held
    outer = _held
    _held = _read_known_tokens()
    try:
        yield
    finally:
        _held = outer


def known_tokens() -> tuple[str, ...]:
    """Token values this process may hold: the environment's, synapseclient's, registered ones.

    Longest first, so a token that contains another is replaced whole.
    """
    return _held if _held is not None else _read_known_tokens()


def _read_known_tokens() -> tuple[str, ...]:
    found = set(_registered)
    for name in TOKEN_VARIABLES:
        value = os.environ.get(name, "").strip()
        if len(value) >= _MIN_KNOWN_TOKEN:
            found.add(value)
    synapse = _synapse_config_token()
    if synapse:
        found.add(synapse)
    return tuple(sorted(found, key=lambda t: (-len(t), t)))


def _synapse_config_token() -> str | None:
    path = Path(os.path.expanduser("~")) / ".synapseConfig"
    try:
        stat = path.stat()
    except OSError:
        return None
    return _read_synapse_token(str(path), stat.st_mtime_ns, stat.st_size)


@lru_cache(maxsize=4)
def _read_synapse_token(path: str, _mtime_ns: int, _size: int) -> str | None:
    from medperf_lint.input.safe_io import SafeReadError, read_regular_file
    from medperf_lint.input.synapse_credentials import CONFIG_SECTIONS

    try:
        text = read_regular_file(Path(path), 1024 * 1024).decode("utf-8")
    except (SafeReadError, UnicodeDecodeError):
        return None
    import configparser

    parser = configparser.ConfigParser(interpolation=None)
    try:
        parser.read_string(text)
    except configparser.Error:
        return None
    for section in CONFIG_SECTIONS:
        token = parser.get(section, "authtoken", fallback="").strip()
        if len(token) >= _MIN_KNOWN_TOKEN:
            return token
    return None


def install_log_redaction() -> None:
    """Route library log records (urllib3, synapseclient…) through the redactor to stderr.

    Records are formatted first, then redacted and made one line, so a token in a format
    argument or an exception text never reaches the log. Called once by the CLI.
    """
    import logging

    class _Redacting(logging.Formatter):
        def format(self, record: logging.LogRecord) -> str:
            text = super().format(record)
            return " ".join(redact_text(text).split())

    root = logging.getLogger()
    if any(getattr(h, "_medperf_lint", False) for h in root.handlers):
        return
    handler = logging.StreamHandler()
    handler.setFormatter(_Redacting("medperf-lint: %(name)s: %(message)s"))
    handler._medperf_lint = True  # type: ignore[attr-defined]
    root.addHandler(handler)
    if root.level == logging.NOTSET or root.level < logging.WARNING:
        root.setLevel(logging.WARNING)


__all__ = [
    "CREDENTIAL_PARAMS",
    "REDACTED",
    "SIGNATURE_PARAMS",
    "UrlSecrets",
    "carries_secret",
    "find_secrets",
    "install_log_redaction",
    "known_tokens",
    "redact_text",
    "redact_url",
    "register_secret",
]
