"""``--deadline`` and body caps against a GitHub API and a download host that hang, trickle or
flood: the real command in a child process, wall time and peak memory asserted loosely (the
deadline plus the child's start-up measured on this machine, tests/deadlinekit.py; not a
benchmark)."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterable
from pathlib import Path

import pytest
from deadlinekit import budget
from servers.raw import RawServer, endless, silence

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "synapse"))
from test_synapse_limits import (  # type: ignore[import-not-found]  # on sys.path just above
    MAX_RSS_MB,
    run_measured,
)

DEADLINE = 3.0
API = "api.github.test"
RAW = "raw.githubusercontent.com"
HEAD = b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n"


def behaviour(kind: str, server: list[RawServer]) -> object:
    def answer(method: str, _path: str) -> bytes | Iterable[bytes]:
        stop = server[0].stopping
        if method == "HEAD" and kind != "hangs":  # an honest HEAD: headers only
            return b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 9\r\n\r\n"
        if kind == "hangs":
            return silence(stop)
        if kind == "trickles":
            return endless(HEAD, b"[" * 64, 0.05, stop)
        return endless(HEAD, b"[" * 65536, 0.0, stop)  # floods

    return answer


def command(port: int, *extra: str) -> list[str]:
    return [
        sys.executable,
        "-m",
        "medperf_lint",
        "--ref",
        f"https://{RAW}/o/r/main/w.tar.gz".replace("https://", "http://") + "",
        "--github-api-url",
        f"http://{API}:{port}",
        "--resolve",
        f"{API}:{port}:127.0.0.1",
        "--resolve",
        f"{RAW}:{port}:127.0.0.1",
        "--allow-private-hosts",
        "--select",
        "inconclusive,unreachable",
        "--format",
        "json",
        "--no-cache",
        *extra,
    ]


def messages(output: str) -> list[str]:
    payload = json.loads(output[output.index("{") : output.rindex("}") + 1])
    return [f["message"] for f in payload["findings"] if f["rule"] == "inconclusive"]


@pytest.mark.parametrize("kind", ["hangs", "trickles"])
def test_deadline_ends_the_run_with_everything_inconclusive(tmp_path: Path, kind: str) -> None:
    holder: list[RawServer] = []
    with RawServer(behaviour(kind, holder)) as server:  # type: ignore[arg-type]
        holder.append(server)
        url_port = server.port
        args = command(url_port, "--deadline", f"{DEADLINE:g}")
        args[4] = f"http://{RAW}:{url_port}/o/r/main/w.tar.gz"
        measured = run_measured(args, tmp_path)
    assert measured.returncode == 0, measured.output  # inconclusive is a warning
    found = messages(measured.output)
    assert any("GitHub ref 'main'" in m and "deadline" in m for m in found), measured.output
    assert any("could not check the URL" in m and "deadline" in m for m in found), measured.output
    assert measured.seconds < budget(DEADLINE), (measured, budget(DEADLINE))
    assert measured.max_rss_mb < MAX_RSS_MB, measured


def test_a_flooding_github_api_is_cut_off_at_the_body_cap(tmp_path: Path) -> None:
    holder: list[RawServer] = []
    with RawServer(behaviour("floods", holder)) as server:  # type: ignore[arg-type]
        holder.append(server)
        args = command(server.port, "--read-timeout", "30", "--deadline", f"{DEADLINE:g}")
        args[4] = f"http://{RAW}:{server.port}/o/r/main/w.tar.gz"
        measured = run_measured(args, tmp_path)
    assert measured.returncode == 0, measured.output  # the probe read its 8 KiB window
    found = messages(measured.output)
    assert found == [
        "could not check the GitHub ref 'main': the GitHub API answered with more than 4 MiB"
    ], measured.output
    assert measured.seconds < budget(DEADLINE), (measured, budget(DEADLINE))
    assert measured.max_rss_mb < MAX_RSS_MB, measured
