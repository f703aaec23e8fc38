"""The engine and recognition share their parts, and agree on the same landmarks.

Recognition (:mod:`posecheck.recognize`) uses the engine's change baselines, side
choice and view test, and tests phase targets on whole series at once. Here both read
the drawn landmarks of the project's rendered sample clips
(``sample_videos/*.truth.json``) and must agree, frame by frame, on which frames meet
each phase (the engine's :func:`posecheck.engine.match`), and on the side judged.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest

from posecheck.angles import compute_measures
from posecheck.engine import Engine, match
from posecheck.library import Library
from posecheck.pose import LANDMARK_NAMES, Pose
from posecheck.recognize import _phase_match, _Values, required_in_view, worked_sides
from posecheck.results import STATE_TRACKING

from conftest import REPO


def truth_frames(name: str):
    """(exercise, t_s, poses, measures) of a sample clip's drawn points, seen as
    ``render.truth.engine_on_truth`` sees them (the far side less visible)."""
    from posecheck.render.truth import load_truth

    path = REPO / "sample_videos" / f"{name}.truth.json"
    if not path.is_file():
        pytest.skip(f"sample truth not present: {path}")
    truth = load_truth(path)
    ex = Library.load().get(truth.header["exercise"])
    w, h = truth.header["width"], truth.header["height"]
    bulge = truth.series.get("back_bulge") or [float("nan")] * len(truth)
    far = "left" if truth.header.get("near_side") == "right" else "right"
    side_vis = np.array([0.7 if n.startswith(far) else 1.0 for n in LANDMARK_NAMES])
    names = sorted(Engine(ex).measure_names)
    poses, measures = [], []
    for i in range(len(truth)):
        xy = truth.points[i]
        pose = Pose(xy=np.nan_to_num(xy), visibility=np.isfinite(xy[:, 0]) * side_vis,
                    image_size=(w, h), extras={"back_curvature": float(bulge[i])})  # fmt: skip
        poses.append(pose)
        measures.append(compute_measures(pose, names))
    return ex, [float(t) for t in truth.t_s], poses, measures


@pytest.mark.parametrize("name", ["bridge", "bridge-hips-sag", "knees-to-chest", "cat-camel",
                                  "pelvic-tilt"])  # fmt: skip
def test_engine_and_recognition_agree_on_phase_frames(name):
    ex, t_s, poses, measures = truth_frames(name)
    if any(tg.change for ph in ex.phases for tg in ph.targets):
        # recognition starts change baselines at once (its 10 fps samples: leaving out the
        # first 0.2 s recognised a resting clip as a pelvic tilt); the engine waits
        # baseline_settle_s. Same setting here, to compare the shared baselines.
        ex = replace(ex, timing={**ex.timing, "baseline_settle_s": 0.0})
    engine = Engine(ex)
    values, states, holding = [], [], []
    held = False
    for i, (t, pose, m) in enumerate(zip(t_s, poses, measures, strict=True)):
        r = engine.update(i, t, pose, m)
        # the engine freezes change baselines while a hold runs; recognition only while
        # the change is in a held phase's own range: compared before the first hold
        held = held or any(e.kind == "hold_start" for e in r.events)
        values.append(engine.values[engine.side])
        states.append(r.state)
        holding.append(held)
    sides = worked_sides(ex, poses)
    assert sides == (engine.side,)  # the same side choice
    n = len(t_s)
    rv = _Values(np.array(t_s), measures)
    visible = required_in_view(ex, poses, sides)
    compared = 0
    for phase in ex.phases:
        change = any(tg.change for tg in phase.targets)
        rec, _ = _phase_match(ex, phase, rv, n, sides)
        assert rec is not None
        for i in range(n):
            if states[i] != STATE_TRACKING or (change and holding[i]):
                continue
            eng = match(phase, values[i])
            if eng is None or np.isnan(rec[i]):
                continue  # a target could not be measured: neither decides
            assert visible[i]
            assert eng == (rec[i] == 1.0), (phase.name, i, t_s[i])
            compared += 1
    assert compared > n / 2  # most frames were compared, not skipped
