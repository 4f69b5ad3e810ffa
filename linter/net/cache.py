"""On-disk probe cache: one JSON file per URL, so warm pre-commit runs send no requests.

Only healthy results are stored (failures and inconclusive results are always re-probed, as
lychee does). Immutable references (a commit, record, object version or generation) keep
for ``cache_ttl_immutable`` (7 days), anything else for at most ``cache_ttl_mutable`` (1 hour).
Writes go to a temporary file in the cache folder and are renamed into place, so concurrent
runs (pre-commit runs hooks in parallel) never read a half-written entry. A URL that carries
a secret (``redact.carries_secret``) is never written, nor is a result whose final URL or
redirect Locations carry credentials; signed redirect targets (a release asset's
``X-Amz-Signature``) are stored redacted. An entry of any unexpected shape (or a FIFO, a
loop, bytes that are not JSON) is a miss, never an error.

Entries live in a namespace folder keyed by the tool's version (and by ``--resolve`` and
``--allow-private-hosts``), so a new release, say one with a fixed sniffing rule, never reads
results an older release judged. Opening the cache prunes it, with bounded work: at most
``PRUNE_BATCH`` entries, picked at random from every namespace, are looked at per run, and
those older than the longest TTL (expired for every release) are removed, as are temporary
files a crashed run left behind and namespace folders left empty.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import json
import os
import random
import re
import tempfile
import time
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

from medperf_lint._version import __version__
from medperf_lint.facts.download import VerifiedDownload
from medperf_lint.facts.forges import ForgeLookup
from medperf_lint.facts.github import RefLookup, ReleaseLookup
from medperf_lint.facts.probe import ProbeResult
from medperf_lint.facts.records import from_record, to_record
from medperf_lint.facts.registry import ImageLookup
from medperf_lint.input.config import Settings
from medperf_lint.input.safe_io import SafeReadError, read_regular_file
from medperf_lint.refs.hosts import parse_github_url
from medperf_lint.refs.redact import carries_secret, find_secrets, known_tokens, redact_url
from medperf_lint.refs.urls import split_url

FORMAT = 1
_MAX_ENTRY_BYTES = 4 * 1024 * 1024
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
    """True when the URL names content that cannot change (a commit, record, object version or generation)."""
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
    if _s3_endpoint(parts.host) and parts.param("versionId", case_sensitive=True):
        return True
    if parts.host_is("googleapis.com") and parts.param("generation", case_sensitive=True):
        return True
    if parts.host.endswith(".blob.core.windows.net"):  # not web. (static sites) or file.
        return bool(parts.param("versionid") or parts.param("snapshot"))
    return False


# S3's own endpoints: "s3", a legacy "s3-REGION", "s3-external-1" or "s3-accelerate" label,
# then only qualifiers (a region, dualstack, fips) before amazonaws.com. A bucket may come
# before it (virtual-host style). EC2 hosts, API gateways, load balancers, website and Object
# Lambda endpoints serve what their owner wants and ignore ?versionId=.
_AWS_REGION = r"[a-z]{2}(?:-gov|-iso[a-z]?)?-[a-z]+-\d"
_S3_LABEL = re.compile(rf"s3(?:-(?:external-1|accelerate|fips|{_AWS_REGION}))?")
_S3_QUALIFIER = re.compile(rf"dualstack|accelerate|fips|{_AWS_REGION}")
_AWS_SUFFIXES = (".amazonaws.com", ".amazonaws.com.cn")


def _s3_endpoint(host: str) -> bool:
    suffix = next((s for s in _AWS_SUFFIXES if host.endswith(s)), None)
    if suffix is None:
        return False
    labels = host[: -len(suffix)].split(".")
    for index in range(len(labels) - 1, -1, -1):  # the last S3 label: a bucket may be "s3"
        if _S3_LABEL.fullmatch(labels[index]):
            return all(_S3_QUALIFIER.fullmatch(label) for label in labels[index + 1 :])
    return False


class ProbeCache:
    """Read and write cached probe results; every failure to do so is silently a miss."""

    shape = ProbeResult  # what an entry's "result" must be, field by field

    def __init__(self, folder: Path, ttl_immutable: float, ttl_mutable: float):
        self.folder = folder
        self.ttl_immutable = ttl_immutable
        self.ttl_mutable = ttl_mutable

    @classmethod
    def from_settings(cls, settings: Settings) -> ProbeCache | None:
        if settings.no_cache:
            return None
        ttl_mutable = min(settings.cache_ttl_mutable, 3600.0)
        return cls(
            _root(settings) / _namespace(settings), settings.cache_ttl_immutable, ttl_mutable
        )

    def _path(self, url: str) -> Path:
        return self.folder / (hashlib.sha256(url.encode("utf-8")).hexdigest() + ".json")

    def ttl(self, url: str) -> float:
        return self.ttl_immutable if is_immutable(url) else self.ttl_mutable

    def get(self, url: str, now: float | None = None) -> ProbeResult | None:
        now = time.time() if now is None else now
        try:
            data = read_regular_file(self._path(url), _MAX_ENTRY_BYTES)
            if len(data) > _MAX_ENTRY_BYTES:
                return None
            record = json.loads(data.decode("utf-8"))
            if not isinstance(record, dict):
                return None
            if record.get("format") != FORMAT or record.get("url") != url:
                return None
            stored = record.get("stored_at")
            if isinstance(stored, bool) or not isinstance(stored, (int, float)):
                return None
            if not (-_SKEW <= now - float(stored) < self.ttl(url)):  # NaN fails both sides
                return None
            result = from_record(self.shape, record.get("result"), from_cache=True)
            if result is None or result.url != url or not result.healthy or result.inconclusive:
                return None
            return result
        except (SafeReadError, RecursionError, ValueError, TypeError, KeyError, AttributeError):
            return None  # json.JSONDecodeError and UnicodeDecodeError are ValueErrors

    @functools.cached_property
    def _tokens(self) -> tuple[str, ...]:
        """The known tokens, read once for the run's writes (not once per URL and hop)."""
        return known_tokens()

    def put(self, result: ProbeResult, now: float | None = None) -> bool:
        """Store ``result`` when it is healthy and its URL carries no secret; True if stored."""
        url = result.url
        if not result.healthy or result.inconclusive or _secret_bearing(result, self._tokens):
            return False
        if self.ttl(url) <= 0:
            return False
        record = {
            "format": FORMAT,
            "url": url,
            "stored_at": time.time() if now is None else now,
            "result": to_record(_strip_secrets(result, self._tokens)),
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


def _secret_bearing(result: ProbeResult, tokens: tuple[str, ...]) -> bool:
    """True when the URL carries a secret, or a hop on the way carries credentials."""
    hops = (result.final_url, *(loc for _status, loc in result.redirects))
    return carries_secret(result.url, tokens) or any(
        find_secrets(u, tokens).credentials for u in hops
    )


def _strip_secrets(result: ProbeResult, tokens: tuple[str, ...]) -> ProbeResult:
    """Belt and braces: nothing secret-bearing is stored, and what is stored is redacted."""
    return replace(
        result,
        final_url=redact_url(result.final_url, tokens),
        redirects=tuple((s, redact_url(loc, tokens)) for s, loc in result.redirects),
    )


def _root(settings: Settings) -> Path:
    """The cache folder (``--cache-dir`` or the XDG one), pruned once per process."""
    folder = Path(settings.cache_dir).expanduser() if settings.cache_dir else default_dir()
    prune_once(folder, settings)
    return folder


class _Records:
    """JSON records kept ``ttl``, one file per key (a list of strings) in ``folder``, written
    atomically; reading anything but a well-formed ``shape`` record, or a FIFO, is a miss."""

    field = "value"  # the record's entry that holds the value
    shape: type[Any]  # the fact the value describes, whose fields and types it must have

    def __init__(self, folder: Path, ttl: float):
        self.folder = folder
        self.ttl = ttl

    def _path(self, key: list[str]) -> Path:
        text = "\n".join(key)
        return self.folder / (hashlib.sha256(text.encode("utf-8")).hexdigest() + ".json")

    def _get(self, key: list[str], now: float | None = None) -> dict[str, object] | None:
        now = time.time() if now is None else now
        try:
            data = read_regular_file(self._path(key), _MAX_ENTRY_BYTES)  # a FIFO never blocks
            record = json.loads(data.decode("utf-8"))
            if not isinstance(record, dict):
                return None
            if record.get("format") != FORMAT or record.get("key") != key:
                return None
            stored = record.get("stored_at")
            if isinstance(stored, bool) or not isinstance(stored, (int, float)):
                return None
            if not (-_SKEW <= now - float(stored) < self.ttl):  # NaN fails both sides
                return None
            value = record.get(self.field)
            return value if from_record(self.shape, value) is not None else None
        except (SafeReadError, RecursionError, ValueError, KeyError, TypeError, AttributeError):
            return None

    def _put(self, key: list[str], value: dict[str, object]) -> bool:
        if from_record(self.shape, value) is None:
            return False  # what could not be read back is not written
        record = {"format": FORMAT, "key": key, "stored_at": time.time(), self.field: value}
        return _write_record(self.folder, self._path(key), record)

    def entry_key(self, key: Sequence[str]) -> list[str]:
        """The stored form of a caller's key (a class may fold case where its host does)."""
        return list(key)

    def get(self, key: Sequence[str], now: float | None = None) -> dict[str, object] | None:
        return self._get(self.entry_key(key), now)

    def put(self, key: Sequence[str], value: dict[str, object]) -> bool:
        return self._put(self.entry_key(key), value)


class GitHubCache(_Records):
    """Commit-pinned GitHub lookups (owner, repo, 40-hex SHA), kept ``cache_ttl_immutable``.

    A commit's existence and membership do not change, so a warm re-run of pinned URLs sends no
    API call. Entries are per API endpoint, ``--resolve`` table and tool version, written like
    probe entries (temporary file, then rename), and a failure to read or write is a miss.
    """

    field = "lookup"
    shape = RefLookup

    @classmethod
    def from_settings(cls, settings: Settings) -> GitHubCache | None:
        folder = _github_folder(settings)
        return None if folder is None else cls(folder, settings.cache_ttl_immutable)

    def entry_key(self, key: Sequence[str]) -> list[str]:
        return [k.lower() for k in key]


def _github_folder(settings: Settings) -> Path | None:
    """Where GitHub's answers go: per API endpoint, ``--resolve`` table and tool version."""
    if settings.no_cache or settings.cache_ttl_immutable <= 0:
        return None
    context = "\n".join(
        [__version__, settings.github_api_url.rstrip("/"), *sorted(settings.resolve)]
    )
    return _root(settings) / ("github-" + hashlib.sha256(context.encode("utf-8")).hexdigest()[:16])


class ReleaseCache(_Records):
    """Immutable GitHub releases (owner, repo, tag), kept ``cache_ttl_immutable`` beside the
    commit lookups: an immutable release's tag cannot move and its assets cannot be replaced,
    so a warm re-run asks nothing. A mutable release is never stored (it may become immutable
    or change). Owner and repository are case-insensitive on GitHub, a tag is not."""

    field = "release"
    shape = ReleaseLookup

    @classmethod
    def from_settings(cls, settings: Settings) -> ReleaseCache | None:
        folder = _github_folder(settings)
        return None if folder is None else cls(folder, settings.cache_ttl_immutable)

    def entry_key(self, key: Sequence[str]) -> list[str]:
        owner, repo, tag = key
        return [owner.lower(), repo.lower(), "release", tag]


class ForgeCache(_Records):
    """Commit-pinned lookups on GitLab, Bitbucket, Gitea/Codeberg and Hugging Face, keyed by
    (forge, API origin, project, 40-hex SHA) and kept ``cache_ttl_immutable``, as GitHub's are:
    whether a commit exists in a project does not change, so a warm re-run sends no call."""

    field = "lookup"
    shape = ForgeLookup

    @classmethod
    def from_settings(cls, settings: Settings) -> ForgeCache | None:
        if settings.no_cache or settings.cache_ttl_immutable <= 0:
            return None
        folder = _root(settings) / ("forges-" + _namespace(settings))
        return cls(folder, settings.cache_ttl_immutable)


class ImageCache(_Records):
    """Container registry answers for digest-pinned images (``name[:tag]@sha256:…``), keyed by
    the image as written and kept ``cache_ttl_immutable``: a digest names its content, so the
    registry serving it is an answer that does not change, as a commit's is. Only such answers
    (:attr:`ImageLookup.pinned_answer`) are stored; a tag, which can move, never is, nor is a
    digest the registry did not serve. Entries are per ``--resolve`` table, address policy and
    tool version; a failure to read or write is a miss."""

    field = "lookup"
    shape = ImageLookup

    @classmethod
    def from_settings(cls, settings: Settings) -> ImageCache | None:
        if settings.no_cache or settings.cache_ttl_immutable <= 0:
            return None
        folder = _root(settings) / ("images-" + _namespace(settings))
        return cls(folder, settings.cache_ttl_immutable)

    def lookup(self, image: str) -> ImageLookup | None:
        """The cached answer for ``image`` (``from_cache`` set), or None."""
        found = from_record(ImageLookup, self.get([image]), from_cache=True)
        return found if found is not None and found.image == image and found.pinned_answer else None

    def store(self, lookup: ImageLookup) -> bool:
        """Store ``lookup`` when it is a pinned answer; True if stored."""
        return lookup.pinned_answer and self.put([lookup.image], to_record(lookup))


class VerifiedCache(_Records):
    """Downloads whose SHA-256 matched the submitted one (and whose archive checks passed), for
    immutable URLs only, kept ``cache_ttl_immutable``: the same bytes need not be fetched again
    to learn the same answer. Keyed by the URL, the expected hash and what was checked; a URL
    that carries a secret is never stored; a failure to read or write is a miss.
    """

    field = "facts"
    shape = VerifiedDownload

    @classmethod
    def from_settings(cls, settings: Settings) -> VerifiedCache | None:
        if settings.no_cache or settings.cache_ttl_immutable <= 0:
            return None
        folder = _root(settings) / ("verified-" + _namespace(settings))
        return cls(folder, settings.cache_ttl_immutable)

    @staticmethod
    def key(url: str, sha256: str, checks: str) -> list[str]:
        return [url, sha256.lower(), checks]

    def put(self, key: Sequence[str], value: dict[str, object]) -> bool:
        url = key[0]
        if not is_immutable(url) or carries_secret(url):  # a secret-bearing URL is never stored
            return False
        return self._put(self.entry_key(key), value)


def _write_record(folder: Path, path: Path, record: dict[str, object]) -> bool:
    """Write ``record`` as JSON to ``path`` through a temporary file in ``folder`` and a rename,
    so concurrent runs never read half an entry; False when it could not be written. The
    folder is made when the first write finds it missing (not stat'ed before every write)."""
    text = json.dumps(record)
    try:
        try:
            fd, tmp = tempfile.mkstemp(prefix=".tmp-", suffix=".json", dir=folder)
        except FileNotFoundError:
            folder.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(prefix=".tmp-", suffix=".json", dir=folder)
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as handle:
                handle.write(text)
            os.replace(tmp, path)
        except BaseException:
            with contextlib.suppress(OSError):
                os.unlink(tmp)
            raise
    except OSError:
        return False
    return True
