"""The audit history is a real SQLite file: corrupt, locked, killed mid-write, written by two
audits at once, or from an older schema, it loses nothing and says so in one line."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
import textwrap
import threading
from pathlib import Path

import pytest
from auditkit import TAR, TAR_SHA, run_audit
from medperf_lint.audit import history as hist
from medperf_lint.audit.history import History, HistoryError, RunInfo, Verdict
from servers import fake_medperf as fm
from servers.fake_medperf import FakeMedPerf
from servers.hosts import HostsServer, Reply


def _verdicts(n: int, verdict: str = "ok") -> list[Verdict]:
    return [Verdict("asset", i, f"a{i}", "asset_url", f"https://h/{i}", verdict) for i in range(n)]


def _run(server: str = "https://s") -> RunInfo:
    return RunInfo(server, "test", "assets", hist.now())


def _counts(path: Path) -> tuple[int, int]:
    db = sqlite3.connect(path)
    try:
        return (
            db.execute("SELECT COUNT(*) FROM runs").fetchone()[0],
            db.execute("SELECT COUNT(*) FROM verdicts").fetchone()[0],
        )
    finally:
        db.close()


def test_a_corrupt_file_is_one_line_and_left_as_it_is(
    capsys: pytest.CaptureFixture[str], medperf: FakeMedPerf, hosts: HostsServer, tmp_path: Path
) -> None:
    url = hosts.route("zenodo.org", "/a.tar", Reply(404, b""))
    medperf.add("assets", fm.asset(1, "a", url, TAR_SHA))
    path = tmp_path / "history.sqlite3"
    garbage = b"not a database, but someone's notes\n" * 200
    path.write_bytes(garbage)
    result = run_audit(capsys, medperf, hosts, tmp_path)
    assert result.code == 2
    assert 'asset 1 "a" · asset_url: MPL403' in result.out  # the report is still there
    (line,) = result.err.strip().splitlines()
    assert "is not a medperf-lint history" in line and "left as it is" in line
    assert path.read_bytes() == garbage


def test_a_locked_file_is_one_line_and_the_run_is_not_half_written(tmp_path: Path) -> None:
    path = tmp_path / "h.sqlite3"
    with History(path) as h:
        h.record(_run(), _verdicts(3))
    holder = sqlite3.connect(path, isolation_level=None)
    holder.execute("BEGIN EXCLUSIVE")
    try:
        with (
            pytest.raises(HistoryError, match="locked by another process"),
            History(path, timeout=0.2) as h,
        ):
            h.record(_run(), _verdicts(3, "broken"))
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert _counts(path) == (1, 3)


def test_a_newer_schema_is_refused_untouched(tmp_path: Path) -> None:
    path = tmp_path / "h.sqlite3"
    db = sqlite3.connect(path)
    db.execute(f"PRAGMA user_version = {hist.LATEST + 1}")
    db.close()
    before = path.read_bytes()
    with pytest.raises(HistoryError, match="newer medperf-lint"):
        History(path)
    assert path.read_bytes() == before


def test_an_old_schema_is_migrated_and_keeps_its_runs(tmp_path: Path) -> None:
    """A version-1 file (runs and verdicts, no scope or state) written as version 1 wrote it."""
    path = tmp_path / "h.sqlite3"
    db = sqlite3.connect(path)
    db.executescript(
        textwrap.dedent(
            """
            CREATE TABLE runs (id INTEGER PRIMARY KEY AUTOINCREMENT, started_at TEXT NOT NULL,
                finished_at TEXT NOT NULL, server TEXT NOT NULL, tool_version TEXT NOT NULL);
            CREATE TABLE verdicts (run_id INTEGER NOT NULL REFERENCES runs(id), kind TEXT NOT NULL,
                entity_id INTEGER NOT NULL, entity_name TEXT NOT NULL, field TEXT NOT NULL,
                reference TEXT NOT NULL, verdict TEXT NOT NULL, codes TEXT NOT NULL,
                PRIMARY KEY (run_id, kind, entity_id, field, reference));
            CREATE INDEX verdicts_by_reference ON verdicts(reference);
            INSERT INTO runs VALUES (1, '2025-11-01T02:00:00Z', '2025-11-01T02:01:00Z', 'https://s', '0.0.9');
            INSERT INTO runs VALUES (2, '2025-11-02T02:00:00Z', '2025-11-02T02:01:00Z', 'https://s', '0.0.9');
            INSERT INTO verdicts VALUES (1, 'asset', 0, 'a0', 'asset_url', 'https://h/0', 'broken', 'MPL403');
            INSERT INTO verdicts VALUES (2, 'asset', 0, 'a0', 'asset_url', 'https://h/0', 'broken', 'MPL403');
            INSERT INTO verdicts VALUES (2, 'asset', 1, 'a1', 'asset_url', 'https://h/1', 'ok', '');
            PRAGMA user_version = 1;
            """
        )
    )
    db.close()
    with History(path) as h:
        changes = h.record(_run(), [*_verdicts(2, "broken")])
    assert _counts(path) == (3, 5)  # both old runs kept, the new one added
    (still,) = changes.still_broken
    assert still.since == "2025-11-01T02:00:00Z"  # the streak rebuilt from the old runs
    assert [c.verdict.entity_id for c in changes.newly_broken] == [1]
    db = sqlite3.connect(path)
    assert db.execute("PRAGMA user_version").fetchone()[0] == hist.LATEST
    db.close()


KILLER = """
import sys, time
from pathlib import Path
from medperf_lint.audit.history import History, RunInfo, Verdict

def verdicts():
    for i in range(100):
        yield Verdict("asset", 1000 + i, "x", "asset_url", f"https://h/new{i}", "broken")
    print("writing", flush=True)
    time.sleep(60)  # killed here, inside the transaction
    yield Verdict("asset", 1, "x", "asset_url", "https://h/last", "broken")

with History(Path(sys.argv[1])) as h:
    h.record(RunInfo("https://s", "test", "assets", "2026-01-01T00:00:00Z"), verdicts())
"""


def test_a_run_killed_halfway_leaves_the_last_complete_run(tmp_path: Path) -> None:
    path = tmp_path / "h.sqlite3"
    with History(path) as h:
        h.record(_run(), _verdicts(5))
    child = subprocess.Popen(
        [sys.executable, "-c", KILLER, str(path)], stdout=subprocess.PIPE, text=True
    )
    try:
        assert child.stdout is not None
        assert child.stdout.readline().strip() == "writing"
    finally:
        child.kill()
        child.wait()
    assert _counts(path) == (1, 5)
    with History(path) as h:  # and the file is fine to go on with
        changes = h.record(_run(), _verdicts(5))
    assert changes.healthy == 5
    db = sqlite3.connect(path)
    assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    db.close()


def test_two_audits_at_once_both_land_whole(tmp_path: Path) -> None:
    path = tmp_path / "h.sqlite3"
    History(path).__exit__()
    errors: list[BaseException] = []

    def audit(server: str) -> None:
        try:
            for _ in range(5):
                with History(path) as h:
                    h.record(_run(server), _verdicts(300))
        except BaseException as err:  # pragma: no cover - reported below
            errors.append(err)

    workers = [threading.Thread(target=audit, args=(f"https://s{i}",)) for i in range(2)]
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    assert errors == []
    assert _counts(path) == (10, 3000)
    db = sqlite3.connect(path)
    assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    per_run = db.execute("SELECT run_id, COUNT(*) FROM verdicts GROUP BY run_id").fetchall()
    assert {count for _run_id, count in per_run} == {300}
    db.close()


def test_two_audit_processes_against_one_file(
    medperf: FakeMedPerf, hosts: HostsServer, tmp_path: Path
) -> None:
    """Two real `medperf-lint audit` processes started together both record their run."""
    import os

    from servers.hosts import HOSTS

    url = hosts.route("zenodo.org", "/a.tar", Reply(body=TAR))
    medperf.add("assets", *(fm.asset(i, f"a{i}", url, TAR_SHA) for i in range(1, 40)))
    path = tmp_path / "h.sqlite3"
    args = [sys.executable, "-m", "medperf_lint", "audit", "--server", medperf.base]
    args += ["--resolve", medperf.resolve(), "--allow-private-hosts", "--history", str(path)]
    args += ["--select", "MPL403", *(x for e in hosts.resolve(*HOSTS) for x in ("--resolve", e))]
    procs = [
        subprocess.Popen(
            args,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
            env=os.environ.copy(),
        )
        for _ in range(2)
    ]
    results = [(p.wait(120), p.stderr.read() if p.stderr else "") for p in procs]
    assert [code for code, _err in results] == [0, 0], results
    assert _counts(path) == (2, 2 * 39 * 2)  # each run: 39 asset_url rows + 39 entity rows
