"""The shared network helpers: Retry-After, default ports, the chain behind an exception."""

from __future__ import annotations

import email.utils

from medperf_lint.net.util import default_port, exception_chain, retry_after


def test_retry_after_seconds_and_http_date() -> None:
    assert retry_after("120") == 120.0
    assert retry_after(" 7 ") == 7.0
    now = 1_800_000_000.0
    date = email.utils.formatdate(now + 90, usegmt=True)
    assert retry_after(date, now=now) == 90.0
    assert retry_after(email.utils.formatdate(now - 90, usegmt=True), now=now) == 0.0


def test_retry_after_absent_or_garbage_is_none() -> None:
    assert retry_after(None) is None
    assert retry_after("") is None
    assert retry_after("soon") is None
    assert retry_after("-5") is None


def test_default_ports() -> None:
    assert (default_port("https"), default_port("HTTP")) == (443, 80)


def test_exception_chain_follows_causes_contexts_and_wrapped_errors() -> None:
    class Wrapper(Exception):
        def __init__(self, os_error: OSError) -> None:
            super().__init__("wrapped")
            self.os_error = os_error

    refused = ConnectionRefusedError(111, "refused")
    try:
        try:
            raise KeyError("first")
        except KeyError:
            raise Wrapper(refused) from ValueError("cause")
    except Wrapper as err:
        kinds = {type(e).__name__ for e in exception_chain(err)}
    assert {"Wrapper", "ConnectionRefusedError", "ValueError", "KeyError"} <= kinds
