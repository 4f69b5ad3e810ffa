"""How medperf-lint presents itself and which CAs it trusts: shared by every HTTP client.

Kept free of heavy imports so the asyncio prober does not pay for requests.
"""

from __future__ import annotations

import os

from ._version import __version__

USER_AGENT = f"medperf-lint/{__version__} (+https://github.com/mlcommons/medperf)"


def ca_bundle() -> str | bool:
    """The CA bundle to verify against, read now (tests set it per test), else certifi's."""
    for var in ("REQUESTS_CA_BUNDLE", "SSL_CERT_FILE", "CURL_CA_BUNDLE"):
        value = os.environ.get(var)
        if value:
            return value
    return True
