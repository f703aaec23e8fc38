"""Recording in the history from the real commands, real model, real footage.

analyze a real clip (dated by the clip's own creation time), re-score its landmarks and
the video itself: one session throughout. live with the clip as the camera: recorded
with the pain before and after.
"""

from __future__ import annotations

import json

import pytest

from posecheck.cli import main
from posecheck.history.store import HistoryStore

from conftest import media_path

CLIP = "bridge/glute-bridge-3-reps-side.mp4"  # its container says: created 2026-06-21 19:49:49Z


def _rows(db):
    with HistoryStore(db, create=False) as st:
        return st.sessions()


@pytest.mark.model
def test_analyze_then_rescore_is_one_session(tmp_path, capsys):
    clip = media_path(CLIP)
    db = tmp_path / "h.sqlite"
    out = tmp_path / "out"
    code = main(["analyze", str(clip), "-e", "bridge", "-o", str(out), "--no-video",
                 "--no-report", "-q", "--db", str(db), "--pain", "5",
                 "--person", "anna"])  # fmt: skip
    cap = capsys.readouterr()
    assert code == 0, cap.err
    assert "history: session 1 recorded" not in cap.err  # -q: quiet
    (row,) = _rows(db)
    summary = json.loads((out / "summary.json").read_text())
    assert row.performed_utc == "2026-06-21T19:49:49+00:00"
    assert row.performed_from == "recording"
    assert (row.command, row.exercise, row.person, row.pain_before) == ("analyze", "bridge",
                                                                       "anna", 5)  # fmt: skip
    assert row.reps_complete == summary["reps_complete"] == 3
    assert row.holds_total == len(summary["holds"]) and row.score == summary["score"]
    assert [c["id"] for c in row.detail["corrections"]] == [c["id"] for c in summary["cues"]]
    assert row.outdir == str(out.resolve()) and row.source == str(clip)

    # the saved landmarks re-scored (no model), then the video itself (model): same row
    lm = next(out.glob("*.landmarks.npz"))
    for target in (lm, clip):
        code = main(["score", str(target), "-e", "bridge", "-j", "1", "-q", "--db", str(db)])
        assert code in (0, 1), capsys.readouterr().err
        (again,) = _rows(db)
        assert again.id == row.id and again.command == "score"
        assert (again.pain_before, again.person) == (5, "anna")  # kept
        assert again.performed_utc == row.performed_utc and again.reps_complete == 3
    # --no-history: nothing new
    code = main(["score", str(lm), "-j", "1", "-q", "--db", str(db), "--no-history",
                 "--person", "bob"])  # fmt: skip
    assert code in (0, 1) and _rows(db)[0].person == "anna"


@pytest.mark.model
def test_live_clip_as_camera_is_recorded_with_pain(tmp_path, capsys):
    clip = media_path(CLIP)
    db = tmp_path / "h.sqlite"
    out = tmp_path / "live"
    code = main(["live", "bridge", "--camera", str(clip), "--no-window", "--mute",
                 "--countdown", "0", "-o", str(out), "--db", str(db), "--pain", "5",
                 "--pain-after", "3"])  # fmt: skip
    cap = capsys.readouterr()
    assert code == 0, cap.err
    assert "history: session 1 recorded" in cap.err
    (row,) = _rows(db)
    summary = json.loads((out / "summary.json").read_text())
    assert (row.command, row.pain_before, row.pain_after) == ("live", 5, 3)
    assert row.reps_complete == summary["reps_complete"] and row.outdir == str(out.resolve())
    assert row.performed_from == "run"
