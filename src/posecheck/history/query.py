"""Reading the history for ``posecheck history`` and ``posecheck progress``: SQL filters
and aggregates, Python formats.

The listing reads only the columns it shows (``detail`` is not decoded; the first
correction is a column of schema 3) with the local time computed by SQLite. The
progress page reads, per exercise, a few aggregates, the values its early/recent
trends need, one row per day (or week) per chart, and the corrections counted by
GROUP BY: 10,000 sessions cost a handful of queries, not 10,000 Python objects.

Local days and times are SQLite's ``'localtime'``: the C library's time zone, the one
Python's ``datetime.astimezone()`` uses too.
"""

from __future__ import annotations

import datetime as _dt
import sqlite3
from typing import Any

from posecheck.history.progress import (
    ADHERENCE_DAYS,
    CALENDAR_DAYS,
    CorrectionTrend,
    ExerciseProgress,
    Progress,
    Series,
    chart_span,
    correction_trend,
    trend,
)
from posecheck.history.store import HistoryStore, errors_as_history_error, where_clause

# The fields of a listed session (the table and the CSV), in this order.
LIST_COLUMNS = (
    "id", "performed_utc", "person", "exercise", "side", "duration_s", "longest_hold_s",
    "hold_target_s", "holds_reached", "holds_total", "reps_complete", "reps_attempted",
    "score", "pain_before", "pain_after", "top_correction", "note", "command", "source",
    "outdir", "posecheck_version", "definition_hash",
)  # fmt: skip
_DAY = "date(performed_utc, 'localtime')"  # the local calendar day, 'YYYY-MM-DD'
# The local day as date.toordinal() counts (0001-01-01 is 1): the charts' buckets.
_ORDINAL = f"CAST(julianday({_DAY}) - 1721424.5 AS INTEGER)"
# Each chart's value per period: the best hold and reps, the mean score and pain.
CHARTS = {
    "hold": "max(longest_hold_s)",
    "reps": "max(reps_complete)",
    "score": "avg(score)",
    "pain_before": "avg(pain_before)",
    "pain_after": "avg(pain_after)",
    # a hold of the period reached its target (as its session judged it, with the
    # definition's tolerance: a 4.7 s hold of 5 s is reached), for the dots' colour
    "reached": "max(holds_reached > 0)",
}


def listing(
    store: HistoryStore,
    *,
    exercise: str | None = None,
    person: str | None = None,
    since: str | None = None,
    limit: int | None = None,
) -> list[tuple[Any, ...]]:
    """The sessions, oldest first (the last ``limit`` ones): tuples of the
    :data:`LIST_COLUMNS` and then the local time ('YYYY-MM-DD HH:MM')."""
    where, args = where_clause(exercise=exercise, person=person, since=since)
    sql = (f"SELECT {', '.join(LIST_COLUMNS)}, "
           f"strftime('%Y-%m-%d %H:%M', performed_utc, 'localtime') FROM sessions {where} "
           "ORDER BY performed_utc DESC, id DESC")  # fmt: skip
    if limit:
        sql += " LIMIT ?"
        args.append(limit)
    with errors_as_history_error(store.path, "cannot read"):
        rows = store.conn.execute(sql, args).fetchall()
    rows.reverse()
    return rows


def overview(store: HistoryStore) -> tuple[int, _dt.date | None, list[str | None]]:
    """(sessions recorded, the newest one's local day, the people named) of the whole
    history: what to say when the filters keep nothing ("no sessions recorded yet" read
    as a lost history to a person with 23)."""
    c = store.conn
    with errors_as_history_error(store.path, "cannot read"):
        n, newest = c.execute(f"SELECT count(*), max({_DAY}) FROM sessions").fetchone()
        people = [r[0] for r in c.execute("SELECT DISTINCT person FROM sessions ORDER BY 1")]
    return n, _dt.date.fromisoformat(newest) if newest else None, people


def load_progress(
    store: HistoryStore,
    today: _dt.date,
    *,
    exercise: str | None = None,
    person: str | None = None,
    since: str | None = None,
    top: int = 3,
) -> Progress:
    """Each exercise's progress (most sessions first) over the sessions the filters keep,
    with its ``top`` corrections. The days with a session (the calendar, "N of the last 30
    days") are counted without ``since``: it limits the trends, not what the last 30 days
    were ("--since 7d" read "3 of the last 30 days" for 13)."""
    where, args = where_clause(exercise=exercise, person=person, since=since)
    days_where, days_args = where_clause(exercise=exercise, person=person)
    c = store.conn
    # sessions per day of the calendar (the last CALENDAR_DAYS days), any exercise
    by_day = (f"SELECT {_DAY} AS d, count(*) FROM sessions {days_where} AND performed_utc >= ? "
              "GROUP BY d HAVING d IS NOT NULL")  # fmt: skip
    since_cal = _utc_before(today - _dt.timedelta(days=CALENDAR_DAYS - 1))
    by_exercise = f"SELECT exercise, count(*) FROM sessions {where} GROUP BY exercise"
    with errors_as_history_error(store.path, "cannot read"):
        per_day = {_dt.date.fromisoformat(d): k
                   for d, k in c.execute(by_day, [*days_args, since_cal])}  # fmt: skip
        names = sorted(c.execute(by_exercise, args), key=lambda r: (-r[1], r[0]))
        exercises = [
            _exercise(c, name, n, (f"{where} AND exercise = ?", [*args, name]),
                      (f"{days_where} AND exercise = ?", [*days_args, name]), today, top)
            for name, n in names
        ]  # fmt: skip
        people = [r[0] for r in c.execute(f"SELECT DISTINCT person FROM sessions {where}", args)]
    return Progress(today, exercises, per_day, person, sorted(people, key=lambda p: p or ""))


def _exercise(
    c: sqlite3.Connection,
    name: str,
    n: int,
    flt: tuple[str, list[Any]],
    days_flt: tuple[str, list[Any]],
    today: _dt.date,
    top: int,
) -> ExerciseProgress:
    where, args = flt
    # the first and last local day: of the first and last time (the index has them)
    first, last = (_dt.date.fromisoformat(d) for d in c.execute(
        "SELECT date(min(performed_utc), 'localtime'), date(max(performed_utc), 'localtime') "
        f"FROM sessions {where}", args).fetchone())  # fmt: skip
    start = today - _dt.timedelta(days=ADHERENCE_DAYS - 1)
    (days_30,) = c.execute(
        f"SELECT count(DISTINCT d) FROM (SELECT {_DAY} AS d FROM sessions {days_flt[0]} "
        "AND performed_utc >= ?) WHERE d BETWEEN ? AND ?",
        [*days_flt[1], _utc_before(start), start.isoformat(), today.isoformat()],
    ).fetchone()
    # the trends: every value, in order (the medians of both ends)
    hold, reps, score, pain_b, pain_a, with_holds, with_reps = zip(*c.execute(
        "SELECT longest_hold_s, reps_complete, score, pain_before, pain_after, "
        f"holds_total <> 0, reps_attempted <> 0 FROM sessions {where} "
        "ORDER BY performed_utc, id", args), strict=True)  # fmt: skip
    chart = chart_span(first, last, today)
    title = _latest(c, "title", "title IS NOT NULL", flt)
    # the dose of a whole session: both sides' where the definition doses each side
    # (the column keeps the definition's number, as its summary.json says it)
    whole_dose = ("dose_reps * (CASE WHEN NOT json_valid(detail) THEN 1 "
                  "WHEN json_extract(detail, '$.dose.per_side') THEN 2 ELSE 1 END)")  # fmt: skip
    dose = _latest(c, whole_dose, "dose_reps IS NOT NULL", flt)
    was = _latest(c, whole_dose, "dose_reps IS NOT NULL", flt, first=True)
    return ExerciseProgress(
        exercise=name,
        title=title or name.replace("-", " ").capitalize(),
        n_sessions=n,
        first_day=first,
        last_day=last,
        hold=trend(hold),
        hold_target_s=_latest(c, "hold_target_s", "hold_target_s <> 0", flt),
        reps=trend(reps),
        reps_dose=None if dose is None else int(dose),
        score=trend(score),
        pain_before=trend(pain_b),
        pain_after=trend(pain_a),
        corrections=_corrections(c, n, flt, top),
        days_last_30=days_30,
        # a stretch: no session had a repetition (a bridge is reps with a hold: both shown)
        is_hold=any(with_holds) and not any(with_reps),
        chart=chart,
        series=_series(c, flt, chart[2]),
        reps_dose_was=None if was is None or was == dose else int(was),
    )


def _utc_before(day: _dt.date) -> str:
    """A stored UTC time no later than any time of local ``day`` (offsets are within 14 h):
    to let ``performed_utc >= ?`` skip older sessions before their local day is computed."""
    return (day - _dt.timedelta(days=1)).isoformat()


def _latest(
    c: sqlite3.Connection, col: str, cond: str, flt: tuple[str, list[Any]], first: bool = False
) -> Any:
    """The most recent (``first``: the earliest) session's ``col`` among those where
    ``cond`` holds (or None)."""
    where, args = flt
    order = "ASC" if first else "DESC"
    sql = (f"SELECT {col} FROM sessions {where} AND {cond} "
           f"ORDER BY performed_utc {order}, id {order} LIMIT 1")  # fmt: skip
    r = c.execute(sql, args).fetchone()
    return None if r is None else r[0]


def _series(
    c: sqlite3.Connection, flt: tuple[str, list[Any]], bucket_days: int
) -> dict[str, Series]:
    """Each chart's points: one per ``bucket_days`` days with a value, dated by the
    period's first day (days counted from 0001-01-01, as ``date.toordinal``)."""
    where, args = flt
    rows = c.execute(
        f"SELECT o - o % ? AS k, {', '.join(CHARTS.values())} "
        f"FROM (SELECT {_ORDINAL} AS o, * FROM sessions {where}) "
        "WHERE o IS NOT NULL GROUP BY k ORDER BY k",
        [bucket_days, *args],
    ).fetchall()
    days = [_dt.date.fromordinal(r[0]) for r in rows]
    return {
        name: [(d, float(r[i])) for d, r in zip(days, rows, strict=True) if r[i] is not None]
        for i, name in enumerate(CHARTS, start=1)
    }


def _corrections(
    c: sqlite3.Connection, n: int, flt: tuple[str, list[Any]], top: int
) -> list[CorrectionTrend]:
    """The ``top`` corrections needed in the most sessions (then the most times, then by
    id), with how many of the first and second half of the ``n`` sessions needed each."""
    where, args = flt
    half = n // 2
    # k.text is the text of the row max() picks (SQLite's bare column): the latest time
    # the correction was given, its numbers the recent ones (it read the first session's
    # "your longest hold was 2.7 s" beside a recent 1.8 s); a session ranks at most a
    # million corrections
    rows = c.execute(
        "WITH s AS (SELECT id, row_number() OVER (ORDER BY performed_utc, id) - 1 AS i "
        f"FROM sessions {where}) "
        "SELECT k.correction, k.text, count(*) AS n, sum(s.i < ?), sum(s.i >= ?), "
        "sum(k.count) AS total, max(s.i * 1000000 - k.rank) "
        "FROM s JOIN corrections AS k ON k.session_id = s.id WHERE k.count <> 0 "
        "GROUP BY k.correction ORDER BY n DESC, total DESC, k.correction LIMIT ?",
        [*args, half, half, top],
    ).fetchall()
    return [correction_trend(cid, text, m, early, recent, n)
            for cid, text, m, early, recent, _total, _first in rows]  # fmt: skip
