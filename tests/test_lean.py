"""Which way a person faces over a clip, and the trunk lean signed by it."""

from __future__ import annotations

import pytest

from posecheck.lean import clip_facing, trunk_lean

from helpers import make_pose


def _leaning_back(toe_dx: float, nose_dx: float | None = -20.0):
    """Facing image-left by the face (nose left of the ear), shoulders behind the hips
    (to the right); the feet's heel -> toe direction is ``toe_dx``."""
    pts = {
        "left_shoulder": (560, 300), "left_hip": (500, 600), "left_heel": (500, 900),
        "left_foot_index": (500 + toe_dx, 900), "left_ear": (570, 250),
    }  # fmt: skip
    if nose_dx is not None:
        pts["nose"] = (570 + nose_dx, 250)
    return make_pose(pts)


def test_the_more_consistent_cue_decides_the_clips_facing():
    # the toes swap direction on some frames (a small figure); the face never does
    clip = [_leaning_back(toe_dx=50 if i % 3 else -50) for i in range(12)]
    assert clip_facing(clip) == -1.0
    per_frame = [trunk_lean(p) for p in clip]
    assert min(per_frame) < 0 < max(per_frame)  # frame by frame the sign flips
    leans = [trunk_lean(p, facing=clip_facing(clip)) for p in clip]
    assert all(v == pytest.approx(-11.31, abs=0.01) for v in leans)  # leaning back


def test_clip_facing_by_the_feet_alone_and_unknown():
    assert clip_facing([_leaning_back(toe_dx=50, nose_dx=None)] * 3) == 1.0
    assert clip_facing([None, None]) == 0.0
    # feet and face each always agree with themselves: the feet decide, as per frame
    assert clip_facing([_leaning_back(toe_dx=50)] * 4) == 1.0
