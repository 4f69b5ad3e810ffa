"""What MedPerf's extraction would meet in a tarball, read once from the download stream.

MedPerf saves an additional-files, demo-dataset or asset tarball and then calls
``tarfile.open(path).extractall(dest)``; for a demo dataset it then reads ``paths.yaml`` at the
archive root and joins its ``data_path``, ``labels_path`` (and optional ``metadata_path``) to
the extraction folder. This module reads the same bytes as they arrive, with the standard
library's ``tarfile`` in stream mode (``r|*``: plain, gzip, bzip2 or xz), so nothing is written
to disk and memory stays flat however large the archive is. It parses no archive format by
hand; what it adds is the policy: which members are unsafe to extract and whether the demo
dataset's paths exist.
"""

from __future__ import annotations

import posixpath
import tarfile
import threading
import zlib
from typing import IO, cast

from medperf_lint.facts.download import ArchiveFacts, DemoDatasetCheck, UnsafeMember

PATHS_FILE = "paths.yaml"
DEMO_KEYS_REQUIRED = ("data_path", "labels_path")
DEMO_KEYS_OPTIONAL = ("metadata_path",)
MAX_PATHS_FILE = 1024 * 1024  # a paths.yaml larger than this is not what MedPerf expects
MAX_NAMES = 1_000_000  # member names (and their folders) kept for the demo-dataset check
MAX_UNSAFE = 20  # unsafe members listed; the count goes on

_COMPRESSION = {"gz": "gzip", "bz2": "bzip2", "xz": "xz", "tar": None}


def unsafe_reason(member: tarfile.TarInfo) -> str | None:
    """Why extracting ``member`` is unsafe, or None. Mirrors what tarfile's ``data`` filter
    refuses (absolute paths, ``..``, links leading outside, device files): on a Python without
    that filter the write escapes the folder, on one with it the extraction fails."""
    name = member.name
    if name.startswith("/") or (len(name) > 1 and name[1] == ":"):
        return "absolute path"
    if ".." in name.split("/"):
        return "'..' component in its path"
    if member.ischr() or member.isblk() or member.isfifo():
        return "device or FIFO file"
    if member.issym():
        target = member.linkname
        if target.startswith("/"):
            return f"symbolic link to the absolute path {target}"
        joined = posixpath.normpath(posixpath.join(posixpath.dirname(name), target))
        if joined == ".." or joined.startswith("../"):
            return f"symbolic link pointing outside the archive ({target})"
    if member.islnk():
        target = member.linkname
        normal = posixpath.normpath(target)
        if target.startswith("/") or normal == ".." or normal.startswith("../"):
            return f"hard link pointing outside the archive ({target})"
    return None


def _normal(name: str) -> str:
    """A member name as a path relative to the extraction folder: no ``./``, no trailing ``/``."""
    normal = posixpath.normpath(name.lstrip("/"))
    return "" if normal == "." else normal


class _Names:
    """Member names and every folder above them, up to :data:`MAX_NAMES` (for ``paths.yaml``)."""

    def __init__(self) -> None:
        self.names: set[str] = set()
        self.full = False

    def add(self, name: str) -> None:
        if self.full:
            return
        while name and name not in self.names:
            if len(self.names) >= MAX_NAMES:
                self.full = True
                return
            self.names.add(name)
            name = posixpath.dirname(name)


def inspect_tar(stream: IO[bytes], *, demo: bool = False) -> ArchiveFacts:
    """Read the whole archive from ``stream`` and report what MedPerf's extraction would meet."""
    compression: str | None = None
    members = 0
    unsafe: list[UnsafeMember] = []
    unsafe_count = 0
    names = _Names()
    paths_text: bytes | None = None
    try:
        with tarfile.open(fileobj=stream, mode="r|*") as archive:
            # In stream mode tarfile wraps the input in a _Stream that knows the compression.
            comptype = getattr(archive.fileobj, "comptype", None)
            if isinstance(comptype, str):
                compression = _COMPRESSION.get(comptype)
            for member in archive:
                members += 1
                reason = unsafe_reason(member)
                if reason is not None:
                    unsafe_count += 1
                    if len(unsafe) < MAX_UNSAFE:
                        unsafe.append(UnsafeMember(member.name, reason))
                if not demo:
                    continue
                normal = _normal(member.name)
                names.add(normal)
                if normal == PATHS_FILE and member.isfile() and paths_text is None:
                    paths_text = _read_member(archive, member)
    except (tarfile.TarError, EOFError, zlib.error, OSError, ValueError) as err:
        return ArchiveFacts(
            compression, members, _describe(err, members), tuple(unsafe), unsafe_count
        )
    if members == 0:
        return ArchiveFacts(compression, 0, "the archive holds no files")
    demo_check = _demo_check(paths_text, names) if demo else None
    return ArchiveFacts(compression, members, None, tuple(unsafe), unsafe_count, demo_check)


def _read_member(archive: tarfile.TarFile, member: tarfile.TarInfo) -> bytes:
    if member.size > MAX_PATHS_FILE:
        return b"\x00too large"
    extracted = archive.extractfile(member)
    return extracted.read() if extracted is not None else b""


def _describe(err: BaseException, members: int) -> str:
    text = str(err) or type(err).__name__
    where = f" after {members} member{'s' if members != 1 else ''}" if members else ""
    if isinstance(err, zlib.error) or any(w in text for w in ("compressed data", "CRC", "crc")):
        return f"the compressed data is corrupt{where} ({text})"
    if members == 0 and isinstance(err, tarfile.ReadError):
        return f"not a tar archive (plain or gzip, bzip2, xz compressed): {text}"
    truncated = ("unexpected end", "ended before", "truncated")
    if isinstance(err, EOFError) or any(word in text for word in truncated):
        return f"the archive is truncated{where} ({text})"
    return f"the archive is corrupt{where}: {text}"


def _demo_check(paths_text: bytes | None, names: _Names) -> DemoDatasetCheck:
    if paths_text is None:
        return DemoDatasetCheck(
            f"no {PATHS_FILE} at the archive root: MedPerf's compatibility test reads data_path "
            f"and labels_path from it"
        )
    if paths_text == b"\x00too large":
        return DemoDatasetCheck(f"{PATHS_FILE} is larger than {MAX_PATHS_FILE // 1024} KiB")
    import yaml

    try:
        loaded = yaml.safe_load(paths_text.decode("utf-8"))
    except (UnicodeDecodeError, yaml.YAMLError) as err:
        first = str(err).splitlines()[0] if str(err) else type(err).__name__
        return DemoDatasetCheck(f"{PATHS_FILE} is not valid YAML: {first}")
    if not isinstance(loaded, dict):
        return DemoDatasetCheck(f"{PATHS_FILE} must be a mapping with data_path and labels_path")
    found: list[tuple[str, str]] = []
    problems: list[str] = []
    for key in DEMO_KEYS_REQUIRED + DEMO_KEYS_OPTIONAL:
        value = loaded.get(key)
        if value is None:
            if key in DEMO_KEYS_REQUIRED:
                problems.append(f"{key} is missing")
            continue
        if not isinstance(value, str) or not value.strip():
            problems.append(f"{key} is not a path")
            continue
        found.append((key, value))
        normal = _normal(value)
        if value.startswith("/") or normal == ".." or normal.startswith("../"):
            problems.append(f"{key} {value!r} points outside the archive")
        elif normal and normal not in names.names:
            if names.full:
                problems.append(f"{key} {value!r} was not among the first {MAX_NAMES} names")
            else:
                problems.append(f"{key} {value!r} is not in the archive")
    problem = f"{PATHS_FILE}: " + "; ".join(problems) if problems else None
    return DemoDatasetCheck(problem, tuple(found))


class ChunkPipe:
    """A bounded byte pipe from a producer that pushes chunks (a download) to a reader that
    pulls (``tarfile``), so both run over one stream without holding it in memory.

    The reader may stop early (a corrupt archive); the producer's later writes are then dropped
    instead of blocking it.
    """

    def __init__(self, max_buffered: int = 8 * 1024 * 1024):
        self._chunks: list[bytes] = []
        self._buffered = 0
        self._max = max_buffered
        self._closed = False
        self._reader_gone = False
        self._cond = threading.Condition()

    def write(self, chunk: bytes) -> None:
        with self._cond:
            while self._buffered >= self._max and not self._reader_gone:
                self._cond.wait()
            if self._reader_gone:
                return
            self._chunks.append(chunk)
            self._buffered += len(chunk)
            self._cond.notify_all()

    def close(self) -> None:
        with self._cond:
            self._closed = True
            self._cond.notify_all()

    def reader_done(self) -> None:
        with self._cond:
            self._reader_gone = True
            self._chunks.clear()
            self._buffered = 0
            self._cond.notify_all()

    def read(self, size: int = -1) -> bytes:
        with self._cond:
            while not self._chunks and not self._closed:
                self._cond.wait()
            if not self._chunks:
                return b""
            if size is None or size < 0:
                data = b"".join(self._chunks)
                self._chunks.clear()
            else:
                parts: list[bytes] = []
                taken = 0
                while self._chunks and taken < size:
                    head = self._chunks[0]
                    need = size - taken
                    if len(head) <= need:
                        parts.append(head)
                        taken += len(head)
                        self._chunks.pop(0)
                    else:
                        parts.append(head[:need])
                        self._chunks[0] = head[need:]
                        taken += need
                data = b"".join(parts)
            self._buffered -= len(data)
            self._cond.notify_all()
            return data


class ArchiveReader:
    """Runs :func:`inspect_tar` in a thread fed by :meth:`feed`; :meth:`finish` gives the facts."""

    def __init__(self, *, demo: bool = False):
        self._pipe = ChunkPipe()
        self._facts: list[ArchiveFacts] = []
        self._thread = threading.Thread(
            target=self._run, args=(demo,), name="medperf-lint-archive", daemon=True
        )
        self._thread.start()

    def _run(self, demo: bool) -> None:
        try:
            self._facts.append(inspect_tar(cast(IO[bytes], self._pipe), demo=demo))
        except Exception as err:  # a bug must not hang the download
            self._facts.append(ArchiveFacts(error=f"internal error: {type(err).__name__}"))
        finally:
            self._pipe.reader_done()

    def feed(self, chunk: bytes) -> None:
        self._pipe.write(chunk)

    def finish(self, timeout: float | None = None) -> ArchiveFacts | None:
        """Facts once the whole stream was read; None if the reader is still busy at timeout."""
        self._pipe.close()
        self._thread.join(timeout)
        return self._facts[0] if self._facts else None

    def abandon(self) -> None:
        """Stop early (download failed): unblock the reader and drop what it has."""
        self._pipe.close()
