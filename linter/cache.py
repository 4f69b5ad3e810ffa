"""On-disk probe cache: one JSON file per URL, so warm pre-commit runs send no requests.

Only healthy results are stored (failures and inconclusive results are always re-probed, as
lychee does). Immutable references (a commit, record, object version or generation) keep
for ``cache_ttl_immutable`` (7 days), anything else for at most ``cache_ttl_mutable`` (1 hour).
Writes go to a temporary file in the cache folder and are renamed into place, so concurrent
runs (pre-commit runs hooks in parallel) never read a half-written entry.

Entries live in a namespace folder keyed by the tool's version (and by ``--resolve`` and
``--allow-private-hosts``), so a new release, say one with a fixed sniffing rule, never reads
results an older release judged. Opening the cache prunes it, with bounded work: at most
``PRUNE_BATCH`` entries, picked at random from every namespace, are looked at per run, and
those older than the longest TTL (expired for every release) are removed, as are temporary
files a crashed run left behind and namespace folders left empty.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import random
import re
import tempfile
import time
from dataclasses import replace
from pathlib import Path

from ._version import __version__
from .config import Settings
from .hosts import parse_github_url
from .http_result import ProbeResult
from .urls import redact, split_url

FORMAT = 1
_SKEW = 300.0  # seconds an entry may seem to come from the future (another process, clocks)
_ZENODO_FILE = re.compile(r"^/(api/)?records/\d+/files/")
_HF_PINNED = re.compile(r"/resolve/([0-9a-fA-F]{40})/")
PRUNE_BATCH = 64  # entries looked at per run
_PRUNE_MIN_AGE = 7 * 86400.0
_STALE_TMP = 3600.0  # a temporary file this old belongs to no running write
_pruned: set[Path] = set()  # cache roots pruned by this process


def default_dir() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "medperf-lint"


def is_immutable(url: str) -> bool:
    """True when the URL names content that cannot change (hosts.md §1, §3, §4, §7)."""
    gh = parse_github_url(url)
    if gh is not None:
        return gh.pinned
    parts = split_url(url)
    if parts is None:
        return False
    if parts.host_is("zenodo.org") and _ZENODO_FILE.match(parts.path):
        return True
    if parts.host_is("huggingface.co", "hf.co") and _HF_PINNED.search(parts.path):
        return True
    if parts.host_is("amazonaws.com") and parts.param("versionId", case_sensitive=True):
        return True
    if parts.host_is("googleapis.com") and parts.param("generation", case_sensitive=True):
        return True
    if parts.host_is("core.windows.net"):
        return bool(parts.param("versionid") or parts.param("snapshot"))
    return False


class ProbeCache:
    """Read and write cached probe results; every failure to do so is silently a miss."""

    def __init__(self, folder: Path, ttl_immutable: float, ttl_mutable: float):
        self.folder = folder
        self.ttl_immutable = ttl_immutable
        self.ttl_mutable = ttl_mutable

    @classmethod
    def from_settings(cls, settings: Settings) -> ProbeCache | None:
        if settings.no_cache:
            return None
        folder = Path(settings.cache_dir).expanduser() if settings.cache_dir else default_dir()
        ttl_mutable = min(settings.cache_ttl_mutable, 3600.0)
        prune_once(folder, settings)
        return cls(folder / _namespace(settings), settings.cache_ttl_immutable, ttl_mutable)

    def _path(self, url: str) -> Path:
        return self.folder / (hashlib.sha256(url.encode("utf-8")).hexdigest() + ".json")

    def ttl(self, url: str) -> float:
        return self.ttl_immutable if is_immutable(url) else self.ttl_mutable

    def get(self, url: str, now: float | None = None) -> ProbeResult | None:
        now = time.time() if now is None else now
        try:
            record = json.loads(self._path(url).read_text(encoding="utf-8"))
            if record.get("format") != FORMAT or record.get("url") != url:
                return None
            stored = float(record["stored_at"])
            if not (-_SKEW <= now - stored < self.ttl(url)):
                return None
            return ProbeResult.from_record(record["result"])
        except (OSError, ValueError, KeyError, TypeError):
            return None

    def put(self, result: ProbeResult, now: float | None = None) -> bool:
        """Store ``result`` when it is healthy and its URL carries no secret; True if stored."""
        url = result.url
        if not result.healthy or result.inconclusive or redact(url) != url:
            return False
        if self.ttl(url) <= 0:
            return False
        record = {
            "format": FORMAT,
            "url": url,
            "stored_at": time.time() if now is None else now,
            "result": _strip_secrets(result).to_record(),
        }
        return _write_record(self.folder, self._path(url), record)


def _namespace(settings: Settings) -> str:
    """Where results go: per tool version, so an older release's verdicts are never read. A
    run that connects elsewhere (``--resolve``) or to private addresses keeps its own entries,
    so they can never answer for a plain run's URLs."""
    context = "\n".join(
        [__version__, *sorted(settings.resolve), f"private={settings.allow_private_hosts}"]
    )
    return "probes-" + hashlib.sha256(context.encode("utf-8")).hexdigest()[:16]


def prune_once(root: Path, settings: Settings) -> None:
    """Prune ``root`` the first time this process opens a cache in it."""
    if root in _pruned:
        return
    _pruned.add(root)
    # Never younger than the default week: another project's config may keep entries longer.
    ttl = max(settings.cache_ttl_immutable, settings.cache_ttl_mutable, _PRUNE_MIN_AGE)
    prune(root, ttl)


def prune(root: Path, max_age: float, now: float | None = None, batch: int = PRUNE_BATCH) -> int:
    """Remove expired entries from every namespace under ``root``; returns how many.

    Looks at no more than ``batch`` files (chosen at random, so successive runs cover a big
    cache), judging each by its modification time alone: any entry older than ``max_age``
    (the longest TTL) has expired whichever release or namespace wrote it. Never raises.
    """
    now = time.time() if now is None else now
    try:
        spaces = [d for d in os.scandir(root) if d.is_dir(follow_symlinks=False)]
        files = [(space.path, name) for space in spaces for name in os.listdir(space.path)]
    except OSError:
        return 0
    removed = 0
    for folder, name in random.sample(files, min(batch, len(files))):
        path = os.path.join(folder, name)
        with contextlib.suppress(OSError):
            age = now - os.lstat(path).st_mtime
            stale = age > (_STALE_TMP if name.startswith(".tmp-") else max_age + _SKEW)
            if stale and (name.endswith(".json") or name.startswith(".tmp-")):
                os.unlink(path)
                removed += 1
    for space in spaces:
        with contextlib.suppress(OSError):
            os.rmdir(space.path)  # only succeeds when empty
    return removed


def _strip_secrets(result: ProbeResult) -> ProbeResult:
    """Signed redirect targets are short-lived and never worth keeping verbatim."""
    return replace(
        result,
        final_url=redact(result.final_url),
        redirects=tuple((s, redact(loc)) for s, loc in result.redirects),
    )


class GitHubCache:
    """Commit-pinned GitHub lookups (owner, repo, 40-hex SHA), kept ``cache_ttl_immutable``.

    A commit's existence and membership do not change, so a warm re-run of pinned URLs sends no
    API call. Entries are per API endpoint, ``--resolve`` table and tool version, written like
    probe entries (temporary file, then rename), and a failure to read or write is a miss.
    """

    def __init__(self, folder: Path, ttl: float):
        self.folder = folder
        self.ttl = ttl

    @classmethod
    def from_settings(cls, settings: Settings) -> GitHubCache | None:
        from ._version import __version__

        if settings.no_cache or settings.cache_ttl_immutable <= 0:
            return None
        folder = Path(settings.cache_dir).expanduser() if settings.cache_dir else default_dir()
        context = "\n".join(
            [__version__, settings.github_api_url.rstrip("/"), *sorted(settings.resolve)]
        )
        space = "github-" + hashlib.sha256(context.encode("utf-8")).hexdigest()[:16]
        prune_once(folder, settings)
        return cls(folder / space, settings.cache_ttl_immutable)

    def _path(self, key: tuple[str, str, str]) -> Path:
        text = "/".join(part.lower() for part in key)
        return self.folder / (hashlib.sha256(text.encode("utf-8")).hexdigest() + ".json")

    def get(self, key: tuple[str, str, str], now: float | None = None) -> dict[str, object] | None:
        now = time.time() if now is None else now
        try:
            record = json.loads(self._path(key).read_text(encoding="utf-8"))
            if record.get("format") != FORMAT or record.get("key") != [k.lower() for k in key]:
                return None
            if not (-_SKEW <= now - float(record["stored_at"]) < self.ttl):
                return None
            value = record["lookup"]
            return value if isinstance(value, dict) else None
        except (OSError, ValueError, KeyError, TypeError):
            return None

    def put(self, key: tuple[str, str, str], lookup: dict[str, object]) -> bool:
        record = {
            "format": FORMAT,
            "key": [k.lower() for k in key],
            "stored_at": time.time(),
            "lookup": lookup,
        }
        return _write_record(self.folder, self._path(key), record)


class VerifiedCache:
    """Downloads whose SHA-256 matched the submitted one (and whose archive checks passed), for
    immutable URLs only, kept ``cache_ttl_immutable``: the same bytes need not be fetched again
    to learn the same answer. Keyed by the URL, the expected hash and what was checked; a URL
    that carries a secret is never stored; a failure to read or write is a miss.
    """

    def __init__(self, folder: Path, ttl: float):
        self.folder = folder
        self.ttl = ttl

    @classmethod
    def from_settings(cls, settings: Settings) -> VerifiedCache | None:
        if settings.no_cache or settings.cache_ttl_immutable <= 0:
            return None
        folder = Path(settings.cache_dir).expanduser() if settings.cache_dir else default_dir()
        prune_once(folder, settings)
        return cls(folder / ("verified-" + _namespace(settings)), settings.cache_ttl_immutable)

    @staticmethod
    def key(url: str, sha256: str, checks: str) -> list[str]:
        return [url, sha256.lower(), checks]

    def _path(self, key: list[str]) -> Path:
        text = "\n".join(key)
        return self.folder / (hashlib.sha256(text.encode("utf-8")).hexdigest() + ".json")

    def get(self, key: list[str], now: float | None = None) -> dict[str, object] | None:
        now = time.time() if now is None else now
        try:
            record = json.loads(self._path(key).read_text(encoding="utf-8"))
            if record.get("format") != FORMAT or record.get("key") != key:
                return None
            if not (-_SKEW <= now - float(record["stored_at"]) < self.ttl):
                return None
            value = record["facts"]
            return value if isinstance(value, dict) else None
        except (OSError, ValueError, KeyError, TypeError):
            return None

    def put(self, key: list[str], facts: dict[str, object]) -> bool:
        url = key[0]
        if not is_immutable(url) or redact(url) != url:
            return False
        record = {"format": FORMAT, "key": key, "stored_at": time.time(), "facts": facts}
        return _write_record(self.folder, self._path(key), record)


def _write_record(folder: Path, path: Path, record: dict[str, object]) -> bool:
    """Write ``record`` as JSON to ``path`` through a temporary file in ``folder`` and a rename,
    so concurrent runs never read half an entry; False when it could not be written."""
    try:
        folder.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=".tmp-", suffix=".json", dir=folder)
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as handle:
                json.dump(record, handle)
            os.replace(tmp, path)
        except BaseException:
            with contextlib.suppress(OSError):
                os.unlink(tmp)
            raise
    except OSError:
        return False
    return True
