"""The MedPerf token an audit sends, and only to the server it was given for.

In order: a file named on the command line (``--token-file``), the ``MEDPERF_LINT_MEDPERF_TOKEN``
environment variable, then the MedPerf client's own stored login when it can be read safely:
``$MEDPERF_CONFIG_STORAGE`` (default ``~/.medperf_config``) ``/config.yaml`` names the active
profile, whose ``server`` must be the audited server and whose ``credentials`` name the
account; the access token is ``.tokens/<base64(email)>/medperf_access_token``. Safely means:
the folders and the token file belong to this user, are not group- or world-accessible, and
are regular files and folders, not links. The client refreshes an expired token itself; we do
not, so an expired login is one clear line. The token is never printed.
"""

from __future__ import annotations

import base64
import binascii
import json
import os
import stat
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from medperf_lint.input.config import MEDPERF_TOKEN_VAR
from medperf_lint.input.safe_io import SafeReadError, read_regular_file

ENV_VAR = MEDPERF_TOKEN_VAR
MEDPERF_STORAGE_VAR = "MEDPERF_CONFIG_STORAGE"
MAX_TOKEN_BYTES = 64 * 1024
MAX_CONFIG_BYTES = 1024 * 1024
EXPIRY_LEEWAY = 10.0  # as the MedPerf client: a token this close to expiry counts as expired
HINT = (
    f"set {ENV_VAR}, pass --token-file FILE, or log in with `medperf auth login` "
    "(on the profile whose server this is)"
)


class CredentialError(Exception):
    """No usable token; the message is one line and never contains a token."""


@dataclass(frozen=True)
class Token:
    value: str = field(repr=False)
    source: str  # where it came from, safe to print


def find_token(server: str, token_file: str | None, environ: dict[str, str] | None = None) -> Token:
    """The token for ``server``, or CredentialError saying why there is none."""
    env = dict(os.environ) if environ is None else environ
    if token_file is not None:
        token = Token(_read_token_file(Path(token_file)), f"the file {token_file}")
    elif env.get(ENV_VAR, "").strip():
        token = Token(env[ENV_VAR].strip(), f"the {ENV_VAR} environment variable")
    else:
        found = stored_login(server, env)
        if found is None:
            raise CredentialError(f"no MedPerf token for {server}: {HINT}")
        token = found
    _check_expiry(token)
    return token


def _read_token_file(path: Path) -> str:
    try:
        data = read_regular_file(path, MAX_TOKEN_BYTES)
    except SafeReadError as err:
        raise CredentialError(f"cannot read the token file {path}: {err}") from None
    try:
        text = data.decode("ascii").strip()
    except UnicodeDecodeError:
        raise CredentialError(f"the token file {path} does not hold a token") from None
    if not text or len(data) >= MAX_TOKEN_BYTES or any(c.isspace() for c in text):
        raise CredentialError(f"the token file {path} does not hold one token")
    return text


def _check_expiry(token: Token) -> None:
    """A JWT whose ``exp`` has passed is refused before anything is sent."""
    expires = jwt_expiry(token.value)
    if expires is not None and expires - EXPIRY_LEEWAY <= time.time():
        stamp = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime(expires))
        raise CredentialError(f"the MedPerf token from {token.source} expired at {stamp}: {HINT}")


def jwt_expiry(value: str) -> float | None:
    """The ``exp`` claim of a JWT (read, not verified: the server verifies), if it has one."""
    parts = value.split(".")
    if len(parts) != 3 or len(parts[1]) > MAX_TOKEN_BYTES:
        return None
    try:
        claims = json.loads(base64.urlsafe_b64decode(parts[1] + "=" * (-len(parts[1]) % 4)))
    except (binascii.Error, ValueError, RecursionError):
        return None
    exp = claims.get("exp") if isinstance(claims, dict) else None
    return float(exp) if isinstance(exp, int | float) and not isinstance(exp, bool) else None


def storage_folder(env: dict[str, str]) -> Path:
    base = env.get(MEDPERF_STORAGE_VAR)
    return Path(base) if base else Path(os.path.expanduser("~")) / ".medperf_config"


def stored_login(server: str, env: dict[str, str]) -> Token | None:
    """The MedPerf client's access token for ``server``, when its files are safe to read."""
    folder = storage_folder(env)
    config = folder / "config.yaml"
    if not os.path.lexists(config):
        return None
    _private(folder, "folder", closed=0o022)  # the client makes it 0755: others may read
    profile = _active_profile(config)
    if not _same_server(profile.get("server"), server):
        return None  # a login for another server: its token must not go to this one
    creds = profile.get("credentials")
    if not isinstance(creds, dict) or not isinstance(creds.get("email"), str):
        return None  # that profile is not logged in
    _check_login_age(creds, server)
    account = base64.b64encode(creds["email"].encode("utf-8")).decode("ascii")
    tokens = folder / ".tokens"
    _private(tokens, "folder")
    _private(tokens / account, "folder")
    path = tokens / account / "medperf_access_token"
    _private(path, "file")
    return Token(_read_token_file(path), "the MedPerf client's stored login")


def _active_profile(config: Path) -> dict[str, Any]:
    import yaml

    try:
        data = yaml.safe_load(read_regular_file(config, MAX_CONFIG_BYTES).decode("utf-8"))
    except (SafeReadError, UnicodeDecodeError, yaml.YAMLError) as err:
        raise CredentialError(f"cannot read the MedPerf client's {config}: {err}") from None
    if not isinstance(data, dict):
        return {}
    profiles = data.get("profiles")
    name = data.get("active_profile_name")
    if not isinstance(profiles, dict) or not isinstance(profiles.get(name), dict):
        return {}
    profile: dict[str, Any] = profiles[name]
    return profile


def _same_server(stored: object, server: str) -> bool:
    if not isinstance(stored, str):
        return False
    from urllib.parse import urlsplit

    def key(url: str) -> tuple[str, str, int | None]:
        parts = urlsplit(url.strip().rstrip("/"))
        default = {"https": 443, "http": 80}.get(parts.scheme.lower())
        return (parts.scheme.lower(), (parts.hostname or "").lower(), parts.port or default)

    try:
        return key(stored) == key(server)
    except ValueError:
        return False


def _check_login_age(creds: dict[str, Any], server: str) -> None:
    issued, lifetime = creds.get("token_issued_at"), creds.get("token_expires_in")
    if not all(isinstance(v, int | float) and not isinstance(v, bool) for v in (issued, lifetime)):
        return
    expires = float(issued) + float(lifetime)  # type: ignore[arg-type]
    if expires - EXPIRY_LEEWAY <= time.time():
        stamp = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime(expires))
        raise CredentialError(
            f"the MedPerf client's login for {server} expired at {stamp} (medperf-lint does not "
            f"refresh it): run any `medperf` command to refresh it, or {HINT}"
        )


def _private(path: Path, what: str, closed: int = 0o077) -> None:
    """``path`` is this user's own regular file or folder, not a link, and the ``closed``
    permission bits are off (group and others: no access to the tokens; no writing above)."""
    try:
        info = os.lstat(path)
    except OSError as err:
        raise CredentialError(
            f"cannot read the MedPerf client's login ({path}: {err.strerror})"
        ) from None
    wanted = stat.S_ISDIR if what == "folder" else stat.S_ISREG
    problem = None
    if not wanted(info.st_mode):
        problem = f"is not a regular {what}"
    elif hasattr(os, "getuid") and info.st_uid != os.getuid():
        problem = "belongs to another user"
    elif info.st_mode & closed:
        problem = f"is open to other users (mode {stat.S_IMODE(info.st_mode):o})"
    if problem:
        raise CredentialError(f"not reading the MedPerf client's login: {path} {problem}; {HINT}")
