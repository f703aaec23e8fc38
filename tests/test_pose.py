"""Pose: which landmarks are in the picture, and hiding the ones that are not."""

from __future__ import annotations

import numpy as np
import pytest

from posecheck.angles import compute_measures
from posecheck.pose import EDGE_MARGIN, LANDMARK_INDEX, NUM_LANDMARKS, Pose, in_frame_mask

from helpers import make_pose

W, H = 1280, 720  # 1% margin: 12.8 px across, 7.2 px down


# (x, y, in frame?) on a 1280x720 image with the default 1% margin
@pytest.mark.parametrize(
    ("x", "y", "inside"),
    [
        (640.0, 360.0, True),  # centre
        (12.8, 360.0, True),  # on the left margin line: still inside
        (12.7, 360.0, False),  # just past it
        (3.0, 591.0, False),  # a cut-off ankle MediaPipe placed on the border (bird dog clip)
        (-285.0, 400.0, False),  # extrapolated far outside
        (1267.2, 360.0, True),  # on the right margin line
        (1267.3, 360.0, False),
        (1381.0, 480.0, False),  # a reaching hand beyond the right edge
        (640.0, 7.2, True),  # on the top margin line (7.2 px = 1% of 720)
        (640.0, 7.1, False),
        (640.0, 712.8, True),  # on the bottom margin line
        (640.0, 713.0, False),
        (640.0, 790.0, False),  # below the image
        (float("nan"), 360.0, False),  # unknown position
    ],
)
def test_in_frame_mask_table(x, y, inside):
    assert in_frame_mask(np.array([[x, y]]), (W, H)).tolist() == [inside]


@pytest.mark.parametrize(
    ("margin", "x", "inside"),
    [(0.0, 0.0, True), (0.0, -0.1, False), (0.05, 63.0, False), (0.05, 64.0, True)],
)
def test_margin_is_a_fraction_of_the_image_size(margin, x, inside):
    assert in_frame_mask(np.array([[x, 360.0]]), (W, H), margin).tolist() == [inside]


def test_unknown_image_size_cannot_hide_anything():
    xy = np.array([[-50.0, 10.0], [5000.0, 10.0], [np.nan, 1.0]])
    assert in_frame_mask(xy, (0, 0)).tolist() == [True, True, False]


# (where the left ankle is, visibility the model gave, visibility after hiding)
@pytest.mark.parametrize(
    ("ankle", "raw", "expected"),
    [
        ((400.0, 600.0), 0.9, 0.9),  # inside: unchanged
        ((12.8, 600.0), 0.9, 0.9),  # on the margin line
        ((3.0, 600.0), 0.98, 0.0),  # on the border, inside the margin: hidden
        ((-200.0, 600.0), 0.7, 0.0),  # outside
        ((400.0, 800.0), 0.6, 0.0),  # below the image
        ((-200.0, 600.0), 0.2, 0.0),  # outside and already low
    ],
)
def test_hide_off_frame_table(ankle, raw, expected):
    pose = make_pose({"left_hip": (600, 400), "left_knee": (500, 500), "left_ankle": ankle})
    pose.visibility[LANDMARK_INDEX["left_ankle"]] = raw
    hidden = pose.hide_off_frame()
    i = LANDMARK_INDEX["left_ankle"]
    assert hidden.visibility[i] == pytest.approx(expected)
    assert hidden.raw_visibility[i] == pytest.approx(raw)  # the model's value is kept
    assert hidden.vis("left_hip") == pytest.approx(0.99)
    assert pose.raw_visibility is None and pose.visibility[i] == pytest.approx(raw)  # a copy


def test_measures_of_an_off_frame_point_are_nan_after_hiding():
    pose = make_pose({"left_hip": (600, 400), "left_knee": (300, 500), "left_ankle": (-40, 560)})
    assert np.isfinite(compute_measures(pose, ["left_knee"])["left_knee"])  # guessed point used
    assert np.isnan(compute_measures(pose.hide_off_frame(), ["left_knee"])["left_knee"])


def test_hiding_again_after_moving_starts_from_the_models_visibility():
    pose = make_pose({"left_ankle": (-5.0, 300.0)}, image_size=(200, 400)).hide_off_frame()
    assert pose.vis("left_ankle") == 0.0
    # the same pose placed in a larger picture (a crop put back into the frame)
    pose.xy += (100.0, 0.0)
    pose.image_size = (1000, 800)
    again = pose.hide_off_frame()
    assert again.vis("left_ankle") == pytest.approx(0.99)
    assert again.hide_off_frame().vis("left_ankle") == pytest.approx(0.99)  # idempotent


def test_default_margin_is_one_percent_and_shared_with_setup_check():
    from posecheck.library import Library
    from posecheck.live.setup import SetupCheck

    assert EDGE_MARGIN == 0.01
    assert SetupCheck(Library.load().get("bridge")).edge_margin == EDGE_MARGIN


def test_pose_method_matches_the_function():
    rng = np.random.default_rng(3)
    xy = rng.uniform(-100, 1400, (NUM_LANDMARKS, 2))
    pose = Pose(xy=xy, visibility=np.ones(NUM_LANDMARKS), image_size=(W, H))
    assert (pose.in_frame() == in_frame_mask(xy, (W, H))).all()
    assert 0 < pose.in_frame().sum() < NUM_LANDMARKS


def test_model_box_keeps_points_outside_the_picture():
    """The person's extent for identity and scale: off-frame guesses count with model=True."""
    pose = make_pose(
        {"left_shoulder": (300, 300), "left_hip": (800, 320), "left_ankle": (1500, 400)}
    ).hide_off_frame()
    assert pose.bbox(0.3) == (300.0, 300.0, 800.0, 320.0)  # what is in the picture
    assert pose.bbox(0.3, model=True) == (300.0, 300.0, 1500.0, 400.0)
    plain = make_pose({"left_shoulder": (300, 300), "left_hip": (800, 320)})
    assert plain.bbox(0.3, model=True) == plain.bbox(0.3)  # no raw visibility: the same
