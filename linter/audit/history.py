"""Every audit run's verdicts, in SQLite, and what changed since the last complete run.

One file (default ``<cache folder>/audit-history.sqlite3``, or ``--history FILE``) holds:

- ``runs``: when, which server, which tool version, which scope;
- ``verdicts``: per run, per reference (entity kind, ID, field, value), its verdict
  (``ok``, ``warning``, ``inconclusive``, ``broken``) and the rule codes that fired;
- ``state``: per server and reference, the latest verdict and the run its current broken
  streak began in (so "still broken since" costs one row, not a scan of every run).

A run is written in one ``BEGIN IMMEDIATE`` transaction: killed halfway, the file keeps the
last complete run and nothing of this one; two audits at once wait for each other (up to
:data:`BUSY_TIMEOUT`) instead of interleaving. Schema versions live in ``PRAGMA user_version``
and are migrated forward in order, inside a transaction, never dropped. Values are stored as
reports show them: redacted, so no token in a URL ever reaches the file.
"""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TypeVar

T = TypeVar("T")
BUSY_TIMEOUT = 30.0  # seconds another audit may hold the file before this one gives up
FILE_NAME = "audit-history.sqlite3"
OK, WARNING, INCONCLUSIVE, BROKEN = "ok", "warning", "inconclusive", "broken"
GONE = "gone"  # a broken value no longer on its entity (the field now holds another one)
HEALTHY = frozenset({OK, WARNING})


class HistoryError(Exception):
    """The history file cannot be used; one line saying why and that nothing was changed."""


@dataclass(frozen=True)
class Verdict:
    """One reference's verdict in one run."""

    kind: str
    entity_id: int
    entity_name: str
    field: str  # "" for findings about the entity as a whole
    reference: str  # the value, redacted ("" for a hash without its URL)
    verdict: str
    codes: tuple[str, ...] = ()

    @property
    def key(self) -> tuple[str, int, str, str]:
        return (self.kind, self.entity_id, self.field, self.reference)


@dataclass(frozen=True)
class Change:
    """A reference whose verdict is reported: ``since`` is the run its broken streak began."""

    verdict: Verdict
    since: str | None = None  # ISO time of the first run of the current broken streak
    before: str | None = None  # the previous verdict, when there was one


@dataclass(frozen=True)
class Changes:
    """What this run says against the last: the report leads with these."""

    run_id: int
    started_at: str
    previous_run: str | None  # when the last complete run on this server was, or None
    newly_broken: tuple[Change, ...] = ()
    still_broken: tuple[Change, ...] = ()
    fixed: tuple[Change, ...] = ()
    inconclusive: tuple[Change, ...] = ()
    healthy: int = 0  # unchanged healthy: counted only


@dataclass(frozen=True)
class RunInfo:
    server: str
    tool_version: str
    scope: str
    started_at: str


def default_path(cache_dir: str | None) -> Path:
    from medperf_lint.net.cache import default_dir

    return (Path(cache_dir) if cache_dir else default_dir()) / FILE_NAME


# ---- schema ------------------------------------------------------------------------------


def _script(db: sqlite3.Connection, sql: str) -> None:
    """Statements one by one: ``executescript`` would commit the migration's transaction."""
    for statement in sql.split(";"):
        if statement.strip():
            db.execute(statement)


def _v1(db: sqlite3.Connection) -> None:
    _script(
        db,
        """
        CREATE TABLE runs (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            started_at TEXT NOT NULL,
            finished_at TEXT NOT NULL,
            server TEXT NOT NULL,
            tool_version TEXT NOT NULL
        );
        CREATE TABLE verdicts (
            run_id INTEGER NOT NULL REFERENCES runs(id),
            kind TEXT NOT NULL,
            entity_id INTEGER NOT NULL,
            entity_name TEXT NOT NULL,
            field TEXT NOT NULL,
            reference TEXT NOT NULL,
            verdict TEXT NOT NULL,
            codes TEXT NOT NULL,
            PRIMARY KEY (run_id, kind, entity_id, field, reference)
        );
        CREATE INDEX verdicts_by_reference ON verdicts(reference);
        """,
    )


def _v2(db: sqlite3.Connection) -> None:
    """Adds the run's scope and the per-reference state, rebuilt from every earlier run."""
    _script(
        db,
        """
        ALTER TABLE runs ADD COLUMN scope TEXT NOT NULL DEFAULT '';
        CREATE TABLE state (
            server TEXT NOT NULL,
            kind TEXT NOT NULL,
            entity_id INTEGER NOT NULL,
            field TEXT NOT NULL,
            reference TEXT NOT NULL,
            verdict TEXT NOT NULL,
            since_run INTEGER,
            last_run INTEGER NOT NULL,
            PRIMARY KEY (server, kind, entity_id, field, reference)
        );
        """,
    )
    runs = db.execute("SELECT id, server FROM runs ORDER BY id").fetchall()
    for run_id, server in runs:
        rows = db.execute(
            "SELECT kind, entity_id, entity_name, field, reference, verdict, codes "
            "FROM verdicts WHERE run_id = ?",
            (run_id,),
        ).fetchall()
        verdicts = [_from_row(row) for row in rows]
        _update_state(db, server, run_id, verdicts, _state(db, server))


def _from_row(row: Sequence[object]) -> Verdict:
    kind, ident, name, field_name, reference, verdict, codes = (str(c) for c in row)
    return Verdict(
        kind,
        int(ident),
        name,
        field_name,
        reference,
        verdict,
        tuple(filter(None, codes.split(","))),
    )


MIGRATIONS: Sequence[Callable[[sqlite3.Connection], None]] = (_v1, _v2)
LATEST = len(MIGRATIONS)


# ---- the file -----------------------------------------------------------------------------


class History:
    """An open history file; use as a context manager."""

    def __init__(self, path: Path, timeout: float | None = None) -> None:
        self.path = path
        wait = BUSY_TIMEOUT if timeout is None else timeout
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            self._db = sqlite3.connect(str(path), timeout=wait, isolation_level=None)
        except (OSError, sqlite3.Error) as err:
            raise HistoryError(f"cannot open the history file {path}: {_why(err)}") from None
        try:
            self._migrate()
        except BaseException:
            self._db.close()
            raise

    def __enter__(self) -> History:
        return self

    def __exit__(self, *exc: object) -> None:
        self._db.close()

    def _migrate(self) -> None:
        version = self._guarded(lambda: int(self._db.execute("PRAGMA user_version").fetchone()[0]))
        if version > LATEST:
            raise HistoryError(
                f"the history file {self.path} was written by a newer medperf-lint (schema "
                f"{version}, this one knows {LATEST}); it was left as it is"
            )
        if version == LATEST:
            return

        def upgrade() -> None:
            self._db.execute("BEGIN EXCLUSIVE")
            try:
                current = int(self._db.execute("PRAGMA user_version").fetchone()[0])
                for step in range(current, LATEST):  # another audit may have migrated it
                    MIGRATIONS[step](self._db)
                    self._db.execute(f"PRAGMA user_version = {step + 1}")
                self._db.execute("COMMIT")
            except BaseException:
                self._db.execute("ROLLBACK")
                raise

        self._guarded(upgrade)

    def _guarded(self, work: Callable[[], T]) -> T:
        """``work()`` with SQLite's failures turned into one line that says nothing changed."""
        try:
            return work()
        except sqlite3.OperationalError as err:
            if "locked" in str(err) or "busy" in str(err):
                raise HistoryError(
                    f"the history file {self.path} is locked by another process; this run "
                    "was not recorded (the file is unchanged)"
                ) from None
            raise HistoryError(f"the history file {self.path}: {_why(err)}") from None
        except sqlite3.DatabaseError as err:
            raise HistoryError(
                f"the history file {self.path} is not a medperf-lint history ({_why(err)}); "
                "it was left as it is: move it aside to start a new one"
            ) from None

    def record(self, run: RunInfo, verdicts: Iterable[Verdict]) -> Changes:
        """Write the run and its verdicts in one transaction; what changed since the last run."""
        return self._guarded(lambda: self._record(run, verdicts))

    def _record(self, run: RunInfo, verdicts: Iterable[Verdict]) -> Changes:
        db = self._db
        db.execute("BEGIN IMMEDIATE")
        try:
            previous = db.execute(
                "SELECT started_at FROM runs WHERE server = ? ORDER BY id DESC LIMIT 1",
                (run.server,),
            ).fetchone()
            cur = db.execute(
                "INSERT INTO runs (started_at, finished_at, server, tool_version, scope) "
                "VALUES (?, ?, ?, ?, ?)",
                (run.started_at, _now(), run.server, run.tool_version, run.scope),
            )
            run_id = int(cur.lastrowid or 0)
            rows = list(verdicts)
            db.executemany(
                "INSERT OR REPLACE INTO verdicts VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    (run_id, *v.key[:2], v.entity_name, *v.key[2:], v.verdict, ",".join(v.codes))
                    for v in rows
                ),
            )
            before = _state(db, run.server)
            changes = _compare(run_id, run.started_at, rows, before, self._times(before))
            _update_state(db, run.server, run_id, rows, before)
            db.execute("COMMIT")
        except BaseException:
            if db.in_transaction:
                db.execute("ROLLBACK")
            raise
        return _with_previous(changes, previous[0] if previous else None)

    def _times(self, before: State) -> dict[int, str]:
        ids = {since for _v, since in before.values() if since is not None}
        if not ids:
            return {}
        rows = self._db.execute("SELECT id, started_at FROM runs").fetchall()
        return {int(i): str(t) for i, t in rows if i in ids}

    def timeline(self, reference: str | None = None) -> list[tuple[str, ...]]:
        """Rows for ``audit history``: every run, or one reference's verdicts over time."""

        def query() -> list[tuple[str, ...]]:
            if reference is None:
                sql = (
                    "SELECT r.started_at, r.server, r.scope, "
                    "SUM(v.verdict = 'broken'), COUNT(v.run_id) FROM runs r "
                    "LEFT JOIN verdicts v ON v.run_id = r.id GROUP BY r.id ORDER BY r.id"
                )
                rows = self._db.execute(sql).fetchall()
            else:
                sql = (
                    "SELECT r.started_at, r.server, v.kind, v.entity_id, v.entity_name, v.field, "
                    "v.verdict, v.codes FROM verdicts v JOIN runs r ON r.id = v.run_id "
                    "WHERE v.reference = ? ORDER BY r.id, v.kind, v.entity_id, v.field"
                )
                rows = self._db.execute(sql, (reference,)).fetchall()
            return [tuple("" if c is None else str(c) for c in row) for row in rows]

        return self._guarded(query)


Key = tuple[str, int, str, str]
State = dict[Key, tuple[str, "int | None"]]


def _state(db: sqlite3.Connection, server: str) -> State:
    rows = db.execute(
        "SELECT kind, entity_id, field, reference, verdict, since_run FROM state WHERE server = ?",
        (server,),
    ).fetchall()
    return {(r[0], int(r[1]), r[2], r[3]): (r[4], r[5]) for r in rows}


def _streak(old: tuple[str, int | None] | None) -> int | None:
    """The run a reference's broken streak began in, if it is still in one (an inconclusive
    check does not end a streak: the reference is not known to work)."""
    if old is None or old[0] not in (BROKEN, INCONCLUSIVE):
        return None
    return old[1]


def _update_state(
    db: sqlite3.Connection,
    server: str,
    run_id: int,
    verdicts: Sequence[Verdict],
    before: State,
) -> None:
    rows = []
    for v in verdicts:
        streak = _streak(before.get(v.key))
        since = None
        if v.verdict == BROKEN:
            since = streak or run_id
        elif v.verdict == INCONCLUSIVE:
            since = streak
        rows.append((server, *v.key, v.verdict, since, run_id))
    db.executemany("INSERT OR REPLACE INTO state VALUES (?, ?, ?, ?, ?, ?, ?, ?)", rows)
    gone = _gone(verdicts, before)
    db.executemany(
        "DELETE FROM state WHERE server = ? AND kind = ? AND entity_id = ? AND field = ? "
        "AND reference = ?",
        ((server, *c.verdict.key) for c in gone),
    )


def _gone(verdicts: Sequence[Verdict], before: State) -> list[Change]:
    """Broken values of entities audited now that the entities no longer hold."""
    names = {(v.kind, v.entity_id): v.entity_name for v in verdicts}
    present = {v.key for v in verdicts}
    out = []
    for key, (verdict, since) in before.items():
        if key in present or (key[0], key[1]) not in names or _streak((verdict, since)) is None:
            continue
        out.append(
            Change(Verdict(key[0], key[1], names[key[:2]], key[2], key[3], GONE), None, verdict)
        )
    return out


def _compare(
    run_id: int,
    started_at: str,
    verdicts: Sequence[Verdict],
    before: State,
    times: dict[int, str],
) -> Changes:
    new, still, fixed, unknown = [], [], [], []
    healthy = 0
    for v in verdicts:
        old = before.get(v.key)
        streak = _streak(old)
        previous = old[0] if old else None
        if v.verdict == BROKEN:
            if streak is not None:
                still.append(Change(v, times.get(streak, started_at), previous))
            else:
                new.append(Change(v, started_at, previous))
        elif v.verdict == INCONCLUSIVE:
            unknown.append(Change(v, times.get(streak) if streak else None, previous))
        elif streak is not None:
            fixed.append(Change(v, None, previous))
        else:
            healthy += 1
    fixed.extend(_gone(verdicts, before))
    return Changes(
        run_id, started_at, None, tuple(new), tuple(still), tuple(fixed), tuple(unknown), healthy
    )


def _with_previous(changes: Changes, previous: str | None) -> Changes:
    return replace(changes, previous_run=previous)


def _now() -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())


def now() -> str:
    """The time a run starts, as the history stores it (UTC, ISO 8601)."""
    return _now()


def _why(err: BaseException) -> str:
    return " ".join(str(err).split()) or type(err).__name__
