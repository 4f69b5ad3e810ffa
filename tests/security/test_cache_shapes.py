"""Cache entries of any shape are misses, never errors; secret-bearing URLs are never stored."""

from __future__ import annotations

import json
import os
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from medperf_lint.facts.probe import ProbeResult
from medperf_lint.facts.records import to_record
from medperf_lint.net.cache import FORMAT, ProbeCache

URL = "https://zenodo.org/records/1/files/w.tar.gz"
NOW = 1_000_000.0

json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=True, allow_infinity=True)
    | st.text(max_size=20),
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=10), inner, max_size=4)
    ),
    max_leaves=20,
)


def _healthy(url: str = URL) -> ProbeResult:
    return ProbeResult(url=url, final_url=url, status=206, size=10, sniffed="gzip", requests=2)


def _good_record() -> dict[str, Any]:
    return {"format": FORMAT, "url": URL, "stored_at": NOW, "result": to_record(_healthy())}


def _entry(cache: ProbeCache) -> Path:
    cache.folder.mkdir(parents=True, exist_ok=True)
    return cache._path(URL)


@settings(
    max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    where=st.sampled_from(
        [
            "whole",
            "format",
            "url",
            "stored_at",
            "result",
            "result.status",
            "result.size",
            "result.redirects",
            "result.url",
            "result.sniffed",
            "result.requests",
            "result.extra",
        ]
    ),
    value=json_values,
)
def test_any_shape_is_a_miss_or_a_well_typed_hit(tmp_path: Path, where: str, value: Any) -> None:
    cache = ProbeCache(tmp_path / "c", 7 * 86400, 3600)
    record: Any = _good_record()
    if where == "whole":
        record = value
    elif where.startswith("result."):
        record["result"][where.split(".", 1)[1]] = value
    else:
        record[where] = value
    _entry(cache).write_text(json.dumps(record))
    hit = cache.get(URL, now=NOW)  # must not raise, whatever the shape
    if hit is not None:
        assert hit.url == URL and hit.healthy and hit.from_cache
        assert isinstance(hit.status, int) and all(
            isinstance(loc, str) for _s, loc in hit.redirects
        )


def test_the_good_record_is_a_hit(tmp_path: Path) -> None:
    """Guards the test above: an unmodified record must come back."""
    cache = ProbeCache(tmp_path / "c", 7 * 86400, 3600)
    _entry(cache).write_text(json.dumps(_good_record()))
    assert cache.get(URL, now=NOW) is not None


@pytest.mark.parametrize("kind", ["fifo", "folder", "loop", "binary", "huge-nesting"])
def test_non_files_and_garbage_are_misses(tmp_path: Path, kind: str) -> None:
    cache = ProbeCache(tmp_path / "c", 7 * 86400, 3600)
    entry = _entry(cache)
    if kind == "fifo":
        os.mkfifo(entry)  # a plain open() would block here forever
    elif kind == "folder":
        entry.mkdir()
    elif kind == "loop":
        entry.symlink_to(entry.name)
    elif kind == "binary":
        entry.write_bytes(b"\xff\xfe\x00garbage")
    else:
        entry.write_text("[" * 100_000 + "]" * 100_000)
    assert cache.get(URL, now=NOW) is None


@pytest.mark.parametrize(
    "url",
    [
        "https://example.org/w.tar.gz?%74oken=s3cr3t",
        "https://example.org/w.tar.gz?token+=s3cr3t",
        "https://example.org/w.tar.gz#access_token=s3cr3t",
        "https://user:p@ss@example.org/w.tar.gz",
        "https://ghp_0123456789abcdef0123456789abcdef0123@example.org/w.tar.gz",
        "https://b.s3.amazonaws.com/w.tar.gz?X-Amz-Signature=abc&X-Amz-Credential=AKIA",
        "https://a.blob.core.windows.net/c/w.tar.gz?sv=2022&sig=abc",
        "https://d111.cloudfront.net/w.tar.gz?Expires=1&Signature=abc&Key-Pair-Id=K2",
    ],
)
def test_secret_bearing_urls_are_never_stored(tmp_path: Path, url: str) -> None:
    cache = ProbeCache(tmp_path / "c", 7 * 86400, 3600)
    assert not cache.put(_healthy(url))
    assert not (tmp_path / "c").exists() or list((tmp_path / "c").iterdir()) == []


def test_credentials_in_a_redirect_location_are_never_stored(tmp_path: Path) -> None:
    cache = ProbeCache(tmp_path / "c", 7 * 86400, 3600)
    hop = "https://cdn.example.org/w.tar.gz?access_token=s3cr3t"
    assert not cache.put(replace(_healthy(), final_url=hop, redirects=((302, hop),)))
    assert not (tmp_path / "c").exists() or list((tmp_path / "c").iterdir()) == []
