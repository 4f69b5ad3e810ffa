"""MedPerf server entities, as bodies the engine lints and names in its findings.

Shapes follow the server's serializers (``server/*/serializers.py``): a container
(``/mlcubes/``) holds ``container_config`` (``image``), ``image_hash`` and the additional-files
tarball; an asset holds ``asset_url``/``asset_hash``; a model nests its container or asset in
full; a benchmark holds its demo dataset and ``docs_url`` and names its data-preparation and
evaluator containers and reference model by ID; a training experiment holds its demo dataset
and names its containers by ID. MLCube-era servers also carry ``git_mlcube_url``,
``git_parameters_url`` and ``image_tarball_url`` with their hashes. Server bookkeeping
(``metadata``, dates, states) is left out: only what MedPerf downloads is linted.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from medperf_lint.entity import EntityRef

# --entity name -> (API collection, the word reports use)
KINDS: Mapping[str, tuple[str, str]] = {
    "containers": ("mlcubes", "container"),
    "models": ("models", "model"),
    "assets": ("assets", "asset"),
    "benchmarks": ("benchmarks", "benchmark"),
    "training": ("training", "training experiment"),
}
_REFERENCE_FIELDS = (
    "container_config",
    "parameters_config",
    "image_hash",
    "additional_files_tarball_url",
    "additional_files_tarball_hash",
    "git_mlcube_url",
    "mlcube_hash",
    "git_parameters_url",
    "parameters_hash",
    "image_tarball_url",
    "image_tarball_hash",
    "asset_url",
    "asset_hash",
    "demo_dataset_tarball_url",
    "demo_dataset_tarball_hash",
    "docs_url",
)
# Benchmark and training fields naming containers and models by ID.
_USES = {
    "benchmark": (
        ("data_preparation_mlcube", "container"),
        ("data_evaluator_mlcube", "container"),
        ("reference_model", "model"),
    ),
    "training experiment": (
        ("data_preparation_mlcube", "container"),
        ("fl_mlcube", "container"),
        ("fl_admin_mlcube", "container"),
    ),
}
TRAINING_PLACEHOLDER = "link"  # `medperf training submit` always sends this demo URL


class EntityShapeError(ValueError):
    """An entity the server sent is not shaped like a MedPerf entity."""


@dataclass(frozen=True)
class AuditEntity:
    """One entity: how reports name it, the body the engine lints, and what it uses by ID."""

    ref: EntityRef
    body: Mapping[str, Any]
    uses: tuple[tuple[str, int], ...] = ()  # (kind, id) of containers and models it names

    @property
    def key(self) -> tuple[str, int]:
        return (self.ref.kind, self.ref.id)


def entity(kind: str, data: Mapping[str, Any], api_url: str) -> AuditEntity:
    """An AuditEntity from one API object of ``kind`` (the report word: container, model …)."""
    ident = data.get("id")
    if isinstance(ident, bool) or not isinstance(ident, int):
        raise EntityShapeError(f"a {kind} without a whole-number 'id'")
    name = data.get("name")
    owner = data.get("owner")
    ref = EntityRef(
        kind,
        ident,
        name if isinstance(name, str) else "",
        owner if isinstance(owner, int | str) and not isinstance(owner, bool) else None,
        api_url,
    )
    if kind == "model":
        return AuditEntity(ref, _model_body(data, ident))
    body = {k: data[k] for k in _REFERENCE_FIELDS if k in data and data[k] is not None}
    if (
        kind == "training experiment"
        and body.get("demo_dataset_tarball_url") == TRAINING_PLACEHOLDER
    ):
        body.pop("demo_dataset_tarball_url")  # the client's placeholder: nothing is hosted
        body.pop("demo_dataset_tarball_hash", None)
    return AuditEntity(ref, body, _uses(kind, data))


def _model_body(data: Mapping[str, Any], ident: int) -> dict[str, Any]:
    kind = data.get("type")
    body: dict[str, Any] = {"type": kind if isinstance(kind, str) else ""}
    for name in ("container", "asset"):
        nested = data.get(name)
        if nested is None:
            continue
        if not isinstance(nested, Mapping):
            raise EntityShapeError(f"model {ident}: '{name}' is not an object")
        body[name] = {k: nested[k] for k in _REFERENCE_FIELDS if nested.get(k) is not None}
    return body


def nested_key(data: Mapping[str, Any]) -> tuple[str, int] | None:
    """The (kind, id) of a model's nested container or asset, when it has one."""
    for name, kind in (("container", "container"), ("asset", "asset")):
        nested = data.get(name)
        if isinstance(nested, Mapping) and isinstance(nested.get("id"), int):
            return (kind, int(nested["id"]))
    return None


def _uses(kind: str, data: Mapping[str, Any]) -> tuple[tuple[str, int], ...]:
    found = []
    for name, used in _USES.get(kind, ()):
        value = data.get(name)
        if isinstance(value, int) and not isinstance(value, bool):
            found.append((used, value))
    return tuple(found)


def benchmark_of(entities: Iterable[AuditEntity]) -> dict[tuple[str, int], tuple[int, ...]]:
    """Which benchmarks each entity serves: itself, its containers, its reference model."""
    out: dict[tuple[str, int], set[int]] = {}
    for e in entities:
        if e.ref.kind != "benchmark":
            continue
        out.setdefault(e.key, set()).add(e.ref.id)
        for used in e.uses:
            out.setdefault(used, set()).add(e.ref.id)
    return {k: tuple(sorted(v)) for k, v in out.items()}
