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


def _named_endpoints(settings: Settings, also: Iterable[str] = ()) -> set[tuple[str, int]]:
    """(host, port) of what the user named and the transport exempts from the address guard:
    the GitHub API and the self-hosted GitLab and Gitea instances (``Settings.named_apis``),
    the environment's proxies (net/transport.py) and ``also`` (an audited MedPerf server)."""
    from urllib.parse import urlsplit
    from urllib.request import getproxies

    named: set[tuple[str, int]] = set()
    for url in (*settings.named_apis, *getproxies().values(), *also):
        try:
            parts = urlsplit(url if "://" in url else f"http://{url}")
            port = parts.port or (443 if parts.scheme == "https" else 80)
        except ValueError:
            continue
        if parts.hostname:
            named.add((parts.hostname.lower().rstrip("."), port))
    return named


def _check_resolve(settings: Settings, online: bool, also_named: Iterable[str] = ()) -> None:
    """A ``--resolve`` entry is one clear line before any request: malformed, or pointing at
    a loopback or private address that the address guard would refuse without
    ``--allow-private-hosts`` (every URL it covers would otherwise fail one by one)."""
    if not online or not settings.resolve:
        return
    from medperf_lint.net.addresses import blocked_reason, parse_override

    named = _named_endpoints(settings, also_named)
    for entry in settings.resolve:
        try:
            override = parse_override(entry)
        except ValueError as err:
            raise ConfigError(str(err)) from None
        if settings.allow_private_hosts or (override.host, override.port) in named:
            continue
        for address in override.addresses:
            why = blocked_reason(address)
            if why is not None:
                raise ConfigError(
                    f"--resolve {entry!r}: {address} ({why}) is an address medperf-lint "
                    "connects to only with --allow-private-hosts"
                )


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
    _check_resolve(base, online)
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
    _check_resolve(settings, online)
    try:
        doc = load_entity(entity)
    except InputError as err:
        return Report(input_errors=(InputProblem(None, str(err)),))
    return run([Job(doc, settings)], online=online, network_settings=settings)


__all__ = ["ConfigError", "check_submission", "lint", "lint_paths", "lint_refs"]
