"""A URL that carries a secret: a user name or password before the host, or a token parameter.

Everything in a MedPerf submission is stored on the server and shown to benchmark members,
and manifests end up in git. A password in `https://user:pass@host/…`, a token in
`https://TOKEN@host/…` or a `?token=…`/`?access_token=…`/`?api_key=…` parameter leaks to all
of them. MedPerf downloads anonymously anyway: host the file publicly (or on Synapse, where
each participant uses their own login) and revoke the secret that was written down. The
parameter names are listed in `medperf_lint.urls.CREDENTIAL_PARAMS`; signature parameters of
pre-signed URLs are not credentials and are left to other rules. Findings never repeat the
secret.

Fix: unsafe. The URL without its credentials works only once the file is public.

Fails:
    additional_file: https://alice:hunter2@files.example.org/w.tar.gz
    additional_file: https://ghp_abc123@raw.githubusercontent.com/o/r/0123abc/w.tar.gz
    additional_file: https://gitlab.example.org/api/v4/projects/1/w.tar.gz?private_token=glpat-x

Passes:
    additional_file: https://files.example.org/w.tar.gz
    additional_file: https://zenodo.org/records/1/files/w.tar.gz?download=1
"""

from __future__ import annotations

from collections.abc import Iterator
from urllib.parse import unquote_plus, urlsplit, urlunsplit

from medperf_lint.findings import Fix, Severity
from medperf_lint.references import Reference
from medperf_lint.rule import Diagnostic, RuleContext
from medperf_lint.urls import CREDENTIAL_PARAMS

from ._url_text import url_parts, with_prefix

CODE = "MPL004"
NAME = "credentials-in-url"
SEVERITY = Severity.ERROR

EXAMPLE_FAILING = """\
# model.medperf.yaml
name: chestxray-model
additional_files_tarball_url: https://alice:hunter2@files.example.org/weights.tar.gz
additional_files_tarball_hash: 71faabd59139bee698010a0ae3a69e16d97bc4f2dde799d9e187b94ff9157c00
"""
EXAMPLE_PASSING = """\
# model.medperf.yaml
name: chestxray-model
additional_files_tarball_url: https://files.example.org/weights.tar.gz
additional_files_tarball_hash: 71faabd59139bee698010a0ae3a69e16d97bc4f2dde799d9e187b94ff9157c00
"""

_ADVICE = (
    "anyone who reads the manifest or the MedPerf server entry gets it; host the file "
    "publicly (or on Synapse) and revoke the secret"
)


def check(ref: Reference, ctx: RuleContext) -> Iterator[Diagnostic]:
    found = url_parts(ref)
    if found is None:
        return
    text, parts = found
    what: list[str] = []
    if parts.password:
        what.append("a user name and password before the host (user:…@)")
    elif parts.username:
        what.append("a user name or token before the host (…@)")
    names = sorted({key.lower() for key, value in parts.query if _is_credential(key, value)})
    if names:
        listed = ", ".join(names)
        noun = "parameter" if len(names) == 1 else "parameters"
        what.append(f"a credential in query {noun} {listed}")
    if not what:
        return
    clean = _without_credentials(text)
    fix = (
        Fix(
            with_prefix(ref, clean),
            "drop the credentials (works once the file is public)",
            safe=False,
        )
        if clean
        else None
    )
    yield Diagnostic(f"the URL holds {' and '.join(what)}: {_ADVICE}", fix)


def _is_credential(key: str, value: str) -> bool:
    return bool(value) and key.strip().lower() in CREDENTIAL_PARAMS


def _without_credentials(text: str) -> str | None:
    """``text`` without user-info and credential parameters, other parts kept as written."""
    try:
        parts = urlsplit(text.strip())
    except ValueError:
        return None
    netloc = parts.netloc.rsplit("@", 1)[-1]
    kept = []
    for piece in parts.query.split("&"):
        key, _, value = piece.partition("=")
        if piece and not _is_credential(unquote_plus(key), unquote_plus(value)):
            kept.append(piece)
    return urlunsplit((parts.scheme, netloc, parts.path, "&".join(kept), parts.fragment))
