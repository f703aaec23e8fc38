"""3D measures from world landmarks (posecheck.body3d): knee roll and pelvis twist."""

from __future__ import annotations

import math

import numpy as np
import pytest

from posecheck.angles import compute_measures
from posecheck.body3d import knee_roll_signed
from posecheck.pose import LANDMARK_INDEX, NUM_LANDMARKS, Pose


def _rot(axis: str, deg: float) -> np.ndarray:
    c, s = math.cos(math.radians(deg)), math.sin(math.radians(deg))
    return {
        "x": np.array([[1, 0, 0], [0, c, -s], [0, s, c]]),
        "y": np.array([[c, 0, s], [0, 1, 0], [-s, 0, c]]),
        "z": np.array([[c, -s, 0], [s, c, 0], [0, 0, 1]]),
    }[axis]


def lying_body(
    knee_roll: float = 0.0,
    pelvis: float = 0.0,
    thigh_up: float = 50.0,
    view: np.ndarray | None = None,
    vis: float = 0.9,
) -> Pose:
    """A body lying on its back in the body's own axes (x towards the head, y out of
    the chest, z towards the left side: right-handed), knees bent up ``thigh_up`` deg from the floor
    and rolled ``knee_roll`` deg towards the right; the pelvis turned ``pelvis`` deg.
    ``view``: a rotation from body axes to camera axes (any camera position)."""  # fmt: skip
    roll = _rot("x", -knee_roll)  # about the long axis: front (y) towards right (-z)
    hips = _rot("x", -pelvis) @ np.array([0.0, 0.0, -0.13])  # the right hip
    pts = {
        "left_shoulder": np.array([0.5, 0.0, 0.19]),
        "right_shoulder": np.array([0.5, 0.0, -0.19]),
        "left_hip": -hips,
        "right_hip": hips,
    }
    t = math.radians(thigh_up)
    thigh = roll @ np.array([-math.cos(t), math.sin(t), 0.0]) * 0.42
    for side, hip in (("left", -hips), ("right", hips)):
        pts[f"{side}_knee"] = hip + thigh
    world = np.zeros((NUM_LANDMARKS, 3))
    view = np.eye(3) if view is None else view
    for name, p in pts.items():
        world[LANDMARK_INDEX[name]] = view @ p
    return Pose(xy=np.zeros((NUM_LANDMARKS, 2)), visibility=np.full(NUM_LANDMARKS, vis),
                image_size=(640, 480), world=world)  # fmt: skip


VIEWS = {
    "body axes": np.eye(3),
    "camera at the side": _rot("y", 90) @ _rot("x", 90),
    "camera at the feet, raised": _rot("x", 30) @ _rot("z", 90),
    "oblique": _rot("y", 40) @ _rot("x", 70) @ _rot("z", 20),
}


@pytest.mark.parametrize("view", VIEWS.values(), ids=VIEWS.keys())
@pytest.mark.parametrize(
    ("roll", "pelvis"), [(0.0, 0.0), (45.0, 20.0), (90.0, 40.0), (-80.0, -35.0)]
)
def test_rotations_are_measured_in_the_body_whatever_the_view(view, roll, pelvis):
    pose = lying_body(roll, pelvis, view=view)
    m = compute_measures(pose, ["knee_roll", "pelvis_twist"])
    assert m["knee_roll"] == pytest.approx(abs(roll), abs=0.5)
    assert m["pelvis_twist"] == pytest.approx(abs(pelvis), abs=0.5)
    assert knee_roll_signed(pose) == pytest.approx(roll, abs=0.5)


def test_knees_in_line_with_the_trunk_have_no_roll():
    # legs straight out along the floor: the thigh points along the trunk axis
    pose = lying_body(thigh_up=5.0)
    assert math.isnan(compute_measures(pose, ["knee_roll"])["knee_roll"])


@pytest.mark.parametrize(("thigh_up", "measured"), [(16.0, False), (25.0, True)])
def test_a_thigh_near_the_trunk_line_has_no_roll_to_read(thigh_up, measured):
    # at a bridge's top the thigh lies 14-18 deg off the trunk's line, and what is left
    # across it is the model's depth noise: no direction; a twist bends the hips more
    pose = lying_body(knee_roll=60.0, thigh_up=thigh_up)
    roll = compute_measures(pose, ["knee_roll"])["knee_roll"]
    assert (roll == pytest.approx(60.0, abs=0.5)) if measured else math.isnan(roll)


@pytest.mark.parametrize("pose", [
    None,
    Pose(xy=np.zeros((NUM_LANDMARKS, 2)), visibility=np.ones(NUM_LANDMARKS), image_size=(9, 9)),
    lying_body(vis=0.2),
], ids=["no pose", "no world landmarks", "not visible"])  # fmt: skip
def test_unmeasurable_is_nan(pose):
    m = compute_measures(pose, ["knee_roll", "pelvis_twist"])
    assert math.isnan(m["knee_roll"]) and math.isnan(m["pelvis_twist"])


def test_one_visible_thigh_is_enough():
    # side view: the far knee hidden; the near thigh alone shows the roll
    pose = lying_body(70.0, 30.0)
    pose.visibility[LANDMARK_INDEX["left_knee"]] = 0.1
    assert compute_measures(pose, ["knee_roll"])["knee_roll"] == pytest.approx(70.0, abs=0.5)


@pytest.mark.parametrize("yaw", [0.0, 45.0, 80.0])
def test_world_angles_are_the_body_angles_whatever_the_camera_angle(yaw):
    from posecheck.body3d import world_angles

    # on all fours (camera axes: x right, y down, z away): trunk level, arm hanging
    # straight down, thigh vertical; the camera turned ``yaw`` about the vertical and
    # looking down 30 deg
    body = {
        "left_shoulder": (0.5, 0.0, 0.0),
        "left_elbow": (0.5, 0.3, 0.0),
        "left_hip": (0.0, 0.0, 0.0),
        "left_knee": (0.0, 0.45, 0.0),
    }
    turn = _rot("x", 30) @ _rot("y", yaw)
    world = np.zeros((NUM_LANDMARKS, 3))
    xy = np.zeros((NUM_LANDMARKS, 2))
    for name, p in body.items():
        world[LANDMARK_INDEX[name]] = turn @ np.array(p)
        xy[LANDMARK_INDEX[name]] = (turn @ np.array(p))[:2] * 500 + 300  # the picture
    pose = Pose(xy=xy, visibility=np.full(NUM_LANDMARKS, 0.9), image_size=(640, 480),
                world=world)  # fmt: skip
    got = world_angles(pose, ["left_shoulder", "left_hip", "left_trunk_incline", "back_curvature"])
    assert got["left_shoulder"] == pytest.approx(90.0)
    assert got["left_hip"] == pytest.approx(90.0)
    # an incline is against the camera's horizontal plane: off by its pitch at most
    assert 0.0 <= got["left_trunk_incline"] <= 30.0 + 1e-6
    assert "back_curvature" not in got  # not a joint angle or an incline: left out
    # the picture agrees only from the side (yaw 0 here: the trunk across the picture)
    flat = compute_measures(pose, ["left_shoulder"])["left_shoulder"]
    assert (flat == pytest.approx(90.0)) is (yaw == 0.0)
    assert all(math.isnan(v) for v in world_angles(None, ["left_shoulder"]).values())


@pytest.mark.parametrize("view", VIEWS.values(), ids=VIEWS.keys())
def test_shoulder_tilt_is_against_the_world_vertical(view):
    from posecheck.body3d import shoulder_tilt

    # the shoulder line along the body's z axis: level when z is horizontal in the world
    pose = lying_body(view=view)
    line = view @ np.array([0.0, 0.0, 1.0])
    assert shoulder_tilt(pose) == pytest.approx(math.degrees(math.asin(abs(line[1]))), abs=1e-6)
    assert math.isnan(shoulder_tilt(lying_body(view=view, vis=0.1)))
