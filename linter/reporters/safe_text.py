"""What every reporter does to a string before it is printed: redact, then defuse.

Manifest values, server replies and paths are untrusted. Secrets go through the one redactor
(``linter/refs/redact.py``); control characters (ESC sequences that recolour or retitle a terminal,
carriage returns that overwrite a line, newlines that forge a finding or a workflow command)
and bidirectional overrides (which reorder what a reader sees) are written as visible
``\\xNN``/``\\uNNNN`` escapes.
"""

from __future__ import annotations

import re
from typing import Any

from medperf_lint.refs.redact import known_tokens, redact_text

_UNSAFE = re.compile("[\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]")


def _escape(match: re.Match[str]) -> str:
    code = ord(match.group(0))
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def escape_controls(text: str) -> str:
    """``text`` with control and bidi characters written as escapes."""
    return _UNSAFE.sub(_escape, text)


def safe(text: str) -> str:
    """Redacted and defused: ready for a terminal or a CI log."""
    return escape_controls(redact_text(text))


def redact_tree(value: Any) -> Any:
    """Every string inside a JSON-shaped value redacted (JSON escapes controls itself).

    The known tokens are read once for the whole value, not once per string: a report of
    thousands of URLs would otherwise read the environment and stat ``~/.synapseConfig`` for
    each."""
    return _redact_tree(value, known_tokens())


def _redact_tree(value: Any, tokens: tuple[str, ...]) -> Any:
    if isinstance(value, str):
        return redact_text(value, tokens)
    if isinstance(value, dict):
        return {k: _redact_tree(v, tokens) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_redact_tree(v, tokens) for v in value]
    return value
