"""Regression gate without the model: the engine on the true landmarks of the project's
own rendered sample clips (``sample_videos/*.truth.json``, made by ``posecheck render``).

The truth files hold, per frame, the 33 landmarks exactly as drawn and the clip's
phases, holds and reps. Feeding those points straight to the engine checks the
definitions and the engine against known answers, without MediaPipe.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from posecheck.angles import compute_measures
from posecheck.engine import Engine
from posecheck.library import Library
from posecheck.pose import LANDMARK_NAMES, Pose

from conftest import REPO

SAMPLES = REPO / "sample_videos"


def replay(name: str):
    from posecheck.render.truth import load_truth

    path = SAMPLES / f"{name}.truth.json"
    if not path.is_file():
        pytest.skip(f"sample truth not present: {path}")
    truth = load_truth(path)
    head = truth.header
    ex = Library.load().get(head["exercise"])
    eng = Engine(ex)
    bulge = truth.series.get("back_bulge")
    other = "right" if head.get("near_side", "left") == "left" else "left"
    far = [i for i, n in enumerate(LANDMARK_NAMES) if n.startswith(other)]
    for i, t in enumerate(truth.t_s):
        xy = truth.points[i]
        vis = np.where(np.isnan(xy[:, 0]), 0.0, 0.99)
        vis[far] = np.minimum(vis[far], 0.7)  # as MediaPipe sees the far side: less sure
        pose = Pose(
            xy=np.nan_to_num(xy), visibility=vis, image_size=(head["width"], head["height"])
        )
        m = compute_measures(pose, eng.measure_names, ex.min_visibility)
        if bulge is not None:
            # the drawn spine's bulge stands in for the mask-based back_curvature
            m["back_curvature"] = math.nan if bulge[i] is None else float(bulge[i])
        eng.update(i, float(t), pose, m)
    return truth, eng.finish()


@pytest.mark.parametrize(
    ("name", "complete", "incomplete"),
    [
        ("bridge", 2, 0),
        ("bridge-hips-sag", 0, 2),  # the hips never reach the straight line: not counted
        ("knees-to-chest", 2, 0),
        ("pelvic-tilt", 2, 0),
        ("cat-camel", 2, 0),
    ],
)
def test_rendered_clip_counts(name, complete, incomplete):
    truth, s = replay(name)
    assert s.reps_complete == complete
    assert sum(1 for r in s.reps if not r.complete) == incomplete
    # every rep the figure performs is reported: counted, or (with the fault) incomplete
    assert len(s.reps) == len(truth.reps)


@pytest.mark.parametrize("name", ["bridge", "knees-to-chest", "pelvic-tilt"])
def test_rendered_clip_holds_cover_the_true_holds(name):
    truth, s = replay(name)
    hold_phase = truth.header["hold_phase"]
    holds = [h for h in s.holds if h.phase == hold_phase]
    assert len(holds) == len(truth.holds)
    for h, want in zip(holds, truth.holds, strict=True):
        # the engine's hold includes the last part of the way into the target range
        assert want["start_s"] - 1.0 <= h.start_s <= want["start_s"] + 0.2, (h, want)
        assert want["end_s"] - 0.2 <= h.end_s <= want["end_s"] + 1.0, (h, want)


def test_rendered_bird_dog_counts_each_diagonal():
    truth, s = replay("bird-dog")
    done = sorted(r.side for r in s.reps if r.complete)
    assert done == sorted(r["side"] for r in truth.reps)


def test_render_poses_ignore_change_targets():
    # the bridge's down phase has an absolute hip range and a change bound (max +10 deg
    # from resting): the renderer must pose the figure from the absolute one
    from posecheck.render.motion import script_for, script_from_definition

    ex = Library.load().get("bridge")
    script = script_from_definition(script_for("bridge"), ex)
    down = {**script.base, **script.poses["down"].angles}
    assert 90 <= down["hip"] <= 155
