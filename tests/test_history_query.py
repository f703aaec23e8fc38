"""Reading the history with SQL (schema 3): the columns and table derived from each
session's detail, the migration from schema 2, the listing's local times and the
progress aggregates, each against numbers worked out by hand."""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
import time
from pathlib import Path

import pytest

from posecheck.cli import main
from posecheck.history.progress import chart_span
from posecheck.history.query import LIST_COLUMNS, listing, load_progress
from posecheck.history.store import COLUMNS, CREATE_V2, SCHEMA_VERSION, HistoryStore
from posecheck.history.synthetic import session_rows

TODAY = dt.date(2026, 12, 3)


def row(when: str, exercise: str = "bridge", **kw) -> dict:
    """A session's upsert values: only what the listing and the progress read."""
    r = {"performed_utc": when, "performed_from": "run", "recorded_utc": when,
         "exercise": exercise, "command": "live", "reps_complete": 5, "reps_attempted": 6,
         "holds_total": 0, "detail": {}}  # fmt: skip
    r.update(kw)
    return r


def corr(cid: str | None, text: str | None = None, count: object = "absent") -> dict:
    c: dict = {} if cid is None else {"id": cid}
    if text is not None:
        c["text"] = text
    if count != "absent":
        c["count"] = count
    return c


def derived(st: HistoryStore) -> list[tuple]:
    return st.conn.execute(
        "SELECT s.id, s.title, s.dose_reps, s.top_correction, k.rank, k.correction, k.text, "
        "k.count FROM sessions AS s LEFT JOIN corrections AS k ON k.session_id = s.id "
        "ORDER BY s.id, k.rank"
    ).fetchall()


def test_columns_and_corrections_follow_the_detail(tmp_path):
    with HistoryStore(tmp_path / "h.sqlite") as st:
        a, _ = st.upsert(row("2026-11-01T08:00:00+00:00", outdir="/a", detail={
            "title": "Bridge", "dose": {"reps": 10.0},
            "corrections": [corr("hips_up", "Hips up.", 2), corr("feet", count=0),
                            corr(None, "no id"), corr("slow", "")],
        }))  # fmt: skip
        b, _ = st.upsert(row("2026-11-02T08:00:00+00:00", detail={"title": ""}))
        assert derived(st) == [
            (a, "Bridge", 10, "Hips up.", 0, "hips_up", "Hips up.", 2),
            (a, "Bridge", 10, "Hips up.", 1, "feet", "feet", 0),  # listed, not needed
            (a, "Bridge", 10, "Hips up.", 3, "slow", "slow", 1),  # no count: needed once
            (b, None, None, None, None, None, None, None),
        ]
        # re-scored: the corrections are the new run's; forgotten: gone with the session
        st.upsert(row("2026-11-01T08:00:00+00:00", outdir="/a",
                      detail={"corrections": [corr("feet", "Feet flat.", None)]}))  # fmt: skip
        assert derived(st)[0] == (a, None, None, "Feet flat.", 0, "feet", "Feet flat.", 0)
        st.forget(a)
        assert st.conn.execute("SELECT count(*) FROM corrections").fetchone()[0] == 0


def _v2_file(path: Path, rows: list[dict]) -> None:
    con = sqlite3.connect(path)
    con.executescript(CREATE_V2 + "PRAGMA user_version = 2;")
    for r in rows:
        vals = {k: r.get(k) for k in COLUMNS if k != "id"}
        vals["detail"] = json.dumps(r["detail"])
        vals["partial"] = 0
        con.execute(f"INSERT INTO sessions ({', '.join(vals)}) VALUES "
                    f"({', '.join('?' * len(vals))})", list(vals.values()))  # fmt: skip
    con.execute("INSERT INTO sessions (performed_utc, performed_from, recorded_utc, exercise, "
                "command, detail) VALUES ('2026-11-30T08:00:00+00:00', 'run', "
                "'2026-11-30T08:00:00+00:00', 'bridge', 'live', 'not json')")  # fmt: skip
    con.commit()
    con.close()


def test_migration_from_schema_2_keeps_every_session_and_derives_the_rest(tmp_path):
    rows = session_rows(60, end=TODAY) + session_rows(10, end=TODAY, seed=5, person="anna")
    old, new = tmp_path / "history.sqlite", tmp_path / "fresh.sqlite"
    _v2_file(old, rows)
    with sqlite3.connect(old) as con:
        before = con.execute("SELECT * FROM sessions ORDER BY id").fetchall()
    with HistoryStore(new) as st:
        for r in rows:
            st.upsert(r)
        st.conn.execute("INSERT INTO sessions (performed_utc, performed_from, recorded_utc, "
                        "exercise, command, detail) VALUES ('2026-11-30T08:00:00+00:00', 'run', "
                        "'2026-11-30T08:00:00+00:00', 'bridge', 'live', 'not json')")  # fmt: skip
        fresh = (st.sessions(), listing(st), load_progress(st, TODAY), derived(st))
    with HistoryStore(old) as st:
        assert st.version == SCHEMA_VERSION == 4
        assert st.backup == tmp_path / "history.sqlite.v2.bak"
        got = st.conn.execute(f"SELECT {', '.join(COLUMNS)} FROM sessions ORDER BY id").fetchall()
        assert got == before  # every field of every session kept as it was
        migrated = (st.sessions(), listing(st), load_progress(st, TODAY), derived(st))
    # the migration derives what writing the same sessions now derives
    assert [r.to_dict() for r in migrated[0]] == [r.to_dict() for r in fresh[0]]
    assert migrated[1:] == fresh[1:]
    assert migrated[2].exercises[0].corrections  # there was something to derive
    with sqlite3.connect(tmp_path / "history.sqlite.v2.bak") as bak:
        assert bak.execute("PRAGMA user_version").fetchone()[0] == 2
        assert bak.execute("SELECT * FROM sessions ORDER BY id").fetchall() == before


@pytest.fixture
def new_york():
    """The process's local time zone as America/New_York (DST ends 2026-11-01 06:00 UTC)."""
    import os

    if not hasattr(time, "tzset") or not Path("/usr/share/zoneinfo/America/New_York").exists():
        pytest.skip("no time zone database to switch to")
    old = os.environ.get("TZ")
    os.environ["TZ"] = "America/New_York"
    time.tzset()
    yield
    if old is None:
        del os.environ["TZ"]
    else:
        os.environ["TZ"] = old
    time.tzset()


def test_listing_in_local_time_newest_last(tmp_path, new_york, capsys):
    db = tmp_path / "h.sqlite"
    with HistoryStore(db) as st:
        for when in ("2026-11-01T05:30:00+00:00", "2026-11-01T06:30:00+00:00",
                     "2026-11-20T03:00:00+00:00"):  # fmt: skip
            st.upsert(row(when, detail={"corrections": [corr("a", "Do A.", 1)]}))
        listed = listing(st, limit=2)
    top = LIST_COLUMNS.index("top_correction")
    assert [(r[0], r[-1], r[top]) for r in listed] == [
        (2, "2026-11-01 01:30", "Do A."), (3, "2026-11-19 22:00", "Do A.")]  # fmt: skip
    assert main(["history", "--db", str(db)]) == 0
    table = capsys.readouterr().out.splitlines()
    assert [ln.split()[1:3] for ln in table[1:]] == [
        ["2026-11-01", "01:30"], ["2026-11-01", "01:30"], ["2026-11-19", "22:00"]]  # fmt: skip
    assert main(["history", "--db", str(db), "--limit", "0"]) == 2
    assert capsys.readouterr().err == (
        "posecheck: error: --limit 0: give 1 or more (or leave --limit out)\n"
    )


def test_progress_aggregates_by_local_day(tmp_path, new_york):
    c = [corr("a", "Do A.", 2)]
    with HistoryStore(tmp_path / "h.sqlite") as st:
        for when, hold, score, pain, corrs in (
            ("2026-11-20T03:00:00+00:00", 2.0, 50.0, 6, c),  # Nov 19 in New York
            ("2026-11-20T14:00:00+00:00", 3.0, 60.0, 5, []),  # Nov 20, twice
            ("2026-11-20T22:00:00+00:00", 4.0, 70.0, None, c),
            ("2026-12-02T12:00:00+00:00", 5.0, 90.0, 3, [corr("b", "Do B.", 0), *c]),
        ):
            st.upsert(row(when, holds_total=1, longest_hold_s=hold, hold_target_s=5.0,
                          score=score, pain_before=pain,
                          detail={"corrections": corrs}))  # fmt: skip
        p = load_progress(st, TODAY)
    (e,) = p.exercises
    nov = dt.date(2026, 11, 1)
    assert p.sessions_per_day == {nov.replace(day=19): 1, nov.replace(day=20): 2,
                                  dt.date(2026, 12, 2): 1}  # fmt: skip
    assert (e.first_day, e.last_day, e.span_days, e.days_last_30) == (
        nov.replace(day=19), dt.date(2026, 12, 2), 14, 3)  # fmt: skip
    # reps and holds (a bridge): not a stretch, both shown
    assert not e.is_hold and e.hold_target_s == 5.0 and e.n_sessions == 4
    # one session at each end of four: a value a session had (2.5 and 4.5 were none), and
    # not the lower of two (4.0 read as the recent value beside a last session of 5.0)
    assert (e.hold.early, e.hold.recent, e.hold.n) == (2.0, 5.0, 4)
    assert e.chart == (nov.replace(day=19), TODAY, 1)
    assert e.series["hold"] == [
        (nov.replace(day=19), 2.0),
        (nov.replace(day=20), 4.0),
        (dt.date(2026, 12, 2), 5.0),
    ]  # the best of each day
    assert e.series["score"][1] == (nov.replace(day=20), 65.0)  # the mean of each day
    assert e.series["pain_before"][1] == (nov.replace(day=20), 5.0)  # the day's known ones
    # 'a' in sessions 0, 2 and 3 (3 of 4): 1 of the first half, 2 of the second; 'b' was
    # listed with count 0 (not needed) and is left out
    assert [(k.id, k.sessions, k.early_share, k.recent_share) for k in e.corrections] == [
        ("a", 3, 0.5, 1.0)]  # fmt: skip


def test_chart_span_reaches_today_and_goes_weekly_past_half_a_year():
    d = dt.date
    assert chart_span(d(2026, 11, 1), d(2026, 11, 20), TODAY) == (d(2026, 11, 1), TODAY, 1)
    assert chart_span(d(2026, 9, 1), d(2026, 10, 1), TODAY) == (d(2026, 9, 1), d(2026, 10, 1), 1)
    assert chart_span(d(2026, 12, 1), d(2026, 12, 2), TODAY) == (d(2026, 11, 27), TODAY, 1)
    assert chart_span(d(2026, 1, 1), d(2026, 12, 2), TODAY)[2] == 7


def test_the_reps_dose_of_an_exercise_dosed_each_side_counts_both_sides(tmp_path):
    # a bird dog dosed "5 each side" counts 10 reps a session, as its summary's counts do
    with HistoryStore(tmp_path / "h.sqlite") as st:
        st.upsert(row("2026-12-01T08:00:00+00:00", "bridge", outdir="/b",
                      detail={"dose": {"reps": 10}}))  # fmt: skip
        st.upsert(row("2026-12-01T09:00:00+00:00", "bird-dog", outdir="/d",
                      detail={"dose": {"reps": 5, "per_side": True}}))  # fmt: skip
        doses = {e.exercise: e.reps_dose for e in load_progress(st, TODAY).exercises}
        # the column keeps the definition's number
        stored = dict(st.conn.execute("SELECT exercise, dose_reps FROM sessions").fetchall())
    assert doses == {"bridge": 10, "bird-dog": 10}
    assert stored == {"bridge": 10, "bird-dog": 5}


def test_a_correction_reads_as_the_latest_session_said_it(tmp_path):
    """The page's label read the first session's numbers ("your longest hold was 2.7 s")
    beside a recent 1.8 s."""
    with HistoryStore(tmp_path / "h.sqlite") as st:
        for when, text in (("2026-11-20T10:00:00+00:00", "Hold longer: 2.7 s."),
                           ("2026-11-25T10:00:00+00:00", "Hold longer: 1.8 s.")):  # fmt: skip
            st.upsert(row(when, detail={"corrections": [corr("h", text, 1)]}))
        (e,) = load_progress(st, TODAY).exercises
    assert [(c.id, c.text, c.sessions) for c in e.corrections] == [("h", "Hold longer: 1.8 s.", 2)]
