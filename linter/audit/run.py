"""One audit: read the server's entities, lint them in one online run, record the verdicts."""

from __future__ import annotations

import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from medperf_lint._version import __version__
from medperf_lint.audit.entities import (
    KINDS,
    AuditEntity,
    EntityShapeError,
    benchmark_of,
    entity,
    nested_key,
)
from medperf_lint.audit.history import (
    BROKEN,
    INCONCLUSIVE,
    OK,
    WARNING,
    Changes,
    History,
    HistoryError,
    RunInfo,
    Verdict,
    now,
)
from medperf_lint.engine import Job, run
from medperf_lint.findings import Finding, Severity
from medperf_lint.input.documents import load_entity
from medperf_lint.input.yamlnodes import InputError
from medperf_lint.refs.urls import redact
from medperf_lint.report import InputProblem, Report

if TYPE_CHECKING:
    from medperf_lint.facts import Progress
    from medperf_lint.input.config import Settings
    from medperf_lint.providers.medperf_api import Client, Server

INCONCLUSIVE_CODE = "MPL406"


class AuditFailure(Exception):
    """The audit could not read the server; one line (exit 2)."""


@dataclass(frozen=True)
class Scope:
    """What to audit: entity kinds (``--entity``), or everything some benchmarks use."""

    kinds: tuple[str, ...] = tuple(KINDS)
    benchmarks: tuple[int, ...] = ()

    def describe(self) -> str:
        if self.benchmarks:
            return "benchmarks " + ",".join(map(str, self.benchmarks))
        return ",".join(self.kinds)


@dataclass(frozen=True)
class AuditResult:
    server: str
    report: Report
    entities: tuple[AuditEntity, ...]
    verdicts: tuple[Verdict, ...]
    changes: Changes | None
    serves: Mapping[tuple[str, int], tuple[int, ...]]  # entity -> benchmark IDs it serves
    benchmark_names: Mapping[int, str]
    history_path: Path | None
    history_error: str | None = None
    notes: tuple[str, ...] = field(default=())

    def broken(self) -> list[Verdict]:
        return [v for v in self.verdicts if v.verdict == BROKEN]


# ---- reading the server ---------------------------------------------------------------------


@dataclass
class _Found:
    entities: dict[tuple[str, int], AuditEntity] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    # a model left out because its container or asset is audited itself -> that entity
    aliases: dict[tuple[str, int], tuple[str, int]] = field(default_factory=dict)


def read_entities(settings: Settings, server: Server, scope: Scope, until: float | None) -> _Found:
    """The entities in ``scope``; AuditFailure (one line) when the server cannot be read."""
    from medperf_lint.providers.medperf_api import ApiError, run_client

    async def work(client: Client) -> _Found:
        found = _Found()
        if scope.benchmarks:
            await _benchmarks(client, server, scope.benchmarks, found)
        else:
            await _listing(client, server, scope.kinds, found)
        return found

    try:
        found = run_client(settings, server, work, until)
    except ApiError as err:
        raise AuditFailure(str(err)) from None
    except EntityShapeError as err:
        raise AuditFailure(f"the MedPerf server sent {err}") from None
    return found


def _add(found: _Found, server: Server, kind: str, collection: str, data: dict[str, Any]) -> None:
    ident = data.get("id")
    item = entity(kind, data, server.url(f"{collection}/{ident}/"))
    found.entities.setdefault(item.key, item)


async def _listing(client: Client, server: Server, kinds: Sequence[str], found: _Found) -> None:
    from medperf_lint.providers.medperf_api import gather_all

    wanted = [k for k in KINDS if k in kinds]
    lists = await gather_all([client.collection(f"{KINDS[k][0]}/") for k in wanted])
    models: list[dict[str, Any]] = []
    for name, items in zip(wanted, lists, strict=True):
        collection, kind = KINDS[name]
        for data in items:
            if kind == "model":
                models.append(data)
            else:
                _add(found, server, kind, collection, data)
    for data in models:  # a model's container or asset, audited on its own, is not repeated
        inner = nested_key(data)
        if inner is None or inner not in found.entities:
            _add(found, server, "model", "models", data)
        elif isinstance(data.get("id"), int):
            found.aliases[("model", int(data["id"]))] = inner


async def _benchmarks(client: Client, server: Server, ids: Sequence[int], found: _Found) -> None:
    from medperf_lint.providers.medperf_api import ApiError, gather_all

    for bid in ids:
        data = await client.item("benchmarks", bid)
        if data is None:
            raise AuditFailure(f"the MedPerf server has no benchmark {bid}")
        _add(found, server, "benchmark", "benchmarks", data)
    models: set[int] = set()
    containers: set[int] = set()
    for e in list(found.entities.values()):
        for kind, ident in e.uses:
            (models if kind == "model" else containers).add(ident)
        try:
            for link in await client.collection(f"benchmarks/{e.ref.id}/models/"):
                if isinstance(link.get("model"), int) and link.get("approval_status") != "REJECTED":
                    models.add(int(link["model"]))
        except ApiError as err:
            if err.kind != "forbidden":
                raise
            found.notes.append(
                f"benchmark {e.ref.id}: its associated models are not listed for this account "
                "(only the reference model is audited)"
            )
    got = await gather_all(
        [
            *(client.item("mlcubes", i) for i in sorted(containers)),
            *(client.item("models", i) for i in sorted(models)),
        ]
    )
    for ident, data in zip(sorted(containers), got[: len(containers)], strict=True):
        if data is None:
            found.notes.append(f"container {ident}: not found on the server")
        else:
            _add(found, server, "container", "mlcubes", data)
    for ident, data in zip(sorted(models), got[len(containers) :], strict=True):
        if data is None:
            found.notes.append(f"model {ident}: not found on the server")
        else:
            _add(found, server, "model", "models", data)


# ---- linting and verdicts -------------------------------------------------------------------


def lint_entities(
    entities: Sequence[AuditEntity], settings: Settings, progress: Progress | None
) -> tuple[Report, dict[tuple[str, int, str], str]]:
    """One online run over every entity; also each (kind, id, field)'s value, redacted."""
    jobs: list[Job] = []
    problems: list[InputProblem] = []
    values: dict[tuple[str, int, str], str] = {}
    shown: dict[str, str] = {}
    for e in entities:
        try:
            doc = replace(load_entity(e.body), entity=e.ref)
        except InputError as err:
            problems.append(InputProblem(e.ref.label, str(err)))
            continue
        jobs.append(Job(doc, settings))
        for ref in doc.references:
            if ref.raw not in shown:  # each unique value redacted once
                shown[ref.raw] = redact(ref.raw)
            values.setdefault((e.ref.kind, e.ref.id, ref.field or ""), shown[ref.raw])
    report = run(
        jobs, online=True, network_settings=settings, input_problems=problems, progress=progress
    )
    return report, values


def verdicts_of(
    entities: Sequence[AuditEntity], report: Report, values: Mapping[tuple[str, int, str], str]
) -> list[Verdict]:
    """Per reference (and per entity as a whole), its verdict and the codes that fired."""
    found: dict[tuple[str, int, str], list[Finding]] = {key: [] for key in values}
    names = {e.key: e.ref.name for e in entities}
    for e in entities:
        found.setdefault((e.ref.kind, e.ref.id, ""), [])
    for f in report.findings:
        if f.entity is not None:
            found.setdefault((f.entity.kind, f.entity.id, f.entity.field or ""), []).append(f)
    out = []
    for (kind, ident, field_name), findings in found.items():
        codes = tuple(sorted({f.code for f in findings}))
        value = values.get((kind, ident, field_name), "")
        out.append(
            Verdict(
                kind,
                ident,
                names.get((kind, ident), ""),
                field_name,
                value,
                _verdict(findings),
                codes,
            )
        )
    return out


def _verdict(findings: Sequence[Finding]) -> str:
    if any(f.severity is Severity.ERROR for f in findings):
        return BROKEN
    if any(f.code == INCONCLUSIVE_CODE for f in findings):
        return INCONCLUSIVE
    if any(f.severity is Severity.WARNING for f in findings):
        return WARNING
    return OK


# ---- the whole audit ------------------------------------------------------------------------


def audit(
    settings: Settings,
    server: Server,
    scope: Scope,
    history_path: Path | None,
    progress: Progress | None = None,
) -> AuditResult:
    """Read, lint, record. History problems are kept in the result (the report still stands)."""
    started = now()
    until = None if settings.deadline is None else time.monotonic() + settings.deadline
    found = read_entities(settings, server, scope, until)
    entities = list(found.entities.values())
    report, values = lint_entities(entities, settings, progress)
    verdicts = verdicts_of(entities, report, values)
    serves, names = _benchmark_map(entities, found.aliases)
    changes: Changes | None = None
    error: str | None = None
    if history_path is not None:
        info = RunInfo(server.base, __version__, scope.describe(), started)
        try:
            with History(history_path) as history:
                changes = history.record(info, verdicts)
        except HistoryError as err:
            error = str(err)
    return AuditResult(
        server.base,
        report,
        tuple(entities),
        tuple(verdicts),
        changes,
        serves,
        names,
        history_path,
        error,
        tuple(found.notes),
    )


def _benchmark_map(
    entities: Sequence[AuditEntity], aliases: Mapping[tuple[str, int], tuple[str, int]]
) -> tuple[dict[tuple[str, int], tuple[int, ...]], dict[int, str]]:
    """Which benchmarks each entity serves (a skipped model's role passes to its container)."""
    serves = benchmark_of(entities)
    for model, inner in aliases.items():
        if model in serves:
            serves[inner] = tuple(sorted({*serves.get(inner, ()), *serves[model]}))
    names = {e.ref.id: e.ref.name for e in entities if e.ref.kind == "benchmark"}
    return serves, names
