"""``posecheck live --routine`` with the real model: a joined recording played as the camera.

The recording is built here from two real clips of ../shared/media (the bridge and
the pelvic tilt, both filmed side-on lying down), with 2 s of an empty room between
them, and played at its own speed as if it were the camera (frames dropped while
the model is busy, as live). A two-step routine asks for the reps each clip holds,
so each run ends by its dose being reached inside its own clip; the rest after the
bridge lasts until the empty room, as a person would rest before the next exercise.
"""

from __future__ import annotations

import json

import pytest

from media_builders import join_clips
from posecheck.cli import main

from conftest import media_path

ROUTINE = """\
schema = 1
name = "bridge-then-tilt"
title = "Bridge then pelvic tilt"
rest_s = 1

[[steps]]
exercise = "bridge"
hold_s = 1
reps = 2            # of the clip's three
rest_s = 5          # the rest covers the clip's third rep: it is no pelvic tilt

[[steps]]
exercise = "pelvic-tilt"
hold_s = 1
reps = 2            # of the clip's four
"""


@pytest.fixture(scope="module")
def joined(tmp_path_factory):
    clips = [media_path("bridge/glute-bridge-3-reps-side.mp4"),
             media_path("pelvic-tilt/pelvic-tilt-side.mp4")]  # fmt: skip
    folder = tmp_path_factory.mktemp("routine")
    path, spans = join_clips(folder / "bridge-tilt.mp4", clips, gap_s=2.0)
    (folder / "bridge-then-tilt.toml").write_text(ROUTINE)
    return path, spans, folder / "bridge-then-tilt.toml"


@pytest.mark.model
def test_live_routine_on_a_joined_recording(tmp_path, capsys, joined):
    video, spans, routine = joined
    out = tmp_path / "session"
    code = main(["live", "--routine", str(routine), "--camera", str(video), "--no-window",
                 "--json", "--mute", "--countdown", "0", "--announce-seconds", "1",
                 "--no-history", "-o", str(out)])  # fmt: skip
    cap = capsys.readouterr()
    assert code == 0, cap.err
    events = [json.loads(ln) for ln in cap.out.splitlines()]
    summary = json.loads((out / "summary.json").read_text())
    assert summary["live"]["ended"] == "done" and summary["partial"] is False
    assert summary["routine"]["runs_done"] == 2
    steps = [s for s in summary["segments"] if s["kind"] == "step"]
    assert [(s["exercise"], s["ended"]) for s in steps] == [
        ("bridge", "done"),
        ("pelvic-tilt", "done"),
    ]
    assert [s["summary"]["reps_complete"] for s in steps] == [2, 2]
    # each run inside its own clip: the tilt run starts about when the bridge clip
    # ends (the rest and the announcement cover its third rep) and ends in its clip
    (b0, b1), (t0, t1) = spans
    assert b0 < steps[0]["start_s"] < steps[0]["end_s"] < b1
    assert b1 - 1.5 <= steps[1]["start_s"] <= t0 + 1.0 and t0 < steps[1]["end_s"] <= t1
    reps = [r for s in steps for r in s["summary"]["reps"] if r["complete"]]
    assert all(b0 <= r["start_s"] < b1 for r in reps[:2])
    assert all(t0 <= r["start_s"] < t1 for r in reps[2:])
    # announced, rested, finished; printed events and the summary line agree
    said = [(e["state"], e.get("run")) for e in events if e["kind"] == "state"
            and e["state"] in ("announce", "rest", "done")]  # fmt: skip
    assert said == [("announce", 1), ("rest", 2), ("announce", 2), ("done", None)]
    assert len([e for e in events if e["kind"] == "rep"]) == 4
    assert events[-1]["kind"] == "summary" and events[-1]["routine"]["runs_done"] == 2
    rows = (out / "frames.csv").read_text().splitlines()
    assert len(rows) - 1 == summary["frames"] and rows[0].endswith(",run,step")
