"""Shared pieces of the GitHub tests: the fake repository, TLS material and settings."""

from __future__ import annotations

import ssl
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from servers.fake_github import FakeGitHub, FakeRepo, RecordingServer, linear, sha

API_HOST = "api.github.com"
OTHER_HOST = "other.example.test"
RAW_HOST = "raw.githubusercontent.com"

# mlcommons/medperf: main is C1-C2-C3, branch "release" forks off at C1 with B1, tag v1 is C2.
# IMPOSTOR sits on top of C3 but only in a fork; UNKNOWN exists nowhere.
C1, C2, C3, B1 = sha("c1"), sha("c2"), sha("c3"), sha("b1")
IMPOSTOR, UNKNOWN = sha("ee"), sha("dd")


def medperf_repo() -> FakeRepo:
    return FakeRepo(
        parents={**linear(C1, C2, C3), B1: C1},
        branches={"main": C3, "release": B1},
        tags={"v1": C2},
        network={IMPOSTOR: C3},
    )


@dataclass(frozen=True)
class Tls:
    server_context: ssl.SSLContext
    ca_file: Path


def api_overrides(github: FakeGitHub, *extra: RecordingServer, **more: Any) -> dict[str, Any]:
    """Settings overrides that send GitHub API calls (and ``extra`` hosts) to the local servers."""
    resolve = [f"{API_HOST}:{github.port}:127.0.0.1"]
    resolve += [f"{OTHER_HOST}:{s.port}:127.0.0.1" for s in extra]
    return {
        "github_api_url": f"https://{API_HOST}:{github.port}",
        "resolve": tuple(resolve),
        **more,
    }
