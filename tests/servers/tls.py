"""One trustme CA per test session: a certificate for the host names a fake server plays, the
server's SSL context, and the CA bundle the linter is told to trust (``REQUESTS_CA_BUNDLE``)."""

from __future__ import annotations

import ssl
from pathlib import Path

import trustme


def server_tls(folder: Path, *hosts: str) -> tuple[Path, ssl.SSLContext]:
    """(CA bundle written in ``folder``, server context with a certificate for ``hosts``)."""
    ca = trustme.CA()
    cert = ca.issue_cert(*hosts)
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    cert.configure_cert(context)
    bundle = folder / "ca.pem"
    ca.cert_pem.write_to_path(str(bundle))
    return bundle, context
