"""MedPerf's own URL check, reproduced exactly.

The MedPerf client accepts a direct link when ``validators.url(value)`` (validators 0.18.2)
returns true. The expression below is that library's (MIT licensed), ported unchanged so that
medperf-lint accepts and rejects exactly the strings MedPerf does: ``ftp://`` passes, a host
without a TLD (``http://minio:9000``) fails, a one-digit port fails.

That expression backtracks quadratically on hostile values (and takes long to compile), so
:func:`medperf_accepts_url` reads the same language by hand in linear time; the tests compare
the two on generated and hostile strings.
"""

from __future__ import annotations

import re
from functools import cache, lru_cache
from typing import NamedTuple

_IP_MIDDLE_OCTET = r"(?:\.(?:1?\d{1,2}|2[0-4]\d|25[0-5]))"
_IP_LAST_OCTET = r"(?:\.(?:0|[1-9]\d?|1\d\d|2[0-4]\d|25[0-5]))"
_HOST_CHAR = "a-z\u00a1-\uffff\U00010000-\U0010ffff0-9"

# validators' host alternatives, cut where the expression joins them (the text is unchanged).
_IP_OR_LOCALHOST_PATTERN = (
    r"(?P<private_ip>"
    r"(?:(?:10|127)" + _IP_MIDDLE_OCTET + r"{2}" + _IP_LAST_OCTET + r")|"
    r"(?:(?:169\.254|192\.168)" + _IP_MIDDLE_OCTET + _IP_LAST_OCTET + r")|"
    r"(?:172\.(?:1[6-9]|2\d|3[0-1])" + _IP_MIDDLE_OCTET + _IP_LAST_OCTET + r"))"
    r"|"
    r"(?P<private_host>(?:localhost))"
    r"|"
    r"(?P<public_ip>"
    r"(?:[1-9]\d?|1\d\d|2[01]\d|22[0-3])" + _IP_MIDDLE_OCTET + r"{2}" + _IP_LAST_OCTET + r")"
)
_IPV6_PATTERN = (
    r"\[("
    r"([0-9a-fA-F]{1,4}:){7,7}[0-9a-fA-F]{1,4}|"
    r"([0-9a-fA-F]{1,4}:){1,7}:|"
    r"([0-9a-fA-F]{1,4}:){1,6}:[0-9a-fA-F]{1,4}|"
    r"([0-9a-fA-F]{1,4}:){1,5}(:[0-9a-fA-F]{1,4}){1,2}|"
    r"([0-9a-fA-F]{1,4}:){1,4}(:[0-9a-fA-F]{1,4}){1,3}|"
    r"([0-9a-fA-F]{1,4}:){1,3}(:[0-9a-fA-F]{1,4}){1,4}|"
    r"([0-9a-fA-F]{1,4}:){1,2}(:[0-9a-fA-F]{1,4}){1,5}|"
    r"[0-9a-fA-F]{1,4}:((:[0-9a-fA-F]{1,4}){1,6})|"
    r":((:[0-9a-fA-F]{1,4}){1,7}|:)|"
    r"fe80:(:[0-9a-fA-F]{0,4}){0,4}%[0-9a-zA-Z]{1,}|"
    r"::(ffff(:0{1,4}){0,1}:){0,1}"
    r"((25[0-5]|(2[0-4]|1{0,1}[0-9]){0,1}[0-9])\.){3,3}"
    r"(25[0-5]|(2[0-4]|1{0,1}[0-9]){0,1}[0-9])|"
    r"([0-9a-fA-F]{1,4}:){1,4}:"
    r"((25[0-5]|(2[0-4]|1{0,1}[0-9]){0,1}[0-9])\.){3,3}"
    r"(25[0-5]|(2[0-4]|1{0,1}[0-9]){0,1}[0-9])"
    r")\]"
)
_URL_PATTERN = (
    r"^"
    r"(?:(?:https?|ftp)://)"
    r"(?:[-a-z\u00a1-\uffff0-9._~%!$&'()*+,;=:]+"
    r"(?::[-a-z0-9._~%!$&'()*+,;=:]*)?@)?"
    r"(?:" + _IP_OR_LOCALHOST_PATTERN + r"|" + _IPV6_PATTERN + r"|"
    r"(?:(?:(?:xn--)|[" + _HOST_CHAR + r"]-?)*[" + _HOST_CHAR + r"]+)"
    r"(?:\.(?:(?:xn--)|[" + _HOST_CHAR + r"]-?)*[" + _HOST_CHAR + r"]+)*"
    r"(?:\.(?:(?:xn--[" + _HOST_CHAR + r"]{2,})|[a-z\u00a1-\uffff\U00010000-\U0010ffff]{2,}))"
    r")"
    r"(?::\d{2,5})?"
    r"(?:/[-a-z\u00a1-\uffff\U00010000-\U0010ffff0-9._~%!$&'()*+,;=:@/]*)?"
    r"(?:\?\S*)?"
    r"(?:#\S*)?"
    r"$"
)

# The same language, read in linear time. The expression above backtracks quadratically (a
# long host without a dot, a query of "#"s followed by a space): it stays here as the
# definition the tests compare against, and the check below takes it apart where it is
# unambiguous, with its own sub-expressions. Case-insensitive matching of the classes that hold
# \u00a1-\uffff is written out as A-Z (no other character below \u00a1 has a case): compiling
# those classes with IGNORECASE is what made the full expression slow to build. ASCII values,
# nearly all, use the narrow classes, cheap to compile; the wide ones are built on first need.
_FLAGS = re.UNICODE | re.IGNORECASE
_SCHEME = re.compile(r"(?:https?|ftp)://", _FLAGS)
_IP_OR_LOCALHOST = re.compile(_IP_OR_LOCALHOST_PATTERN, _FLAGS)
_SPACE = re.compile(r"\s")
_WIDE = "\u00a1-\uffff\U00010000-\U0010ffff"


@cache
def _ipv6() -> re.Pattern[str]:
    """Compiled on first use: a bracketed IPv6 host is rare, and this one is slow to build."""
    return re.compile(_IPV6_PATTERN, _FLAGS)


class _Grammar(NamedTuple):
    """The sub-expressions of validators' URL, for ASCII values or for any value (private,
    so a NamedTuple: a dataclass costs five times as much to define at start-up)."""

    userinfo: re.Pattern[str]  # U1* (``U1+(?::U2*)?`` is U1+: ":" and U2 are in U1)
    host_run: re.Pattern[str]  # the characters a host (IP, localhost or domain) is made of
    tld: re.Pattern[str]
    port_path: re.Pattern[str]


@lru_cache(maxsize=2)
def _grammar(wide: bool) -> _Grammar:
    bmp, every = ("\u00a1-\uffff", _WIDE) if wide else ("", "")
    host = f"a-zA-Z{every}0-9"
    return _Grammar(
        re.compile(f"[-a-zA-Z{bmp}0-9._~%!$&'()*+,;=:]*"),
        re.compile(f"[{host}.-]*"),
        re.compile(f"[xX][nN]--[{host}]{{2,}}|[a-zA-Z{every}]{{2,}}"),
        re.compile(f"(?::\\d{{2,5}})?(?:/[-a-zA-Z{every}0-9._~%!$&'()*+,;=:@/]*)?"),
    )


def _label(text: str) -> bool:
    """``(?:xn--|[H]-?)*[H]+`` for a run of host characters and hyphens: no leading or trailing
    hyphen, single hyphens anywhere, a double one only right after ``xn``."""
    if not text or text[0] == "-" or text[-1] == "-":
        return False
    start = text.find("-")
    while start != -1:
        end = start
        while end < len(text) and text[end] == "-":
            end += 1
        if end - start > 2 or (end - start == 2 and text[start - 2 : start].lower() != "xn"):
            return False
        start = text.find("-", end)
    return True


def _domain(host: str, grammar: _Grammar) -> bool:
    *labels, tld = host.split(".")
    return bool(labels) and all(_label(x) for x in labels) and bool(grammar.tld.fullmatch(tld))


def _tail(value: str, start: int, grammar: _Grammar) -> bool:
    """Port, path, then ``(?:\\?\\S*)?(?:#\\S*)?$``: no whitespace after a ``?`` or ``#``."""
    rest = value[_end(grammar.port_path, value, start) :]
    if rest in ("", "\n"):
        return True
    body = rest[1:-1] if rest.endswith("\n") else rest[1:]
    return rest[0] in "?#" and _SPACE.search(body) is None


def _end(pattern: re.Pattern[str], value: str, start: int) -> int:
    """Where ``pattern`` (one that matches the empty string) stops matching from ``start``."""
    found = pattern.match(value, start)
    return found.end() if found else start


def _host_and_tail(value: str, start: int, grammar: _Grammar) -> bool:
    """A host at ``start`` that the rest of ``value`` may follow. A host ends where its
    characters do (an IPv6 host at its "]"), because what may follow it starts with none."""
    if value.startswith("[", start):
        close = value.find("]", start)
        return (
            close != -1
            and bool(_ipv6().fullmatch(value, start, close + 1))
            and _tail(value, close + 1, grammar)
        )
    end = _end(grammar.host_run, value, start)
    host = value[start:end]
    return bool(_IP_OR_LOCALHOST.fullmatch(host) or _domain(host, grammar)) and _tail(
        value, end, grammar
    )


def medperf_accepts_url(value: str) -> bool:
    """True when MedPerf's ``validators.url`` check would accept ``value`` (linear time)."""
    scheme = _SCHEME.match(value)
    if scheme is None:
        return False
    grammar = _grammar(not value.isascii())
    start = scheme.end()
    user_end = _end(grammar.userinfo, value, start)  # userinfo is optional: try both
    with_userinfo = user_end > start and value.startswith("@", user_end)
    if with_userinfo and _host_and_tail(value, user_end + 1, grammar):
        return True
    return _host_and_tail(value, start, grammar)
