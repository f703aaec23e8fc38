from __future__ import annotations

import math
import os
import subprocess
import sys

import pytest

from posecheck.angles import (
    REGISTRY,
    compute_measures,
    elevation_deg,
    incline_deg,
    is_known,
    joint_angle_deg,
    resolve,
)

from conftest import REPO
from helpers import make_pose


@pytest.mark.parametrize(
    ("a", "b", "c", "expected"),
    [
        ((0, 0), (1, 0), (2, 0), 180.0),
        ((0, 0), (1, 0), (1, 1), 90.0),
        ((2, 0), (0, 0), (1, 1), 45.0),
        ((1, 0), (0, 0), (1, 0), 0.0),
    ],
)
def test_joint_angle_known_values(a, b, c, expected):
    assert joint_angle_deg(a, b, c) == pytest.approx(expected, abs=1e-9)


def test_joint_angle_zero_length_is_nan():
    assert math.isnan(joint_angle_deg((1, 1), (1, 1), (2, 2)))


def test_incline_and_elevation_conventions():
    assert incline_deg((0, 0), (10, 0)) == pytest.approx(0)
    assert incline_deg((0, 0), (0, 10)) == pytest.approx(90)
    assert incline_deg((10, 0), (0, 10)) == pytest.approx(45)
    # image y points down: (0,0)->(10,-10) rises 45 degrees, either facing direction
    assert elevation_deg((0, 0), (10, -10)) == pytest.approx(45)
    assert elevation_deg((0, 0), (-10, -10)) == pytest.approx(45)
    assert elevation_deg((0, 0), (10, 10)) == pytest.approx(-45)


def test_bridge_pose_on_a_wide_frame_measures_in_pixels():
    # A straight shoulder-hip-knee line rising at 20 degrees on a 1280x720 frame.
    # On normalized coordinates the same points would not be collinear-looking
    # in angle terms for the knee; in pixels the hip angle must be 180.
    t = math.tan(math.radians(20))
    pose = make_pose(
        {
            "left_shoulder": (200, 600),
            "left_hip": (500, 600 - 300 * t),
            "left_knee": (700, 600 - 500 * t),
            "left_ankle": (800, 600),
        },
        image_size=(1280, 720),
    )
    m = compute_measures(pose)
    assert m["left_hip"] == pytest.approx(180, abs=1e-6)
    assert m["left_trunk_incline"] == pytest.approx(20, abs=1e-6)
    assert m["left_hip_elevation"] == pytest.approx(20, abs=1e-6)
    knee = joint_angle_deg((500, 600 - 300 * t), (700, 600 - 500 * t), (800, 600))
    assert m["left_knee"] == pytest.approx(knee)
    # the right side is not visible: NaN, no exception
    assert math.isnan(m["right_hip"])


def test_low_visibility_gives_nan():
    pose = make_pose(
        {"left_shoulder": (0, 0), "left_hip": (10, 0), "left_knee": (20, 0)},
        hidden=("left_knee",),
    )
    assert math.isnan(compute_measures(pose, ["left_hip"])["left_hip"])
    assert math.isnan(compute_measures(None, ["left_hip"])["left_hip"])


def test_resolve_and_known_names():
    assert resolve("hip", "right") == "right_hip"
    assert resolve("other_hip", "right") == "left_hip"
    assert resolve("left_knee", "right") == "left_knee"
    assert resolve("shoulder_line_tilt", "left") == "shoulder_line_tilt"
    assert is_known("hip") and is_known("other_knee") and is_known("right_trunk_incline")
    assert not is_known("hipp")
    for spec in REGISTRY.values():
        assert spec.unit in ("deg", "ratio") and spec.description


def test_pure_modules_do_not_import_cv2_or_mediapipe():
    code = (
        "import sys, posecheck.angles, posecheck.pose, posecheck.results, posecheck.cli;"
        "bad=[m for m in ('cv2','mediapipe') if m in sys.modules]; print(bad); sys.exit(bool(bad))"
    )
    env = {**os.environ, "PYTHONPATH": str(REPO / "src")}
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env)
    assert r.returncode == 0, r.stdout + r.stderr
