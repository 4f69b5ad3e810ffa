"""A test certificate authority: a server context for some host names, and the CA bundle a
client is told to trust (through ``REQUESTS_CA_BUNDLE``)."""

from __future__ import annotations

import ssl
from pathlib import Path

import trustme


def tls_for(folder: Path, *names: str) -> tuple[Path, ssl.SSLContext]:
    """(CA bundle written in ``folder``, server context with a certificate for ``names``)."""
    ca = trustme.CA()
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ca.issue_cert(*names).configure_cert(context)
    bundle = folder / "ca.pem"
    ca.cert_pem.write_to_path(str(bundle))
    return bundle, context
