"""The request policy every provider shares, written once: which answers are redirects, which
are asked again, after how long, and how many times.

Both HTTP stacks read it: the aiohttp transport (:mod:`medperf_lint.net.transport`, for the
probe, GitHub, registries and downloads) and the requests session inside synapseclient
(:mod:`medperf_lint.providers.synapse_client`). A leaf module (standard library only).

* **Retried answers**: 408, 429 and every 5xx, and a 403 that carries ``Retry-After`` (GitHub's
  secondary rate limit says so). A Cloudflare challenge (``cf-mitigated: challenge``) is a
  page for browsers, never retried.
* **Retried failures**: a reset connection or a malformed answer (a fresh connection may do
  better). A timeout is not: a hanging server would cost one timeout per try.
* **Waits**: ``Retry-After`` when the server gives one, else a jittered exponential backoff;
  a wait longer than ``MAX_WAIT`` is not waited for: the check is inconclusive instead.
* **Tries**: ``settings.retries`` retries after the first try.
"""

from __future__ import annotations

import random
from collections.abc import Mapping

from medperf_lint.net.util import retry_after

REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})
RETRY_STATUSES = frozenset({408, 429})  # plus every 5xx
RETRY_FAILURES = frozenset({"reset", "bad-response"})  # TransportError kinds worth a new try
MAX_REDIRECTS = 10  # requests allows 30; a chain this long is already a finding
MAX_WAIT = 30.0  # seconds: a longer Retry-After makes the check inconclusive instead
BACKOFF = 0.25  # seconds before the first retry, then doubling (jittered)
FD_WAIT = 0.2  # seconds between tries while this machine is out of file descriptors


def challenged(headers: Mapping[str, str]) -> bool:
    """A Cloudflare browser check: a page for people, not an answer worth asking again."""
    return headers.get("cf-mitigated", "").strip().lower() == "challenge"


def retry_delay(status: int, headers: Mapping[str, str], attempt: int) -> float | None:
    """Seconds to wait before asking again after this answer (headers with lower-case names),
    or None when the answer is final. ``attempt`` counts the retries already made."""
    if challenged(headers):
        return None
    asked = retry_after(headers.get("retry-after"))
    if status in RETRY_STATUSES or status >= 500 or (status == 403 and asked is not None):
        return asked if asked is not None else backoff(attempt)
    return None


def backoff(attempt: int) -> float:
    """The jittered wait before retry number ``attempt + 1``."""
    return float(min(MAX_WAIT, BACKOFF * 2**attempt) * random.uniform(0.5, 1.5))


def redirect_location(status: int, headers: Mapping[str, str]) -> str | None:
    """Where a redirect points (as sent, relative or not), or None when it is no redirect."""
    location = headers.get("location", "").strip()
    return location if status in REDIRECT_STATUSES and location else None
