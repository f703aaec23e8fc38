"""The history: the SQLite store (schema, migration, WAL, locks, corruption), recording from
each command without the model (live with scripted poses, score of its landmarks), import,
the history/progress commands. Real-model recording is in test_history_model.py; the
progress page in Chromium in test_history_page.py."""

from __future__ import annotations

import datetime as dt
import io
import json
import os
import shutil
import sqlite3
import stat
import subprocess
from pathlib import Path

import numpy as np
import pytest

from posecheck.cli import main
from posecheck.history import HistoryOptions, record_routine, record_session
from posecheck.history.progress import trend
from posecheck.history.query import load_progress
from posecheck.history.record import corrections_of, fingerprint
from posecheck.history.store import (
    CREATE_V1,
    SCHEMA_VERSION,
    HistoryError,
    HistoryStore,
)
from posecheck.history.synthetic import session_rows
from posecheck.live.session import LiveOptions, run_live
from test_live_session import ScriptEstimator, ScriptSource, SilentSpeaker, _bridge, bridge_script

TODAY = dt.date(2026, 12, 3)


def summary(**kw) -> dict:
    """A summary.json-shaped dict as analyze writes it (only what the history reads)."""
    s = {
        "format": "posecheck-summary", "posecheck_version": "0.1.0", "partial": False,
        "created_utc": "2026-11-20T08:00:00+00:00", "exercise": "bridge", "side": "left",
        "duration_s": 42.0, "frames": 600, "frames_with_pose": 590,
        "holds": [{"phase": "up", "start_s": 3.0, "end_s": 6.1, "duration_s": 3.1,
                   "target_s": 5.0, "reached": False},
                  {"phase": "up", "start_s": 12.0, "end_s": 17.4, "duration_s": 5.4,
                   "target_s": 5.0, "reached": True}],
        "reps": [{"index": 1, "complete": True}, {"index": 2, "complete": True},
                 {"index": 0, "complete": False}],
        "reps_complete": 2, "dose": {"hold_s": 5, "reps": 10},
        "cues": [{"id": "feet_flat", "text": "Keep your feet flat on the floor.", "count": 2,
                  "first_s": 4.0},
                 {"id": "knee_bend", "text": "Feet about a foot from your hips.", "count": 5,
                  "first_s": 1.0}],
        "score": 71.5, "score_components": {"form": 80.0, "holds": 60.0},
        "definition": {"name": "bridge", "phases": []},
    }  # fmt: skip
    s.update(kw)
    return s


def rows_of(db: Path) -> list:
    with HistoryStore(db, create=False) as st:
        return st.sessions()


# --- the store ----------------------------------------------------------------------


def test_new_database_is_private_wal_and_current(tmp_path, capsys):
    db = tmp_path / "sub" / "history.sqlite"
    rec = record_session(summary(), HistoryOptions(db=str(db)), command="analyze")
    assert rec is not None and rec.created and rec.path == db
    assert stat.S_IMODE(db.stat().st_mode) == 0o600
    assert stat.S_IMODE(db.parent.stat().st_mode) == 0o700
    con = sqlite3.connect(db)
    assert con.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert con.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
    con.close()
    (row,) = rows_of(db)
    assert (row.exercise, row.side, row.holds_total, row.holds_reached) == ("bridge", "left", 2, 1)
    assert (row.reps_complete, row.reps_attempted) == (2, 3)
    assert row.longest_hold_s == 5.4 and row.hold_target_s == 5.0 and row.score == 71.5
    # the list says the reps done, and those that fell short, not "2/3" (of a dose?)
    assert main(["history", "--db", str(db)]) == 0
    assert " 2 (+1 short) " in capsys.readouterr().out
    # when it began: the summary is written as the 42 s session ends
    assert row.performed_utc == "2026-11-20T07:59:18+00:00" and row.performed_from == "run"
    assert row.definition_hash and row.definition_hash.startswith("sha256:")
    assert [h["duration_s"] for h in row.detail["holds"]] == [3.1, 5.4]
    assert row.detail["score_components"] == {"form": 80.0, "holds": 60.0}
    # cues ranked by how often they were shown
    assert [c["id"] for c in row.detail["corrections"]] == ["knee_bend", "feet_flat"]


def test_corrections_from_issue_12_are_preferred_over_cues():
    s = summary(corrections=[{"id": "hips", "kind": "form", "text": "Lift the hips.",
                              "count": 3, "first_s": 2.0, "reps": [1, 2]}])  # fmt: skip
    assert [c["id"] for c in corrections_of(s)] == ["hips"]
    assert [c["id"] for c in corrections_of(summary())] == ["knee_bend", "feet_flat"]


def test_db_location_env_and_xdg(tmp_path, monkeypatch):
    from posecheck.history.store import default_path, resolve_path

    monkeypatch.delenv("POSECHECK_DB", raising=False)
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg"))
    assert default_path() == tmp_path / "xdg" / "posecheck" / "history.sqlite"
    monkeypatch.setenv("POSECHECK_DB", str(tmp_path / "env.sqlite"))
    assert default_path() == tmp_path / "env.sqlite"
    assert resolve_path(str(tmp_path / "flag.sqlite")) == tmp_path / "flag.sqlite"


def test_same_recording_or_folder_updates_one_row(tmp_path):
    db = tmp_path / "h.sqlite"
    video = tmp_path / "clip.mp4"
    video.write_bytes(os.urandom(3000))
    out = tmp_path / "clip.posecheck"
    opts = HistoryOptions(db=str(db), pain_before=6, person="anna")
    a = record_session(summary(), opts, command="analyze", source=str(video), outdir=out)
    # re-scored later (no pain given this time): same row, pain and person kept
    b = record_session(summary(score=80.0, created_utc="2026-11-25T08:00:00+00:00"),
                       HistoryOptions(db=str(db)), command="score", source=str(video))  # fmt: skip
    # the saved folder re-scored (its landmarks file): same row again
    c = record_session(summary(score=82.0), HistoryOptions(db=str(db), pain_after=3),
                       command="score", outdir=out)  # fmt: skip
    # the recording moved and renamed: the fingerprint still finds it
    moved = tmp_path / "moved.mp4"
    video.rename(moved)
    d = record_session(summary(), HistoryOptions(db=str(db)), command="score", source=str(moved))
    assert a and b and c and d and a.id == b.id == c.id == d.id
    assert [a.created, b.created, c.created, d.created] == [True, False, False, False]
    (row,) = rows_of(db)
    assert (row.pain_before, row.pain_after, row.person) == (6, 3, "anna")
    assert row.command == "score" and row.score == 71.5  # the last scoring
    assert row.performed_utc == "2026-11-20T07:59:18+00:00"  # when it was done, kept
    # another recording is another session
    other = tmp_path / "other.mp4"
    other.write_bytes(os.urandom(3000))
    e = record_session(summary(), HistoryOptions(db=str(db)), command="score", source=str(other))
    assert e and e.created and len(rows_of(db)) == 2


def test_a_new_run_into_a_used_folder_is_a_new_session(tmp_path):
    """A live session re-run into last week's folder with --force replaced last week's
    row: today's results under last week's date, its pain and note kept beside them."""
    db = tmp_path / "h.sqlite"
    out = tmp_path / "tilt-monday"
    opts = HistoryOptions(db=str(db), pain_before=5)
    week1 = record_session(summary(score=55.0, created_utc="2026-11-23T08:00:00+00:00"), opts,
                           command="live", outdir=out, new_run=True)  # fmt: skip
    week2 = record_session(summary(score=80.0, created_utc="2026-11-30T08:00:00+00:00"),
                           HistoryOptions(db=str(db), pain_before=3), command="live",
                           outdir=out, new_run=True)  # fmt: skip
    assert week1 and week2 and week2.created and week2.id != week1.id
    rows = {r.id: r for r in rows_of(db)}
    assert (rows[week1.id].score, rows[week1.id].pain_before) == (55.0, 5)
    assert rows[week1.id].performed_utc.startswith("2026-11-23")
    # the folder is this week's session now: re-scoring it updates that row
    again = record_session(summary(score=81.0), HistoryOptions(db=str(db)), command="score",
                           outdir=out)  # fmt: skip
    assert again and again.id == week2.id and len(rows_of(db)) == 2
    # analysing the same recording into its folder again is still the same session
    video = tmp_path / "clip.mp4"
    video.write_bytes(os.urandom(3000))
    a = record_session(summary(), HistoryOptions(db=str(db)), command="analyze",
                       source=str(video), outdir=tmp_path / "a", new_run=True)  # fmt: skip
    b = record_session(summary(), HistoryOptions(db=str(db)), command="analyze",
                       source=str(video), outdir=tmp_path / "a", new_run=True)  # fmt: skip
    assert a and b and a.id == b.id and not b.created and len(rows_of(db)) == 3


def test_a_recording_given_by_a_relative_path_is_stored_absolute(tmp_path, monkeypatch):
    """score run from another folder replaced analyze's absolute path with "clip.mp4",
    a path that means nothing from anywhere else."""
    db = tmp_path / "h.sqlite"
    video = tmp_path / "clips" / "clip.mp4"
    video.parent.mkdir()
    video.write_bytes(os.urandom(3000))
    record_session(summary(), HistoryOptions(db=str(db)), command="analyze", source=str(video))
    monkeypatch.chdir(video.parent)
    record_session(summary(), HistoryOptions(db=str(db)), command="score", source="clip.mp4")
    (row,) = rows_of(db)
    assert row.command == "score" and row.source == str(video)


def test_fingerprint_reads_both_ends_of_large_files(tmp_path):
    a, b = tmp_path / "a.bin", tmp_path / "b.bin"
    data = os.urandom(3 << 20)
    a.write_bytes(data)
    b.write_bytes(data[:-1] + bytes([data[-1] ^ 1]))  # differs in the last byte only
    assert fingerprint(a) != fingerprint(b) and fingerprint(a) == fingerprint(a)
    assert fingerprint(tmp_path / "missing.mp4") is None


def test_partial_or_empty_sessions_are_not_recorded(tmp_path):
    db = tmp_path / "h.sqlite"
    assert record_session(summary(partial=True), HistoryOptions(db=str(db)), command="x") is None
    assert record_session(summary(frames_with_pose=0), HistoryOptions(db=str(db)),
                          command="x") is None  # fmt: skip
    off = HistoryOptions(db=str(db), enabled=False)
    assert record_session(summary(), off, command="x") is None and not db.exists()


def _v1_file(path: Path) -> None:
    con = sqlite3.connect(path)
    con.executescript(CREATE_V1 + "PRAGMA user_version = 1;")
    con.execute(
        "INSERT INTO sessions (performed_utc, performed_from, recorded_utc, exercise, "
        "longest_hold_s, score, pain, command, outdir) VALUES "
        "('2026-10-01T07:00:00+00:00', 'run', '2026-10-01T07:01:00+00:00', 'bridge', 3.5, "
        "64, 5, 'analyze', '/old/out')"
    )
    con.commit()
    con.close()


def test_migration_from_schema_1_backs_up_first(tmp_path):
    db = tmp_path / "history.sqlite"
    _v1_file(db)
    with HistoryStore(db) as st:
        assert st.version == SCHEMA_VERSION
        assert st.backup == tmp_path / "history.sqlite.v1.bak"
        (row,) = st.sessions()
    assert (row.pain_before, row.pain_after, row.person, row.note) == (5, None, None, None)
    assert (row.longest_hold_s, row.score, row.outdir) == (3.5, 64.0, "/old/out")
    bak = sqlite3.connect(tmp_path / "history.sqlite.v1.bak")
    assert bak.execute("PRAGMA user_version").fetchone()[0] == 1
    assert bak.execute("SELECT pain FROM sessions").fetchone()[0] == 5
    bak.close()
    # the migrated file takes new sessions with every field, and the old row is re-found
    rec = record_session(summary(), HistoryOptions(db=str(db), pain_after=2),
                         command="score", outdir="/old/out")  # fmt: skip
    assert rec and rec.id == row.id and not rec.created
    assert rows_of(db)[0].pain_after == 2 and rows_of(db)[0].pain_before == 5
    # opening again migrates nothing and makes no second backup
    with HistoryStore(db) as st:
        assert st.backup is None
    assert sorted(p.name for p in tmp_path.glob("*.bak")) == ["history.sqlite.v1.bak"]


def test_newer_schema_is_refused_untouched(tmp_path):
    db = tmp_path / "h.sqlite"
    con = sqlite3.connect(db)
    con.executescript("CREATE TABLE sessions (id INTEGER); PRAGMA user_version = 99;")
    con.close()
    before = db.read_bytes()
    with pytest.raises(HistoryError, match="schema 99 is from a newer posecheck"):
        HistoryStore(db)
    assert db.read_bytes() == before


def test_corrupt_database_is_one_warning_line(tmp_path):
    db = tmp_path / "h.sqlite"
    db.write_bytes(b"this is not sqlite at all" * 200)
    err = io.StringIO()
    assert record_session(summary(), HistoryOptions(db=str(db)), command="analyze",
                          err=err) is None  # fmt: skip
    lines = err.getvalue().splitlines()
    assert len(lines) == 1 and "not a readable history database" in lines[0]
    assert f"mv {db} {db}.broken" in lines[0] and "Traceback" not in err.getvalue()


def test_locked_database_waits_then_one_warning_line(tmp_path):
    db = tmp_path / "h.sqlite"
    assert record_session(summary(), HistoryOptions(db=str(db)), command="analyze")
    holder = sqlite3.connect(db, isolation_level=None)
    holder.execute("BEGIN EXCLUSIVE")  # another program holds the write lock
    try:
        err = io.StringIO()
        other = tmp_path / "o"
        rec = record_session(summary(), HistoryOptions(db=str(db), timeout_s=0.2),
                             command="score", outdir=other, err=err)  # fmt: skip
        assert rec is None
        assert err.getvalue().count("\n") == 1 and "is locked by another program" in err.getvalue()
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert len(rows_of(db)) == 1


def test_read_only_database_is_one_warning_line(tmp_path):
    db = tmp_path / "h.sqlite"
    assert record_session(summary(), HistoryOptions(db=str(db)), command="analyze")
    root = hasattr(os, "geteuid") and os.geteuid() == 0
    if root:  # root writes a 0400 file anyway; an immutable one it cannot
        if (
            not shutil.which("chattr")
            or subprocess.run(
                ["chattr", "+i", str(db)], capture_output=True, check=False
            ).returncode
        ):
            pytest.skip("running as root and chattr +i is not available here")
    else:
        db.chmod(0o400)
    try:
        err = io.StringIO()
        assert record_session(summary(), HistoryOptions(db=str(db)), command="score",
                              outdir=tmp_path / "x", err=err) is None  # fmt: skip
        assert err.getvalue().count("\n") == 1 and "is read-only" in err.getvalue()
        assert "Traceback" not in err.getvalue()
    finally:
        if root:
            subprocess.run(["chattr", "-i", str(db)], check=False)
    assert len(rows_of(db)) == 1


def _write_many(args: tuple[str, int, int]) -> int:
    db, worker, n = args
    ok = 0
    for k in range(n):
        s = summary(created_utc=f"2026-11-{1 + k % 28:02d}T08:00:00+00:00")
        # every worker also re-records one shared session: it must stay one row
        out = "/shared/session" if k == 0 else f"/w{worker}/s{k}"
        ok += record_session(s, HistoryOptions(db=db, timeout_s=30), command="score",
                             outdir=out) is not None  # fmt: skip
    return ok


def test_parallel_writers_lose_nothing_and_add_no_duplicate(tmp_path):
    """As 'score --jobs' workers do: separate processes writing at once."""
    import multiprocessing as mp

    db = str(tmp_path / "h.sqlite")
    workers, n = 3, 15
    with mp.get_context("spawn").Pool(workers) as pool:
        done = pool.map(_write_many, [(db, w, n) for w in range(workers)])
    assert done == [n] * workers
    rows = rows_of(Path(db))
    assert len(rows) == workers * (n - 1) + 1
    assert len({r.outdir for r in rows}) == len(rows)


# --- recording from the commands (no model) -----------------------------------------


def _live(tmp_path, history, stdin=None, name="session"):
    ex = _bridge()
    script = bridge_script(ex, reps=2)
    opts = LiveOptions(exercise="bridge", camera="fake", window=False, json_lines=False,
                       outdir=str(tmp_path / name), countdown_s=0.0, smoothing=False,
                       history=history)  # fmt: skip
    out, err = io.StringIO(), io.StringIO()
    outcome = run_live(opts, source=ScriptSource(len(script)), estimator=ScriptEstimator(script),
                       speaker=SilentSpeaker(), stdout=out, stderr=err, stdin=stdin)  # fmt: skip
    return outcome, out.getvalue(), err.getvalue()


def test_live_records_once_with_the_pain_asked_at_the_end(tmp_path, capsys):
    db = tmp_path / "h.sqlite"
    outcome, _, err = _live(tmp_path, HistoryOptions(db=str(db), pain_before=6),
                            stdin=io.StringIO("4\n"))  # fmt: skip
    assert "Back pain now, 0-10" in err and "back pain after: 4/10 - noted" in err
    assert outcome.pain_after == 4 and outcome.history_id == 1
    (row,) = rows_of(db)
    assert (row.command, row.exercise, row.reps_complete) == ("live", "bridge", 2)
    assert (row.pain_before, row.pain_after) == (6, 4)
    assert row.outdir == str(outcome.outdir.resolve()) and row.performed_from == "run"
    # re-scored from its landmarks (no model), in 2 worker processes: the same session
    code = main(["score", str(outcome.outdir), "-j", "2", "-q", "--db", str(db)])
    assert code in (0, 1), capsys.readouterr().err
    (again,) = rows_of(db)
    assert again.id == row.id and again.command == "score" and again.pain_after == 4
    assert again.performed_utc == row.performed_utc
    # and imported (the folder is known): nothing added
    code = main(["history", "import", str(tmp_path), "--db", str(db)])
    assert code == 0 and "imported 0 new sessions, updated 1" in capsys.readouterr().out
    assert len(rows_of(db)) == 1


def test_live_skipped_pain_and_no_history(tmp_path):
    db = tmp_path / "h.sqlite"
    outcome, _, err = _live(tmp_path, HistoryOptions(db=str(db)), stdin=io.StringIO("\n"))
    assert outcome.pain_after is None and "noted" not in err
    assert rows_of(db)[0].pain_after is None
    # --pain-after given: nothing is asked
    outcome, _, err = _live(tmp_path, HistoryOptions(db=str(db), pain_after=2),
                            stdin=io.StringIO("7\n"), name="s2")  # fmt: skip
    assert "Back pain now" not in err and rows_of(db)[-1].pain_after == 2
    # --no-history: nothing asked, nothing written
    outcome, _, err = _live(tmp_path, HistoryOptions(db=str(db), enabled=False),
                            stdin=io.StringIO("7\n"), name="s3")  # fmt: skip
    assert "Back pain now" not in err and outcome.history_id is None
    assert len(rows_of(db)) == 2

    class CtrlCAtThePrompt(io.StringIO):
        def readline(self, *_):
            raise KeyboardInterrupt

    # Ctrl-C at the question skips it: the session is recorded all the same
    outcome, _, err = _live(tmp_path, HistoryOptions(db=str(db)), stdin=CtrlCAtThePrompt(),
                            name="s4")  # fmt: skip
    assert "Back pain now" in err and outcome.pain_after is None
    assert len(rows_of(db)) == 3 and outcome.history_id == rows_of(db)[-1].id


class _FakeCv2Window:
    """cv2's window calls without a display: keys come from a script, pictures are kept."""

    def __init__(self, card_key: int):
        self.card_key, self.shown, self.cards = card_key, 0, []

    def install(self, monkeypatch):
        import posecheck.live.session as session_mod
        import posecheck.live.window as window_mod

        cv2 = window_mod.cv2
        monkeypatch.setattr(window_mod, "check_display", lambda: None)
        for name in ("namedWindow", "resizeWindow", "destroyWindow"):
            monkeypatch.setattr(cv2, name, lambda *a, **k: None)
        monkeypatch.setattr(cv2, "imshow", self.imshow)
        monkeypatch.setattr(cv2, "waitKey", self.wait_key)
        monkeypatch.setattr(cv2, "waitKeyEx", self.wait_key)  # the per-frame poll
        monkeypatch.setattr(cv2, "getWindowProperty", lambda *a: 1.0)
        monkeypatch.setattr(session_mod, "PAIN_NOTED_S", 0.0)

    def imshow(self, title, img):
        self.shown += 1
        self.last = img

    def wait_key(self, ms):
        if ms == 1:  # the session's own polling: no key
            return -1
        self.cards.append(self.last.copy())
        return self.card_key


@pytest.mark.parametrize("key, pain", [(ord("7"), 7), (ord("x"), None)])
def test_live_window_end_card_takes_a_pain_key(tmp_path, monkeypatch, key, pain):
    fake = _FakeCv2Window(key)
    fake.install(monkeypatch)
    db = tmp_path / "h.sqlite"
    ex = _bridge()
    script = bridge_script(ex, reps=1)
    opts = LiveOptions(exercise="bridge", camera="fake", window=True, outdir=str(tmp_path / "s"),
                       countdown_s=0.0, smoothing=False, summary_s=5.0,
                       history=HistoryOptions(db=str(db)))  # fmt: skip
    outcome = run_live(opts, source=ScriptSource(len(script)), estimator=ScriptEstimator(script),
                       speaker=SilentSpeaker(), stdout=io.StringIO(),
                       stderr=io.StringIO())  # fmt: skip
    assert outcome.pain_after == pain and rows_of(db)[0].pain_after == pain
    # the question card, then (for a digit) the card again saying the answer
    assert len(fake.cards) == (2 if pain is not None else 1)
    if pain is not None:
        # the answer card differs from the question card where the answer is written
        assert np.abs(fake.cards[1].astype(int) - fake.cards[0].astype(int)).sum() > 0


def test_pain_from_key():
    from posecheck.live.session import pain_from_key

    assert [pain_from_key(ord(c)) for c in "09"] == [0, 9]
    assert pain_from_key(None) is None and pain_from_key(27) is None
    assert pain_from_key(ord("a")) is None


def test_score_with_a_corrupt_database_keeps_its_outputs(tmp_path, capsys):
    outcome, _, _ = _live(tmp_path, None)
    db = tmp_path / "bad.sqlite"
    db.write_bytes(b"garbage" * 500)
    report = tmp_path / "s.json"
    code = main(["score", str(outcome.outdir), "-j", "1", "-q", "--db", str(db),
                 "--json", str(report)])  # fmt: skip
    cap = capsys.readouterr()
    assert code in (0, 1) and json.loads(report.read_text())[0]["reps"] == 2
    warn = [ln for ln in cap.err.splitlines() if "session not recorded" in ln]
    assert len(warn) == 1 and "Traceback" not in cap.err
    assert "bridge" in cap.out  # the table is there


# --- import ---------------------------------------------------------------------------


def test_import_finds_saved_sessions_once(tmp_path, capsys):
    db = tmp_path / "h.sqlite"
    root = tmp_path / "results"
    clip = tmp_path / "camera.mp4"
    clip.write_bytes(os.urandom(3000))
    for name, s in [
        ("a.posecheck", summary(input={"path": "a.mp4"})),
        ("b.posecheck", summary(created_utc="2026-11-22T09:00:00+00:00", exercise="bird-dog")),
        ("c.posecheck", summary(partial=True)),
        ("live/x", summary(live={"ended": "done"})),
        # two live sessions played from one video file as the camera: two sessions
        ("live/y", summary(live={"ended": "done"}, input={"path": str(clip)})),
        ("live/z", summary(live={"ended": "done"}, input={"path": str(clip)})),
    ]:
        (root / name).mkdir(parents=True)
        (root / name / "summary.json").write_text(json.dumps(s))
    (root / "junk").mkdir()
    (root / "junk" / "summary.json").write_text("{not json")
    assert main(["history", "import", str(root), "--db", str(db)]) == 0
    cap = capsys.readouterr()
    assert "imported 5 new sessions, updated 0, skipped 2" in cap.out
    assert "partial" in cap.err and "unreadable" in cap.err
    assert main(["history", "import", str(root), "--db", str(db)]) == 0
    assert "imported 0 new sessions, updated 5" in capsys.readouterr().out
    rows = rows_of(db)
    assert sorted(r.command for r in rows) == ["analyze", "analyze", "live", "live", "live"]
    assert sorted(r.exercise for r in rows) == ["bird-dog", *["bridge"] * 4]


def test_import_keeps_what_the_person_said_and_finds_the_recording_from_anywhere(
    tmp_path, monkeypatch, capsys
):
    """A history rebuilt with 'history import' lost every pain rating and name, and, run
    from another folder than analyze was, every recording (so every date)."""
    db = tmp_path / "h.sqlite"
    clip = tmp_path / "clips" / "a.mp4"
    clip.parent.mkdir()
    clip.write_bytes(b"not a real video, but a file")
    said = {"person": "anna", "pain_before": 6, "pain_after": 3}
    s = summary(input={"path": "clips/a.mp4", "resolved": str(clip)}, **said)
    folder = tmp_path / "results" / "a.posecheck"
    folder.mkdir(parents=True)
    (folder / "summary.json").write_text(json.dumps(s))
    monkeypatch.chdir(folder)  # not where analyze ran
    assert main(["history", "import", str(tmp_path / "results"), "--db", str(db)]) == 0
    (row,) = rows_of(db)
    assert (row.person, row.pain_before, row.pain_after) == ("anna", 6, 3)
    assert row.source == str(clip)
    # a name given to the import wins; a rating out of range is no rating
    (folder / "summary.json").write_text(json.dumps({**s, "pain_after": 11}))
    assert main(["history", "import", str(tmp_path / "results"), "--db", str(tmp_path / "b"),
                 "--person", "ben"]) == 0  # fmt: skip
    (row,) = rows_of(tmp_path / "b")
    assert (row.person, row.pain_before, row.pain_after) == ("ben", 6, None)


def test_import_leaves_out_what_was_forgotten_or_run_with_no_history(tmp_path, capsys):
    db = tmp_path / "h.sqlite"
    root = tmp_path / "results"
    flow = summary(
        exercise="routine:auto", routine={"name": "auto", "title": "Routine (auto)"},
        segments=[{"index": 1, "kind": "step", "exercise": "bridge", "run": None,
                   "start_s": 0.0, "end_s": 20.0, "summary": summary()}],
    )  # fmt: skip
    for name, s in [
        ("a.posecheck", summary()),
        ("b.posecheck", summary(exercise="bird-dog")),
        ("trial.posecheck", summary(history=False)),  # analyze --no-history
        ("flow.posecheck", flow),
    ]:
        (root / name).mkdir(parents=True)
        (root / name / "summary.json").write_text(json.dumps(s))
    assert main(["history", "import", str(root), "--db", str(db)]) == 0
    cap = capsys.readouterr()
    assert "imported 3 new sessions, updated 0, skipped 1" in cap.out
    assert "trial.posecheck/summary.json: run with --no-history (--all imports it)" in cap.err
    ids = {r.exercise if r.detail.get("routine") is None else "flow": r.id for r in rows_of(db)}
    # forgotten: a plain session and a routine's step; importing again leaves them out
    assert main(["history", "forget", str(ids["bird-dog"]), str(ids["flow"]), "--db", str(db)]) == 0
    capsys.readouterr()
    assert main(["history", "import", str(root), "--db", str(db)]) == 0
    cap = capsys.readouterr()
    assert "imported 0 new sessions, updated 1, skipped 3" in cap.out
    assert cap.err.count("forgotten with 'history forget' (--all imports it)") == 2
    assert [r.exercise for r in rows_of(db)] == ["bridge"]
    # --all: everything, and what is recorded again is no longer forgotten
    assert main(["history", "import", str(root), "--db", str(db), "--all"]) == 0
    assert "imported 3 new sessions, updated 1, skipped 0" in capsys.readouterr().out
    assert main(["history", "import", str(root), "--db", str(db)]) == 0
    assert "imported 0 new sessions, updated 3, skipped 1" in capsys.readouterr().out


def test_analyze_marks_a_no_history_run_in_its_summary(tmp_path, capsys, monkeypatch):
    import posecheck.estimator as est
    from test_analyze import FakeEstimator, write_video

    monkeypatch.setattr(est, "MediaPipeEstimator", FakeEstimator)
    clip = write_video(tmp_path / "clip.mp4", n=6)
    for out, flag in ((tmp_path / "on", []), (tmp_path / "off", ["--no-history"])):
        argv = ["analyze", str(clip), "-e", "bridge", "-o", str(out), "-q", "--no-video",
                "--db", str(tmp_path / "h.sqlite"), *flag]  # fmt: skip
        assert main(argv) == 0
    capsys.readouterr()
    assert json.loads((tmp_path / "on" / "summary.json").read_text())["history"] is True
    assert json.loads((tmp_path / "off" / "summary.json").read_text())["history"] is False


# --- the history command --------------------------------------------------------------


@pytest.fixture
def db90(tmp_path) -> Path:
    db = tmp_path / "h90.sqlite"
    with HistoryStore(db) as st:
        for r in session_rows(90, end=TODAY):
            st.upsert(r)
        for r in session_rows(10, end=TODAY, seed=5, person="anna")[:2]:
            st.upsert(r)
    return db


def test_history_list_filter_and_export(db90, tmp_path, capsys):
    assert main(["history", "--db", str(db90), "-e", "pelvic-tilt", "--limit", "3"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0].split()[:4] == ["id", "when", "person", "exercise"]
    assert len(out) == 4 and all("pelvic-tilt" in ln for ln in out[1:])
    assert main(["history", "--db", str(db90), "--person", "anna", "--json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert len(rows) >= 1 and {r["person"] for r in rows} == {"anna"}
    assert "corrections" in rows[0]["detail"]
    csv_path = tmp_path / "s.csv"
    assert main(["history", "--db", str(db90), "--since", "2026-11-01", "--csv",
                 str(csv_path)]) == 0  # fmt: skip
    lines = csv_path.read_text().splitlines()
    assert lines[0].startswith("id,performed_utc,person,exercise")
    assert all(ln.split(",")[1] >= "2026-10-31" for ln in lines[1:]) and len(lines) > 10


def test_a_correction_is_cut_to_the_terminal_width_and_whole_when_piped(db90, capsys, monkeypatch):
    monkeypatch.delenv("COLUMNS", raising=False)  # piped (capsys): whole
    assert main(["history", "--db", str(db90)]) == 0
    whole = capsys.readouterr().out.splitlines()
    assert any(ln.endswith("Keep your feet flat on the floor.") for ln in whole)
    monkeypatch.setenv("COLUMNS", "110")
    assert main(["history", "--db", str(db90)]) == 0
    cut = capsys.readouterr().out.splitlines()
    assert len(cut) == len(whole) and max(map(len, cut)) <= 109
    shortened = [c for c, w in zip(cut, whole, strict=True) if c != w]
    assert shortened and all(c.endswith("...") for c in shortened)
    assert all(w.startswith(c[:-3]) for c, w in zip(cut, whole, strict=True) if c != w)
    assert [ln.split()[0] for ln in cut] == [ln.split()[0] for ln in whole]


def test_an_export_replaces_an_earlier_export_only(db90, tmp_path, capsys):
    video = tmp_path / "clip.mp4"
    video.write_bytes(b"\x00\x00\x00\x18ftypmp42")
    for flag in ("--csv", "--json"):
        assert main(["history", "--db", str(db90), flag, str(video)]) == 2
        assert capsys.readouterr().err == (
            f"posecheck: error: {video}: already exists and is not a history export (add "
            "--force to replace it, or choose another name)\n")  # fmt: skip
        assert video.read_bytes() == b"\x00\x00\x00\x18ftypmp42"
    out, rows = tmp_path / "s.csv", tmp_path / "s.json"
    for _ in range(2):
        assert main(["history", "--db", str(db90), "--csv", str(out), "--json", str(rows)]) == 0
    assert main(["history", "--db", str(db90), "--json", str(out)]) == 2
    (tmp_path / "empty.csv").write_text("")  # made with touch: nothing to lose
    assert main(["history", "--db", str(db90), "--csv", str(tmp_path / "empty.csv")]) == 0
    assert main(["history", "--db", str(db90), "--json", str(out), "--force"]) == 0
    assert json.loads(out.read_text())[0]["performed_utc"]


def test_history_note_pain_and_forget(db90, capsys):
    assert main(["history", "note", "3", "knee", "sore", "--pain-after", "4",
                 "--db", str(db90)]) == 0  # fmt: skip
    with HistoryStore(db90) as st:
        r = st.get(3)
    assert r and r.note == "knee sore" and r.pain_after == 4
    assert main(["history", "forget", "3", "--db", str(db90)]) == 0
    with HistoryStore(db90) as st:
        assert st.get(3) is None
    capsys.readouterr()
    assert main(["history", "forget", "3", "--db", str(db90)]) == 2
    assert capsys.readouterr().err.strip() == (
        "posecheck: error: history forget: no session 3 ('posecheck history' lists the IDs)"
    )
    assert main(["history", "note", "x", "hi", "--db", str(db90)]) == 2
    assert main(["history", "frobnicate", "--db", str(db90)]) == 2
    assert "unknown action 'frobnicate'" in capsys.readouterr().err
    assert main(["history", "forgt", "3", "--db", str(db90)]) == 2
    assert capsys.readouterr().err == ("posecheck: error: history: unknown action 'forgt' (did "
                                       "you mean forget?) (use one of: list, note, date, forget, "
                                       "import)\n")  # fmt: skip
    assert main(["history", "--db", str(db90.parent)]) == 2
    assert "is a folder, not a database file (give a file name with --db)" in (
        capsys.readouterr().err)  # fmt: skip


def test_a_session_dated_by_the_person_keeps_that_date_when_scored_again(tmp_path, capsys):
    """A clip with no date of its own (a messenger strips it) is dated by the run: the
    person can say when it was done, and a re-score or an import does not undo it."""
    db = tmp_path / "h.sqlite"
    video = tmp_path / "clip.mp4"
    video.write_bytes(os.urandom(3000))
    rec = record_session(summary(), HistoryOptions(db=str(db)), command="analyze",
                         source=str(video))  # fmt: skip
    assert rec is not None
    was = rows_of(db)[0].performed_utc
    assert main(["history", "date", str(rec.id), "2026-11-03", "18:30", "--db", str(db)]) == 0
    when = dt.datetime(2026, 11, 3, 18, 30).astimezone()
    out = capsys.readouterr().out
    assert out.startswith(f"session {rec.id}: dated 2026-11-03 18:30 (was ")
    (row,) = rows_of(db)
    assert (row.performed_utc, row.performed_from) == (
        when.astimezone(dt.timezone.utc).isoformat(),
        "given",
    )
    assert row.performed_utc != was
    record_session(summary(score=90.0), HistoryOptions(db=str(db)), command="score",
                   source=str(video))  # fmt: skip
    (row,) = rows_of(db)
    assert row.score == 90.0 and row.performed_utc == when.astimezone(dt.timezone.utc).isoformat()
    # a date alone keeps the session's time of day
    assert main(["history", "date", str(rec.id), "2026-11-01", "--db", str(db)]) == 0
    assert capsys.readouterr().out.startswith(f"session {rec.id}: dated 2026-11-01 18:30")
    for words, why in (([], "history date: when? (posecheck history date ID YYYY-MM-DD [HH:MM])"),
                       (["3/11/2026"], "history date: '3/11/2026' is not a date and time"),
                       (["2026-02-30"], "history date: '2026-02-30' is not a date and time"),
                       (["2026-11-01", "25:00"], "is not a date and time"),
                       (["2999-01-01"], "2999-01-01 18:30 is in the future"),
                       ):  # fmt: skip
        assert main(["history", "date", str(rec.id), *words, "--db", str(db)]) == 2
        err = capsys.readouterr().err
        assert err.count("\n") == 1 and why in err, err
    assert main(["history", "date", "99", "2026-11-01", "--db", str(db)]) == 2
    assert "no session 99" in capsys.readouterr().err


def test_an_exercise_is_found_by_its_alias_or_title_and_a_typo_gets_a_hint(tmp_path, capsys):
    db = tmp_path / "h.sqlite"
    assert record_session(summary(), HistoryOptions(db=str(db)), command="analyze") is not None
    for name in ("Glute bridge", "Bridge"):
        assert main(["history", "--db", str(db), "-e", name]) == 0
        assert "bridge" in capsys.readouterr().out.splitlines()[1]
    assert main(["history", "--db", str(db), "-e", "brige"]) == 0
    assert capsys.readouterr().out == (
        "no sessions match (did you mean bridge?) (analyze, live and score record them)\n"
    )
    assert main(["progress", "brige", "--db", str(db)]) == 2
    assert "no brige sessions recorded (did you mean bridge?)" in capsys.readouterr().err


def test_history_missing_database_is_one_line(tmp_path, capsys, monkeypatch):
    assert main(["history", "--db", str(tmp_path / "none.sqlite")]) == 2  # a --db mistyped
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "no such database" in err
    # a fresh install: nothing recorded yet is said, not an error
    monkeypatch.setenv("POSECHECK_DB", str(tmp_path / "fresh" / "history.sqlite"))
    assert main(["history"]) == 0
    assert capsys.readouterr().out.startswith("no sessions recorded yet: analyze, live and score")
    assert main(["progress", "bridge"]) == 0  # the same words, not "no such database"
    assert capsys.readouterr().out.startswith("no sessions recorded yet: analyze, live and score")
    assert not (tmp_path / "fresh").exists()
    for bad, why in (("99999999d", "out of range"), ("0001-01-01", "out of range"),
                     ("yesterday", "not a date")):  # fmt: skip
        assert main(["history", "--since", bad]) == 2
        err = capsys.readouterr().err
        assert err == f"posecheck: error: --since {bad!r}: {why} " + (
            "(give a date after the year 1)\n"
            if why == "out of range"
            else "(use YYYY-MM-DD or e.g. 30d)\n"
        )


# --- progress ---------------------------------------------------------------------------


def test_trend_uses_medians_of_both_ends():
    t = trend([1.0, 9.0, 2.0, None, 3.0, 4.0, 5.0, 6.0])
    assert (t.early, t.recent, t.n) == (2.0, 5.0, 7)
    assert trend([None]).early is None
    one = trend([4.0])
    assert (one.early, one.recent) == (4.0, 4.0)
    # too few sessions for a trend: no change (two made "longest hold 2.7 s -> 5.7 s")
    assert one.few and one.change is None and trend([2.7, 5.7, 5.0]).change is None
    assert trend([2.7, 3.0, 5.7, 5.0]).change == pytest.approx(5.0 - 2.7)


def test_progress_summary_lines(db90, capsys):
    with HistoryStore(db90) as st:
        prog = load_progress(st, TODAY)
    bridge = prog.exercises[0]
    assert bridge.exercise == "bridge" and bridge.hold_target_s == 5.0
    assert bridge.hold.recent > bridge.hold.early + 2  # the generated holds lengthen
    assert bridge.score.recent > bridge.score.early
    verdicts = {c.id: c.verdict for c in bridge.corrections}
    assert verdicts["hips_up"] == "rarer"
    assert 10 <= prog.days_last_30 <= 30
    assert main(["progress", "bridge", "--db", str(db90), "--today", TODAY.isoformat()]) == 0
    line, note = capsys.readouterr().out.strip().splitlines()
    assert line.startswith("bridge: longest hold ") and " s -> " in line
    # a bridge is reps with a hold: both, whichever more sessions had
    assert ", target 5 s; reps " in line and ", dose 10; score " in line
    assert line.endswith("of the last 30 days")
    # two people's sessions counted together are said to be
    assert note.startswith("note: these are the sessions of 2 people (anna and sessions wit")
    assert main(["progress", "bridge", "--db", str(db90), "--today", TODAY.isoformat(),
                 "--person", "anna"]) == 0  # fmt: skip
    assert "note:" not in capsys.readouterr().out


def test_sessions_all_on_one_day_show_no_trend(tmp_path, capsys):
    # four sessions in an afternoon read "score 65 from 100 -35" as progress over time
    db = tmp_path / "h.sqlite"
    for i, score in enumerate((100.0, 95.0, 70.0, 60.0)):
        made = f"2026-12-03T1{i}:00:00+00:00"
        record_session(summary(created_utc=made, score=score), HistoryOptions(db=str(db)),
                       command="analyze", source=f"clip{i}.mp4")  # fmt: skip
    page = tmp_path / "p.html"
    assert main(["progress", "bridge", "--db", str(db), "--today", "2026-12-04", "-o",
                 str(page)]) == 0  # fmt: skip
    line = capsys.readouterr().out.splitlines()[0]
    assert "(all on 1 day: no trend yet)" in line and "->" not in line
    assert "score 60 last time;" in line  # the latest session's, alone
    html = page.read_text()
    assert "one day: no trend yet" in html and "class='chg" not in html.split("Top corr")[0]
    assert "4 sessions on " in html and "(1 days)" not in html


def test_progress_page_is_self_contained(db90, tmp_path, capsys):
    page = tmp_path / "p.html"
    args = ["progress", "--db", str(db90), "--today", TODAY.isoformat(), "-o", str(page)]
    assert main(args) == 0
    html = page.read_text()
    assert "<script" not in html and "http://" not in html and "https://" not in html
    assert html.count("<section class='ex'>") == 2 and "Pelvic tilt" in html
    assert html.count("class='c0") + html.count("class='c1") + html.count("class='c2") == 90
    assert "target 5 s" in html and "Top corrections" in html and "rarer" in html
    capsys.readouterr()
    assert main(args) == 2 and "already exists" in capsys.readouterr().err
    assert main(["progress", "nope", "--db", str(db90)]) == 2


def test_a_routine_records_each_step_as_a_session_of_its_exercise_once(tmp_path):
    db = tmp_path / "h.sqlite"
    video = tmp_path / "flow.mp4"
    video.write_bytes(os.urandom(3000))
    step1 = summary(exercise="bridge", score=70.0)
    step2 = summary(exercise="pelvic-tilt", score=55.0, holds=[])
    flow = summary(
        exercise="routine:low-back-flow",
        routine={"name": "low-back-flow", "title": "Low-back flow", "mode": "named"},
        segments=[
            {"index": 1, "kind": "step", "exercise": "bridge", "run": 5, "step": 4,
             "side": "as-defined", "start_s": 0.0, "end_s": 30.0, "summary": step1},
            {"index": 2, "kind": "between", "exercise": None, "run": None,
             "start_s": 30.0, "end_s": 40.0, "summary": None},
            {"index": 3, "kind": "step", "exercise": "pelvic-tilt", "run": 4, "step": 3,
             "side": "as-defined", "start_s": 40.0, "end_s": 90.0, "summary": step2},
        ],
    )  # fmt: skip
    opts = HistoryOptions(db=str(db), person="anna")
    first = record_routine(flow, opts, command="analyze", source=str(video), outdir=tmp_path / "o")
    again = record_routine(flow, opts, command="score", source=str(video))
    assert [r.created for r in first] == [True, True] and [r.created for r in again] == [
        False, False
    ]  # fmt: skip
    rows = sorted(rows_of(db), key=lambda r: r.exercise)
    assert [(r.exercise, r.score, r.person) for r in rows] == [
        ("bridge", 70.0, "anna"), ("pelvic-tilt", 55.0, "anna")
    ]  # fmt: skip
    # each step is dated at its start within the recording
    t = [dt.datetime.fromisoformat(r.performed_utc) for r in rows]
    assert (t[1] - t[0]).total_seconds() == 40.0
    # a live routine (no recording date): from when it began, its summary written at the
    # end; its steps were dated after that end (the last one 90 s in the future)
    live = tmp_path / "live.sqlite"
    record_routine({**flow, "duration_s": 95.0}, HistoryOptions(db=str(live)), command="live",
                   outdir=tmp_path / "l")  # fmt: skip
    ended = dt.datetime.fromisoformat(flow["created_utc"])
    dates = sorted(dt.datetime.fromisoformat(r.performed_utc) for r in rows_of(live))
    assert [(ended - d).total_seconds() for d in dates] == [95.0, 55.0]
    assert rows[0].detail["routine"]["name"] == "low-back-flow"
    assert rows[1].detail["routine"]["step"] == 3
    # an interrupted routine is not recorded
    assert record_routine({**flow, "partial": True}, opts, command="live") == []
    # nor a step nothing of which was done (live: another exercise done in its place)
    nothing = summary(exercise="cat-camel", holds=[], reps=[], reps_complete=0)
    idle = {"index": 4, "kind": "step", "exercise": "cat-camel", "run": 6, "step": 5,
            "side": "as-defined", "start_s": 90.0, "end_s": 99.0, "summary": nothing}  # fmt: skip
    more = record_routine({**flow, "segments": [*flow["segments"], idle]}, opts,
                          command="analyze", source=str(video))  # fmt: skip
    assert len(more) == 2 and "cat-camel" not in {r.exercise for r in rows_of(db)}
    # nor a live step left (n, p) before anything of it was complete: a tilt skipped
    # mid-hold was recorded "0 reps, 2.8 s of 4, score 70"; with a rep done, it is one
    tried = summary(exercise="cat-camel", reps=[{"index": 0, "complete": False}],
                    reps_complete=0, holds=[{**summary()["holds"][0], "phase": "cat"}])  # fmt: skip
    left = {**idle, "ended": "skipped", "summary": tried}
    more = record_routine({**flow, "segments": [*flow["segments"], left]}, opts,
                          command="analyze", source=str(video))  # fmt: skip
    assert len(more) == 2 and "cat-camel" not in {r.exercise for r in rows_of(db)}
    left["summary"] = {**tried, "reps_complete": 1}
    more = record_routine({**flow, "segments": [*flow["segments"], left]}, opts,
                          command="analyze", source=str(video))  # fmt: skip
    assert len(more) == 3 and "cat-camel" in {r.exercise for r in rows_of(db)}
    with HistoryStore(db) as st:  # as before it, for the import below
        st.forget(more[2].id, remember=False)
    # a corrupt database: one warning line, nothing raised
    bad = tmp_path / "bad.sqlite"
    bad.write_bytes(b"this is not sqlite at all" * 200)
    err = io.StringIO()
    assert record_routine(flow, HistoryOptions(db=str(bad)), command="analyze", err=err) == []
    lines = err.getvalue().splitlines()
    assert len(lines) == 1 and lines[0].startswith("posecheck: warning: routine steps not recorded")
    # imported from its folder: the steps found again (no "routine:low-back-flow" session
    # mixing a bridge's hold with a tilt's target), in a fresh history as its steps
    folder = tmp_path / "o"
    folder.mkdir(exist_ok=True)
    (folder / "summary.json").write_text(json.dumps(flow))
    assert main(["history", "import", str(folder), "--db", str(db)]) == 0
    assert len(rows_of(db)) == 2  # the same two sessions, updated
    fresh = tmp_path / "fresh.sqlite"
    assert main(["history", "import", str(folder), "--db", str(fresh)]) == 0
    assert sorted(r.exercise for r in rows_of(fresh)) == ["bridge", "pelvic-tilt"]


def test_a_routine_split_again_another_way_updates_its_steps_and_drops_the_stale_ones(tmp_path):
    """The same recording split with --routine auto (steps numbered 1, 2) and then with the
    routine named (the plan's runs 5 and 4): the same steps, found by exercise and time,
    not two sessions of each; a step the new split no longer finds is removed."""
    db = tmp_path / "h.sqlite"
    video = tmp_path / "flow.mp4"
    video.write_bytes(os.urandom(3000))

    def split(how: str, *steps: tuple[str, int | None, float, float, float]) -> dict:
        segs = [{"index": i, "kind": "step", "exercise": ex, "run": run, "step": run,
                 "side": "as-defined", "start_s": a, "end_s": b,
                 "summary": summary(exercise=ex, score=score)}
                for i, (ex, run, a, b, score) in enumerate(steps, 1)]  # fmt: skip
        return summary(exercise=f"routine:{how}", segments=segs,
                       routine={"name": how, "title": how, "mode": how})  # fmt: skip

    opts = HistoryOptions(db=str(db))
    auto = split(
        "auto", ("bridge", None, 0.0, 22.0, 100.0), ("pelvic-tilt", None, 22.0, 33.6, 70.0)
    )
    named = split("low-back-flow", ("bridge", 5, 0.0, 21.0, 90.0),
                  ("pelvic-tilt", 4, 21.0, 33.6, 60.0))  # fmt: skip
    first = record_routine(auto, opts, command="analyze", source=str(video), outdir=tmp_path / "a")
    again = record_routine(named, opts, command="score", source=str(video))
    assert [r.created for r in again] == [False, False]
    assert [r.id for r in again] == [r.id for r in first]
    rows = sorted(rows_of(db), key=lambda r: r.exercise)
    assert [(r.exercise, r.score) for r in rows] == [("bridge", 90.0), ("pelvic-tilt", 60.0)]
    assert rows[0].detail["routine"]["name"] == "low-back-flow"
    # split once more, all of it a bridge: the tilt found before is gone, not left over
    whole = split("low-back-flow", ("bridge", 5, 0.0, 33.6, 80.0))
    last = record_routine(whole, opts, command="score", source=str(video))
    assert [r.id for r in last] == [first[0].id]
    assert [(r.exercise, r.score) for r in rows_of(db)] == [("bridge", 80.0)]
    # another recording's steps are not touched
    other = tmp_path / "other.mp4"
    other.write_bytes(os.urandom(3000))
    record_routine(auto, opts, command="analyze", source=str(other))
    assert len(rows_of(db)) == 3


def test_a_recording_analysed_as_one_exercise_and_as_a_routine_is_recorded_once(tmp_path):
    """The newest analysis of a recording is what it was: analysed with -e bridge, then
    with --routine, then with -e again, it is never both one bridge session and the
    routine's steps (the bridge's progress counted twice)."""
    db = tmp_path / "h.sqlite"
    video = tmp_path / "flow.mp4"
    video.write_bytes(os.urandom(3000))
    opts = HistoryOptions(db=str(db))
    steps = [{"index": i, "kind": "step", "exercise": ex, "run": i, "step": i,
              "side": "as-defined", "start_s": a, "end_s": b, "summary": summary(exercise=ex)}
             for i, (ex, a, b) in enumerate((("bridge", 0.0, 20.0),
                                             ("pelvic-tilt", 20.0, 35.0)), 1)]  # fmt: skip
    flow = summary(exercise="routine:auto", segments=steps,
                   routine={"name": "auto", "title": "auto", "mode": "auto"})  # fmt: skip
    one = summary(exercise="bridge", score=40.0)
    record_session(one, opts, command="analyze", source=str(video), outdir=tmp_path / "e")
    assert [r.exercise for r in rows_of(db)] == ["bridge"]
    record_routine(flow, opts, command="analyze", source=str(video), outdir=tmp_path / "r")
    assert sorted(r.exercise for r in rows_of(db)) == ["bridge", "pelvic-tilt"]
    assert all("routine" in r.detail for r in rows_of(db))  # the steps, not the one session
    record_session(one, opts, command="analyze", source=str(video), outdir=tmp_path / "e")
    assert [(r.exercise, r.score) for r in rows_of(db)] == [("bridge", 40.0)]
    # imported from their folders, the last one imported is what the recording was
    for name, data in (("r", flow), ("e", one)):
        (tmp_path / name).mkdir(exist_ok=True)
        saved = {**data, "input": {"path": str(video)}}  # the recording, still there
        (tmp_path / name / "summary.json").write_text(json.dumps(saved))
    fresh = tmp_path / "fresh.sqlite"
    assert main(["history", "import", str(tmp_path / "e"), "--db", str(fresh)]) == 0
    assert main(["history", "import", str(tmp_path / "r"), "--db", str(fresh)]) == 0
    assert sorted(r.exercise for r in rows_of(fresh)) == ["bridge", "pelvic-tilt"]
    assert main(["history", "import", str(tmp_path / "e"), "--db", str(fresh)]) == 0
    assert [r.exercise for r in rows_of(fresh)] == ["bridge"]


def _bridge_weeks(db: Path, holds: list[float | None], first_day: int = 8) -> None:
    """Bridge sessions a few days apart from Nov ``first_day``: each with 3 reps and its
    longest hold (None: the hips never came up, no hold)."""
    for i, h in enumerate(holds):
        made = f"2026-11-{first_day + 3 * i:02d}T18:00:00+00:00"
        hs = (
            []
            if h is None
            else [
                {
                    "phase": "up",
                    "start_s": 3.0,
                    "end_s": 3.0 + h,
                    "duration_s": h,
                    "target_s": 5.0,
                    "reached": h >= 4.5,
                }
            ]
        )
        opts = HistoryOptions(db=str(db))
        record_session(summary(created_utc=made, holds=hs, score=60.0 + 5 * i), opts,
                       command="analyze", source=f"c{i}.mp4")  # fmt: skip


def test_a_bridge_shows_its_hold_and_its_reps_whatever_sessions_lacked_a_hold(tmp_path, capsys):
    """Two sessions whose hips never came up made the bridge "reps 3 -> 3" alone, its hold
    going 2.7 -> 5.7 s of 5 s not shown; the page's dots said "short of it" for a 4.7 s
    hold the session counted as reached; the page's "11 s" was the terminal's "10.5 s"."""
    db = tmp_path / "h.sqlite"
    _bridge_weeks(db, [2.7, None, 3.0, None, 4.7, 10.5, 5.7])
    page = tmp_path / "p.html"
    assert main(["progress", "--db", str(db), "--today", "2026-12-03", "-o", str(page)]) == 0
    line = capsys.readouterr().out.splitlines()[0]
    assert line.startswith("bridge: longest hold 2.7 s -> 5.7 s over 19 days, target 5 s; "
                           "reps 2 -> 2, dose 10; score 65 -> 85")  # fmt: skip
    html = page.read_text()
    assert "Longest hold each day" in html and "Complete reps each day" in html
    # Nov 20's 4.7 s hold was reached (the session's tolerance): a green dot under 5 s
    assert html.count("fill='#2e9d5b'") == 3  # 4.7, 10.5 and 5.7
    # the median of the last three, as the terminal says it (5.7 of 4.7, 10.5, 5.7)
    assert "<div class='big'>5.7 s</div><p>from 2.7 s" in html


def test_few_sessions_show_their_values_and_no_trend(tmp_path, capsys):
    """Two sessions made "longest hold 2.7 s -> 5.7 s" with a green "+3.0 s"."""
    db = tmp_path / "h.sqlite"
    _bridge_weeks(db, [2.7, 5.7])
    page = tmp_path / "p.html"
    assert main(["progress", "--db", str(db), "--today", "2026-12-03", "-o", str(page)]) == 0
    line = capsys.readouterr().out.splitlines()[0]
    assert "longest hold 5.7 s last time (2 sessions over 4 days: too few for a trend yet)" in line
    assert "->" not in line
    html = page.read_text()
    assert "2 sessions: no trend yet" in html and "class='chg" not in html.split("Top corr")[0]


def test_a_value_shown_alone_is_the_last_one_and_early_and_recent_are_sessions(tmp_path, capsys):
    """Four bridge sessions, one without a hold: "longest hold 1.4 s (3 sessions)" read as
    the best of three where one held 5.7 s, and the lower of the last two scores made
    "score 55 -> 30" although the last session scored 55 (a fresh user's review)."""
    db = tmp_path / "h.sqlite"
    _bridge_weeks(db, [5.7, None, 1.0, 1.4])  # scores 60, 65, 70, 75
    assert main(["progress", "--db", str(db), "--today", "2026-12-03"]) == 0
    line = capsys.readouterr().out.splitlines()[0]
    assert "longest hold 1.4 s last time (from 3 sessions) over 10 days" in line
    assert "score 60 -> 75" in line  # the first and the last (was 65 -> 70)


def test_reps_against_a_dose_that_changed_are_no_better_or_worse(tmp_path, capsys):
    """6 of 10 alone, then 5 of 5 in a routine read "reps 6 -> 5, dose 5" with a red -1,
    and the old days' 6 of 10 were drawn green against the dose 5 line."""
    db = tmp_path / "h.sqlite"
    for i, (reps, dose) in enumerate([(6, 10), (6, 10), (7, 10), (5, 5), (5, 5), (5, 5)]):
        s = summary(created_utc=f"2026-11-{10 + 3 * i:02d}T18:00:00+00:00", holds=[],
                    reps=[{"index": k + 1, "complete": True} for k in range(reps)],
                    reps_complete=reps, dose={"hold_s": 5, "reps": dose})  # fmt: skip
        record_session(s, HistoryOptions(db=str(db)), command="analyze", source=f"c{i}.mp4")
    page = tmp_path / "p.html"
    assert main(["progress", "--db", str(db), "--today", "2026-12-03", "-o", str(page)]) == 0
    line = capsys.readouterr().out.splitlines()[0]
    assert "reps 6 -> 5 over 16 days, dose 10 -> 5;" in line
    html = page.read_text()
    reps_card = html.split("complete reps</div>")[1].split("</div></div>")[0]
    assert "chg flat'>-1<" in reps_card and "dose 10, then 5" in reps_card
    assert "(best session; dose 10, then 5)" in html


def test_filters_that_keep_nothing_say_what_the_history_holds(tmp_path, capsys):
    """ "no sessions recorded yet" for --since in the future read as a lost history."""
    db = tmp_path / "h.sqlite"
    _bridge_weeks(db, [2.7, 3.0, 4.7, 5.7])
    base = ["progress", "--db", str(db), "--today", "2026-12-03"]
    assert main([*base, "--since", "2027-01-01", "-o", str(tmp_path / "p.html")]) == 0
    out = capsys.readouterr().out
    assert out.startswith("no sessions match --since 2027-01-01 (4 recorded in all, the "
                          "newest on 2026-11-17)")  # fmt: skip
    assert "no page written" in out and not (tmp_path / "p.html").exists()
    assert main([*base, "--person", "anna"]) == 0
    assert "no sessions match --person anna (4 recorded" in capsys.readouterr().out
    assert main([*base, "--since", "0d"]) == 2
    assert "1d is today" in capsys.readouterr().err
    assert main([*base, "pelvic-tilt"]) == 2
    assert "no pelvic-tilt sessions recorded (4 recorded" in capsys.readouterr().err


def test_since_limits_the_trends_not_the_days_of_the_last_30(tmp_path, capsys):
    """--since 7d read "3 of the last 30 days" where there were 13."""
    db = tmp_path / "h.sqlite"
    _bridge_weeks(db, [2.7, 3.0, 4.7, 5.7, 5.0, 5.2], first_day=12)  # Nov 12-27
    assert main(["progress", "--db", str(db), "--today", "2026-12-01", "--since", "7d"]) == 0
    line = capsys.readouterr().out.splitlines()[0]
    assert line.endswith("; 6 of the last 30 days") and "(1 session" not in line


def test_a_person_is_found_by_name_whatever_its_case_and_unicode_form(tmp_path, capsys):
    """--person "jörg müller" (and the same name typed decomposed, as macOS can) found none
    of Jörg Müller's sessions: "no sessions recorded yet"."""
    import unicodedata

    db = tmp_path / "h.sqlite"
    record_session(summary(), HistoryOptions(db=str(db), person="Jörg Müller"),
                   command="analyze", source="a.mp4")  # fmt: skip
    for name in ("jörg müller", unicodedata.normalize("NFD", "JÖRG MÜLLER"), " Jörg Müller"):
        assert main(["progress", "--db", str(db), "--person", name, "--today", "2026-12-03"]) == 0
        assert capsys.readouterr().out.startswith("bridge: "), name
        assert main(["history", "--db", str(db), "--person", name, "--json"]) == 0
        assert json.loads(capsys.readouterr().out)[0]["person"] == "Jörg Müller"


def test_progress_refuses_a_folder_for_its_page_before_printing(tmp_path, capsys):
    db = tmp_path / "h.sqlite"
    _bridge_weeks(db, [2.7, 3.0])
    assert main(["progress", "--db", str(db), "-o", str(tmp_path), "--force"]) == 2
    cap = capsys.readouterr()
    assert cap.out == "" and "is a folder" in cap.err


def test_the_calendar_names_each_month_over_the_week_it_starts_in():
    """The week of Mon Nov 30 holds Dec 1-5: it said "Nov" (nothing), today under it."""
    import re

    from posecheck.history.page import calendar

    svg = calendar({}, dt.date(2026, 12, 5))
    labels = re.findall(r"<text class='ax' x='(\d+)' y='14'>(\w+)</text>", svg)
    assert [m for _, m in labels] == ["Sep", "Oct", "Nov", "Dec"]
    today_x = re.search(r"<rect class='c0 today' x='(\d+)'", svg).group(1)
    assert labels[-1][0] == today_x  # Dec over the week today is in


def test_a_hold_past_its_target_both_times_is_no_worse_for_being_shorter(tmp_path, capsys):
    """A cat-camel's longest hold 3.7 -> 3.4 s of 2 s showed a red "-0.3 s"."""
    db = tmp_path / "h.sqlite"
    _bridge_weeks(db, [9.0, 8.0, 7.0, 6.0])
    page = tmp_path / "p.html"
    assert main(["progress", "--db", str(db), "--today", "2026-12-03", "-o", str(page)]) == 0
    assert "<span class='chg flat'>-3.0 s</span>" in page.read_text()
    _bridge_weeks(tmp_path / "b.sqlite", [9.0, 8.0, 4.0, 3.0])  # below it: worse
    assert main(["progress", "--db", str(tmp_path / "b.sqlite"), "--today", "2026-12-03",
                 "-o", str(page), "--force"]) == 0  # fmt: skip
    assert "<span class='chg down'>-6.0 s</span>" in page.read_text()
