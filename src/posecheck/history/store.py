"""The history database: one SQLite file (standard library), a schema version, migrations.

Where: ``--db PATH``, else ``$POSECHECK_DB``, else
``$XDG_DATA_HOME/posecheck/history.sqlite`` (``~/.local/share/posecheck/...`` when
XDG_DATA_HOME is unset). The file is created with mode 0600 in a 0700 folder: it
holds health data (pain ratings, notes).

The schema version is SQLite's ``PRAGMA user_version``. Opening an older file
copies it first to ``history.sqlite.v<N>.bak`` (SQLite's online backup, so a
half-written WAL is included), then applies the steps in :data:`MIGRATIONS` in one
transaction. A file from a newer posecheck is refused, never touched.

Schema 3 keeps what the listing and the progress page need out of each session's
``detail`` JSON (title, dose, the ranked corrections) in columns and a ``corrections``
table, written by triggers, so reading never decodes JSON in Python. The triggers use
SQLite's JSON functions (built in since SQLite 3.38, and in Python's own builds).
Schema 4 adds the ``forgotten`` table: the recordings and folders of sessions
``history forget`` removed, which ``history import`` then leaves out.

Writes use WAL mode and ``BEGIN IMMEDIATE`` with a busy timeout, so parallel
``score --jobs`` workers queue for the write lock instead of failing. Every
failure becomes :class:`HistoryError` (one line, with what to do).
"""

from __future__ import annotations

import contextlib
import datetime as _dt
import json
import os
import sqlite3
import unicodedata
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from posecheck.errors import PosecheckError

SCHEMA_VERSION = 4
DB_ENV = "POSECHECK_DB"
DEFAULT_TIMEOUT_S = 5.0

# Schema 2: one row per recorded session; ``detail`` is JSON (every hold, score
# components, the corrections), read whole, per session. Schema 3 adds to it (below);
# kept as it was so a new file and a migrated one get the same layout.
CREATE_V2 = """
CREATE TABLE sessions (
    id INTEGER PRIMARY KEY,
    performed_utc TEXT NOT NULL,      -- ISO 8601, when the exercise was done
    performed_from TEXT NOT NULL,     -- 'recording' (file metadata) or 'run'
    recorded_utc TEXT NOT NULL,       -- when this row was last written
    person TEXT,                      -- --person NAME; NULL when not given
    exercise TEXT NOT NULL,
    side TEXT,
    duration_s REAL,
    reps_complete INTEGER NOT NULL DEFAULT 0,
    reps_attempted INTEGER NOT NULL DEFAULT 0,
    holds_reached INTEGER NOT NULL DEFAULT 0,
    holds_total INTEGER NOT NULL DEFAULT 0,
    longest_hold_s REAL,
    hold_target_s REAL,
    score REAL,
    pain_before INTEGER CHECK (pain_before BETWEEN 0 AND 10),
    pain_after INTEGER CHECK (pain_after BETWEEN 0 AND 10),
    note TEXT,
    command TEXT NOT NULL,            -- analyze, live or score (what made the session)
    recording TEXT,                   -- fingerprint of the recording (de-duplication)
    source TEXT,                      -- the recording's absolute path
    outdir TEXT,                      -- the output folder (absolute), if any
    posecheck_version TEXT,
    definition_hash TEXT,
    partial INTEGER NOT NULL DEFAULT 0,
    detail TEXT NOT NULL DEFAULT '{}'
);
CREATE INDEX sessions_exercise_time ON sessions (exercise, performed_utc);
CREATE INDEX sessions_person_time ON sessions (person, performed_utc);
CREATE INDEX sessions_recording ON sessions (recording);
CREATE INDEX sessions_outdir ON sessions (outdir);
"""

# Schema 1 was the first layout (never in a release): no person, no pain after the
# session, no notes, no definition hash. It is kept so the migration path is tested.
CREATE_V1 = """
CREATE TABLE sessions (
    id INTEGER PRIMARY KEY,
    performed_utc TEXT NOT NULL,
    performed_from TEXT NOT NULL,
    recorded_utc TEXT NOT NULL,
    exercise TEXT NOT NULL,
    side TEXT,
    duration_s REAL,
    reps_complete INTEGER NOT NULL DEFAULT 0,
    reps_attempted INTEGER NOT NULL DEFAULT 0,
    holds_reached INTEGER NOT NULL DEFAULT 0,
    holds_total INTEGER NOT NULL DEFAULT 0,
    longest_hold_s REAL,
    hold_target_s REAL,
    score REAL,
    pain INTEGER,
    command TEXT NOT NULL,
    recording TEXT,
    source TEXT,
    outdir TEXT,
    posecheck_version TEXT,
    partial INTEGER NOT NULL DEFAULT 0,
    detail TEXT NOT NULL DEFAULT '{}'
);
CREATE INDEX sessions_exercise_time ON sessions (exercise, performed_utc);
"""

# Schema 3: what the listing and the progress page need out of ``detail``, in real
# columns and a table, so reading 10,000 sessions decodes no JSON in Python (SQL filters
# and aggregates). Triggers derive them from ``detail`` whenever a row is written, so
# every writer (and the migration, which rewrites each row's detail) derives them alike.
# JSON rules of the derivation: invalid JSON or a missing field gives NULL; a correction
# needs a text ``id``; its ``count`` missing means needed once, null or 0 not needed.
_DETAIL = "CASE WHEN json_valid(NEW.detail) THEN CASE WHEN {test} THEN {value} END END"
_DERIVE = (
    "UPDATE sessions SET "
    "title = " + _DETAIL.format(test="json_type(NEW.detail, '$.title') = 'text'",
                                value="nullif(json_extract(NEW.detail, '$.title'), '')") + ", "
    "dose_reps = " + _DETAIL.format(
        test="json_type(NEW.detail, '$.dose.reps') IN ('integer', 'real')",
        value="CAST(json_extract(NEW.detail, '$.dose.reps') AS INTEGER)") + ", "
    "top_correction = " + _DETAIL.format(
        test="json_type(NEW.detail, '$.corrections') = 'array'",
        value="json_extract(NEW.detail, '$.corrections[0].text')") + " "
    "WHERE id = NEW.id;\n"
    "INSERT INTO corrections (session_id, rank, correction, text, count, kind) "
    "SELECT NEW.id, j.key, json_extract(j.value, '$.id'), "
    "coalesce(nullif(json_extract(j.value, '$.text'), ''), json_extract(j.value, '$.id')), "
    "CASE WHEN json_type(j.value, '$.count') IS NULL OR json_type(j.value, '$.count') = 'true' "
    "THEN 1 WHEN json_type(j.value, '$.count') IN ('integer', 'real') "
    "THEN CAST(json_extract(j.value, '$.count') AS INTEGER) ELSE 0 END, "
    "json_extract(j.value, '$.kind') "
    "FROM json_each(" + _DETAIL.format(
        test="json_type(NEW.detail, '$.corrections') = 'array'",
        value="json_extract(NEW.detail, '$.corrections')") + ") AS j "
    "WHERE j.type = 'object' AND json_type(j.value, '$.id') = 'text' "
    "AND json_extract(j.value, '$.id') <> '';\n"
)  # fmt: skip
_V3 = f"""
ALTER TABLE sessions ADD COLUMN title TEXT;           -- the exercise's title, as its summary said
ALTER TABLE sessions ADD COLUMN dose_reps INTEGER;    -- the definition's dose of reps
ALTER TABLE sessions ADD COLUMN top_correction TEXT;  -- the first-ranked correction's text
CREATE TABLE corrections (                            -- each session's ranked corrections
    session_id INTEGER NOT NULL REFERENCES sessions (id) ON DELETE CASCADE,
    rank INTEGER NOT NULL,            -- 0 for the session's first (most needed) correction
    correction TEXT NOT NULL,         -- its id, e.g. hips_up
    text TEXT NOT NULL,               -- what the person was told (the id when no text)
    count INTEGER NOT NULL,           -- times it was needed (0: listed, not needed)
    kind TEXT,
    PRIMARY KEY (session_id, rank)
) WITHOUT ROWID;
CREATE TRIGGER sessions_derive_insert AFTER INSERT ON sessions BEGIN
{_DERIVE}END;
CREATE TRIGGER sessions_derive_update AFTER UPDATE OF detail ON sessions BEGIN
DELETE FROM corrections WHERE session_id = NEW.id;
{_DERIVE}END;
CREATE TRIGGER sessions_forget AFTER DELETE ON sessions BEGIN
DELETE FROM corrections WHERE session_id = OLD.id;
END;
"""
# Schema 4: what 'history forget' removed, so that 'history import' does not add it back.
_V4 = """
CREATE TABLE forgotten (
    recording TEXT,                   -- the removed session's recording fingerprint
    outdir TEXT,                      -- and its output folder (either may be NULL)
    forgotten_utc TEXT NOT NULL
);
"""
# The current layout, created in one go for a new file.
_CREATE = CREATE_V2 + _V3 + _V4

# version N -> the statements that turn a version-N file into version N+1.
MIGRATIONS: dict[int, str] = {
    1: """
ALTER TABLE sessions RENAME COLUMN pain TO pain_before;
ALTER TABLE sessions ADD COLUMN pain_after INTEGER CHECK (pain_after BETWEEN 0 AND 10);
ALTER TABLE sessions ADD COLUMN person TEXT;
ALTER TABLE sessions ADD COLUMN note TEXT;
ALTER TABLE sessions ADD COLUMN definition_hash TEXT;
CREATE INDEX sessions_person_time ON sessions (person, performed_utc);
CREATE INDEX sessions_recording ON sessions (recording);
CREATE INDEX sessions_outdir ON sessions (outdir);
""",
    # rewriting each row's detail runs the trigger that derives the new columns
    2: _V3 + "UPDATE sessions SET detail = detail;\n",
    3: _V4,
}

COLUMNS = (
    "id", "performed_utc", "performed_from", "recorded_utc", "person", "exercise", "side",
    "duration_s", "reps_complete", "reps_attempted", "holds_reached", "holds_total",
    "longest_hold_s", "hold_target_s", "score", "pain_before", "pain_after", "note",
    "command", "recording", "source", "outdir", "posecheck_version", "definition_hash",
    "partial", "detail",
)  # fmt: skip
# Written on re-scoring only when the new run has a value (a re-score without --pain
# keeps the pain given the first time).
_KEEP_IF_NONE = ("person", "pain_before", "pain_after", "note", "recording", "outdir")


def iso(t: _dt.datetime) -> str:
    """A time as the history stores it: UTC, to the second, ISO 8601."""
    return t.astimezone(_dt.timezone.utc).replace(microsecond=0).isoformat()


PART = "#run"  # a part's key: its recording or folder, this, its number


def part_key(base: str | None, part: int) -> str | None:
    """The key of one part of a recording or output folder (a routine's step):
    ``<base>#run<part>``; None without a base."""
    return f"{base}{PART}{part}" if base else None


def _statements(script: str) -> list[str]:
    """Split an SQL script into statements (a ';' inside a comment does not end one)."""
    out, buf = [], ""
    for part in script.split(";"):
        buf += part + ";"
        if sqlite3.complete_statement(buf):
            if buf.strip(" \n;"):
                out.append(buf)
            buf = ""
    return out


class HistoryError(PosecheckError):
    """The history database cannot be opened, read or written."""


def default_path() -> Path:
    """``$POSECHECK_DB``, else ``$XDG_DATA_HOME/posecheck/history.sqlite``."""
    env = os.environ.get(DB_ENV)
    if env:
        return Path(env).expanduser()
    base = os.environ.get("XDG_DATA_HOME") or os.path.join(Path.home(), ".local", "share")
    return Path(base) / "posecheck" / "history.sqlite"


def resolve_path(db: str | os.PathLike[str] | None) -> Path:
    return Path(db).expanduser() if db else default_path()


def _hint(exc: BaseException, path: Path) -> tuple[str, str]:
    """What went wrong, in words, and what to do about it."""
    text = str(exc)
    low = text.lower()
    if "locked" in low or "busy" in low:
        return "is locked by another program", "try again when the other posecheck has finished"
    if path.is_dir():
        return "is a folder, not a database file", "give a file name with --db"
    if "readonly" in low or "read-only" in low or isinstance(exc, PermissionError):
        if not path.exists():  # the folder is what cannot be written, not the file
            return (f"cannot be created (its folder {path.parent} is read-only)",
                    "use --db PATH in a folder you can write to")  # fmt: skip
        return "is read-only", f"make it writable (chmod u+w {path}) or use --db PATH"
    if "not a database" in low or "malformed" in low or "corrupt" in low:
        return (
            f"is not a readable history database ({text})",
            f"move it aside (mv {path} {path}.broken); a new one is started on the next run",
        )
    if "unable to open" in low or isinstance(exc, OSError):
        return f"cannot be opened ({text})", "check the folder exists and is writable, or --db"
    return f"failed: {text}", "run with --traceback for details"


@contextlib.contextmanager
def errors_as_history_error(path: Path, what: str) -> Iterator[None]:
    """Turn sqlite3/OS errors into one-line :class:`HistoryError`."""
    try:
        yield
    except HistoryError:
        raise
    except (sqlite3.Error, OSError) as exc:
        why, hint = _hint(exc, path)
        raise HistoryError(f"history {path}: {what}: {why}", hint) from exc


@dataclass
class SessionRow:
    """One recorded session, as stored (``detail`` decoded)."""

    id: int
    performed_utc: str
    performed_from: str
    recorded_utc: str
    person: str | None
    exercise: str
    side: str | None
    duration_s: float | None
    reps_complete: int
    reps_attempted: int
    holds_reached: int
    holds_total: int
    longest_hold_s: float | None
    hold_target_s: float | None
    score: float | None
    pain_before: int | None
    pain_after: int | None
    note: str | None
    command: str
    recording: str | None
    source: str | None
    outdir: str | None
    posecheck_version: str | None
    definition_hash: str | None
    partial: bool
    detail: dict[str, Any]

    def to_dict(self) -> dict[str, Any]:
        return {c: getattr(self, c) for c in COLUMNS}


def _row(r: Sequence[Any]) -> SessionRow:
    vals = dict(zip(COLUMNS, r, strict=True))
    vals["partial"] = bool(vals["partial"])
    try:
        vals["detail"] = json.loads(vals["detail"] or "{}")
    except ValueError:
        vals["detail"] = {}
    return SessionRow(**vals)


def person_key(name: str | None) -> str | None:
    """A name as the filters compare it: Unicode NFC, case-folded, spaces trimmed."""
    return None if name is None else unicodedata.normalize("NFC", name).casefold().strip()


def where_clause(
    *, exercise: str | None = None, person: str | None = None, since: str | None = None
) -> tuple[str, list[Any]]:
    """``WHERE 1 AND ...`` and its arguments for the filters every reader offers (callers
    may add ``AND ...``)."""
    where: list[str] = ["1"]
    args: list[Any] = []
    # a person by name whatever its case and Unicode form ("Jörg" typed on macOS is
    # decomposed): person_key is a function of the connection (HistoryStore)
    for cond, val in (("exercise = ?", exercise),
                      ("person_key(person) = ?", person_key(person) if person else None),
                      ("performed_utc >= ?", since)):  # fmt: skip
        if val:
            where.append(cond)
            args.append(val)
    return "WHERE " + " AND ".join(where), args


class HistoryStore:
    """An open history database. Use as a context manager; every method may raise
    :class:`HistoryError`."""

    def __init__(self, path: Path, *, timeout_s: float = DEFAULT_TIMEOUT_S, create: bool = True):
        self.path = Path(path)
        self.timeout_s = timeout_s
        self.backup: Path | None = None  # set when opening migrated an older file
        with errors_as_history_error(self.path, "cannot open"):
            if not self.path.exists():
                if not create:
                    raise HistoryError(
                        f"history {self.path}: no such database",
                        "nothing has been recorded yet, or give the right --db PATH",
                    )
                self._create_file()
            self.conn = sqlite3.connect(
                str(self.path), timeout=timeout_s, isolation_level=None, check_same_thread=False
            )
            self.conn.create_function("person_key", 1, person_key, deterministic=True)
        try:
            with errors_as_history_error(self.path, "cannot open"):
                self._prepare()
        except BaseException:
            self.conn.close()
            raise

    def _create_file(self) -> None:
        self.path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        # Created here, not by SQLite, to set 0600 from the first byte (health data).
        fd = os.open(self.path, os.O_CREAT | os.O_WRONLY, 0o600)
        os.close(fd)

    @contextlib.contextmanager
    def _write_lock(self) -> Iterator[sqlite3.Connection]:
        """A transaction holding the write lock from its start (``BEGIN IMMEDIATE``):
        what it reads is still so when it writes; rolled back if anything raises."""
        c = self.conn
        c.execute("BEGIN IMMEDIATE")
        try:
            yield c
            c.execute("COMMIT")
        except BaseException:
            with contextlib.suppress(sqlite3.Error):
                c.execute("ROLLBACK")
            raise

    def _prepare(self) -> None:
        c = self.conn
        c.execute(f"PRAGMA busy_timeout = {int(self.timeout_s * 1000)}")
        version = self._check_version()
        if version != SCHEMA_VERSION:
            # Create or migrate under the write lock, looking again once it is ours:
            # another process (a parallel 'score' worker) may have done it meanwhile.
            with self._write_lock():
                self._create_or_migrate(self._check_version())
        self._wal()

    def _check_version(self) -> int:
        version = int(self.conn.execute("PRAGMA user_version").fetchone()[0])
        if version > SCHEMA_VERSION:
            raise HistoryError(
                f"history {self.path}: schema {version} is from a newer posecheck "
                f"(this one reads up to {SCHEMA_VERSION})",
                "upgrade posecheck, or use another --db PATH",
            )
        return version

    def _create_or_migrate(self, version: int) -> None:
        """Inside the write transaction: a new file gets the current layout, an older one
        is backed up, then migrated step by step."""
        c = self.conn
        if version == SCHEMA_VERSION:
            return
        tables = c.execute("SELECT count(*) FROM sqlite_master WHERE type='table'").fetchone()[0]
        if version == 0 and tables == 0:
            script = _CREATE
        elif version == 0:
            raise HistoryError(
                f"history {self.path}: is an SQLite file but not a posecheck history",
                "give another --db PATH",
            )
        else:
            self.backup = self._backup(version)
            script = "".join(MIGRATIONS[v] for v in range(version, SCHEMA_VERSION))
        for stmt in _statements(script + f"PRAGMA user_version = {SCHEMA_VERSION};"):
            c.execute(stmt)

    def _wal(self) -> None:
        mode = self.conn.execute("PRAGMA journal_mode").fetchone()[0]
        if mode != "wal":
            # Readers never block the writer and a crash mid-write leaves the old state.
            self.conn.execute("PRAGMA journal_mode = WAL")
        self.conn.execute("PRAGMA synchronous = NORMAL")

    def _backup(self, version: int) -> Path:
        dest = self.path.with_name(f"{self.path.name}.v{version}.bak")
        n = 1
        while dest.exists():  # never over an earlier backup
            n += 1
            dest = self.path.with_name(f"{self.path.name}.v{version}.{n}.bak")
        fd = os.open(dest, os.O_CREAT | os.O_WRONLY | os.O_EXCL, 0o600)
        os.close(fd)
        # A second connection reads the file: ours holds the write lock, which still lets
        # readers in (and no one has changed anything yet).
        source = sqlite3.connect(str(self.path), timeout=self.timeout_s)
        target = sqlite3.connect(str(dest))
        try:
            source.backup(target)
        finally:
            target.close()
            source.close()
        return dest

    # -- context manager ---------------------------------------------------------------

    def close(self) -> None:
        self.conn.close()

    def __enter__(self) -> HistoryStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @property
    def version(self) -> int:
        return int(self.conn.execute("PRAGMA user_version").fetchone()[0])

    # -- writing -----------------------------------------------------------------------

    def upsert(
        self, values: dict[str, Any], *, row: int | None = None, find: bool = True
    ) -> tuple[int, bool]:
        """Insert a session, or update the one of the same recording / output folder.

        Returns ``(id, created)``. The match: the session ``row`` if given, else (when
        ``find``) the same recording fingerprint, else the same output folder (a
        re-score of an analysed or live session).
        """
        vals = dict(values)
        vals["detail"] = json.dumps(vals.get("detail") or {}, allow_nan=False, default=str)
        vals["partial"] = int(bool(vals.get("partial")))
        # the write lock now: no two workers insert twice
        with (
            errors_as_history_error(self.path, "cannot record the session"),
            self._write_lock() as c,
        ):
            if row is not None:
                got = c.execute("SELECT performed_from FROM sessions WHERE id = ?", (row,))
                one = got.fetchone()
                found = None if one is None else (row, str(one[0]))
            elif find:
                found = self._find(vals.get("recording"), vals.get("outdir"))
            else:
                found = None
            if found is None:
                # recorded again on purpose: no longer left out of imports
                self._remembered(vals.get("recording"), vals.get("outdir"))
                cols = [k for k in COLUMNS if k != "id" and k in vals]
                cur = c.execute(
                    f"INSERT INTO sessions ({', '.join(cols)}) "
                    f"VALUES ({', '.join('?' * len(cols))})",
                    [vals[k] for k in cols],
                )
                sid, created = int(cur.lastrowid or 0), True
            else:
                sid, old_from = found
                sets = [k for k in COLUMNS if k != "id" and k in vals]
                sets = [k for k in sets if not (k in _KEEP_IF_NONE and vals[k] is None)]
                if not (old_from == "run" and vals.get("performed_from") == "recording"):
                    # a re-score keeps when the session was done; only the recording's
                    # own date replaces a run's clock
                    sets = [k for k in sets if k not in ("performed_utc", "performed_from")]
                c.execute(
                    f"UPDATE sessions SET {', '.join(k + ' = ?' for k in sets)} WHERE id = ?",
                    [vals[k] for k in sets] + [sid],
                )
                created = False
        return sid, created

    def release_folder(self, outdir: str, keep: str | None) -> int:
        """A new run took the output folder ``outdir`` (``--force``): the sessions recorded
        from its earlier contents keep their rows but no longer own the folder, so the new
        session gets a row of its own and a re-score of the folder updates that one (a
        live session re-run into its folder replaced last week's row, date and pain kept).
        ``keep``: the new run's recording fingerprint; its own rows (a recording analysed
        again) stay the folder's. Returns the rows released."""
        prefix = f"{outdir}{PART}"
        kept = f"{keep}{PART}" if keep else None
        with (
            errors_as_history_error(self.path, "cannot record the session"),
            self._write_lock() as c,
        ):
            cur = c.execute(
                "UPDATE sessions SET outdir = NULL "
                "WHERE (outdir = ? OR substr(outdir, 1, ?) = ?) AND NOT ("
                "  ? IS NOT NULL AND recording IS NOT NULL"
                "  AND (recording = ? OR substr(recording, 1, ?) = ?))",
                (outdir, len(prefix), prefix, keep, keep, len(kept or ""), kept),
            )
        return cur.rowcount

    def find(self, recording: str | None, outdir: str | None) -> int | None:
        """The session recorded for this recording (fingerprint) or output folder, if any."""
        with errors_as_history_error(self.path, "cannot read"):
            found = self._find(recording, outdir)
        return None if found is None else found[0]

    def _find(self, recording: str | None, outdir: str | None) -> tuple[int, str] | None:
        for col, val in (("recording", recording), ("outdir", outdir)):
            if val:
                r = self.conn.execute(
                    f"SELECT id, performed_from FROM sessions WHERE {col} = ? ORDER BY id LIMIT 1",
                    (val,),
                ).fetchone()
                if r is not None:
                    return int(r[0]), str(r[1])
        return None

    def set_note(self, sid: int, note: str) -> bool:
        with errors_as_history_error(self.path, "cannot save the note"):
            cur = self.conn.execute("UPDATE sessions SET note = ? WHERE id = ?", (note, sid))
        return cur.rowcount > 0

    def set_performed(self, sid: int, when: _dt.datetime) -> bool:
        """Date session ``sid`` as the person says (``performed_from`` 'given'): a re-score
        or an import keeps it, as it keeps a recording's own date."""
        with errors_as_history_error(self.path, "cannot save the date"):
            cur = self.conn.execute(
                "UPDATE sessions SET performed_utc = ?, performed_from = 'given' WHERE id = ?",
                (iso(when), sid),
            )
        return cur.rowcount > 0

    def set_pain(self, sid: int, before: int | None, after: int | None) -> bool:
        with errors_as_history_error(self.path, "cannot save the pain rating"):
            cur = self.conn.execute(
                "UPDATE sessions SET pain_before = coalesce(?, pain_before), "
                "pain_after = coalesce(?, pain_after) WHERE id = ?",
                (before, after, sid),
            )
        return cur.rowcount > 0

    def forget(self, sid: int, *, remember: bool = True) -> bool:
        """Delete a session; ``remember``: note its recording and folder so that
        ``history import`` leaves them out (:meth:`is_forgotten`)."""
        with (
            errors_as_history_error(self.path, "cannot delete the session"),
            self._write_lock() as c,
        ):
            row = c.execute(
                "SELECT recording, outdir FROM sessions WHERE id = ?", (sid,)
            ).fetchone()
            if row is not None and remember and (row[0] or row[1]):
                c.execute(
                    "INSERT INTO forgotten (recording, outdir, forgotten_utc) VALUES (?, ?, ?)",
                    (row[0], row[1], iso(_dt.datetime.now(_dt.timezone.utc))),
                )
            c.execute("DELETE FROM sessions WHERE id = ?", (sid,))
        return row is not None

    def is_forgotten(self, recording: str | None, outdir: str | None) -> bool:
        """Whether ``history forget`` removed a session of this recording or folder."""
        with errors_as_history_error(self.path, "cannot read"):
            for col, val in (("recording", recording), ("outdir", outdir)):
                if (
                    val
                    and self.conn.execute(
                        f"SELECT 1 FROM forgotten WHERE {col} = ? LIMIT 1", (val,)
                    ).fetchone()
                ):
                    return True
        return False

    def _remembered(self, recording: str | None, outdir: str | None) -> None:
        for col, val in (("recording", recording), ("outdir", outdir)):
            if val:
                self.conn.execute(f"DELETE FROM forgotten WHERE {col} = ?", (val,))

    # -- reading -----------------------------------------------------------------------

    def sessions(
        self,
        *,
        exercise: str | None = None,
        person: str | None = None,
        since: str | None = None,
        limit: int | None = None,
    ) -> list[SessionRow]:
        """Sessions, oldest first, filtered by exercise, person and ``since`` (ISO date)."""
        where, args = where_clause(exercise=exercise, person=person, since=since)
        sql = f"SELECT {', '.join(COLUMNS)} FROM sessions {where} ORDER BY performed_utc, id"
        with errors_as_history_error(self.path, "cannot read"):
            rows = self.conn.execute(sql, args).fetchall()
        out = [_row(r) for r in rows]
        return out[-limit:] if limit else out

    def parts_of(self, recording: str | None, outdir: str | None) -> list[SessionRow]:
        """The sessions recorded as parts of one recording or output folder (a routine's
        steps: their keys are ``<recording>#run<n>`` and ``<outdir>#run<n>``)."""
        found: dict[int, SessionRow] = {}
        with errors_as_history_error(self.path, "cannot read"):
            for col, val in (("recording", recording), ("outdir", outdir)):
                if not val:
                    continue
                prefix = f"{val}{PART}"
                for r in self.conn.execute(
                    f"SELECT {', '.join(COLUMNS)} FROM sessions "
                    f"WHERE substr({col}, 1, ?) = ? ORDER BY id",
                    (len(prefix), prefix),
                ):
                    found.setdefault(int(r[0]), _row(r))
        return list(found.values())

    def get(self, sid: int) -> SessionRow | None:
        with errors_as_history_error(self.path, "cannot read"):
            r = self.conn.execute(
                f"SELECT {', '.join(COLUMNS)} FROM sessions WHERE id = ?", (sid,)
            ).fetchone()
        return None if r is None else _row(r)
