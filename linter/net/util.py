"""Small network helpers every client shares, written once: the default port of a scheme,
``Retry-After`` in seconds, the chain of causes behind a failed exchange, and the exception an
API client raises for a lookup it cannot answer.

A leaf module (standard library only), so the Synapse client, the transport and tests can use
the same definitions without importing an HTTP library.
"""

from __future__ import annotations

import email.utils
import time
from collections.abc import Iterator

DEFAULT_PORTS = {"http": 80, "https": 443}


class Inconclusive(Exception):
    """An API lookup that cannot be answered; ``reason`` says why in one line."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


def default_port(scheme: str) -> int:
    """The port a URL of ``scheme`` means when it names none."""
    return DEFAULT_PORTS.get(scheme.lower(), 80)


def retry_after(value: str | None, now: float | None = None) -> float | None:
    """``Retry-After`` in seconds, from delta-seconds or an HTTP-date; None when absent or bad."""
    if not value:
        return None
    text = value.strip()
    if text.isdigit():
        return float(text)
    try:
        when = email.utils.parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError):
        return None
    if when is None:
        return None
    return max(0.0, when.timestamp() - (time.time() if now is None else now))


def exception_chain(err: BaseException) -> Iterator[BaseException]:
    """The exception and everything behind it: causes, contexts, wrapped ``os_error``,
    ``certificate_error`` or ``reason`` attributes, and exceptions passed as arguments."""
    seen: set[int] = set()
    stack: list[BaseException] = [err]
    while stack:
        item = stack.pop()
        if id(item) in seen:
            continue
        seen.add(id(item))
        yield item
        nested = (
            item.__cause__,
            item.__context__,
            getattr(item, "os_error", None),
            getattr(item, "certificate_error", None),
            getattr(item, "reason", None),
            *item.args,
        )
        stack.extend(n for n in nested if isinstance(n, BaseException))
