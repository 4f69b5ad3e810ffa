"""Where a Synapse token comes from, found the way synapseclient's ``login()`` finds it.

MedPerf downloads with ``Synapse().login(silent=True)`` and no arguments, so the token it uses
is whatever synapseclient's credential chain picks. In every 4.x release (4.1.1 included) the
chain reads the config file before the environment: ``~/.synapseConfig`` first, then
``SYNAPSE_AUTH_TOKEN``. We read the token ourselves and pass it to ``login(authToken=…)`` so the
check behaves the same on every synapseclient version. The token is returned, never logged.
"""

from __future__ import annotations

import configparser
import os
from dataclasses import dataclass, field
from pathlib import Path

ENV_VAR = "SYNAPSE_AUTH_TOKEN"
CONFIG_NAME = ".synapseConfig"
# 4.1.1 (MedPerf's pin) reads [authentication]; 4.9+ also reads [default] (and prefers it).
CONFIG_SECTIONS = ("authentication", "default")


@dataclass(frozen=True)
class Credentials:
    """A token and a human description of where it was found (safe to print)."""

    token: str = field(repr=False)
    source: str


def config_path() -> Path:
    """``~/.synapseConfig``: synapseclient computes it from ``~`` and has no override variable."""
    return Path(os.path.expanduser("~")) / CONFIG_NAME


def find_credentials(env: dict[str, str] | None = None) -> Credentials | None:
    """The token synapseclient would log in with, or None when there is none."""
    environ = os.environ if env is None else env
    from_file = _token_from_config(config_path())
    if from_file is not None:
        return from_file
    token = environ.get(ENV_VAR, "").strip()
    if token:
        return Credentials(token, f"the {ENV_VAR} environment variable")
    return None


def _token_from_config(path: Path) -> Credentials | None:
    if not path.is_file():
        return None
    parser = configparser.ConfigParser(interpolation=None)
    try:
        parser.read(path, encoding="utf-8")
    except (configparser.Error, OSError, UnicodeDecodeError):
        return None
    for section in CONFIG_SECTIONS:
        if parser.has_section(section):
            token = parser.get(section, "authtoken", fallback="").strip()
            if token:
                return Credentials(token, f"~/{CONFIG_NAME} [{section}] authtoken")
    return None
