"""Every field of every cached fact is checked on the way back in, from the dataclass alone.

The wrong values are generated here from each field's type hint, by a generator that knows
nothing of the validator, so a field added to a cached fact is covered without touching this
file; a type the generator does not know fails loudly and asks to be taught.
"""

from __future__ import annotations

import json
import types
from dataclasses import fields, is_dataclass
from pathlib import Path
from typing import Any, Literal, Union, get_args, get_origin, get_type_hints

import pytest
from medperf_lint.facts.download import VerifiedDownload
from medperf_lint.facts.forges import ForgeLookup
from medperf_lint.facts.github import RefLookup, ReleaseLookup
from medperf_lint.facts.probe import ProbeResult
from medperf_lint.facts.records import from_record, stored_fields, to_record
from medperf_lint.facts.registry import ImageLookup
from medperf_lint.net import cache as cache_module
from medperf_lint.net.cache import (
    FORMAT,
    ForgeCache,
    GitHubCache,
    ImageCache,
    ProbeCache,
    ReleaseCache,
    VerifiedCache,
)

NOW = 1_000_000.0
URL = "https://zenodo.org/records/1/files/w.tar.gz"

# Every class in the cache module that declares a ``shape`` stores that fact.
CACHED = sorted(
    {c.shape for c in vars(cache_module).values() if isinstance(c, type) and hasattr(c, "shape")},
    key=lambda c: c.__name__,
)

_GOOD: dict[Any, Any] = {str: "a", int: 1, bool: True, float: 1.5, type(None): None}
_WRONG: dict[Any, list[Any]] = {
    str: [5, ["x"], True],
    int: ["5", True, 1.5, [1]],
    bool: [1, "true", None],
    float: ["1.5", True, [1.5]],
}


def _optional_arm(hint: Any) -> Any:
    arms = [a for a in get_args(hint) if a is not type(None)]
    if len(arms) != 1:
        raise AssertionError(f"teach this test the union {hint!r}")
    return arms[0]


def good(hint: Any) -> Any:
    """A JSON value of type ``hint``."""
    origin, args = get_origin(hint), get_args(hint)
    if origin in (Union, types.UnionType):
        return good(_optional_arm(hint))
    if origin is tuple:
        return [good(args[0])] if args[1:] == (Ellipsis,) else [good(a) for a in args]
    if origin is Literal:
        return args[0]
    if is_dataclass(hint):
        return good_record(hint)  # type: ignore[arg-type]
    if hint in _GOOD:
        return _GOOD[hint]
    raise AssertionError(f"teach this test the type {hint!r}")


def wrong(hint: Any) -> list[Any]:
    """JSON values that are not of type ``hint`` (never None for an optional field)."""
    origin, args = get_origin(hint), get_args(hint)
    if origin in (Union, types.UnionType):
        return [w for w in wrong(_optional_arm(hint)) if w is not None]
    if origin is tuple:
        if args[1:] == (Ellipsis,):
            return ["x", {"a": 1}, *([w] for w in wrong(args[0]))]
        items = [good(a) for a in args]
        out: list[Any] = ["x", items[:-1], [*items, items[-1]]]
        for i, arg in enumerate(args):
            out += [[*items[:i], w, *items[i + 1 :]] for w in wrong(arg)]
        return out
    if origin is Literal:
        return [f"not-{args[0]}", 12345]
    if is_dataclass(hint):
        record = good_record(hint)  # type: ignore[arg-type]
        out = ["x", [record], {**record, "extra": 1}]
        for name, bad in wrong_fields(hint):  # type: ignore[arg-type]
            out.append({**record, name: bad})
        out += [{k: v for k, v in record.items() if k != name} for name in record]
        return out
    if hint in _WRONG:
        return _WRONG[hint]
    raise AssertionError(f"teach this test the type {hint!r}")


def good_record(cls: type[Any]) -> dict[str, Any]:
    hints = get_type_hints(cls)
    return {f.name: good(hints[f.name]) for f in stored_fields(cls)}


def wrong_fields(cls: type[Any]) -> list[tuple[str, Any]]:
    """(field, wrong value) for every stored field of ``cls``, several values per field."""
    hints = get_type_hints(cls)
    return [(f.name, bad) for f in stored_fields(cls) for bad in wrong(hints[f.name])]


def _cases() -> list[Any]:
    return [
        pytest.param(cls, name, bad, id=f"{cls.__name__}.{name}={bad!r}")
        for cls in CACHED
        for name, bad in wrong_fields(cls)
    ]


def test_the_cache_stores_the_facts_this_test_expects() -> None:
    assert {c.__name__ for c in CACHED} == {
        "ForgeLookup",
        "ImageLookup",
        "ProbeResult",
        "RefLookup",
        "ReleaseLookup",
        "VerifiedDownload",
    }


@pytest.mark.parametrize("cls", CACHED, ids=lambda c: c.__name__)
def test_a_well_typed_record_is_read_back(cls: type[Any]) -> None:
    record = good_record(cls)
    value = from_record(cls, record)
    assert value is not None and to_record(value) == record
    assert {f.name for f in stored_fields(cls)} <= {f.name for f in fields(cls)}


@pytest.mark.parametrize("cls", CACHED, ids=lambda c: c.__name__)
def test_every_stored_field_has_wrong_values_to_try(cls: type[Any]) -> None:
    covered = {name for name, _bad in wrong_fields(cls)}
    assert covered == {f.name for f in stored_fields(cls)}


@pytest.mark.parametrize(("cls", "name", "bad"), _cases())
def test_a_wrong_typed_field_is_refused(cls: type[Any], name: str, bad: Any) -> None:
    record = {**good_record(cls), name: bad}
    assert from_record(cls, json.loads(json.dumps(record))) is None


@pytest.mark.parametrize("cls", CACHED, ids=lambda c: c.__name__)
def test_a_missing_or_extra_field_is_refused(cls: type[Any]) -> None:
    record = good_record(cls)
    assert from_record(cls, {**record, "extra": 1}) is None
    for name in record:
        assert from_record(cls, {k: v for k, v in record.items() if k != name}) is None


def test_run_local_fields_are_not_stored() -> None:
    """``from_cache`` says how this run got a result; it is never written."""
    result = ProbeResult(url=URL, final_url=URL, status=200, from_cache=True)
    assert "from_cache" not in to_record(result)
    back = from_record(ProbeResult, to_record(result), from_cache=True)
    assert back == result


def _probe_entry(tmp_path: Path, **changes: Any) -> ProbeCache:
    cache = ProbeCache(tmp_path / "c", 7 * 86400, 3600)
    healthy = ProbeResult(url=URL, final_url=URL, status=200, size=10, sniffed="gzip", requests=1)
    result = {**to_record(healthy), **changes}
    cache.folder.mkdir(parents=True)
    record = {"format": FORMAT, "url": URL, "stored_at": NOW, "result": result}
    cache._path(URL).write_text(json.dumps(record))
    return cache


@pytest.mark.parametrize(
    "changes", [{"content_encoding": 5}, {"proxy": ["x"]}, {"disposition_name": 1}]
)
def test_a_wrong_typed_probe_entry_is_a_miss(tmp_path: Path, changes: dict[str, Any]) -> None:
    """The issue's cases: these came back as a healthy probe under the hand-kept field list."""
    assert _probe_entry(tmp_path, **changes).get(URL, now=NOW) is None


def test_a_well_typed_probe_entry_is_a_hit(tmp_path: Path) -> None:
    """Guards the test above."""
    hit = _probe_entry(tmp_path, content_encoding="gzip").get(URL, now=NOW)
    assert hit is not None and hit.content_encoding == "gzip" and hit.from_cache


def test_record_caches_refuse_wrong_typed_values(tmp_path: Path) -> None:
    github = GitHubCache(tmp_path / "g", 3600)
    key = ("o", "r", "a" * 40)
    assert github.put(key, {**good_record(RefLookup), "sha": "a" * 40})
    assert github.get(key) is not None
    assert not github.put(key, {**good_record(RefLookup), "exists": "yes"})
    assert not github.put(("o", "r", "b" * 40), {"sha": "b" * 40})  # fields missing
    entry = github._path([k.lower() for k in key])
    raw = json.loads(entry.read_text())
    raw["lookup"]["impostor"] = "no"
    entry.write_text(json.dumps(raw))
    assert github.get(key) is None

    verified = VerifiedCache(tmp_path / "v", 3600)
    vkey = VerifiedCache.key(URL, "0" * 64, "hash")
    assert verified.put(vkey, good_record(VerifiedDownload))
    assert verified.get(vkey) == good_record(VerifiedDownload)
    assert not verified.put(vkey, {"size": 1, "members": None})


def test_a_lookups_call_count_is_this_runs_and_never_stored(tmp_path: Path) -> None:
    """``calls`` says what a forge lookup cost this run; read back from the cache it cost 0."""
    lookup = ForgeLookup(sha="a" * 40, exists=True, calls=2)
    assert "calls" not in to_record(lookup)
    forges = ForgeCache(tmp_path / "f", 3600)
    key = ("GitLab", "https://gitlab.com", "o/r", "a" * 40)
    assert forges.put(key, to_record(lookup))
    assert from_record(ForgeLookup, forges.get(key)) == ForgeLookup(sha="a" * 40, exists=True)


def test_a_release_entry_folds_the_repository_case_but_not_the_tags(tmp_path: Path) -> None:
    """GitHub names repositories case-insensitively; ``V1`` and ``v1`` are two tags."""
    releases = ReleaseCache(tmp_path / "r", 3600)
    immutable = to_record(ReleaseLookup(exists=True, immutable=True, assets=("w.tar.gz",)))
    assert releases.put(("Org", "Repo", "V1"), immutable)
    assert releases.get(("org", "repo", "V1")) == immutable
    assert releases.get(("org", "repo", "v1")) is None


def test_an_image_entry_is_a_served_pinned_digest_or_a_miss(tmp_path: Path) -> None:
    """Only an answer for the very digest an image is pinned to is stored; an entry edited to
    name another digest, repository or image is a miss, and its cost is never stored."""
    digest = "sha256:" + "a" * 64
    image = f"ghcr.io/acme/model:1.0@{digest}"
    images = ImageCache(tmp_path / "i", 3600)
    served = ImageLookup(image, "ghcr.io", "acme/model", digest, digest=digest, requests=3)
    assert images.store(served)
    assert images.lookup(image) == ImageLookup(
        image, "ghcr.io", "acme/model", digest, digest=digest, from_cache=True
    )
    tag = ImageLookup("ghcr.io/acme/model:1.0", "ghcr.io", "acme/model", "1.0", digest=digest)
    unserved = ImageLookup(image, "ghcr.io", "acme/model", digest, not_found="no digest")
    assert not images.store(tag) and not images.store(unserved)
    assert images.lookup(tag.image) is None
    entry = images._path([image])
    good = json.loads(entry.read_text())
    for name, bad in [
        ("digest", "sha256:" + "b" * 64),
        ("repository", "acme/other"),
        ("image", "ghcr.io/acme/other:1.0@" + digest),
        ("inconclusive", "HTTP 500"),
    ]:
        entry.write_text(json.dumps({**good, "lookup": {**good["lookup"], name: bad}}))
        assert images.lookup(image) is None, name
