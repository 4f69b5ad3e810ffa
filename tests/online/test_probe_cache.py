"""The probe cache: what counts as immutable, TTLs, what is never stored, concurrent writers."""

from __future__ import annotations

import json
import os
import threading
import time
from dataclasses import replace
from pathlib import Path

import pytest
from medperf_lint.facts.probe import ProbeResult
from medperf_lint.input.config import Settings
from medperf_lint.net import cache as cache_module
from medperf_lint.net.cache import ProbeCache, default_dir, is_immutable, prune

SHA = "0123456789abcdef0123456789abcdef01234567"


@pytest.mark.parametrize(
    ("url", "immutable"),
    [
        (f"https://raw.githubusercontent.com/o/r/{SHA}/w.tar.gz", True),
        ("https://raw.githubusercontent.com/o/r/main/w.tar.gz", False),
        ("https://raw.githubusercontent.com/o/r/0123456/w.tar.gz", False),  # short SHA
        (f"https://github.com/o/r/raw/{SHA}/w.tar.gz", True),
        ("https://github.com/o/r/releases/download/v1/w.tar.gz", False),
        ("https://zenodo.org/records/123/files/w.tar.gz?download=1", True),
        ("https://zenodo.org/api/records/123/files/w.tar.gz/content", True),
        ("https://zenodo.org/records/123", False),
        ("https://bucket.s3.amazonaws.com/w.tar.gz?versionId=3HL4kqtJlcpXroDTDmJ", True),
        ("https://bucket.s3.amazonaws.com/w.tar.gz", False),
        ("https://storage.googleapis.com/b/w.tar.gz?generation=1712345678901234", True),
        ("https://acct.blob.core.windows.net/c/w.tar.gz?versionid=2024-01-01T00:00:00Z", True),
        ("https://acct.blob.core.windows.net/c/w.tar.gz?snapshot=2024-01-01T00:00:00Z", True),
        (f"https://huggingface.co/o/m/resolve/{SHA}/w.safetensors", True),
        ("https://huggingface.co/o/m/resolve/main/w.safetensors", False),
    ],
)
def test_immutable_references(url: str, immutable: bool) -> None:
    assert is_immutable(url) is immutable


def _healthy(url: str) -> ProbeResult:
    return ProbeResult(url=url, final_url=url, status=206, size=10, sniffed="gzip", requests=2)


def _cache(tmp_path: Path) -> ProbeCache:
    return ProbeCache(tmp_path, ttl_immutable=7 * 86400, ttl_mutable=3600)


def test_round_trip_and_ttls(tmp_path: Path) -> None:
    cache = _cache(tmp_path)
    pinned = f"https://raw.githubusercontent.com/o/r/{SHA}/w.tar.gz"
    branch = "https://raw.githubusercontent.com/o/r/main/w.tar.gz"
    assert cache.put(_healthy(pinned), now=1000.0) and cache.put(_healthy(branch), now=1000.0)
    hit = cache.get(pinned, now=1000.0 + 6 * 86400)
    assert hit is not None and hit.from_cache and hit.sniffed == "gzip" and hit.size == 10
    assert cache.get(pinned, now=1000.0 + 8 * 86400) is None
    assert cache.get(branch, now=1000.0 + 3599) is not None
    assert cache.get(branch, now=1000.0 + 3601) is None


def test_failures_inconclusive_and_secrets_are_never_stored(tmp_path: Path) -> None:
    cache = _cache(tmp_path)
    url = "https://zenodo.org/records/1/files/w.tar.gz"
    for bad in (
        replace(_healthy(url), status=404),
        replace(_healthy(url), status=None, error="refused"),
        replace(_healthy(url), inconclusive="HTTP 429 after 2 retries"),
        replace(_healthy(url), sniffed="html"),
        replace(_healthy(url), content_type="text/html; charset=utf-8"),
        replace(_healthy(url), page="drive-confirm"),
    ):
        assert not cache.put(bad)
    assert not cache.put(_healthy("https://example.org/w.tar.gz?token=s3cr3t"))
    assert list(tmp_path.iterdir()) == []


def test_signed_redirect_targets_are_redacted_on_disk(tmp_path: Path) -> None:
    cache = _cache(tmp_path)
    url = "https://github.com/o/r/releases/download/v1/w.tar.gz"
    signed = "https://objects.githubusercontent.com/a?X-Amz-Signature=deadbeef"
    assert cache.put(replace(_healthy(url), final_url=signed, redirects=((302, signed),)))
    (stored,) = tmp_path.iterdir()
    assert "deadbeef" not in stored.read_text()
    assert stored.name.endswith(".json") and len(stored.stem) == 64


def test_corrupt_or_foreign_entries_are_misses(tmp_path: Path) -> None:
    cache = _cache(tmp_path)
    url = "https://zenodo.org/records/1/files/w.tar.gz"
    assert cache.put(_healthy(url))
    (stored,) = tmp_path.iterdir()
    stored.write_text("{not json")
    assert cache.get(url) is None
    stored.write_text(json.dumps({"format": 1, "url": "https://other.example/", "stored_at": 0}))
    assert cache.get(url) is None


def test_concurrent_writers_leave_a_whole_file(tmp_path: Path) -> None:
    cache = _cache(tmp_path)
    url = "https://zenodo.org/records/1/files/w.tar.gz"
    errors: list[BaseException] = []

    def write(size: int) -> None:
        try:
            for _ in range(50):
                cache.put(replace(_healthy(url), size=size))
                got = cache.get(url)
                assert got is not None and got.size in range(8)  # never a torn file
        except BaseException as err:  # collected for the main thread
            errors.append(err)

    threads = [threading.Thread(target=write, args=(i,)) for i in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert [p.suffix for p in tmp_path.iterdir()] == [".json"]  # no temp files left behind
    final = cache.get(url)
    assert final is not None and final.size in range(8)


def test_settings_choose_the_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert default_dir() == tmp_path / "xdg" / "medperf-lint"
    chosen = ProbeCache.from_settings(Settings(cache_dir=str(tmp_path / "mine")))
    assert chosen is not None and chosen.folder.parent == tmp_path / "mine"
    assert chosen.folder.name.startswith("probes-")  # keyed by version, --resolve, private
    assert ProbeCache.from_settings(Settings(no_cache=True)) is None
    capped = ProbeCache.from_settings(Settings(cache_ttl_mutable=86400))
    assert capped is not None and capped.ttl_mutable == 3600


def test_runs_that_connect_elsewhere_keep_their_own_entries(tmp_path: Path) -> None:
    """A result probed through --resolve (or on a private address) never answers a plain run."""
    plain = ProbeCache.from_settings(Settings(cache_dir=str(tmp_path)))
    resolved = ProbeCache.from_settings(
        Settings(cache_dir=str(tmp_path), resolve=("raw.githubusercontent.com:443:127.0.0.1",))
    )
    private = ProbeCache.from_settings(Settings(cache_dir=str(tmp_path), allow_private_hosts=True))
    assert plain is not None and resolved is not None and private is not None
    assert len({plain.folder, resolved.folder, private.folder}) == 3
    url = f"https://raw.githubusercontent.com/o/r/{'a' * 40}/f.tar.gz"
    result = ProbeResult(url=url, final_url=url, status=206, sniffed="gzip")
    assert resolved.put(result)
    assert resolved.get(url) is not None
    assert plain.get(url) is None and private.get(url) is None


def test_another_version_never_reads_these_entries(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A fixed sniffing rule in a new release is not hidden by the old release's verdicts."""
    url = f"https://raw.githubusercontent.com/o/r/{SHA}/w.tar.gz"
    monkeypatch.setattr(cache_module, "__version__", "0.1.0")
    old = ProbeCache.from_settings(Settings(cache_dir=str(tmp_path)))
    assert old is not None and old.put(_healthy(url)) and old.get(url) is not None
    monkeypatch.setattr(cache_module, "__version__", "0.2.0")
    new = ProbeCache.from_settings(Settings(cache_dir=str(tmp_path)))
    assert new is not None and new.folder != old.folder
    assert new.get(url) is None


DAY = 86400.0
WEEK = 7 * DAY


def _entry(folder: Path, name: str, age: float, now: float) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_text("{}")
    os.utime(path, (now - age, now - age))
    return path


def test_prune_removes_what_expired_for_every_release(tmp_path: Path) -> None:
    now = 2_000_000_000.0
    mine, older = tmp_path / "probes-aaaa", tmp_path / "probes-bbbb"
    fresh = _entry(mine, "a" * 64 + ".json", age=DAY, now=now)
    expired = _entry(mine, "b" * 64 + ".json", age=WEEK + DAY, now=now)
    orphan = _entry(older, "c" * 64 + ".json", age=30 * DAY, now=now)  # another release's
    crashed = _entry(mine, ".tmp-x.json", age=2 * 3600, now=now)  # a write that never finished
    writing = _entry(mine, ".tmp-y.json", age=10, now=now)  # a write in progress
    unrelated = _entry(mine, "notes.txt", age=30 * DAY, now=now)
    assert prune(tmp_path, max_age=WEEK, now=now) == 3
    assert fresh.exists() and writing.exists() and unrelated.exists()
    assert not expired.exists() and not orphan.exists() and not crashed.exists()
    assert not older.exists()  # an emptied namespace goes too
    assert prune(tmp_path / "missing", max_age=WEEK, now=now) == 0


def test_prune_does_bounded_work_per_run(tmp_path: Path) -> None:
    now = 2_000_000_000.0
    for i in range(100):
        _entry(tmp_path / "probes-aaaa", f"{i:064x}.json", age=2 * WEEK, now=now)
    assert prune(tmp_path, max_age=WEEK, now=now, batch=10) == 10
    assert len(list((tmp_path / "probes-aaaa").iterdir())) == 90


def test_opening_the_cache_prunes_once_per_process(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(cache_module, "_pruned", set())
    stale = _entry(tmp_path / "probes-old", "d" * 64 + ".json", age=2 * WEEK, now=time.time())
    assert ProbeCache.from_settings(Settings(cache_dir=str(tmp_path))) is not None
    assert not stale.exists()
    again = _entry(tmp_path / "probes-old", "e" * 64 + ".json", age=2 * WEEK, now=time.time())
    assert ProbeCache.from_settings(Settings(cache_dir=str(tmp_path))) is not None
    assert again.exists()  # pruned already by this process: no second walk
