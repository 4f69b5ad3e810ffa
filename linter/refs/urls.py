"""URL pieces that rules read: host, path segments and query, parsed once per URL."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from urllib.parse import parse_qsl, urlsplit

# One definition of "secret-bearing", shared with the redactor (see linter/refs/redact.py);
# ``redact`` is the historical name of ``redact_text``.
from medperf_lint.refs.redact import CREDENTIAL_PARAMS, REDACTED, SIGNATURE_PARAMS
from medperf_lint.refs.redact import redact_text as redact
from medperf_lint.refs.references import MAX_VALUE_LENGTH


@dataclass(frozen=True)
class UrlParts:
    """A URL split once, the way the rules read it."""

    scheme: str
    host: str  # lower case, no port, no brackets
    port: int | None
    path: str
    query: tuple[tuple[str, str], ...]
    fragment: str
    username: str | None
    password: str | None

    @property
    def segments(self) -> tuple[str, ...]:
        return tuple(s for s in self.path.split("/") if s)

    def param(self, name: str, *, case_sensitive: bool = False) -> str | None:
        """The first value of query parameter ``name``, or None."""
        for key, value in self.query:
            if key == name or (not case_sensitive and key.lower() == name.lower()):
                return value
        return None

    def has_param(self, name: str) -> bool:
        return self.param(name) is not None

    def host_is(self, *domains: str) -> bool:
        """True when the host is one of ``domains`` or a subdomain of one."""
        return any(self.host == d or self.host.endswith("." + d) for d in domains)


@lru_cache(maxsize=4096)
def split_url(url: str) -> UrlParts | None:
    """Split ``url``; None when it has no scheme and host to speak of."""
    try:
        parts = urlsplit(url.strip())
        port = parts.port
    except ValueError:
        return None
    if not parts.scheme:
        return None
    return UrlParts(
        scheme=parts.scheme.lower(),
        host=(parts.hostname or "").lower(),
        port=port,
        path=parts.path,
        query=tuple(parse_qsl(parts.query, keep_blank_values=True)),
        fragment=parts.fragment,
        username=parts.username,
        password=parts.password,
    )


def rfc3986_problem(url: str) -> str | None:
    """Why ``url`` is not a valid absolute URI per RFC 3986, or None when it is.

    rfc3986's authority expression takes time quadratic in a long host name, so the library
    never sees more than ``MAX_VALUE_LENGTH`` characters (8 KiB: well under a millisecond);
    the engine hands no rule a longer value anyway (url-too-long reports it).
    """
    if len(url) > MAX_VALUE_LENGTH:
        return f"it is longer than the {MAX_VALUE_LENGTH} characters medperf-lint reads"
    import rfc3986  # light, but only rules that need it pay for it
    from rfc3986 import exceptions, validators

    try:
        ref = rfc3986.uri_reference(url)
        validators.Validator().require_presence_of("scheme", "host").check_validity_of(
            "scheme", "host", "port", "path", "query", "fragment"
        ).validate(ref)
    except exceptions.MissingComponentError as err:
        return "it has no " + " or ".join(sorted(err.components))
    except exceptions.InvalidComponentsError as err:
        return "its " + ", ".join(sorted(err.components)) + " is not valid"
    except exceptions.RFC3986Exception as err:
        return str(err)
    return None


__all__ = [
    "CREDENTIAL_PARAMS",
    "REDACTED",
    "SIGNATURE_PARAMS",
    "UrlParts",
    "redact",
    "rfc3986_problem",
    "split_url",
]
