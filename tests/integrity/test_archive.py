"""Archive checks over one stream, as MedPerf's ``extractall`` and compatibility test meet it."""

from __future__ import annotations

import io
import tarfile
import threading

import pytest
from medperf_lint.providers.archive import ArchiveReader, inspect_tar
from tarkit import GOOD_DEMO, Member, build, demo


@pytest.mark.parametrize(
    ("mode", "compression"),
    [("w", None), ("w:gz", "gzip"), ("w:bz2", "bzip2"), ("w:xz", "xz")],
)
def test_valid_archives_in_every_compression(mode: str, compression: str | None) -> None:
    data = build([Member("weights/model.pt", b"w" * 5000), Member("README", b"r")], mode)
    facts = inspect_tar(io.BytesIO(data))
    assert facts.error is None
    assert facts.compression == compression
    assert facts.members == 2
    assert facts.unsafe == ()


def test_truncated_gzip_is_reported_as_truncated() -> None:
    data = build([Member(f"f{i}", bytes(range(256)) * 40) for i in range(20)])
    facts = inspect_tar(io.BytesIO(data[: len(data) * 2 // 3]))
    assert facts.error is not None
    assert "truncated" in facts.error


def test_corrupt_gzip_is_reported() -> None:
    data = bytearray(build([Member(f"f{i}", bytes(range(256)) * 40) for i in range(20)]))
    for i in range(200, 260):
        data[i] ^= 0xFF
    facts = inspect_tar(io.BytesIO(bytes(data)))
    assert facts.error is not None
    assert "corrupt" in facts.error or "truncated" in facts.error


@pytest.mark.parametrize(
    "body", [b"<!DOCTYPE html><html><body>Sign in</body></html>" * 20, b"", b"PK\x03\x04zip"]
)
def test_not_a_tar(body: bytes) -> None:
    facts = inspect_tar(io.BytesIO(body))
    assert facts.error is not None
    assert facts.error.startswith("not a tar archive")


@pytest.mark.parametrize(
    ("member", "reason"),
    [
        (Member("/etc/cron.d/x", b"x"), "absolute path"),
        (Member("../outside", b"x"), "'..' component"),
        (Member("a/../../outside", b"x"), "'..' component"),
        (
            Member("link", None, tarfile.SYMTYPE, "../../etc/passwd"),
            "symbolic link pointing outside",
        ),
        (
            Member("link", None, tarfile.SYMTYPE, "/etc/passwd"),
            "symbolic link to the absolute path",
        ),
        (Member("hard", None, tarfile.LNKTYPE, "../x"), "hard link pointing outside"),
        (Member("dev", None, tarfile.CHRTYPE), "device or FIFO"),
        (Member("fifo", None, tarfile.FIFOTYPE), "device or FIFO"),
    ],
)
def test_unsafe_members(member: Member, reason: str) -> None:
    facts = inspect_tar(io.BytesIO(build([Member("ok.txt", b"fine"), member])))
    assert facts.error is None
    assert [u.name for u in facts.unsafe] == [member.name]
    assert reason in facts.unsafe[0].reason


def test_links_inside_the_archive_are_safe() -> None:
    members = [
        Member("data/a.nii", b"x"),
        Member("data/latest", None, tarfile.SYMTYPE, "a.nii"),
        Member("sub/dir/up", None, tarfile.SYMTYPE, "../../data/a.nii"),
        Member("copy", None, tarfile.LNKTYPE, "data/a.nii"),
    ]
    assert inspect_tar(io.BytesIO(build(members))).unsafe == ()


def test_good_demo_dataset() -> None:
    facts = inspect_tar(io.BytesIO(GOOD_DEMO), demo=True)
    assert facts.demo is not None
    assert facts.demo.problem is None
    assert dict(facts.demo.paths) == {"data_path": "data", "labels_path": "labels/l.csv"}


def test_demo_paths_may_come_before_or_after_the_data_and_use_dot_slash() -> None:
    data = build(
        [
            Member("./data/img.nii.gz", b"x"),
            Member(
                "./paths.yaml",
                b"data_path: ./data/\nlabels_path: ./labels\nmetadata_path: meta.json\n",
            ),
            Member("./labels/l.csv", b"x"),
            Member("./meta.json", b"{}"),
        ]
    )
    demo_check = inspect_tar(io.BytesIO(data), demo=True).demo
    assert demo_check is not None and demo_check.problem is None


@pytest.mark.parametrize(
    ("paths_yaml", "expected"),
    [
        (None, "no paths.yaml at the archive root"),
        ("data_path: data\n", "labels_path is missing"),
        (
            "data_path: data\nlabels_path: nowhere/l.csv\n",
            "labels_path 'nowhere/l.csv' is not in the archive",
        ),
        (
            "data_path: ../data\nlabels_path: labels\n",
            "data_path '../data' points outside the archive",
        ),
        (
            "data_path: data\nlabels_path: labels\nmetadata_path: meta.json\n",
            "metadata_path 'meta.json' is not in the archive",
        ),
        ("- data\n", "must be a mapping"),
        ("data_path: [unclosed\n", "not valid YAML"),
        ("data_path: 3\nlabels_path: labels\n", "data_path is not a path"),
    ],
)
def test_demo_dataset_problems(paths_yaml: str | None, expected: str) -> None:
    facts = inspect_tar(io.BytesIO(demo(paths_yaml)), demo=True)
    assert facts.error is None
    assert facts.demo is not None and facts.demo.problem is not None
    assert expected in facts.demo.problem


def test_paths_yaml_in_a_subfolder_is_not_at_the_root() -> None:
    data = build(
        [Member("demo/paths.yaml", b"data_path: data\nlabels_path: l\n"), Member("data/x")]
    )
    demo_check = inspect_tar(io.BytesIO(data), demo=True).demo
    assert demo_check is not None and demo_check.problem is not None
    assert "no paths.yaml at the archive root" in demo_check.problem


def test_reader_fed_in_small_chunks_from_another_thread() -> None:
    reader = ArchiveReader(demo=True)
    for i in range(0, len(GOOD_DEMO), 7):
        reader.feed(GOOD_DEMO[i : i + 7])
    facts = reader.finish(timeout=30)
    assert facts is not None and facts.error is None
    assert facts.demo is not None and facts.demo.problem is None


def test_reader_that_stops_early_never_blocks_the_producer() -> None:
    """A corrupt start ends the reader; 200 MB more fed afterwards must be dropped, not queued."""
    reader = ArchiveReader()
    done = threading.Event()

    def produce() -> None:
        reader.feed(b"<html>" + b"x" * 10_000)
        chunk = b"y" * (1024 * 1024)
        for _ in range(200):
            reader.feed(chunk)
        done.set()

    worker = threading.Thread(target=produce, daemon=True)
    worker.start()
    worker.join(timeout=60)
    assert done.is_set(), "the producer blocked after the reader gave up"
    facts = reader.finish(timeout=30)
    assert facts is not None and facts.error is not None
