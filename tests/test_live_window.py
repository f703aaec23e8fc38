"""The live picture without a display (WindowSink.render): mirroring, banners, the cue line."""

from __future__ import annotations

import numpy as np
import pytest

from posecheck.exercise import Camera, Exercise
from posecheck.live.coach import STAGE_COUNTDOWN, STAGE_COUNTING, STAGE_PAUSED, STAGE_SETUP
from posecheck.results import Cue, FrameResult
from test_live_units import SIDE_LYING, FakeEngine, exercise

from helpers import make_pose

pytest.importorskip("cv2")

from posecheck.live.coach import LiveCoach  # noqa: E402
from posecheck.live.window import WindowSink, mirrored  # noqa: E402
from posecheck.sinks.overlay import Overlay  # noqa: E402

W, H = 1280, 720


def sink(stage: str, mirror: bool = False) -> WindowSink:
    coach = LiveCoach(FakeEngine(), exercise(), countdown_s=3.0)
    coach.status.stage = stage
    coach.status.message = "Turn sideways to the camera."
    coach.status.countdown_left_s = 2.2
    w = WindowSink(coach, on_key=lambda k: None, mirror=mirror)
    w.overlay = Overlay(
        Exercise(
            name="bridge",
            title="Bridge",
            summary="",
            how_to=(),
            posture="lying on the back",
            camera=Camera(view="side"),
            phases=(),
            key_measures=("hip",),
            cycle=("down", "up", "down"),
        )
    )
    w.view = "side"
    return w


def result(cue: str | None = "Lift your hips higher", state: str = "tracking") -> FrameResult:
    return FrameResult(0, 0.0, make_pose(SIDE_LYING), {}, state=state, side="left",
                       cue=Cue("hips", cue, 1, "form") if cue else None)  # fmt: skip


def grey() -> np.ndarray:
    return np.full((H, W, 3), 128, np.uint8)


def test_mirrored_pose_coordinates():
    r = result()
    m = mirrored(r, W)
    assert np.allclose(m.pose.xy[:, 0], W - 1 - r.pose.xy[:, 0])
    assert np.allclose(m.pose.xy[:, 1], r.pose.xy[:, 1]) and m.cue is r.cue


@pytest.mark.parametrize("mirror", [False, True])
def test_mirror_flips_the_picture_not_the_text(mirror):
    img = grey()
    img[300:420, 40:160] = (0, 0, 255)  # a red square on the left of the camera picture
    out = sink(STAGE_COUNTING, mirror).render(img, result(cue=None))
    left = out[300:420, 40:160].reshape(-1, 3).mean(axis=0)
    right = out[300:420, W - 160 : W - 40].reshape(-1, 3).mean(axis=0)
    red_side, other = (right, left) if mirror else (left, right)
    assert red_side[2] > 200 and red_side[0] < 60 and other[2] < 160
    assert img[0, 0, 0] == 128  # the frame itself is not drawn on


@pytest.mark.parametrize(
    "stage, banner, cue_line",
    [
        (STAGE_SETUP, True, False),  # the set-up message is the banner; no cue line
        (STAGE_COUNTDOWN, True, False),
        (STAGE_PAUSED, True, False),
        (STAGE_COUNTING, False, True),  # coaching: the cue line at the bottom
    ],
)
def test_stage_banner_and_cue_line(stage, banner, cue_line):
    out = sink(stage).render(grey(), result(state="paused" if stage != STAGE_COUNTING else
                                            "tracking"))  # fmt: skip
    middle = out[H // 2 - 20 : H // 2 + 20, 200 : W - 200].astype(float)
    bottom = out[H - 20 :, 200 : W - 200].astype(float)
    assert bool(middle.mean() < 100) == banner
    assert bool(bottom.mean() < 100) == cue_line
