"""Synapse facts for ``synapse:synN`` references: does the entity exist, is it a File, can the
checking user download it, and which version is current.

The engine calls :func:`check_ids` once per run with every unique ID. Each ID costs one
``POST /entity/{id}/bundle2`` through the real synapseclient (see ``synapse_client``), at most
``synapse-concurrency`` at a time because Synapse allows about 3 concurrent requests per user.
Credentials are found like synapseclient finds them (``synapse_auth``); with none, the check
runs anonymously and says so. This module imports only the standard library at import time:
rules import it for :class:`SynapseLookup` and the helpers at the bottom.
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from dataclasses import asdict, dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

# logging, tempfile and concurrent.futures are imported where used: rules import this module,
# and an offline run must not pay for them.
if TYPE_CHECKING:
    from concurrent.futures import Future

    from .config import Settings
    from .references import Reference
    from .rule import RuleContext
    from .synapse_client import Reply

PORTAL = "https://www.synapse.org/Synapse:"
ANONYMOUSLY = "anonymously"

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


@dataclass(frozen=True)
class SynapseLookup:
    """What Synapse said about one ID, as the checking identity."""

    synapse_id: str
    status: int | None = None
    reason: str | None = None  # the server's ``reason`` on errors
    entity_type: str | None = None  # file, folder, project, table, link, …
    concrete_type: str | None = None
    name: str | None = None
    version: int | None = None
    can_download: bool | None = None
    has_file_handle: bool | None = None  # None unless a File; False: READ but no DOWNLOAD
    restriction_level: str | None = None  # OPEN | RESTRICTED_BY_TERMS_OF_USE | CONTROLLED_BY_ACT
    unmet_requirements: bool = False
    file_name: str | None = None
    # "missing" (no credentials: ran anonymously) / "user NAME" / "invalid" (token refused)
    auth: str = "missing"
    inconclusive: str | None = None  # why there is no answer (429, 5xx, timeout, …)

    @property
    def found(self) -> bool:
        return self.status == 200 and self.inconclusive is None

    @property
    def is_file(self) -> bool:
        return self.entity_type == "file"

    def to_dict(self) -> dict[str, Any]:
        return {"kind": "synapse", **asdict(self)}


def check_ids(ids: list[str], settings: Settings) -> tuple[Mapping[str, SynapseLookup], str]:
    """Look up every ID once; return the lookups and how the checks ran ("anonymously", …)."""
    import tempfile

    from .synapse_auth import find_credentials

    unique = sorted(set(ids))
    if not unique:
        return {}, ANONYMOUSLY
    started = time.monotonic()
    creds = find_credentials()
    with _quiet_synapse_logging(), tempfile.TemporaryDirectory(prefix="medperf-lint-syn-") as tmp:
        from .synapse_client import SynapseChecker

        checker = SynapseChecker(settings, Path(tmp))
        try:
            auth, identity = "missing", ANONYMOUSLY
            if creds is not None:
                user, failure = checker.login(creds.token)
                if failure is not None:
                    return _login_failed(unique, failure, creds.source), (
                        f"with the token from {creds.source}"
                    )
                auth, identity = f"user {user}", f"as user {user}"
            return _lookup_all(checker, unique, settings, auth, started), identity
        finally:
            checker.close()


def _lookup_all(
    checker: Any, ids: list[str], settings: Settings, auth: str, started: float
) -> dict[str, SynapseLookup]:
    from concurrent.futures import FIRST_EXCEPTION, ThreadPoolExecutor, wait

    results: dict[str, SynapseLookup] = {}
    pool = ThreadPoolExecutor(
        max_workers=max(1, settings.synapse_concurrency), thread_name_prefix="synapse"
    )
    futures: dict[Future[Reply], str] = {pool.submit(checker.bundle, i): i for i in ids}
    remaining = None
    if settings.deadline is not None:
        remaining = max(0.0, settings.deadline - (time.monotonic() - started))
    done, _pending = wait(futures, timeout=remaining, return_when=FIRST_EXCEPTION)
    pool.shutdown(wait=False, cancel_futures=True)
    for future, syn_id in futures.items():
        if future in done and future.exception() is None:
            results[syn_id] = lookup_from_reply(syn_id, future.result(), auth)
        elif future in done:
            results[syn_id] = SynapseLookup(
                syn_id, auth=auth, inconclusive=f"check failed: {type(future.exception()).__name__}"
            )
        else:
            results[syn_id] = SynapseLookup(
                syn_id,
                auth=auth,
                inconclusive=f"the run's deadline ({settings.deadline:g} s) ran out",
            )
    return results


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


def _drop_all(record: object) -> bool:
    return False


# ---- helpers for the synapse-* rules (no network, no synapseclient) ----


def lookup_for(ref: Reference, ctx: RuleContext) -> SynapseLookup | None:
    """The lookup for this reference's Synapse ID, or None (offline, not Synapse, no answer)."""
    syn_id = ref.synapse_id
    if syn_id is None or ctx.network is None:
        return None
    lookup = ctx.network.synapse.get(syn_id)
    return lookup if isinstance(lookup, SynapseLookup) else None


def answered(ref: Reference, ctx: RuleContext) -> SynapseLookup | None:
    """The lookup when Synapse gave a real answer with valid (or no) credentials."""
    lookup = lookup_for(ref, ctx)
    if lookup is None or lookup.inconclusive is not None or lookup.auth == "invalid":
        return None
    return lookup


def identity(ctx: RuleContext) -> str:
    """How the checks ran: "anonymously" or "as user NAME"."""
    if ctx.network is None or not ctx.network.synapse_identity:
        return ANONYMOUSLY
    return ctx.network.synapse_identity


def portal_url(syn_id: str) -> str:
    return PORTAL + syn_id
