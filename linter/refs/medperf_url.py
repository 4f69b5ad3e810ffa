"""MedPerf's own URL check, reproduced exactly.

The MedPerf client accepts a direct link when ``validators.url(value)`` (validators 0.18.2)
returns true. The expression below is that library's (MIT licensed), ported unchanged so that
medperf-lint accepts and rejects exactly the strings MedPerf does: ``ftp://`` passes, a host
without a TLD (``http://minio:9000``) fails, a one-digit port fails.

Compiling that expression costs more than the rest of an offline run, so it is compiled only
for URLs that a small expression, accepting a strict subset of the same strings, cannot settle.
"""

from __future__ import annotations

import re
from functools import lru_cache

_IP_MIDDLE_OCTET = r"(?:\.(?:1?\d{1,2}|2[0-4]\d|25[0-5]))"
_IP_LAST_OCTET = r"(?:\.(?:0|[1-9]\d?|1\d\d|2[0-4]\d|25[0-5]))"
_HOST_CHAR = "a-z\u00a1-\uffff\U00010000-\U0010ffff0-9"

_URL_PATTERN = (
    r"^"
    r"(?:(?:https?|ftp)://)"
    r"(?:[-a-z\u00a1-\uffff0-9._~%!$&'()*+,;=:]+"
    r"(?::[-a-z0-9._~%!$&'()*+,;=:]*)?@)?"
    r"(?:"
    r"(?P<private_ip>"
    r"(?:(?:10|127)" + _IP_MIDDLE_OCTET + r"{2}" + _IP_LAST_OCTET + r")|"
    r"(?:(?:169\.254|192\.168)" + _IP_MIDDLE_OCTET + _IP_LAST_OCTET + r")|"
    r"(?:172\.(?:1[6-9]|2\d|3[0-1])" + _IP_MIDDLE_OCTET + _IP_LAST_OCTET + r"))"
    r"|"
    r"(?P<private_host>(?:localhost))"
    r"|"
    r"(?P<public_ip>"
    r"(?:[1-9]\d?|1\d\d|2[01]\d|22[0-3])" + _IP_MIDDLE_OCTET + r"{2}" + _IP_LAST_OCTET + r")"
    r"|"
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
    r")\]|"
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

# ASCII only, every branch a sub-case of the full expression: host labels of letters and
# digits with single inner hyphens and a letters-only TLD, or a dotted IPv4 address in the
# full expression's own private/public forms; the same port, path, query and fragment.
_IPV4 = (
    r"(?:(?:10|127)" + _IP_MIDDLE_OCTET + r"{2}" + _IP_LAST_OCTET + r"|"
    r"(?:169\.254|192\.168)" + _IP_MIDDLE_OCTET + _IP_LAST_OCTET + r"|"
    r"172\.(?:1[6-9]|2\d|3[0-1])" + _IP_MIDDLE_OCTET + _IP_LAST_OCTET + r"|"
    r"(?:[1-9]\d?|1\d\d|2[01]\d|22[0-3])" + _IP_MIDDLE_OCTET + r"{2}" + _IP_LAST_OCTET + r")"
)
_COMMON = re.compile(
    r"^(?:https?|ftp)://"
    r"(?:[a-z0-9]+(?:-[a-z0-9]+)*(?:\.[a-z0-9]+(?:-[a-z0-9]+)*)*\.[a-z]{2,}|" + _IPV4 + r")"
    r"(?::\d{2,5})?"
    r"(?:/[-a-z0-9._~%!$&'()*+,;=:@/]*)?"
    r"(?:\?\S*)?"
    r"(?:#\S*)?"
    r"$",
    re.IGNORECASE,
)
_SCHEMES = ("http://", "https://", "ftp://")


@lru_cache(maxsize=1)
def _full() -> re.Pattern[str]:
    return re.compile(_URL_PATTERN, re.UNICODE | re.IGNORECASE)


def medperf_accepts_url(value: str) -> bool:
    """True when MedPerf's ``validators.url`` check would accept ``value``."""
    if value.isascii():
        if not value.lower().startswith(_SCHEMES):
            return False
        if _COMMON.match(value):
            return True
    return _full().match(value) is not None
