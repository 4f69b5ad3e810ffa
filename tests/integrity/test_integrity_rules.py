"""The integrity and registry rules end to end: a manifest, local servers, the real engine."""

from __future__ import annotations

import gzip
import hashlib
import os
import ssl
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import trustme
from lintkit import hits, lint_yaml, messages
from medperf_lint.report import Report
from servers.fake_registry import FakeRegistry
from servers.hosts import HostsServer, Reply
from tarkit import GOOD_DEMO, Member, build, demo

HOST = "storage.googleapis.com"
INTEGRITY = ("hash-mismatch", "hash-computed", "archive-invalid", "archive-unsafe",
             "demo-dataset-invalid")  # fmt: skip
IMAGES = ("docker-image-not-found", "docker-digest-mismatch", "docker-image-unpinned")


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


@pytest.fixture
def server() -> Iterator[HostsServer]:
    with HostsServer() as running:
        yield running


def _lint(tmp_path: Path, server: HostsServer, text: str, **overrides: Any) -> Report:
    overrides.setdefault("verify_hashes", True)
    return lint_yaml(
        tmp_path,
        text,
        select=INTEGRITY,
        online=True,
        resolve=server.resolve(HOST),
        allow_private_hosts=True,
        no_cache=True,
        **overrides,
    )


def test_matching_hash_and_good_archives_are_clean(tmp_path: Path, server: HostsServer) -> None:
    files = build([Member("weights/w.pt", os.urandom(4000))])
    files_url = server.route(HOST, "/b/files.tar.gz", Reply(body=files, ranged=False))
    demo_url = server.route(HOST, "/b/demo.tar.gz", Reply(body=GOOD_DEMO, ranged=False))
    report = _lint(
        tmp_path,
        server,
        f"""
        additional_files_tarball_url: {files_url}
        additional_files_tarball_hash: {_sha(files)}
        demo_dataset_tarball_url: {demo_url}
        demo_dataset_tarball_hash: {_sha(GOOD_DEMO)}
        """,
    )
    assert report.findings == ()
    assert report.network is not None and set(report.network.downloads) == {files_url, demo_url}


def test_without_verify_hashes_nothing_is_downloaded(tmp_path: Path, server: HostsServer) -> None:
    url = server.route(HOST, "/b/files.tar.gz", Reply(body=b"x", ranged=False))
    report = _lint(
        tmp_path,
        server,
        f"additional_files_tarball_url: {url}\nadditional_files_tarball_hash: {'0' * 64}\n",
        verify_hashes=False,
    )
    assert report.findings == ()
    assert server.hits(HOST, "/b/files.tar.gz") == 0


def test_mismatch_points_at_the_hash_field(tmp_path: Path, server: HostsServer) -> None:
    body = build([Member("a", b"1")])
    url = server.route(HOST, "/b/files.tar.gz", Reply(body=body, ranged=False))
    report = _lint(
        tmp_path,
        server,
        f"additional_files_tarball_url: {url}\nadditional_files_tarball_hash: {'a' * 64}\n",
    )
    assert hits(report) == [("hash-mismatch", 2, 32)]
    assert _sha(body) in messages(report)[0]


def test_gcs_decompressive_transcoding_is_named(tmp_path: Path, server: HostsServer) -> None:
    tar = build([Member("a", os.urandom(3000))], "w")
    stored = gzip.compress(tar)
    url = server.route(
        HOST,
        "/b/files.tar.gz",
        Reply(body=stored, headers=(("Content-Encoding", "gzip"),), ranged=False),
    )
    report = _lint(
        tmp_path,
        server,
        f"additional_files_tarball_url: {url}\nadditional_files_tarball_hash: {_sha(stored)}\n",
    )
    assert [h[0] for h in hits(report)] == ["hash-mismatch"]
    text = messages(report)[0]
    assert "Content-Encoding: gzip" in text and "gsutil setmeta" in text


def test_missing_hash_gets_the_computed_one(tmp_path: Path, server: HostsServer) -> None:
    body = build([Member("a", b"1")])
    url = server.route(HOST, "/b/files.tar.gz", Reply(body=body, ranged=False))
    report = _lint(tmp_path, server, f"additional_files_tarball_url: {url}\n")
    assert [h[0] for h in hits(report)] == ["hash-computed"]
    assert f"additional_files_tarball_hash: {_sha(body)}" in messages(report)[0]


@pytest.mark.parametrize(
    ("body", "rule", "words"),
    [
        (b"<!DOCTYPE html><html>sign in</html>" * 30, "archive-invalid", "not a tar archive"),
        (build([Member("x", os.urandom(40000))])[:-3000], "archive-invalid", "truncated"),
        (build([Member("../../.bashrc", b"evil")]), "archive-unsafe", "'..' component"),
    ],
)
def test_archive_problems(
    tmp_path: Path, server: HostsServer, body: bytes, rule: str, words: str
) -> None:
    url = server.route(HOST, "/b/files.tar.gz", Reply(body=body, ranged=False))
    report = _lint(
        tmp_path,
        server,
        f"additional_files_tarball_url: {url}\nadditional_files_tarball_hash: {_sha(body)}\n",
    )
    assert [h[0] for h in hits(report)] == [rule]
    assert words in messages(report)[0]


def test_demo_dataset_without_paths_yaml(tmp_path: Path, server: HostsServer) -> None:
    body = demo(None)
    url = server.route(HOST, "/b/demo.tar.gz", Reply(body=body, ranged=False))
    report = _lint(
        tmp_path,
        server,
        f"demo_dataset_tarball_url: {url}\ndemo_dataset_tarball_hash: {_sha(body)}\n",
    )
    assert [h[0] for h in hits(report)] == ["demo-dataset-invalid"]
    assert "no paths.yaml at the archive root" in messages(report)[0]


def test_deadline_makes_downloads_inconclusive(tmp_path: Path, server: HostsServer) -> None:
    url = server.route(HOST, "/b/slow.tar.gz", Reply(hang=True))
    report = lint_yaml(
        tmp_path,
        f"additional_files_tarball_url: {url}\nadditional_files_tarball_hash: {'a' * 64}\n",
        select=(*INTEGRITY, "inconclusive"),
        online=True,
        resolve=server.resolve(HOST),
        allow_private_hosts=True,
        no_cache=True,
        verify_hashes=True,
        deadline=1.0,
    )
    assert report.network is not None
    facts = report.network.downloads[url]
    assert facts.sha256 is None and facts.inconclusive is not None
    assert "hash-mismatch" not in [h[0] for h in hits(report)]


# ---- registry ----

REGISTRY_HOSTS = ("registry-1.docker.io", "ghcr.io", "europe-docker.pkg.dev", "docker.synapse.org")


@pytest.fixture
def registry(
    tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> Iterator[FakeRegistry]:
    ca = trustme.CA()
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ca.issue_cert(*REGISTRY_HOSTS, "127.0.0.1").configure_cert(context)
    bundle = tmp_path_factory.mktemp("ca") / "ca.pem"
    ca.cert_pem.write_to_path(str(bundle))
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", str(bundle))
    with FakeRegistry(context) as running:
        yield running


def _lint_images(  # type: ignore[no-untyped-def]
    tmp_path: Path,
    registry: FakeRegistry,
    text: str,
    select: tuple[str, ...] = IMAGES,
    online: bool = True,
    cache_dir: Path | None = None,
):
    resolve = tuple(f"{h}:443:127.0.0.1" for h in REGISTRY_HOSTS)
    resolve += tuple(f"{h}:{registry.port}:127.0.0.1" for h in REGISTRY_HOSTS)
    cache: dict[str, Any] = (
        {"no_cache": True} if cache_dir is None else {"cache_dir": str(cache_dir)}
    )
    return lint_yaml(
        tmp_path,
        text,
        "container_config.yaml",
        select=select,
        online=online,
        resolve=resolve,
        allow_private_hosts=True,
        **cache,
    )


def test_image_not_found_and_pinning_fix(tmp_path: Path, registry: FakeRegistry) -> None:
    digest = registry.push("acme/model", "1.0")
    host = f"ghcr.io:{registry.port}"
    found = _lint_images(
        tmp_path, registry, f"container_type: DockerImage\nimage: {host}/acme/model:1.0\n"
    )
    assert [(f.rule, f.severity.value) for f in found.findings] == [
        ("docker-image-unpinned", "info")
    ]
    fix = found.findings[0].fix
    assert fix is not None and fix.replacement == f"{host}/acme/model:1.0@{digest}"
    missing = _lint_images(
        tmp_path, registry, f"container_type: DockerImage\nimage: {host}/acme/model:2.0\n"
    )
    assert [f.rule for f in missing.findings] == ["docker-image-unpinned", "docker-image-not-found"]
    assert "has no tag 2.0" in missing.findings[1].message


def test_a_digest_pinned_image_is_asked_once_then_cached(
    tmp_path: Path, registry: FakeRegistry
) -> None:
    """A digest names its content, so the registry's answer is cached like a commit-pinned
    URL's: the warm run sends no request (counted at the registry) and says the same."""
    digest = registry.push("acme/model", "1.0")
    image = f"ghcr.io:{registry.port}/acme/model:1.0@{digest}"
    text = f"container_type: DockerImage\nimage: {image}\n"
    cache = tmp_path / "cache"
    cold = _lint_images(tmp_path, registry, text, cache_dir=cache)
    asked = sum(registry.counts.values())
    assert registry.counts == {f"/v2/acme/model/manifests/{digest}": 2, "/token": 1}
    warm = _lint_images(tmp_path, registry, text, cache_dir=cache)
    assert sum(registry.counts.values()) == asked  # the warm run asked nothing
    assert cold.findings == warm.findings == ()
    assert cold.network is not None and warm.network is not None
    first, again = cold.network.images[image], warm.network.images[image]
    assert (first.digest, first.requests, first.from_cache) == (digest, 3, False)
    assert (again.digest, again.requests, again.from_cache) == (digest, 0, True)


@pytest.mark.parametrize("pinned", [False, True], ids=["tag only", "digest not served"])
def test_a_tag_or_an_unserved_digest_is_asked_every_run(
    tmp_path: Path, registry: FakeRegistry, pinned: bool
) -> None:
    """A tag can move and a digest the registry did not serve may yet be pushed: never cached."""
    registry.push("acme/model", "1.0")
    image = f"ghcr.io:{registry.port}/acme/model:1.0"
    if pinned:
        image += f"@sha256:{'0' * 64}"
    text = f"container_type: DockerImage\nimage: {image}\n"
    cache = tmp_path / "cache"
    cold = _lint_images(tmp_path, registry, text, cache_dir=cache)
    asked = sum(registry.counts.values())
    assert asked >= 3
    warm = _lint_images(tmp_path, registry, text, cache_dir=cache)
    assert sum(registry.counts.values()) == 2 * asked
    assert [f.rule for f in cold.findings] == [f.rule for f in warm.findings]
    assert warm.network is not None and not warm.network.images[image].from_cache


PRIVATE = ("docker-registry-private", "docker-image-not-found")


def test_online_a_public_repository_on_a_private_by_default_registry_passes(
    tmp_path: Path, registry: FakeRegistry
) -> None:
    """The anonymous lookup replaces docker-registry-private's offline guess."""
    registry.push("project/repo/model", "1.0")
    text = f"container_type: DockerImage\nimage: europe-docker.pkg.dev:{registry.port}/project/repo/model:1.0\n"
    offline = _lint_images(tmp_path, registry, text, PRIVATE, online=False)
    assert [f.rule for f in offline.findings] == ["docker-registry-private"]
    assert _lint_images(tmp_path, registry, text, PRIVATE).findings == ()


def test_online_a_refused_pull_is_reported_once(tmp_path: Path, registry: FakeRegistry) -> None:
    text = (
        f"container_type: DockerImage\nimage: docker.synapse.org:{registry.port}/syn1/model:1.0\n"
    )
    report = _lint_images(tmp_path, registry, text, PRIVATE)
    assert [f.rule for f in report.findings] == ["docker-image-not-found"]


def test_ctrl_c_leaves_no_partial_file(tmp_path: Path, server: HostsServer) -> None:
    """SIGINT while --keep is writing a download that never ends: exit 130, nothing left."""
    import signal
    import subprocess
    import sys
    import time

    url = server.route(HOST, "/b/endless.tar.gz", Reply(body=os.urandom(200_000), trickle=True))
    manifest = tmp_path / "m.medperf.yaml"
    manifest.write_text(
        f"additional_files_tarball_url: {url}\nadditional_files_tarball_hash: {'a' * 64}\n"
    )
    keep = tmp_path / "keep"
    args = [sys.executable, "-m", "medperf_lint", str(manifest), "--verify-hashes", "--keep",
            str(keep), "--allow-private-hosts", "--no-cache", "--select", "hash-mismatch",
            *(f"--resolve={r}" for r in server.resolve(HOST))]  # fmt: skip
    proc = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    for _ in range(200):  # wait until the partial file exists (at most 20 s)
        if keep.exists() and any(keep.iterdir()):
            break
        time.sleep(0.1)
    assert keep.exists() and any(p.name.startswith(".partial-") for p in keep.iterdir())
    proc.send_signal(signal.SIGINT)
    _out, err = proc.communicate(timeout=30)
    assert proc.returncode == 130, err
    assert "Traceback" not in err
    assert list(keep.iterdir()) == []


def test_progress_bar_on_a_terminal_shows_bytes_and_rate(
    tmp_path: Path, server: HostsServer
) -> None:
    """On a TTY a bar shows bytes received of all, the rate and the time left."""
    import pty
    import re
    import sys

    body = os.urandom(1 << 20)
    url = server.route(HOST, "/b/w.bin", Reply(body=body, ranged=False))
    manifest = tmp_path / "m.medperf.yaml"
    manifest.write_text(f"asset_url: {url}\nasset_hash: {_sha(body)}\n")
    args = [sys.executable, "-m", "medperf_lint", str(manifest), "--verify-hashes",
            "--allow-private-hosts", "--no-cache", "--select", "hash-mismatch",
            *(f"--resolve={r}" for r in server.resolve(HOST))]  # fmt: skip
    pid, fd = pty.fork()
    if pid == 0:  # the child: the linter with a terminal on stdout and stderr
        os.execv(sys.executable, args)
    out = b""
    while True:
        try:
            data = os.read(fd, 65536)
        except OSError:
            break
        if not data:
            break
        out += data
    _pid, status = os.waitpid(pid, 0)
    assert os.waitstatus_to_exitcode(status) == 0
    text = re.sub(r"\x1b\[[0-9;?]*[A-Za-z]", "", out.decode("utf-8", "replace"))
    assert "downloading" in text
    assert re.search(r"\d(\.\d)?/1\.0 MB", text), text[-800:]


def test_digest_mismatch_with_the_submitted_image_hash(
    tmp_path: Path, registry: FakeRegistry
) -> None:
    registry.push("acme/model", "1.0")
    digest = registry.push("acme/model", "1.0")  # pushed again: the tag moved
    host = f"ghcr.io:{registry.port}"
    old = "sha256:" + "c" * 64
    resolve = tuple(f"{h}:{registry.port}:127.0.0.1" for h in REGISTRY_HOSTS)
    text = f"""
        name: m
        image_hash: {old}
        container_config:
          container_type: DockerImage
          image: {host}/acme/model:1.0
        """
    report = lint_yaml(
        tmp_path,
        text,
        select=("docker-digest-mismatch",),
        online=True,
        resolve=resolve,
        allow_private_hosts=True,
        no_cache=True,
    )
    assert hits(report) == [("docker-digest-mismatch", 2, 13)]
    assert digest in messages(report)[0] and old in messages(report)[0]
    same = lint_yaml(
        tmp_path,
        text.replace(old, digest),
        select=("docker-digest-mismatch",),
        online=True,
        resolve=resolve,
        allow_private_hosts=True,
        no_cache=True,
    )
    assert same.findings == ()


def test_verified_immutable_download_is_cached(tmp_path: Path, server: HostsServer) -> None:
    """A Zenodo record file (immutable) that matched its hash is not downloaded again; a
    mismatch, or a mutable URL, always is."""
    body = build([Member("w", os.urandom(2000))])
    zenodo = server.route("zenodo.org", "/records/1/files/w.tar.gz", Reply(body=body, ranged=False))
    mutable = server.route(HOST, "/b/w.tar.gz", Reply(body=body, ranged=False))
    text = (
        f"additional_files_tarball_url: {zenodo}\nadditional_files_tarball_hash: {_sha(body)}\n"
        f"demo_dataset_tarball_url: {mutable}\ndemo_dataset_tarball_hash: {'d' * 64}\n"
    )

    def run() -> Report:
        return lint_yaml(
            tmp_path,
            text,
            select=INTEGRITY,
            online=True,
            resolve=server.resolve(HOST, "zenodo.org"),
            allow_private_hosts=True,
            cache_dir=str(tmp_path / "cache"),
            verify_hashes=True,
        )

    cold = run()
    warm = run()
    assert [f.rule for f in cold.findings] == [f.rule for f in warm.findings]
    assert server.hits("zenodo.org", "/records/1/files/w.tar.gz") == 1
    assert server.hits(HOST, "/b/w.tar.gz") == 2
    assert warm.network is not None and warm.network.downloads[zenodo].from_cache


@pytest.mark.parametrize(
    ("layout", "expected"),
    [
        (
            "name: m\nadditional_files_tarball_url: {url}\ndocs_url: https://docs.example.org/m\n",
            "name: m\nadditional_files_tarball_url: {url}\nadditional_files_tarball_hash: {sha}\n"
            "docs_url: https://docs.example.org/m\n",
        ),
        (
            "name: m\nadditional_files_tarball_url: {url}\nadditional_files_tarball_hash: ''\n",
            "name: m\nadditional_files_tarball_url: {url}\nadditional_files_tarball_hash: '{sha}'\n",
        ),
        (
            "type: CONTAINER\ncontainer:\n  name: m\n  additional_files_tarball_url: {url}\n",
            "type: CONTAINER\ncontainer:\n  name: m\n  additional_files_tarball_url: {url}\n"
            "  additional_files_tarball_hash: {sha}\n",
        ),
    ],
    ids=["missing", "empty", "nested"],
)
def test_unsafe_fix_adds_the_computed_hash(
    tmp_path: Path, server: HostsServer, layout: str, expected: str
) -> None:
    """hash-computed's fix (unsafe) writes the hash field; a second run has nothing to add."""
    import subprocess
    import sys

    body = build([Member("a", b"1")], "w")
    url = server.route(HOST, "/b/files.tar", Reply(body=body, ranged=False))
    manifest = tmp_path / "m.medperf.yaml"
    manifest.write_text(layout.format(url=url))
    args = [sys.executable, "-m", "medperf_lint", str(manifest), "--verify-hashes",
            "--allow-private-hosts", "--no-cache", "--select", "hash-computed",
            *(f"--resolve={r}" for r in server.resolve(HOST))]  # fmt: skip
    safe_only = subprocess.run([*args, "--fix"], capture_output=True, text=True, timeout=60)
    assert manifest.read_text() == layout.format(url=url), safe_only.stderr  # unsafe: not applied
    fixed = subprocess.run(
        [*args, "--fix", "--unsafe-fixes"], capture_output=True, text=True, timeout=60
    )
    assert "fixed 1 value(s) in 1 file(s)" in fixed.stderr, fixed.stderr
    assert manifest.read_text() == expected.format(url=url, sha=_sha(body))
    again = subprocess.run(args, capture_output=True, text=True, timeout=60)
    assert "hash-computed" not in again.stdout
