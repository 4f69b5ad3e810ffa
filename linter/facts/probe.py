"""What probing one URL found: the value rules read and the cache stores.

Kept apart from the prober so rules, reporters and the cache can use it without importing
requests.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from medperf_lint.facts.records import not_stored
from medperf_lint.refs.sniff import NOT_A_FILE
from medperf_lint.refs.urls import redact

HTML_TYPES = frozenset({"text/html", "application/xhtml+xml"})


@dataclass(frozen=True)
class ProbeResult:
    """The outcome for one URL. Exactly one of a status, ``error`` or ``inconclusive`` decides.

    ``error`` is a short kind (dns, refused, tls, timeout, reset, redirect-loop,
    too-many-redirects, blocked-address, bad-redirect-scheme) explained by ``detail``.
    ``page`` names a recognised stand-in page (drive-confirm, drive-error, sign-in).
    ``content_encoding``: the transfer's Content-Encoding (the sniffed bytes are the decoded
    ones, what MedPerf saves). ``proxy``: the proxy the last request went through, if any.
    ``disposition_name``: the file name a Content-Disposition header gave.
    ``repo_commit``: the ``X-Repo-Commit`` header of the first answer (Hugging Face names the
    commit a ``/resolve/REV/`` URL served), when it is a full commit SHA.
    """

    url: str
    final_url: str
    status: int | None = None
    redirects: tuple[tuple[int, str], ...] = ()
    content_type: str | None = None
    size: int | None = None
    sniffed: str | None = None
    sniff_detail: str | None = None
    page: str | None = None
    page_detail: str | None = None
    attachment: bool = False
    head_status: int | None = None
    content_encoding: str | None = None
    disposition_name: str | None = None
    repo_commit: str | None = None
    proxy: str | None = None
    error: str | None = None
    detail: str | None = None
    inconclusive: str | None = None
    requests: int = 0
    from_cache: bool = not_stored(False)  # this run read it from the cache

    @property
    def media_type(self) -> str | None:
        """Content-Type without parameters, lower case."""
        if not self.content_type:
            return None
        return self.content_type.split(";", 1)[0].strip().lower() or None

    @property
    def ok_status(self) -> bool:
        return self.status is not None and 200 <= self.status < 300

    @property
    def healthy(self) -> bool:
        """A direct download: the only results worth caching."""
        return (
            self.ok_status
            and self.error is None
            and self.inconclusive is None
            and self.page is None
            and self.sniffed not in NOT_A_FILE
            and self.media_type not in HTML_TYPES
        )

    def to_dict(self, *, redacted: bool = True) -> dict[str, Any]:
        """The JSON reporter's per-URL entry; secrets in URLs are redacted, unless
        ``redacted=False`` leaves that to a caller that redacts its whole output in one pass
        (the JSON reporter: redacting each URL twice cost more than the rest of the report)."""
        shown = redact if redacted else str
        return {
            "url": shown(self.url),
            "final_url": shown(self.final_url),
            "status": self.status,
            "size": self.size,
            "sniffed_type": self.sniffed,
            "content_encoding": self.content_encoding,
            "proxy": self.proxy,
            "redirects": [{"status": s, "location": shown(loc)} for s, loc in self.redirects],
            "error": self.error,
            "inconclusive": self.inconclusive,
        }
