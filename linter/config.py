"""Settings: defaults, then ``[tool.medperf-lint]`` or ``.medperf-lint.toml``, then the CLI.

The nearest config at or above a linted file applies to it. Unknown keys are errors that
name the key; unknown rule names are reported by the ``unknown-rule`` rule instead, so a
typo never silently disables a check.
"""

from __future__ import annotations

import sys
from collections.abc import Mapping
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Any

from .findings import Severity

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised on 3.10 only
    import tomli as tomllib

CONFIG_FILE = ".medperf-lint.toml"
DEFAULT_GITHUB_API = "https://api.github.com"
DEFAULT_SYNAPSE_ENDPOINT = "https://repo-prod.prod.sagebase.org/repo/v1"


class ConfigError(Exception):
    """A config problem; the message is one line and names the file and key."""


@dataclass(frozen=True)
class Settings:
    select: tuple[str, ...] = ()  # empty: every rule
    ignore: tuple[str, ...] = ()
    severity: tuple[tuple[str, Severity], ...] = ()
    per_file_ignores: tuple[tuple[str, tuple[str, ...]], ...] = ()
    allowed_hosts: tuple[str, ...] = ()
    connect_timeout: float = 5.0
    read_timeout: float = 20.0
    timeout: float = 60.0
    deadline: float | None = None
    max_connections_per_host: int = 8
    retries: int = 2
    cache_dir: str | None = None
    no_cache: bool = False
    cache_ttl_immutable: float = 7 * 24 * 3600.0
    cache_ttl_mutable: float = 3600.0
    github_api_url: str = DEFAULT_GITHUB_API
    synapse_endpoint: str = DEFAULT_SYNAPSE_ENDPOINT
    synapse_concurrency: int = 3
    allow_private_hosts: bool = False
    resolve: tuple[str, ...] = ()
    verify_hashes: bool = False  # download every hashed file in full and check it
    max_download_size: int = 20 * 1024**3  # bytes; a larger file is inconclusive
    keep_dir: str | None = None  # --keep DIR: keep verified downloads there (command line only)
    config_path: str | None = None  # where these settings came from, for messages and globs
    unknown_rules: tuple[str, ...] = field(default=(), compare=False)

    @property
    def config_dir(self) -> Path | None:
        return Path(self.config_path).parent if self.config_path else None

    def severity_for(self, code: str, name: str) -> Severity | None:
        for key, sev in self.severity:
            if key in (code, name):
                return sev
        return None


# TOML key -> (attribute, expected python type(s), converter)
def _str_list(key: str, value: Any) -> tuple[str, ...]:
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ConfigError(f"{key!r} must be a list of strings")
    return tuple(value)


def _number(key: str, value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or value < 0:
        raise ConfigError(f"{key!r} must be a non-negative number")
    return float(value)


def _count(key: str, value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise ConfigError(f"{key!r} must be a non-negative whole number")
    return value


def _positive(key: str, value: Any) -> int:
    count = _count(key, value)
    if count < 1:
        raise ConfigError(f"{key!r} must be at least 1")
    return count


def _text(key: str, value: Any) -> str:
    if not isinstance(value, str) or not value:
        raise ConfigError(f"{key!r} must be a non-empty string")
    return value


def _flag(key: str, value: Any) -> bool:
    if not isinstance(value, bool):
        raise ConfigError(f"{key!r} must be true or false")
    return value


_SIZE_UNITS = {
    "": 1,
    "b": 1,
    "kb": 10**3,
    "mb": 10**6,
    "gb": 10**9,
    "tb": 10**12,
    "kib": 2**10,
    "mib": 2**20,
    "gib": 2**30,
    "tib": 2**40,
}


def _size(key: str, value: Any) -> int:
    """A byte count: a whole number, or a string such as "20GiB" or "500 MB"."""
    if isinstance(value, int) and not isinstance(value, bool) and value > 0:
        return value
    if isinstance(value, str):
        text = value.strip().lower().replace(" ", "")
        number = text.rstrip("kmgtib")
        unit = text[len(number) :]
        if number.isdigit() and unit in _SIZE_UNITS and int(number) > 0:
            return int(number) * _SIZE_UNITS[unit]
    raise ConfigError(f'{key!r} must be a positive size in bytes or like "20GiB"')


def _severity_table(key: str, value: Any) -> tuple[tuple[str, Severity], ...]:
    if not isinstance(value, dict):
        raise ConfigError(f'{key!r} must be a table of rule = "error|warning|info"')
    try:
        return tuple((str(k), Severity.parse(str(v))) for k, v in value.items())
    except ValueError as err:
        raise ConfigError(f"{key!r}: {err}") from None


def _per_file(key: str, value: Any) -> tuple[tuple[str, tuple[str, ...]], ...]:
    if not isinstance(value, dict):
        raise ConfigError(f'{key!r} must be a table of "glob" = [rules]')
    return tuple((str(k), _str_list(f"{key}.{k}", v)) for k, v in value.items())


_KEYS: dict[str, tuple[str, Any]] = {
    "select": ("select", _str_list),
    "ignore": ("ignore", _str_list),
    "severity": ("severity", _severity_table),
    "per-file-ignores": ("per_file_ignores", _per_file),
    "allowed-hosts": ("allowed_hosts", _str_list),
    "connect-timeout": ("connect_timeout", _number),
    "read-timeout": ("read_timeout", _number),
    "timeout": ("timeout", _number),
    "deadline": ("deadline", _number),
    "max-connections-per-host": ("max_connections_per_host", _positive),
    "retries": ("retries", _count),
    "cache-dir": ("cache_dir", _text),
    "cache-ttl-immutable": ("cache_ttl_immutable", _number),
    "cache-ttl-mutable": ("cache_ttl_mutable", _number),
    "github-api-url": ("github_api_url", _text),
    "synapse-endpoint": ("synapse_endpoint", _text),
    "synapse-concurrency": ("synapse_concurrency", _positive),
    "allow-private-hosts": ("allow_private_hosts", _flag),
    "verify-hashes": ("verify_hashes", _flag),
    "max-download-size": ("max_download_size", _size),
}
CONFIG_KEYS = tuple(_KEYS)


def parse_table(table: Mapping[str, Any], source: str) -> dict[str, Any]:
    """Check a ``[tool.medperf-lint]`` table and return Settings field values."""
    values: dict[str, Any] = {}
    for key, raw in table.items():
        if key not in _KEYS:
            raise ConfigError(
                f"{source}: unknown key {key!r} in medperf-lint config "
                f"(known: {', '.join(CONFIG_KEYS)})"
            )
        attr, convert = _KEYS[key]
        try:
            values[attr] = convert(key, raw)
        except ConfigError as err:
            raise ConfigError(f"{source}: {err}") from None
    return values


def read_config_file(path: Path) -> dict[str, Any] | None:
    """Field values from ``path``; None for a pyproject.toml without our table."""
    try:
        with path.open("rb") as handle:
            data = tomllib.load(handle)
    except OSError as err:
        raise ConfigError(f"{path}: cannot read config: {err.strerror or err}") from None
    except tomllib.TOMLDecodeError as err:
        raise ConfigError(f"{path}: invalid TOML: {err}") from None
    if path.name == "pyproject.toml":
        tool = data.get("tool", {})
        if not isinstance(tool, dict) or "medperf-lint" not in tool:
            return None
        table = tool["medperf-lint"]
        if not isinstance(table, dict):
            raise ConfigError(f"{path}: [tool.medperf-lint] must be a table")
    else:
        table = data
    values = parse_table(table, str(path))
    values["config_path"] = str(path)
    return values


def find_config(start: Path) -> Path | None:
    """The nearest ``.medperf-lint.toml`` or pyproject.toml with our table, at or above start."""
    here = start if start.is_dir() else start.parent
    for folder in (here, *here.parents):
        candidate = folder / CONFIG_FILE
        if candidate.is_file():
            return candidate
        pyproject = folder / "pyproject.toml"
        if pyproject.is_file() and b"tool.medperf-lint" in _head(pyproject):
            return pyproject
    return None


def _head(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError:
        return b""


def apply(base: Settings, values: Mapping[str, Any]) -> Settings:
    known = {f.name for f in fields(Settings)}
    return replace(base, **{k: v for k, v in values.items() if k in known})


def _plain(value: Any) -> Any:
    """Settings-shaped values (tuples, pairs, enums) back in the shape TOML gives."""
    if isinstance(value, Severity):
        return value.value
    if (
        isinstance(value, tuple)
        and value
        and all(isinstance(i, tuple) and len(i) == 2 for i in value)
    ):
        return {k: _plain(v) for k, v in value}
    if isinstance(value, (tuple, list)):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    return value


def check_overrides(overrides: Mapping[str, Any]) -> dict[str, Any]:
    """Command-line (or API) overrides, checked by the same rules as config values."""
    by_attr = {attr: (key, convert) for key, (attr, convert) in _KEYS.items()}
    checked: dict[str, Any] = {}
    for attr, value in overrides.items():
        if attr not in by_attr:
            checked[attr] = value
            continue
        key, convert = by_attr[attr]
        raw = _plain(value)
        try:
            converted = convert(f"--{key}", raw)
        except ConfigError as err:
            raise ConfigError(f"command line: {err}") from None
        checked[attr] = tuple(converted) if isinstance(converted, list) else converted
    return checked


class ConfigResolver:
    """Settings per linted file: defaults < nearest config (or --config) < CLI overrides."""

    def __init__(self, explicit: Path | None = None, overrides: Mapping[str, Any] | None = None):
        self._overrides = check_overrides(overrides or {})
        self._explicit = self._load(explicit) if explicit else None
        self._by_file: dict[Path, Settings] = {}

    def _load(self, path: Path) -> Settings:
        values = read_config_file(path)
        if values is None:
            raise ConfigError(f"{path}: no [tool.medperf-lint] table")
        return apply(Settings(), values)

    def for_path(self, path: Path | None) -> Settings:
        if self._explicit is not None:
            return apply(self._explicit, self._overrides)
        start = (path if path is not None else Path.cwd()).resolve()
        found = find_config(start)
        if found is None:
            return apply(Settings(), self._overrides)
        if found not in self._by_file:
            values = read_config_file(found)
            self._by_file[found] = apply(Settings(), values) if values else Settings()
        return apply(self._by_file[found], self._overrides)
