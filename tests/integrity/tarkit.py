"""Tarballs built by the tests: good, compressed, corrupt, truncated, hostile, demo datasets."""

from __future__ import annotations

import io
import tarfile
from dataclasses import dataclass


@dataclass(frozen=True)
class Member:
    name: str
    data: bytes | None = b""
    kind: bytes = tarfile.REGTYPE
    link: str = ""


def build(members: list[Member], mode: str = "w:gz") -> bytes:
    """A tarball holding ``members`` (mode ``w``, ``w:gz``, ``w:bz2`` or ``w:xz``)."""
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode=mode) as archive:  # type: ignore[call-overload]
        for m in members:
            info = tarfile.TarInfo(m.name)
            info.type = m.kind
            info.linkname = m.link
            if m.kind == tarfile.REGTYPE and m.data is not None:
                info.size = len(m.data)
                archive.addfile(info, io.BytesIO(m.data))
            else:
                archive.addfile(info)
    return buf.getvalue()


def demo(
    paths_yaml: str | None, files: tuple[str, ...] = ("data/img.nii.gz", "labels/l.csv")
) -> bytes:
    members = [Member(f, b"x" * 100) for f in files]
    if paths_yaml is not None:
        members.insert(0, Member("paths.yaml", paths_yaml.encode()))
    return build(members)


GOOD_DEMO = demo("data_path: data\nlabels_path: labels/l.csv\n")
