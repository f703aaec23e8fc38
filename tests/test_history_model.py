"""Recording in the history from the real commands, real model, real footage.

analyze a real clip (dated by the clip's own creation time), re-score its landmarks and
the video itself: one session throughout. live with the clip as the camera: recorded
with the pain before and after.
"""

from __future__ import annotations

import json
import os
import shutil
import time
from pathlib import Path

import pytest

from posecheck.cli import main
from posecheck.history.store import HistoryStore
from test_live_model import xvfb  # noqa: F401 - the fixture: a virtual X display

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
    assert [c["id"] for c in row.detail["corrections"]] == [c["id"] for c in summary["corrections"]]
    assert row.outdir == str(out.resolve()) and row.source == str(clip)
    # what the person said is in the summary too: a history rebuilt from it keeps it
    assert (summary["person"], summary["pain_before"]) == ("anna", 5)
    assert "pain_after" not in summary and summary["input"]["resolved"] == str(clip.resolve())

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


def _is_card(shot) -> bool:
    """The end card: the picture darkened under white text (the question is a line of it)."""
    pic = shot[:720, :1280].astype(float)
    return bool(pic.mean() < 120 and (pic.min(axis=2) > 230).sum() > 2000)


@pytest.mark.model
def test_live_window_pain_key_under_xvfb(xvfb, tmp_path):  # noqa: F811 - the fixture
    """The real window: q after a second of coaching, then a real '3' on the end card's
    pain question (XTest into cv2.waitKey) is the session's pain after."""
    import subprocess
    import sys

    from test_live_model import _screenshot, _x_key

    from conftest import REPO

    clip = media_path(CLIP)
    db, out = tmp_path / "h.sqlite", tmp_path / "session"
    cmd = [sys.executable, "-m", "posecheck", "live", "bridge", "--camera", str(clip), "--mute",
           "--countdown", "0", "--json", "--summary-seconds", "30", "-o", str(out),
           "--db", str(db), "--pain", "6"]  # fmt: skip
    env = {**xvfb, "PYTHONPATH": str(REPO / "src")}
    pressed, card = [], None
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True, bufsize=1)  # fmt: skip
    assert proc.stdout is not None
    for line in proc.stdout:
        ev = json.loads(line)
        if not pressed and ev["kind"] != "summary" and ev["t_s"] >= 1.0:
            pressed.append("q" if _x_key(xvfb["DISPLAY"], "q") else "-")
        if ev["kind"] == "summary":
            break
    if pressed and pressed[0] == "-":
        proc.kill()
        pytest.skip("XTest (libXtst) not available to press keys")
    # the end card comes up after the summary line; it waits 30 s for the answer
    # taken again until it shows (the card darkens the picture under white text; a loaded
    # machine paints late, and a window not painted yet grabs all black)
    for _ in range(40):  # up to about 20 s of the card's 30 (CI under load: 10 s was short)
        card = _screenshot(xvfb, tmp_path / "card.png", tries=3)
        if card is not None and _is_card(card):
            break
        time.sleep(0.5)
    pressed.append("3" if _x_key(xvfb["DISPLAY"], "3") else "-")
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 0, err[-2000:]
    assert pressed == ["q", "3"]
    (row,) = _rows(db)
    assert (row.command, row.pain_before, row.pain_after) == ("live", 6, 3)
    # the card: the picture darkened under white text (the question is a line of it)
    assert card is not None and _is_card(card)
    keep = os.environ.get("POSECHECK_KEEP_SCREENSHOTS")
    if keep:  # to look at it: POSECHECK_KEEP_SCREENSHOTS=/tmp/shots
        Path(keep).mkdir(parents=True, exist_ok=True)
        shutil.copy(tmp_path / "card.png", Path(keep) / "live-pain-card.png")
