"""Synapse facts for ``synapse:synN`` references: does the entity exist, is it a File, can the
checking user download it, and which version is current.

The engine calls :func:`check_ids` once per run with every unique ID. Each ID costs one
``POST /entity/{id}/bundle2`` through the real synapseclient (see ``synapse_client``), at most
``synapse-concurrency`` at a time because Synapse allows about 3 concurrent requests per user.
Credentials are found like synapseclient finds them (``synapse_auth``); with none, the check
runs anonymously and says so.

Every call runs on daemon threads (:mod:`medperf_lint.net.background`) and the run's deadline is an instant
(``until``): when it passes, unfinished IDs are inconclusive and no thread is waited for, so a
hanging or endlessly streaming Synapse cannot keep the process alive. The facts themselves
live in the leaf :mod:`medperf_lint.facts.synapse` (re-exported here), which is all the rules import.
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from medperf_lint.facts import NetworkResults
from medperf_lint.facts.plan import Provider, Run, deadline_reason
from medperf_lint.facts.synapse import ANONYMOUSLY, PORTAL, SynapseLookup, portal_url

# logging, tempfile and threads are imported where used: an offline run must not pay for them.
if TYPE_CHECKING:
    from collections.abc import Sequence

    from medperf_lint.input.config import Settings
    from medperf_lint.providers.synapse_client import Reply, SynapseChecker
    from medperf_lint.refs.references import Reference

__all__ = [
    "ANONYMOUSLY",
    "PORTAL",
    "PROVIDER",
    "SynapseLookup",
    "check_ids",
    "download_urls",
    "portal_url",
]

# synapseclient's concreteType -> the entityType names the bundle uses
_TYPES = {
    "FileEntity": "file",
    "Folder": "folder",
    "Project": "project",
    "TableEntity": "table",
    "Link": "link",
    "EntityView": "entityview",
    "DockerRepository": "dockerrepo",
    "SubmissionView": "submissionview",
    "Dataset": "dataset",
    "DatasetCollection": "datasetcollection",
    "MaterializedView": "materializedview",
    "VirtualTable": "virtualtable",
}


def check_ids(
    ids: list[str], settings: Settings, until: float | None = None
) -> tuple[Mapping[str, SynapseLookup], str]:
    """Look up every ID once; return the lookups and how the checks ran ("anonymously", …).

    ``until`` is the run's deadline as a ``time.monotonic()`` instant; without one, the
    ``deadline`` setting counts from now.
    """
    import shutil
    import tempfile

    from medperf_lint.input.synapse_credentials import find_credentials

    unique = sorted(set(ids))
    if not unique:
        return {}, ANONYMOUSLY
    if until is None and settings.deadline is not None:
        until = time.monotonic() + settings.deadline
    creds = find_credentials()
    # Not a TemporaryDirectory context: a thread abandoned at the deadline never leaves it, so
    # the folder is also removed at exit.
    tmp = Path(tempfile.mkdtemp(prefix="medperf-lint-syn-"))
    _remove_at_exit(tmp)
    with _quiet_synapse_logging():
        from medperf_lint.providers.synapse_client import SynapseChecker

        checker = SynapseChecker(settings, tmp)
        try:
            auth, identity = "missing", ANONYMOUSLY
            if creds is not None:
                user, failure = checker.login(creds.token)
                if failure is not None:
                    return _login_failed(unique, failure, creds.source), (
                        f"with the token from {creds.source}"
                    )
                auth, identity = f"user {user}", f"as user {user}"
            return _lookup_all(checker, unique, settings, auth, until), identity
        finally:
            checker.close()
            shutil.rmtree(tmp, ignore_errors=True)


def _remove_at_exit(folder: Path) -> None:
    import atexit
    import shutil

    atexit.register(shutil.rmtree, folder, ignore_errors=True)


def _lookup_all(
    checker: SynapseChecker, ids: list[str], settings: Settings, auth: str, until: float | None
) -> dict[str, SynapseLookup]:
    from medperf_lint.net.background import run_until

    outcomes = run_until(
        checker.bundle,
        ids,
        workers=max(1, settings.synapse_concurrency),
        until=until,
        name="synapse",
    )
    results: dict[str, SynapseLookup] = {}
    for index, syn_id in enumerate(ids):
        outcome = outcomes.get(index)
        if outcome is None:
            results[syn_id] = unfinished(syn_id, settings, auth)
        elif outcome.value is None:
            failed = type(outcome.error).__name__
            results[syn_id] = SynapseLookup(
                syn_id, auth=auth, inconclusive=f"check failed: {failed}"
            )
        else:
            results[syn_id] = lookup_from_reply(syn_id, outcome.value, auth)
    return results


def unfinished(syn_id: str, settings: Settings, auth: str = "missing") -> SynapseLookup:
    """The lookup for an ID whose check the run's deadline cut short."""
    reason = f"the run's deadline ({settings.deadline or 0:g} s) ran out"
    return SynapseLookup(syn_id, auth=auth, inconclusive=reason)


def _login_failed(ids: list[str], failure: Reply, source: str) -> dict[str, SynapseLookup]:
    if failure.status in (401, 403) or (failure.status is None and not failure.failed):
        lookup = SynapseLookup(
            "", status=failure.status or 401, reason=failure.reason, auth="invalid"
        )
    else:
        lookup = SynapseLookup(
            "",
            status=failure.status,
            reason=failure.reason,
            auth="user (unverified)",
            inconclusive=f"logging in with the token from {source} failed: {_describe(failure)}",
        )
    return {i: replace(lookup, synapse_id=i) for i in ids}


def lookup_from_reply(syn_id: str, reply: Reply, auth: str) -> SynapseLookup:
    """Read a bundle2 answer (or error) into a lookup."""
    if reply.body is not None:
        return _from_bundle(syn_id, reply.body, auth)
    base = SynapseLookup(syn_id, status=reply.status, reason=reply.reason, auth=auth)
    if reply.status in (403, 404):
        return base
    if reply.status == 401:
        return replace(base, auth="invalid")
    return replace(base, inconclusive=_describe(reply))


def _describe(reply: Reply) -> str:
    if reply.status is None:
        return reply.reason or "no answer"
    detail = f": {reply.reason}" if reply.reason else ""
    if reply.status == 429:
        return f"Synapse is throttling requests (429{detail}); retries ran out"
    return f"Synapse answered {reply.status}{detail}"


def _from_bundle(syn_id: str, bundle: Mapping[str, Any], auth: str) -> SynapseLookup:
    entity = _dict(bundle.get("entity"))
    concrete = _str(entity.get("concreteType"))
    etype = _str(bundle.get("entityType")) or _type_of(concrete)
    restriction = _dict(bundle.get("restrictionInformation"))
    permissions = _dict(bundle.get("permissions")) or _dict(
        restriction.get("userEntityPermissions")
    )
    can_download = permissions.get("canDownload")
    handle = None
    has_handle: bool | None = None
    if etype == "file":
        wanted = entity.get("dataFileHandleId")
        handles = bundle.get("fileHandles")
        handle = next(
            (
                h
                for h in (handles if isinstance(handles, list) else [])
                if isinstance(h, dict) and wanted is not None and str(h.get("id")) == str(wanted)
            ),
            None,
        )
        has_handle = handle is not None
    version = entity.get("versionNumber")
    return SynapseLookup(
        syn_id,
        status=200,
        entity_type=etype,
        concrete_type=concrete,
        name=_str(entity.get("name")),
        version=version if isinstance(version, int) and not isinstance(version, bool) else None,
        can_download=can_download if isinstance(can_download, bool) else None,
        has_file_handle=has_handle,
        restriction_level=_str(restriction.get("restrictionLevel")),
        unmet_requirements=restriction.get("hasUnmetAccessRequirement") is True,
        file_name=_str(handle.get("fileName")) if handle else None,
        file_handle_id=str(handle.get("id")) if handle else None,
        auth=auth,
    )


def _type_of(concrete: str | None) -> str | None:
    if not concrete:
        return None
    last = concrete.rsplit(".", 1)[-1]
    return _TYPES.get(last, last.lower())


def _dict(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _str(value: Any) -> str | None:
    return value if isinstance(value, str) and value else None


# synapseclient attaches a stdout handler to these at import time.
_SYNAPSE_LOGGERS = ("synapseclient_default", "synapseclient_debug", "synapseclient_silent")


class _quiet_synapse_logging:
    """Keep synapseclient's log lines out of our output while we use it, then restore."""

    def __enter__(self) -> None:
        import logging

        self._loggers = [logging.getLogger(n) for n in _SYNAPSE_LOGGERS]
        for logger in self._loggers:
            logger.addFilter(_drop_all)

    def __exit__(self, *exc: object) -> None:
        for logger in self._loggers:
            logger.removeFilter(_drop_all)


def _drop_all(_record: object) -> bool:
    return False


def download_urls(ids: list[str], settings: Settings) -> dict[str, tuple[str | None, str | None]]:
    """For ``--verify-hashes``: each File's pre-signed download URL, the way synapseclient's
    download gets it (the entity bundle's data file handle, then ``/fileHandle/batch``), as the
    checking user. Values are (url, None) or (None, why not). The URLs carry signatures: they
    are used for one download and never shown or cached.
    """
    import shutil
    import tempfile

    from medperf_lint.input.synapse_credentials import find_credentials

    creds = find_credentials()
    tmp = Path(tempfile.mkdtemp(prefix="medperf-lint-syn-"))
    _remove_at_exit(tmp)
    found: dict[str, tuple[str | None, str | None]] = {}
    with _quiet_synapse_logging():
        from medperf_lint.providers.synapse_client import SynapseChecker

        checker = SynapseChecker(settings, tmp)
        try:
            auth = "missing"
            if creds is not None:
                user, failure = checker.login(creds.token)
                if failure is not None:
                    return dict.fromkeys(ids, (None, "the Synapse token was refused"))
                auth = f"user {user}"
            for syn_id in ids:
                lookup = lookup_from_reply(syn_id, checker.bundle(syn_id), auth)
                if lookup.inconclusive or lookup.file_handle_id is None:
                    why = lookup.inconclusive or "not a File the checking user may download"
                    found[syn_id] = (None, why)
                    continue
                reply = checker.download_url(syn_id, lookup.file_handle_id)
                url = reply.body.get("url") if reply.body else None
                found[syn_id] = (url, None) if isinstance(url, str) else (None, reply.reason)
        finally:
            checker.close()
            shutil.rmtree(tmp, ignore_errors=True)
    return found


# ---------------------------------------------------------------------------------------------
# The provider: every synapse:synN ID; it stops at the deadline by itself


def _ids(refs: Sequence[Reference], _settings: Settings) -> tuple[str, ...]:
    return tuple(sorted({s for r in refs if (s := r.synapse_id) is not None}))


def _check(ids: tuple[str, ...], run: Run) -> NetworkResults:
    # Returns at the deadline itself, every ID answered: nothing to hand in early.
    lookups, identity = check_ids(list(ids), run.settings, run.until)
    return NetworkResults(synapse=lookups, synapse_identity=identity)


def _unfinished(ids: tuple[str, ...], settings: Settings) -> NetworkResults:
    from medperf_lint.input.synapse_credentials import find_credentials

    # Cut off before or during login: whether the token is good is unknown, not missing.
    auth = "missing" if find_credentials() is None else "user (unverified)"
    reason = deadline_reason(settings)
    return NetworkResults(
        synapse={i: SynapseLookup(i, auth=auth, inconclusive=reason) for i in ids}
    )


PROVIDER: Provider[str] = Provider(_ids, _check, _unfinished)
