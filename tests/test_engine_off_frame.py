"""Landmarks outside the picture: the engine pauses with "feet in view" instead of judging
guessed points (the estimator hides them, :meth:`posecheck.pose.Pose.hide_off_frame`).

Poses are built in pixels, as the MediaPipe adapter gives them, and go through the
same hiding; the engine computes its own measures from them.
"""

from __future__ import annotations

import math

import pytest

from posecheck.angles import compute_measures
from posecheck.engine import Engine
from posecheck.library import Library
from posecheck.pose import LANDMARK_INDEX

from helpers import make_pose

FPS = 10.0
SIZE = (1280, 720)


def bridge_pose(hip_deg: float, dx: float):
    """A side-view bridge pose with the given shoulder-hip-knee angle, shifted ``dx`` px right.

    With dx = 265 the knee stays in the picture and the feet are past its right edge
    (the 1% margin line is at x = 1267.2).
    """
    hx, hy = 700.0 + dx, 480.0
    a = math.radians(hip_deg)
    knee = (hx - 300 * math.cos(a), hy - 300 * math.sin(a))
    # the shin tilts as the pelvis lifts, keeping the knee bent (a bridge top needs it)
    f = (hip_deg - 130.0) / 45.0
    ankle = (knee[0] + 120 - 20 * f, knee[1] + 60 + 50 * f)
    pts = {
        "right_shoulder": (hx - 320, hy), "right_hip": (hx, hy), "right_knee": knee,
        "right_ankle": ankle, "right_heel": (ankle[0] - 8, ankle[1] + 10),
        "right_foot_index": (ankle[0] + 45, ankle[1] + 12),
        "left_shoulder": (hx - 322, hy + 2), "left_hip": (hx + 2, hy + 2),
        "right_ear": (hx - 400, hy - 10),
    }  # fmt: skip
    return make_pose(pts, image_size=SIZE, visibility=0.9)


def rep(dx: float) -> list[tuple[float, float]]:
    """Down 1 s, up over 0.5 s, top 1 s, down over 0.5 s, down 1 s."""
    up = [130 + 45 * (k + 1) / 5 for k in range(5)]
    return (
        [(130.0, dx)] * 10 + [(v, dx) for v in up] + [(175.0, dx)] * 10
        + [(v, dx) for v in reversed(up)] + [(130.0, dx)] * 10
    )  # fmt: skip


IN, CUT = 0.0, 265.0
# in view: one rep; the feet leave the picture: one rep; back in view: one rep
SEQUENCE = rep(IN) + rep(CUT) + rep(IN)


def run(hide: bool):
    eng = Engine(Library.load().get("bridge"), side="right")
    results = []
    for i, (hip, dx) in enumerate(SEQUENCE):
        pose = bridge_pose(hip, dx)
        if hide:
            pose = pose.hide_off_frame()
        results.append(eng.update(i, i / FPS, pose))
    return eng.finish(), results


def test_the_built_poses_have_the_asked_angles_and_only_the_feet_leave():
    names = ("right_shoulder", "right_hip", "right_knee", "right_ankle", "right_heel",
             "right_foot_index")  # fmt: skip
    for hip in (130.0, 135.0, 160.0, 175.0):
        m = compute_measures(bridge_pose(hip, CUT), ["right_hip"])
        assert m["right_hip"] == pytest.approx(hip, abs=0.01)
        inside = bridge_pose(hip, CUT).in_frame()
        assert [bool(inside[LANDMARK_INDEX[n]]) for n in names] == [True] * 3 + [False] * 3
        assert bridge_pose(hip, IN).in_frame()[LANDMARK_INDEX["right_foot_index"]]


def test_feet_leaving_the_picture_pause_counting_with_an_explicit_state():
    summary, results = run(hide=True)
    cut = range(len(rep(IN)), 2 * len(rep(IN)))
    states = [results[i].state for i in cut]
    # the state changes after state_delay_s (0.5 s) and holds until the feet return
    assert states[:5] == ["tracking"] * 5
    assert set(states[5:]) == {"low_visibility"}
    assert results[cut[-1]].cue.text == "Move back so your feet are in view."
    # nothing is counted while the feet are out; the reps in view before and after are
    low = [r for r in results if r.state == "low_visibility"]
    assert len({r.reps_done for r in low}) == 1
    assert summary.reps_complete == 2
    assert not [r for r in summary.reps if not r.complete]
    assert results[-1].state == "tracking"


def test_without_hiding_the_guessed_feet_are_judged_and_the_rep_counts():
    """The control: MediaPipe's guessed feet (visibility 0.9) would be trusted."""
    summary, results = run(hide=False)
    assert {r.state for r in results} == {"tracking"}
    assert summary.reps_complete == 3
