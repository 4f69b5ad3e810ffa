"""How medperf-lint presents itself and which CAs it trusts: shared by every HTTP client.

Kept free of heavy imports so the asyncio prober does not pay for requests.
"""

from __future__ import annotations

import os
import re
from functools import cache

from medperf_lint._version import __version__

USER_AGENT = f"medperf-lint/{__version__} (+https://github.com/mlcommons/medperf)"


@cache
def accept_encoding() -> str:
    """The ``Accept-Encoding`` requests sends, so servers answer the checks as they answer
    MedPerf's download: urllib3's list of the decoders installed here, joined as requests joins
    it (``requests.utils.DEFAULT_ACCEPT_ENCODING``). urllib3 alone costs half of requests."""
    from urllib3.util import make_headers

    listed = make_headers(accept_encoding=True)["accept-encoding"]
    return ", ".join(re.split(r",\s*", listed))


CA_VARIABLES = ("REQUESTS_CA_BUNDLE", "SSL_CERT_FILE", "CURL_CA_BUNDLE")


class CaBundleError(ValueError):
    """The CA bundle variable names nothing usable; the message is one line."""


def ca_bundle_problem() -> str | None:
    """Why the CA bundle the environment names cannot be used, or None when it can.

    Checked before any request, so a missing file is one clear line instead of a TLS error
    (or a traceback) per URL.
    """
    for var in CA_VARIABLES:
        value = os.environ.get(var)
        if not value:
            continue
        if not os.path.exists(value):
            return f"{var}={value}: no such file; point it at a PEM CA bundle or unset it"
        if not (os.path.isfile(value) or os.path.isdir(value)):
            return f"{var}={value}: not a file or folder of CA certificates"
        if not os.access(value, os.R_OK):
            return f"{var}={value}: not readable"
        return _unreadable_bundle(var, value)
    return None


def _unreadable_bundle(var: str, value: str) -> str | None:
    """Why OpenSSL cannot load the named bundle, or None. Loaded now (and kept for the run's
    first handshake) so that garbage in it is this one line, never a TLS error per URL."""
    import ssl

    from medperf_lint.net.tls import bundle_context

    try:
        bundle_context(value)
    except (ssl.SSLError, OSError) as err:
        why = getattr(err, "reason", None) or err.strerror or type(err).__name__
        return f"{var}={value}: OpenSSL reads no CA certificate from it ({why}); point it at a PEM CA bundle or unset it"
    return None


def ca_bundle() -> str | bool:
    """The CA bundle to verify against, read now (tests set it per test), else certifi's.

    Raises :class:`CaBundleError` when the variable names nothing usable.
    """
    problem = ca_bundle_problem()
    if problem is not None:
        raise CaBundleError(problem)
    for var in CA_VARIABLES:
        value = os.environ.get(var)
        if value:
            return value
    return True
