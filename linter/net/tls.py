"""TLS for the transport: one verifying context per run, its CA bundle read at the first
handshake, and aiohttp imported without the two default contexts it would build for nothing.

Loading a CA bundle costs about 20 ms of CPU. aiohttp loads the system's twice as it is
imported (``aiohttp.connector`` builds a verified and an unverified default context), and the
transport loaded certifi's for every run; a run that probes only ``http://`` URLs, or finds
every answer in its cache, needs none of them. The transport gives its connector the run's own
context for every connection (an https URL, an https proxy), so aiohttp's defaults are never
used; here they are built without a CA store, so that if one ever were used it could verify
nothing and would fail closed.
"""

from __future__ import annotations

import contextlib
import os
import ssl
import threading
from collections.abc import Iterator
from functools import lru_cache
from typing import Any


def tls_context(ca: str | bool) -> ssl.SSLContext:
    """Verification as requests does it: the given bundle, else certifi's, else the system's."""
    if isinstance(ca, str):
        return bundle_context(ca)
    try:
        import certifi

        return ssl.create_default_context(cafile=certifi.where())
    except ImportError:  # pragma: no cover - certifi comes with requests
        return ssl.create_default_context()


def bundle_context(path: str) -> ssl.SSLContext:
    """A context verifying against the CA bundle at ``path`` (a PEM file or a folder).

    Loaded once per version of the file: the check before a run (a bundle OpenSSL cannot
    read is one clear line, not a TLS error per URL) and the run's first handshake share it.
    Raises ``ssl.SSLError`` or ``OSError`` when OpenSSL cannot load it.
    """
    found = os.stat(path)
    return _loaded(path, found.st_mtime_ns, found.st_size)


@lru_cache(maxsize=4)
def _loaded(path: str, _mtime_ns: int, _size: int) -> ssl.SSLContext:
    if os.path.isdir(path):
        return ssl.create_default_context(capath=path)
    return ssl.create_default_context(cafile=path)


class FirstHandshakeContext(ssl.SSLContext):
    """Stands in for ``tls_context(ca)``, which it builds at the first TLS handshake.

    asyncio starts every TLS connection (direct, through a CONNECT tunnel, to an https proxy)
    with ``wrap_bio``; the connection is then the real context's, with its verification,
    hostname check and CAs. All handshakes of a run happen on the transport's one event loop.
    """

    _ca: str | bool = True
    _real: ssl.SSLContext | None = None

    @classmethod
    def of(cls, ca: str | bool) -> FirstHandshakeContext:
        """A stand-in for ``tls_context(ca)``; ``ca`` is read now, the bundle at first use."""
        made = cls(ssl.PROTOCOL_TLS_CLIENT)
        made._ca = ca
        return made

    @property
    def real(self) -> ssl.SSLContext:
        """The context connections use (built, and its CA bundle read, on first use)."""
        if self._real is None:
            self._real = tls_context(self._ca)
        return self._real

    def wrap_bio(
        self,
        incoming: ssl.MemoryBIO,
        outgoing: ssl.MemoryBIO,
        server_side: bool = False,
        server_hostname: str | bytes | None = None,
        session: ssl.SSLSession | None = None,
    ) -> ssl.SSLObject:
        return self.real.wrap_bio(incoming, outgoing, server_side, server_hostname, session)

    def wrap_socket(self, *args: Any, **kwargs: Any) -> ssl.SSLSocket:
        return self.real.wrap_socket(*args, **kwargs)


_LOADERS = ("load_default_certs", "set_default_verify_paths")


@contextlib.contextmanager
def no_default_ca_store() -> Iterator[None]:
    """While the body runs, contexts made on this thread skip loading the default CA store.

    For importing aiohttp only (see the module's docstring). Other threads, such as a Synapse
    check building a requests session meanwhile, still load theirs.
    """
    here = threading.get_ident()
    own = vars(ssl.SSLContext)
    saved = {name: own.get(name) for name in _LOADERS}  # None: inherited from _ssl

    def skipping(original: Any) -> Any:
        def loader(self: ssl.SSLContext, *args: Any, **kwargs: Any) -> None:
            if threading.get_ident() != here:
                original(self, *args, **kwargs)

        return loader

    for name in _LOADERS:
        setattr(ssl.SSLContext, name, skipping(getattr(ssl.SSLContext, name)))
    try:
        yield
    finally:
        for name, original in saved.items():
            if original is None:
                delattr(ssl.SSLContext, name)
            else:
                setattr(ssl.SSLContext, name, original)
