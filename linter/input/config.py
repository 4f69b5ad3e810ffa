"""Settings: defaults, the user's config, the project's config, the environment, the CLI.

The nearest project config (``[tool.medperf-lint]`` or ``.medperf-lint.toml``) at or above a
linted file gives that file's rule settings. Unknown keys are errors that name the key;
unknown rule names are reported by the ``unknown-rule`` rule instead, so a typo never
silently disables a check.

In CI the linted tree is untrusted: a pull request writes its ``pyproject.toml``. A setting
declared ``trusted`` (where requests and tokens go, what the address guard allows, where
cached results are read from) is therefore taken only from the command line, a
``MEDPERF_LINT_*`` environment variable or the user's own config
(``$XDG_CONFIG_HOME/medperf-lint/config.toml``); in a project config it is ignored with a
warning (``ignored-setting``). A setting declared ``per_run`` (every network setting) has one
value for the whole run, from the project config of the folder holding every linted path.
"""

from __future__ import annotations

import math
import os
import sys
from collections.abc import Mapping
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Any

from medperf_lint.findings import Severity
from medperf_lint.input.safe_io import (
    SafeReadError,
    describe_oserror,
    is_folder,
    is_regular_file,
    read_regular_file,
    safe_resolve,
)


def _tomllib() -> Any:
    """tomllib (tomli before 3.11), imported only when a config file is read: start-up."""
    if sys.version_info >= (3, 11):
        import tomllib

        return tomllib
    import tomli  # pragma: no cover - exercised on 3.10 only

    return tomli  # pragma: no cover


CONFIG_FILE = ".medperf-lint.toml"
DEFAULT_GITHUB_API = "https://api.github.com"
DEFAULT_SYNAPSE_ENDPOINT = "https://repo-prod.prod.sagebase.org/repo/v1"
ENV_PREFIX = "MEDPERF_LINT_"
MAX_CONFIG_BYTES = 1024 * 1024
# Field metadata: ``trusted`` settings never come from a config in the linted tree;
# ``per_run`` settings have one value per run. A new endpoint or address setting must be
# declared TRUSTED (tests/security/test_trusted_settings.py checks the obvious names).
RUN = {"per_run": True}
TRUSTED = {"per_run": True, "trusted": True}


class ConfigError(Exception):
    """A config problem; the message is one line and names the file and key."""


@dataclass(frozen=True)
class Settings:
    """Every setting of one run, from the config file and the command line (or the API)."""

    select: tuple[str, ...] = ()  # empty: every rule
    ignore: tuple[str, ...] = ()
    severity: tuple[tuple[str, Severity], ...] = ()
    per_file_ignores: tuple[tuple[str, tuple[str, ...]], ...] = ()
    allowed_hosts: tuple[str, ...] = ()
    connect_timeout: float = field(default=5.0, metadata=RUN)
    read_timeout: float = field(default=20.0, metadata=RUN)
    timeout: float = field(default=60.0, metadata=RUN)
    deadline: float | None = field(default=None, metadata=RUN)
    max_connections_per_host: int = field(default=8, metadata=RUN)
    retries: int = field(default=2, metadata=RUN)
    cache_dir: str | None = field(default=None, metadata=TRUSTED)
    no_cache: bool = field(default=False, metadata=RUN)
    cache_ttl_immutable: float = field(default=7 * 24 * 3600.0, metadata=RUN)
    cache_ttl_mutable: float = field(default=3600.0, metadata=RUN)
    github_api_url: str = field(default=DEFAULT_GITHUB_API, metadata=TRUSTED)
    synapse_endpoint: str = field(default=DEFAULT_SYNAPSE_ENDPOINT, metadata=TRUSTED)
    # self-hosted forges whose API is asked to pin a branch (gitlab.com and codeberg.org always)
    gitlab_hosts: tuple[str, ...] = field(default=(), metadata=TRUSTED)
    gitea_hosts: tuple[str, ...] = field(default=(), metadata=TRUSTED)
    synapse_concurrency: int = field(default=3, metadata=RUN)
    allow_private_hosts: bool = field(default=False, metadata=TRUSTED)
    resolve: tuple[str, ...] = field(default=(), metadata=TRUSTED)
    verify_hashes: bool = field(default=False, metadata=RUN)  # download hashed files in full
    max_download_size: int = field(default=20 * 1024**3, metadata=RUN)  # larger: inconclusive
    # --keep DIR: where verified downloads are written (command line only; trusted)
    keep_dir: str | None = field(default=None, metadata=TRUSTED)
    config_path: str | None = None  # where these settings came from, for messages and globs
    unknown_rules: tuple[str, ...] = field(default=(), compare=False)
    ignored_settings: tuple[str, ...] = field(default=(), compare=False)  # trusted keys dropped

    @property
    def config_dir(self) -> Path | None:
        return Path(self.config_path).parent if self.config_path else None

    @property
    def named_apis(self) -> tuple[str, ...]:
        """The API endpoints the user named (trusted settings): the GitHub API and the
        self-hosted GitLab and Gitea instances. The transport exempts their host:port from the
        address guard (GitHub Enterprise or an intranet forge may be private), from the start
        of the run, so every provider sees the same policy."""
        return (self.github_api_url, *self.gitlab_hosts, *self.gitea_hosts)

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
    if (
        isinstance(value, bool)
        or not isinstance(value, (int, float))
        or not math.isfinite(value)
        or value < 0
    ):
        raise ConfigError(f"{key!r} must be a finite non-negative number")
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


def _endpoint(key: str, value: Any) -> str:
    """An http(s) base URL with a host, and no user-info, query or fragment to leak."""
    from urllib.parse import urlsplit

    text = _text(key, value)
    try:
        parts = urlsplit(text)
        parts.port  # noqa: B018  (raises on a bad port)
    except ValueError:
        raise ConfigError(f"{key!r} must be an http(s) URL") from None
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ConfigError(f"{key!r} must be an http(s) URL")
    if "@" in parts.netloc or parts.query or parts.fragment or "\\" in text:
        raise ConfigError(f"{key!r} must be a plain http(s) URL (no user-info, query or fragment)")
    return text


def _endpoints(key: str, value: Any) -> tuple[str, ...]:
    """A list of http(s) base URLs (a string, from the environment: separated by commas)."""
    if isinstance(value, str):
        value = [v.strip() for v in value.split(",") if v.strip()]
    return tuple(_endpoint(key, v) for v in _str_list(key, value))


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
    "github-api-url": ("github_api_url", _endpoint),
    "synapse-endpoint": ("synapse_endpoint", _endpoint),
    "gitlab-hosts": ("gitlab_hosts", _endpoints),
    "gitea-hosts": ("gitea_hosts", _endpoints),
    "synapse-concurrency": ("synapse_concurrency", _positive),
    "allow-private-hosts": ("allow_private_hosts", _flag),
    "verify-hashes": ("verify_hashes", _flag),
    "max-download-size": ("max_download_size", _size),
}
CONFIG_KEYS = tuple(_KEYS)
_FIELDS = {f.name: f for f in fields(Settings)}


def is_trusted(attr: str) -> bool:
    """True for a setting a config in the linted tree may not set (declared on the field)."""
    return bool(_FIELDS[attr].metadata.get("trusted")) if attr in _FIELDS else False


def is_per_run(attr: str) -> bool:
    """True for a setting with one value per run (every network setting)."""
    return bool(_FIELDS[attr].metadata.get("per_run")) if attr in _FIELDS else False


TRUSTED_KEYS = tuple(k for k, (attr, _c) in _KEYS.items() if is_trusted(attr))


def env_var(key: str) -> str:
    """``github-api-url`` -> ``MEDPERF_LINT_GITHUB_API_URL``."""
    return ENV_PREFIX + key.upper().replace("-", "_")


def user_config_path(environ: Mapping[str, str] | None = None) -> Path:
    """``$XDG_CONFIG_HOME/medperf-lint/config.toml`` (``~/.config`` when unset)."""
    env = os.environ if environ is None else environ
    base = env.get("XDG_CONFIG_HOME") or os.path.join(os.path.expanduser("~"), ".config")
    return Path(base) / "medperf-lint" / "config.toml"


def where_to_set(key: str) -> str:
    """The trusted places for ``key``, for messages."""
    return f"--{key}, {env_var(key)} or {user_config_path()}"


_TRUE = ("1", "true", "yes", "on")
_FALSE = ("", "0", "false", "no", "off")


# ``MEDPERF_LINT_*`` variables read by something other than the settings.
MEDPERF_TOKEN_VAR = ENV_PREFIX + "MEDPERF_TOKEN"  # the audit's MedPerf API token
DEBUG_VAR = ENV_PREFIX + "DEBUG"  # an internal error shows its traceback


def env_values(environ: Mapping[str, str] | None = None) -> dict[str, Any]:
    """Trusted settings from ``MEDPERF_LINT_*`` variables, checked like config values.

    ``MEDPERF_LINT_TIMEOUT=5`` or a misspelt ``MEDPERF_LINT_GITHUB_API`` is an error: it must
    not look as if it had been applied.
    """
    env = os.environ if environ is None else environ
    _refuse_unknown_env(env)
    values: dict[str, Any] = {}
    for key in TRUSTED_KEYS:
        name = env_var(key)
        raw = env.get(name)
        if raw is None or not raw.strip():
            continue  # unset and empty mean the same (CI templates often expand to "")
        attr, convert = _KEYS[key]
        value: Any = raw
        if convert is _flag:
            if raw.strip().lower() not in (*_TRUE, *_FALSE):
                raise ConfigError(f"environment {name}: must be true or false (or 1/0)")
            value = raw.strip().lower() in _TRUE
        try:
            values[attr] = convert(key, value)
        except ConfigError as err:
            raise ConfigError(f"environment {name}: {err}") from None
    return values


def _refuse_unknown_env(env: Mapping[str, str]) -> None:
    """A set ``MEDPERF_LINT_*`` variable that names a setting the environment cannot set
    (``MEDPERF_LINT_TIMEOUT``), or nearly names one it can (a typo), is an error; any other
    (a CI system's own ``MEDPERF_LINT_VERSION``) is not ours to refuse."""
    known = {*(env_var(key) for key in TRUSTED_KEYS), MEDPERF_TOKEN_VAR, DEBUG_VAR}
    for name in sorted(env):
        if not name.startswith(ENV_PREFIX) or name in known or not env[name].strip():
            continue
        key = name[len(ENV_PREFIX) :].lower().replace("_", "-")
        if key in _KEYS:
            hint = f"set --{key} or {key!r} in the config instead"
        else:
            near = _near_env_name(name, known)
            if near is None:
                continue
            hint = f"did you mean {near}?"
        raise ConfigError(
            f"environment {name}: not read from the environment ({hint}); the environment "
            f"sets only {', '.join(sorted(known))}"
        )


def _near_env_name(name: str, known: set[str]) -> str | None:
    from difflib import get_close_matches  # only for an unknown name: start-up

    tails = {known_name[len(ENV_PREFIX) :]: known_name for known_name in known}
    near = get_close_matches(name[len(ENV_PREFIX) :], sorted(tails), n=1, cutoff=0.8)
    return tails[near[0]] if near else None


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
        raw = read_regular_file(path, MAX_CONFIG_BYTES)
    except SafeReadError as err:
        raise ConfigError(f"{path}: cannot read config: {err}") from None
    if len(raw) > MAX_CONFIG_BYTES:
        raise ConfigError(f"{path}: config is larger than {MAX_CONFIG_BYTES // 1024} KiB")
    if path.name == "pyproject.toml" and not _names_our_table(raw):
        return None  # another project's pyproject: no need to parse it (start-up time)
    tomllib = _tomllib()
    try:
        data = tomllib.loads(raw.decode("utf-8"))
    except UnicodeDecodeError as err:
        raise ConfigError(
            f"{path}: not UTF-8 text: byte 0x{raw[err.start]:02x} at offset {err.start} is invalid"
        ) from None
    except tomllib.TOMLDecodeError as err:
        raise ConfigError(f"{path}: invalid TOML: {' '.join(str(err).split())}") from None
    except RecursionError:
        raise ConfigError(f"{path}: invalid TOML: nesting is too deep") from None
    if path.name == "pyproject.toml":
        tool = data.get("tool", {})
        if not isinstance(tool, dict) or "medperf-lint" not in tool:
            _refuse_misspelt_table(path, tool)
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
    here = start if is_folder(start) else start.parent
    for folder in (here, *here.parents):
        candidate = folder / CONFIG_FILE
        if is_regular_file(candidate):
            return candidate
        pyproject = folder / "pyproject.toml"
        if is_regular_file(pyproject) and _names_our_table(_head(pyproject)):
            return pyproject
    return None


def _names_our_table(raw: bytes) -> bool:
    """A cheap look before parsing: ``tool.medperf-lint``, quoted or misspelt (``medperf_lint``),
    so that a misspelt table is read and refused rather than silently not found."""
    lowered = raw.lower()
    return any(name in lowered for name in _TABLE_SPELLINGS)


_TABLE_SPELLINGS = tuple(
    f"tool.{quote}medperf{sep}lint".encode()
    for quote in ("", '"', "'")
    for sep in ("-", "_", ".", " ", "")
)


def _refuse_misspelt_table(path: Path, tool: object) -> None:
    """``[tool.medperf_lint]`` would be ignored without a word: say which table is read."""
    if not isinstance(tool, dict):
        return
    for key in tool:
        if isinstance(key, str) and "".join(c for c in key.lower() if c.isalnum()) == "medperflint":
            raise ConfigError(f"{path}: [tool.{key}] is not read: the table is [tool.medperf-lint]")


def _head(path: Path) -> bytes:
    try:
        return read_regular_file(path, MAX_CONFIG_BYTES)
    except SafeReadError:
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
    """Settings per linted file, and one set of network settings per run.

    Per file: defaults < user config < nearest project config (or ``--config``) < overrides.
    Per run (network settings): the same, with the project config found at or above
    ``run_root`` (the folder that holds every linted path); trusted settings come from the
    user config, the environment and the overrides only.
    """

    def __init__(
        self,
        explicit: Path | None = None,
        overrides: Mapping[str, Any] | None = None,
        *,
        run_root: Path | None = None,
        environ: Mapping[str, str] | None = None,
    ):
        self._overrides = check_overrides(overrides or {})
        self._user = self._load_user(user_config_path(environ))
        trusted = {k: v for k, v in self._user.items() if is_trusted(k)}
        trusted.update(env_values(environ))
        trusted.update({k: v for k, v in self._overrides.items() if is_trusted(k)})
        self._trusted = trusted
        self._explicit = self._load(explicit) if explicit else None
        self._run_root = run_root
        self._by_file: dict[Path, Settings] = {}
        self._run: Settings | None = None

    @staticmethod
    def _load_user(path: Path) -> dict[str, Any]:
        try:
            os.stat(path)
        except (FileNotFoundError, NotADirectoryError):
            return {}
        except OSError as err:  # unreadable or a loop: read_config_file says so in one line
            if not os.path.lexists(path):
                raise ConfigError(f"{path}: cannot read config: {describe_oserror(err)}") from None
        values = read_config_file(path) or {}
        values.pop("config_path", None)  # globs stay relative to project configs
        return values

    def _project(self, values: Mapping[str, Any]) -> Settings:
        """A project config: every trusted key dropped (and remembered for the warning)."""
        ignored = tuple(k for k, (attr, _c) in _KEYS.items() if attr in values and is_trusted(attr))
        kept = {k: v for k, v in values.items() if not is_trusted(k)}
        base = apply(Settings(), {k: v for k, v in self._user.items() if not is_trusted(k)})
        return replace(apply(base, kept), ignored_settings=ignored)

    def _load(self, path: Path) -> Settings:
        values = read_config_file(path)
        if values is None:
            raise ConfigError(f"{path}: no [tool.medperf-lint] table")
        return self._project(values)

    def _nearest(self, start: Path) -> Settings:
        if self._explicit is not None:
            return self._explicit
        found = find_config(start)
        if found is None:
            return self._project({})
        if found not in self._by_file:
            values = read_config_file(found)
            self._by_file[found] = self._project(values or {})
        return self._by_file[found]

    def run_settings(self) -> Settings:
        """The run's network settings (and the rule settings of ``--ref`` values)."""
        if self._run is None:
            start = safe_resolve(self._run_root if self._run_root is not None else Path.cwd())
            project = self._nearest(start)
            self._run = apply(apply(project, self._trusted), self._overrides)
        return self._run

    def for_path(self, path: Path | None) -> Settings:
        if path is None:
            return self.run_settings()
        settings = apply(self._nearest(safe_resolve(path)), self._overrides)
        run = self.run_settings()
        return apply(
            settings, {f.name: getattr(run, f.name) for f in fields(Settings) if is_per_run(f.name)}
        )


def run_root(paths: list[str]) -> Path | None:
    """The folder holding every path (None without paths: the working directory decides)."""
    if not paths:
        return None
    try:
        common = Path(os.path.commonpath([os.path.abspath(p) for p in paths]))
    except ValueError:  # different drives
        return None
    return common
