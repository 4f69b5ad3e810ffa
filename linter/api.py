"""The typed library API. The CLI is a thin shell over these functions."""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any, Union

from medperf_lint.engine import Job, load_jobs, run
from medperf_lint.input.config import (
    ConfigError,
    ConfigResolver,
    Settings,
    apply,
    check_overrides,
    run_root,
)
from medperf_lint.input.documents import load_entity, refs_document
from medperf_lint.input.yamlnodes import InputError
from medperf_lint.report import InputProblem, Report

if TYPE_CHECKING:
    from medperf_lint.facts import Progress

ConfigArg = Union[Settings, str, "os.PathLike[str]", None]


def _resolver(
    config: ConfigArg, overrides: Mapping[str, Any] | None, paths: list[str] | None = None
) -> ConfigResolver | Settings:
    """A Settings object from the caller is trusted as given; files go through the resolver."""
    if isinstance(config, Settings):
        return apply(config, check_overrides(overrides or {}))
    explicit = Path(config) if config is not None else None
    return ConfigResolver(explicit, overrides, run_root=run_root(paths or []))


def _check_ca_bundle(online: bool) -> None:
    """A CA bundle variable naming nothing is one clear line before any request."""
    if online:
        from medperf_lint.net.identity import ca_bundle_problem

        problem = ca_bundle_problem()
        if problem is not None:
            raise ConfigError(problem)


def lint(
    paths: Iterable[str | os.PathLike[str]] = (),
    refs: Iterable[str] = (),
    *,
    online: bool = True,
    config: ConfigArg = None,
    overrides: Mapping[str, Any] | None = None,
    progress: Progress | None = None,
    entities: Iterable[Mapping[str, Any]] = (),
) -> Report:
    """Lint files, folders, bare references and submission bodies in one run (one network
    pass for all)."""
    resolver = _resolver(config, overrides)
    _check_ca_bundle(online)
    path_list = [os.fspath(p) for p in paths]
    resolver = _resolver(config, overrides, path_list)
    if isinstance(resolver, Settings):
        jobs, problems = load_jobs(path_list, ConfigResolver(None, None))
        jobs = [Job(j.document, resolver) for j in jobs]
        base = resolver
    else:
        jobs, problems = load_jobs(path_list, resolver)
        base = resolver.for_path(None)
    ref_list = list(refs)
    if ref_list:
        jobs.append(Job(refs_document(ref_list), base))
    for entity in entities:
        try:
            jobs.append(Job(load_entity(entity), base))
        except InputError as err:
            problems = [*problems, InputProblem(None, str(err))]
    return run(
        jobs, online=online, network_settings=base, input_problems=problems, progress=progress
    )


def lint_paths(
    paths: Iterable[str | os.PathLike[str]],
    *,
    online: bool = True,
    config: ConfigArg = None,
    overrides: Mapping[str, Any] | None = None,
) -> Report:
    """Lint manifest files and folders (folders are walked for known manifest names)."""
    return lint(paths, (), online=online, config=config, overrides=overrides)


def lint_refs(
    refs: Iterable[str],
    *,
    online: bool = True,
    config: ConfigArg = None,
    overrides: Mapping[str, Any] | None = None,
) -> Report:
    """Lint bare references, the values a user passes to `medperf … submit` flags."""
    return lint((), refs, online=online, config=config, overrides=overrides)


def check_submission(
    entity: Mapping[str, Any],
    *,
    online: bool = True,
    config: ConfigArg = None,
    verify_hashes: bool = False,
    overrides: Mapping[str, Any] | None = None,
) -> Report:
    """Lint the body MedPerf is about to send to its server, keyed by server field names.

    Online by default. ``verify_hashes=True`` also downloads every hashed file in full and
    checks its SHA-256 (and tarballs). Call ``.raise_for_errors()`` on the result to block the
    submission on errors.
    """
    _check_ca_bundle(online)
    extra = dict(overrides or {})
    if verify_hashes:
        extra["verify_hashes"] = True
    resolver = _resolver(config, extra)
    settings = resolver if isinstance(resolver, Settings) else resolver.for_path(None)
    try:
        doc = load_entity(entity)
    except InputError as err:
        return Report(input_errors=(InputProblem(None, str(err)),))
    return run([Job(doc, settings)], online=online, network_settings=settings)


__all__ = ["ConfigError", "check_submission", "lint", "lint_paths", "lint_refs"]
