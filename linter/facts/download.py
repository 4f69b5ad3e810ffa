"""What downloading one reference in full found: the value the integrity rules read."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class UnsafeMember:
    """A member that ``extractall`` would write outside its folder (or refuse to write)."""

    name: str
    reason: str


@dataclass(frozen=True)
class DemoDatasetCheck:
    """The demo tarball's ``paths.yaml`` as MedPerf's compatibility test reads it."""

    problem: str | None  # None when paths.yaml exists and every path it names is in the archive
    paths: tuple[tuple[str, str], ...] = ()  # (key, path) pairs read from paths.yaml


@dataclass(frozen=True)
class ArchiveFacts:
    """What one pass over a tarball found. ``error`` set means MedPerf cannot extract it."""

    compression: str | None = None  # "gzip", "bzip2", "xz", or None for a plain tar
    members: int = 0
    error: str | None = None
    unsafe: tuple[UnsafeMember, ...] = ()
    unsafe_count: int = 0
    demo: DemoDatasetCheck | None = None  # only when the demo check was asked for


@dataclass(frozen=True)
class DownloadFacts:
    """The outcome of one full download, as MedPerf's ``requests.get(stream=True)`` saves it.

    With neither ``error`` nor ``inconclusive`` set, ``sha256`` is the hex SHA-256 of the saved
    (Content-Encoding decoded) bytes; ``encoded_sha256`` is that of the bytes on the wire when
    the server applied an encoding, so a hash of the uploaded ``.tar.gz`` can be recognised.
    """

    key: str  # the URL, or synapse:synN
    sha256: str | None = None
    size: int = 0
    content_encoding: str | None = None
    encoded_sha256: str | None = None
    archive: ArchiveFacts | None = None
    error: str | None = None  # the download fails for MedPerf too (status, connection)
    inconclusive: str | None = None  # could not tell (timeout, size cap, deadline)
    from_cache: bool = False


@dataclass(frozen=True)
class VerifiedDownload:
    """What the cache keeps of a download that matched its hash and passed its archive checks."""

    size: int
    members: int  # archive members, 0 for a file that is not an archive
