"""Download what MedPerf will download, in full, and hash it the way MedPerf does.

MedPerf saves ``requests.get(url, stream=True).iter_content()``: redirects followed, any
Content-Encoding decoded, and only a 200 counts. It then compares the hex SHA-256 of the saved
file with the submitted hash and, for tarballs, extracts them. This provider streams the same
bytes through the run's transport (proxies, address policy, limits), hashes them, and for
tarballs feeds them to :mod:`medperf_lint.providers.archive` on the way, so memory stays flat and nothing is written
unless ``--keep DIR`` asks for it. When the server applied a Content-Encoding and the hash does
not match, a second download without decoding tells whether the submitted hash is that of the
bytes on the wire (the uploaded ``.tar.gz``).
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import os
import tempfile
import threading
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from medperf_lint.facts import BYTES, NetworkResults, Progress
from medperf_lint.facts.download import ArchiveFacts, DemoDatasetCheck, DownloadFacts
from medperf_lint.facts.plan import DownloadUrls, Provider, Run, deadline_reason
from medperf_lint.providers.archive import ArchiveReader
from medperf_lint.refs.references import tarball_role

if TYPE_CHECKING:
    from medperf_lint.input.config import Settings
    from medperf_lint.net.cache import VerifiedCache
    from medperf_lint.net.transport import Timeouts, Transport
    from medperf_lint.refs.references import Reference

CHUNK = 1024 * 1024
CONCURRENCY = 4  # whole files: a few at a time is what a link can carry anyway

ByteProgress = Callable[[str, int, int | None], None]  # (key, bytes so far, total or None)


@dataclass(frozen=True)
class DownloadJob:
    """One unique download: the URL, the hash it should have, and what else to check.

    ``key`` names it in the results: the URL itself, or ``synapse:synN`` for a Synapse File
    whose pre-signed ``url`` is looked up just before the download (and never shown).
    """

    url: str
    expected: str | None  # the submitted SHA-256 (lower-case hex), when there is one
    archive: bool = False  # a tarball MedPerf extracts: check it
    demo: bool = False  # a demo dataset: check paths.yaml too
    key: str = ""

    @property
    def name(self) -> str:
        return self.key or self.url

    def merged(self, other: DownloadJob) -> DownloadJob:
        """One job for two references to the same file."""
        return DownloadJob(
            self.url,
            self.expected or other.expected,
            self.archive or other.archive,
            self.demo or other.demo,
            self.key,
        )


async def verify_all(
    transport: Transport,
    jobs: Iterable[DownloadJob],
    *,
    timeouts: Timeouts,
    max_size: int,
    keep: Path | None = None,
    progress: ByteProgress | None = None,
    retries: int = 0,
) -> dict[str, DownloadFacts]:
    """Download each unique URL once, a few at a time; facts by URL. Every download follows
    redirects and is retried as the transport's policy says (``retries`` after the first)."""
    gate = asyncio.Semaphore(CONCURRENCY)

    async def one(job: DownloadJob) -> tuple[str, DownloadFacts]:
        async with gate:
            downloader = _Download(transport, job, timeouts, max_size, keep, progress, retries)
            return job.name, await downloader.run()

    return dict(await asyncio.gather(*(one(j) for j in unique_jobs(jobs))))


def unique_jobs(jobs: Iterable[DownloadJob]) -> list[DownloadJob]:
    """One job per download name, two references to the same file merged, in first order."""
    merged: dict[str, DownloadJob] = {}
    for job in jobs:
        seen = merged.get(job.name)
        merged[job.name] = job if seen is None else seen.merged(job)
    return list(merged.values())


class _Download:
    def __init__(
        self,
        transport: Transport,
        job: DownloadJob,
        timeouts: Timeouts,
        max_size: int,
        keep: Path | None,
        progress: ByteProgress | None,
        retries: int = 0,
    ):
        self.transport, self.job, self.timeouts = transport, job, timeouts
        self.max_size, self.keep, self.progress = max_size, keep, progress
        self.retries = retries

    async def run(self) -> DownloadFacts:
        from medperf_lint.net.transport import TransportError

        try:
            return await self._run()
        except TransportError as err:
            return DownloadFacts(self.job.name, inconclusive=f"download failed: {err.detail}")

    async def _run(self) -> DownloadFacts:
        job = self.job
        reader = ArchiveReader(demo=job.demo) if job.archive else None
        digest = hashlib.sha256()
        size = 0
        encoding: str | None = None
        sink = _Sink(self.keep) if self.keep is not None else None
        try:
            async with self.transport.stream(
                job.url, timeouts=self.timeouts, retries=self.retries
            ) as answer:
                if answer.status != 200:
                    return DownloadFacts(
                        job.name, error=f"HTTP {answer.status}: MedPerf accepts only 200"
                    )
                encoding = answer.content_encoding
                total = answer.length
                if total is not None and total > self.max_size:
                    return DownloadFacts(job.name, inconclusive=_too_large(total, self.max_size))
                async for chunk in answer.chunks(CHUNK):
                    size += len(chunk)
                    if size > self.max_size:
                        return DownloadFacts(job.name, inconclusive=_too_large(size, self.max_size))
                    digest.update(chunk)
                    if reader is not None:
                        await asyncio.to_thread(reader.feed, chunk)
                    if sink is not None:
                        sink.write(chunk)
                    if self.progress is not None:
                        self.progress(job.name, size, total)
            sha = digest.hexdigest()
            if sink is not None:
                sink.commit(sha)
                sink = None
        finally:
            if sink is not None:
                sink.discard()
            if reader is not None:
                reader.abandon()
        archive = await asyncio.to_thread(reader.finish, 60.0) if reader is not None else None
        encoded = None
        if encoding is not None and job.expected is not None and job.expected != sha:
            encoded = await self._encoded_hash()
        return DownloadFacts(
            job.name,
            sha256=sha,
            size=size,
            content_encoding=encoding,
            encoded_sha256=encoded,
            archive=archive,
        )

    async def _encoded_hash(self) -> str | None:
        """SHA-256 of the bytes on the wire (the encoding left in place), or None on failure."""
        from medperf_lint.net.transport import TransportError

        digest = hashlib.sha256()
        size = 0
        try:
            async with self.transport.stream(
                self.job.url, timeouts=self.timeouts, decode=False, retries=self.retries
            ) as answer:
                if answer.status != 200:
                    return None
                async for chunk in answer.chunks(CHUNK):
                    size += len(chunk)
                    if size > self.max_size:
                        return None
                    digest.update(chunk)
        except TransportError:
            return None
        return digest.hexdigest()


def _too_large(size: int, cap: int) -> str:
    return (
        f"larger than the download cap ({_human(size)} > {_human(cap)}); not hashed "
        "(raise max-download-size to check it)"
    )


def _human(size: int) -> str:
    value = float(size)
    for unit in ("B", "KiB", "MiB", "GiB"):
        if value < 1024 or unit == "GiB":
            return f"{value:.0f} {unit}" if unit == "B" else f"{value:.1f} {unit}"
        value /= 1024
    return f"{size} B"  # pragma: no cover


_PARTIAL: set[Path] = set()  # unfinished --keep files, removed whatever ends the run
_PARTIAL_LOCK = threading.Lock()


class _Sink:
    """``--keep DIR``: the download goes to a hidden temporary file in DIR, renamed to its
    SHA-256 once complete; anything unfinished (an error, Ctrl-C) is removed."""

    def __init__(self, folder: Path):
        folder.mkdir(parents=True, exist_ok=True)
        fd, name = tempfile.mkstemp(prefix=".partial-", dir=folder)
        self.folder = folder
        self.path = Path(name)
        self.file = os.fdopen(fd, "wb")
        with _PARTIAL_LOCK:
            _PARTIAL.add(self.path)

    def write(self, chunk: bytes) -> None:
        self.file.write(chunk)

    def commit(self, sha: str) -> None:
        self.file.close()
        os.replace(self.path, self.folder / sha)
        with _PARTIAL_LOCK:
            _PARTIAL.discard(self.path)

    def discard(self) -> None:
        with contextlib.suppress(OSError):
            self.file.close()
        _remove(self.path)


def _remove(path: Path) -> None:
    with contextlib.suppress(OSError):
        path.unlink()
    with _PARTIAL_LOCK:
        _PARTIAL.discard(path)


def remove_partial_files() -> None:
    """Delete every unfinished ``--keep`` file (the downloads may still be running on the
    transport's thread when Ctrl-C reaches the main thread)."""
    with _PARTIAL_LOCK:
        leftovers = list(_PARTIAL)
    for path in leftovers:
        _remove(path)


def plan_downloads(refs: Iterable[Reference]) -> tuple[DownloadJob, ...]:
    """One job per unique file MedPerf downloads and hashes: http(s) URLs (not pages for
    people) and Synapse Files (their URL is looked up at download time)."""
    jobs: list[DownloadJob] = []
    for ref in refs:
        if ref.hash is None:
            continue
        url, syn_id = ref.download_url, ref.synapse_id
        if url is not None and url.startswith(("http://", "https://")):
            key = ""
        elif syn_id is not None:
            url, key = "", f"synapse:{syn_id}"
        else:
            continue
        role = tarball_role(ref.field)
        expected = (ref.hash.value or "").strip().lower() or None
        jobs.append(DownloadJob(url, expected, role.tarball, role.demo, key))
    return tuple(sorted(unique_jobs(jobs), key=lambda j: j.name))


def _with_synapse_urls(
    jobs: Sequence[DownloadJob], settings: Settings, download_urls: DownloadUrls | None
) -> tuple[list[DownloadJob], dict[str, DownloadFacts]]:
    """Synapse jobs get their pre-signed URL now (from the Synapse provider, through the
    gatherer); those without one are reported, not run."""
    wanted = [j.key[len("synapse:") :] for j in jobs if j.key.startswith("synapse:")]
    if not wanted:
        return list(jobs), {}
    urls = download_urls(wanted, settings) if download_urls is not None else {}
    ready: list[DownloadJob] = []
    unavailable: dict[str, DownloadFacts] = {}
    for job in jobs:
        if not job.key.startswith("synapse:"):
            ready.append(job)
            continue
        url, why = urls.get(job.key[len("synapse:") :], (None, "no answer"))
        if url is None:
            reason = f"Synapse gave no download URL: {why}"
            unavailable[job.key] = DownloadFacts(job.key, inconclusive=reason)
        else:
            ready.append(DownloadJob(url, job.expected, job.archive, job.demo, job.key))
    return ready, unavailable


def _aggregate(progress: Progress) -> ByteProgress:
    """One bar for all downloads: bytes so far of all, the total once every size is known."""
    received: dict[str, int] = {}
    sizes: dict[str, int | None] = {}

    def on_bytes(key: str, done: int, total: int | None) -> None:
        received[key], sizes[key] = done, total
        known = [s for s in sizes.values() if s is not None]
        whole = sum(known) if len(known) == len(sizes) else 0
        progress(BYTES, sum(received.values()), whole)

    return on_bytes


def download_all(
    jobs: Sequence[DownloadJob],
    settings: Settings,
    until: float | None,
    progress: Progress | None = None,
    download_urls: DownloadUrls | None = None,
) -> dict[str, DownloadFacts]:
    """The provider's entry point: every job on the run's transport, cut off at ``until``;
    ``download_urls`` gives Synapse Files their pre-signed URL."""
    from medperf_lint.net.cache import VerifiedCache
    from medperf_lint.net.transport import Timeouts, call_until

    timeouts = Timeouts(settings.connect_timeout, settings.read_timeout)
    keep = Path(settings.keep_dir) if settings.keep_dir else None
    results: dict[str, DownloadFacts] = {}
    on_bytes = _aggregate(progress) if progress is not None else None
    cache = VerifiedCache.from_settings(settings)
    cached = _from_cache(cache, jobs)
    results.update(cached)
    jobs = [j for j in jobs if j.name not in cached]
    jobs, unavailable = _with_synapse_urls(jobs, settings, download_urls)
    results.update(unavailable)
    try:
        found = call_until(
            settings,
            lambda transport: verify_all(
                transport,
                jobs,
                timeouts=timeouts,
                max_size=settings.max_download_size,
                keep=keep,
                progress=on_bytes,
                retries=settings.retries,
            ),
            until,
        )
        results.update(found or {})
    finally:
        remove_partial_files()
    for job in jobs:
        results.setdefault(job.name, DownloadFacts(job.name, inconclusive="deadline reached"))
    if cache is not None:
        _to_cache(cache, jobs, results)
    return results


def _checks(job: DownloadJob) -> str:
    return "demo" if job.demo else "archive" if job.archive else "hash"


def _from_cache(
    cache: VerifiedCache | None, jobs: Sequence[DownloadJob]
) -> dict[str, DownloadFacts]:
    """Facts for jobs verified before (same URL, hash and checks), as a clean result."""
    found: dict[str, DownloadFacts] = {}
    if cache is None:
        return found
    for job in jobs:
        if job.key or job.expected is None:
            continue
        record = cache.get(cache.key(job.url, job.expected, _checks(job)))
        if record is None:
            continue
        size = record.get("size")
        members = record.get("members")
        archive = None
        if job.archive:
            demo = DemoDatasetCheck(None) if job.demo else None
            count = members if isinstance(members, int) else 0
            archive = ArchiveFacts(members=count, demo=demo)
        found[job.name] = DownloadFacts(
            job.name,
            sha256=job.expected,
            size=size if isinstance(size, int) else 0,
            archive=archive,
            from_cache=True,
        )
    return found


def _to_cache(
    cache: VerifiedCache, jobs: Sequence[DownloadJob], results: Mapping[str, DownloadFacts]
) -> None:
    """Remember the jobs whose download matched its hash and passed every archive check."""
    for job in jobs:
        facts = results.get(job.name)
        if job.key or job.expected is None or facts is None or facts.sha256 != job.expected:
            continue
        archive = facts.archive
        if archive is not None and (
            archive.error or archive.unsafe or (archive.demo and archive.demo.problem)
        ):
            continue
        members = archive.members if archive is not None else 0
        cache.put(
            cache.key(job.url, job.expected, _checks(job)), {"size": facts.size, "members": members}
        )


# ---------------------------------------------------------------------------------------------
# The provider (--verify-hashes): every unique file MedPerf downloads and hashes


def _downloads(refs: Sequence[Reference], settings: Settings) -> tuple[DownloadJob, ...]:
    return plan_downloads(refs) if settings.verify_hashes else ()


def _check(jobs: tuple[DownloadJob, ...], run: Run) -> NetworkResults:
    urls = run.partial.services.synapse_download_urls
    return NetworkResults(downloads=download_all(jobs, run.settings, run.until, run.progress, urls))


def _unfinished(jobs: tuple[DownloadJob, ...], settings: Settings) -> NetworkResults:
    reason = deadline_reason(settings)
    return NetworkResults(
        downloads={j.name: DownloadFacts(j.name, inconclusive=reason) for j in jobs}
    )


PROVIDER: Provider[DownloadJob] = Provider(_downloads, _check, _unfinished)
