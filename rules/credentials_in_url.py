"""A URL that carries a secret: a user name or password before the host, or a token parameter.

Everything in a MedPerf submission is stored on the server and shown to benchmark members,
and manifests end up in git. A password in `https://user:pass@host/…`, a token in
`https://TOKEN@host/…` or a secret query parameter leaks to all of them. MedPerf downloads
anonymously anyway: host the file publicly (or on Synapse, where each participant uses their
own login) and revoke the secret that was written down. Parameters are secret by pattern, in the query and in the
fragment (`#access_token=…`), after percent-decoding and `+` handling (`?%74oken=` counts):
the key is lower-cased and `-`, `_`, `[]` and a leading `x` dropped; it is secret when it holds
token, secret, sig, auth, pass, credential, session or ticket (`api_token`, `x-auth-token`,
`sessiontoken`, `client-secret`), is otp, sas, pwd, jwt, bearer or code, or names a key
(`x-api-key`, `access_key`, `accessKey`, `apikey`). A key that merely ends in "key", like
Dropbox's `rlkey` or Google Drive's `resourcekey`, is part of the shared link and stays. Any
value shaped like a known token (`ghp_…`, `github_pat_…`, `hf_…`, `glpat-…`, AWS key IDs
`AKIA…`/`ASIA…`, JWTs) counts under any key, and the values of `GITHUB_TOKEN`, `GH_TOKEN` and
`SYNAPSE_AUTH_TOKEN` count anywhere in the URL. This is the one definition the redactor hides
by (`medperf_lint.refs.redact.is_secret_key`, `find_secrets`). Signature parameters of
pre-signed URLs (`X-Amz-Signature`, CloudFront's `Policy`, `x-amz-security-token`…) are hidden
too but are not credentials: they are left to `expiring-url`. Findings never repeat the secret.

The fix removes the credentials; the URL without them works only once the file is public.
"""

from __future__ import annotations

from collections.abc import Iterator

from medperf_lint.findings import Fix, FixAvailability, Severity
from medperf_lint.refs.redact import find_secrets, param_kind
from medperf_lint.refs.references import Reference
from medperf_lint.rule import Diagnostic, RuleContext

from ._url_text import url_parts, with_prefix

CODE = "MPL004"
NAME = "credentials-in-url"
SEVERITY = Severity.ERROR
FIX = FixAvailability.UNSAFE

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


def check(ref: Reference, _ctx: RuleContext) -> Iterator[Diagnostic]:
    found = url_parts(ref)
    if found is None:
        return
    text, _parts = found
    secrets = find_secrets(text)
    if not secrets.credentials:
        return
    what: list[str] = []
    if secrets.userinfo == "password":
        what.append("a user name and password before the host (user:…@)")
    elif secrets.userinfo == "user":
        what.append("a user name or token before the host (…@)")
    if secrets.credential_keys:
        listed = ", ".join(secrets.credential_keys)
        noun = "parameter" if len(secrets.credential_keys) == 1 else "parameters"
        what.append(f"a credential in {noun} {listed}")
    if secrets.token_values and not what:
        what.append("a token")
    clean = _without_credentials(text)
    fix = (
        Fix(
            with_prefix(ref, clean),
            "drop the credentials (works once the file is public)",
            safe=False,
        )
        if clean is not None and not find_secrets(clean).credentials
        else None
    )
    yield Diagnostic(f"the URL holds {' and '.join(what)}: {_ADVICE}", fix)


def _without_credentials(text: str) -> str | None:
    """``text`` without user-info and credential parameters, other parts kept as written."""
    text = text.strip()
    scheme, sep, rest = text.partition("://")
    if not sep:
        return None
    cut = min((i for i in (rest.find(c) for c in "/?#") if i != -1), default=len(rest))
    authority, tail = rest[:cut], rest[cut:]
    tail, hash_mark, fragment = tail.partition("#")
    path, question, query = tail.partition("?")
    out = f"{scheme}://{authority.rpartition('@')[2]}{path}"
    kept_query = _kept(query)
    if question and kept_query:
        out += "?" + kept_query
    kept_fragment = _kept(fragment)
    if hash_mark and (kept_fragment or not fragment):
        out += "#" + kept_fragment
    return out


def _kept(part: str) -> str:
    kept = []
    for piece in part.split("&"):
        key, _, value = piece.partition("=")
        if piece and param_kind(key, value) != "credential":
            kept.append(piece)
    return "&".join(kept)
