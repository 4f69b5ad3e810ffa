"""What Synapse said about one ``synapse:`` ID: the value the synapse-* rules read.

A leaf module (standard library only), apart from the checker in :mod:`medperf_lint.providers.synapse`, so rules,
reporters and the engine can use Synapse facts without importing the code that gathers them.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

PORTAL = "https://www.synapse.org/Synapse:"
ANONYMOUSLY = "anonymously"


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
    file_handle_id: str | None = None  # the data file handle, when the bundle carried it
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


def portal_url(syn_id: str) -> str:
    return PORTAL + syn_id
