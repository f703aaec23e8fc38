from __future__ import annotations

import math
import os
import subprocess
import sys

import numpy as np
import pytest

from posecheck.angles import (
    EXTRA_MEASURES,
    REGISTRY,
    MeasureSpec,
    compute_measures,
    elevation_deg,
    incline_deg,
    is_known,
    joint_angle_deg,
    resolve,
)
from posecheck.pose import LANDMARK_INDEX

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


@pytest.mark.parametrize("size", [(1280, 720), (480, 854), (1768, 994), (400, 400)])
@pytest.mark.parametrize("hip_deg", [90.0, 123.0, 150.0, 177.0])
def test_known_angles_on_non_square_frames(size, hip_deg):
    # Build shoulder-hip-knee with a known angle in pixels, scaled to the frame;
    # the measure must not depend on the frame's aspect ratio.
    w, h = size
    hip = np.array([w * 0.5, h * 0.6])
    r = min(w, h) * 0.3
    a0 = math.radians(10.0)
    shoulder = hip + r * np.array([-math.cos(a0), -math.sin(a0)])
    a1 = a0 + math.radians(180.0 - hip_deg)
    knee = hip + r * np.array([math.cos(a1), math.sin(a1)])
    pose = make_pose(
        {"left_shoulder": tuple(shoulder), "left_hip": tuple(hip), "left_knee": tuple(knee)},
        image_size=size,
    )
    m = compute_measures(pose, ["left_hip", "left_trunk_incline", "left_hip_elevation"])
    assert m["left_hip"] == pytest.approx(hip_deg, abs=1e-6)
    assert m["left_trunk_incline"] == pytest.approx(10.0, abs=1e-6)
    # the shoulder is 10 degrees higher than the hip in the image: hip elevation is -10
    assert m["left_hip_elevation"] == pytest.approx(-10.0, abs=1e-6)


def test_normalized_coordinates_would_distort_the_angle():
    # The same right angle in pixels on 1280x720 is not 90 degrees in normalized units:
    # this is why measures use pixels.
    pts = {"left_shoulder": (640, 160), "left_hip": (640, 520), "left_knee": (1000, 520)}
    assert compute_measures(make_pose(pts), ["left_hip"])["left_hip"] == pytest.approx(90)
    norm = {k: (x / 1280, y / 720) for k, (x, y) in pts.items()}
    skew = joint_angle_deg(norm["left_shoulder"], norm["left_hip"], norm["left_knee"])
    assert skew == pytest.approx(90)  # axis-aligned stays 90 ...
    pts2 = {"left_shoulder": (400, 160), "left_hip": (640, 400), "left_knee": (880, 160)}
    px = compute_measures(make_pose(pts2), ["left_hip"])["left_hip"]
    n2 = {k: (x / 1280, y / 720) for k, (x, y) in pts2.items()}
    nv = joint_angle_deg(n2["left_shoulder"], n2["left_hip"], n2["left_knee"])
    assert px == pytest.approx(90) and abs(nv - 90) > 20  # ... a diagonal one does not


def test_extra_measures_from_pose_and_stored_values(monkeypatch):
    spec = MeasureSpec("test_curve", "ratio", "ratio", ("left_hip",), "test only",
                       from_pose=lambda p, **kw: 0.25, needs_mask=True)  # fmt: skip
    monkeypatch.setitem(EXTRA_MEASURES, spec.name, spec)
    pose = make_pose({"left_hip": (1, 1)})
    assert compute_measures(pose, ["test_curve"]) == {"test_curve": 0.25}
    pose.extras = {"test_curve": 0.5}  # a mask measure replayed from a landmarks file wins
    assert compute_measures(pose, ["test_curve"]) == {"test_curve": 0.5}
    assert math.isnan(compute_measures(None, ["test_curve"])["test_curve"])
    broken = MeasureSpec("test_broken", "ratio", "ratio", (), "x",
                         from_pose=lambda p, **kw: p.mask[0, 0])  # fmt: skip
    monkeypatch.setitem(EXTRA_MEASURES, broken.name, broken)
    assert math.isnan(compute_measures(make_pose({}), ["test_broken"])["test_broken"])
    assert "test_curve" in compute_measures(pose)  # all measures include the extras


def _legs(near_thigh: float, near_deg: float, far_thigh: float, far_deg: float):
    """Lying on the back, trunk 200 px along the floor; each thigh drawn at its hip
    angle and length (in trunk lengths): the near side left, the far side right."""
    pts: dict[str, tuple[float, float]] = {}
    for side, length, deg in (("left", near_thigh, near_deg), ("right", far_thigh, far_deg)):
        a = math.radians(180.0 - deg)  # the shoulder lies at 180 deg from the hip's x axis
        pts[f"{side}_shoulder"] = (300.0, 400.0)
        pts[f"{side}_hip"] = (500.0, 400.0)
        pts[f"{side}_knee"] = (
            500.0 + 200 * length * math.cos(a),
            400.0 - 200 * length * math.sin(a),
        )
    return make_pose(pts)


@pytest.mark.parametrize(
    ("near", "far", "lo", "hi"),
    [
        # the crossed near thigh seen at 0.55 trunk lengths reading 40, the far one in
        # profile at 0.8 reading 68 (the rendered reclined pigeon): close to the far one
        ((0.55, 40.0), (0.8, 68.0), 60.0, 68.0),
        # both thighs in profile, equally long: the mean
        ((0.75, 60.0), (0.75, 80.0), 69.9, 70.1),
    ],
)
def test_profile_hip_trusts_the_thigh_seen_in_profile(near, far, lo, hi):
    value = compute_measures(_legs(*near, *far), ["profile_hip"])["profile_hip"]
    assert lo <= value <= hi


def test_profile_hip_uses_the_visible_side_and_is_nan_without_one():
    pose = _legs(0.8, 70.0, 0.8, 90.0)
    pose.visibility[LANDMARK_INDEX["right_knee"]] = 0.0
    assert compute_measures(pose, ["profile_hip"])["profile_hip"] == pytest.approx(70.0, abs=0.1)
    pose.visibility[LANDMARK_INDEX["left_knee"]] = 0.0
    assert math.isnan(compute_measures(pose, ["profile_hip"])["profile_hip"])


def test_profile_hip_has_no_visibility_cut_to_switch_on():
    # the far knee's visibility hovering at the definition's 0.5 made a hard cut switch
    # sides between frames (75 -> 58 -> 67 deg: "too fast" on a still figure four)
    values = []
    for vis in (0.51, 0.49):
        pose = _legs(0.55, 58.0, 0.9, 68.0)
        for part in ("shoulder", "hip", "knee"):
            pose.visibility[LANDMARK_INDEX[f"right_{part}"]] = vis
        values.append(compute_measures(pose, ["profile_hip"])["profile_hip"])
    assert abs(values[0] - values[1]) < 0.5
    assert 64.0 < values[1] < 68.0


def _all_fours(arms: dict[str, float], legs: dict[str, float], knees: dict[str, float]):
    """On all fours, facing image-right, trunk 200 px level; each arm drawn at its
    hip-shoulder-elbow angle, each leg at its shoulder-hip-knee angle (thigh 150 px) and
    each knee at its hip-knee-ankle angle (shin 150 px, bent downwards)."""
    pts: dict[str, tuple[float, float]] = {}
    for side in ("left", "right"):
        sh, hip = (500.0, 300.0), (300.0, 300.0)
        pts[f"{side}_shoulder"], pts[f"{side}_hip"] = sh, hip
        a = math.radians(180.0 + arms[side])  # from the shoulder->hip direction, downwards
        pts[f"{side}_elbow"] = (sh[0] + 120 * math.cos(a), sh[1] - 120 * math.sin(a))
        b = math.radians(-legs[side])  # from the hip->shoulder direction, downwards
        knee = (hip[0] + 150 * math.cos(b), hip[1] - 150 * math.sin(b))
        pts[f"{side}_knee"] = knee
        back = math.atan2(hip[1] - knee[1], hip[0] - knee[0])  # knee -> hip
        c = back + math.radians(knees[side])
        pts[f"{side}_ankle"] = (knee[0] + 150 * math.cos(c), knee[1] + 150 * math.sin(c))
    return make_pose(pts)


def test_limb_reach_reads_the_reach_whichever_side_carries_it():
    # the bird dog's far arm reaching (the model may put it on the near arm's points) and
    # the near leg back (the model may trade the legs' places as it comes down)
    names = ["arm_reach", "leg_reach", "reach_knee", "left_shoulder", "right_hip", "right_knee"]
    pose = _all_fours({"left": 170, "right": 85}, {"left": 90, "right": 165},
                      {"left": 90, "right": 150})  # fmt: skip
    m = compute_measures(pose, names)
    assert m["left_shoulder"] == pytest.approx(170, abs=0.5)
    assert m["right_hip"] == pytest.approx(165, abs=0.5)
    assert m["right_knee"] == pytest.approx(150, abs=0.5)
    swapped = _all_fours({"left": 85, "right": 170}, {"left": 165, "right": 90},
                         {"left": 150, "right": 90})  # fmt: skip
    for p in (pose, swapped):
        m = compute_measures(p, names)
        assert m["arm_reach"] == pytest.approx(170, abs=0.5)
        assert m["leg_reach"] == pytest.approx(165, abs=0.5)
        assert m["reach_knee"] == pytest.approx(150, abs=0.5)


def test_limb_reach_counts_a_side_wherever_the_model_places_it():
    pose = _all_fours({"left": 170, "right": 85}, {"left": 90, "right": 165},
                      {"left": 90, "right": 150})  # fmt: skip
    # a far limb the model places with low visibility still counts (not the
    # definition's min_visibility: hidden, the reach would go to the near limb)
    pose.visibility[LANDMARK_INDEX["left_elbow"]] = 0.25
    assert compute_measures(pose, ["arm_reach"], 0.5)["arm_reach"] == pytest.approx(170, abs=0.5)
    pose.visibility[LANDMARK_INDEX["left_elbow"]] = 0.0  # outside the picture
    assert compute_measures(pose, ["arm_reach"], 0.5)["arm_reach"] == pytest.approx(85, abs=0.5)
    pose.visibility[LANDMARK_INDEX["right_elbow"]] = 0.0
    assert math.isnan(compute_measures(pose, ["arm_reach"], 0.5)["arm_reach"])


def test_ankle_knee_gap_tells_a_figure_four_from_legs_side_by_side():
    # lying on the back, seen from the side, thighs 150 px drawn in; hips at (600, 500)
    hip, knee = (600.0, 500.0), (680.0, 373.0)
    together = {"left_hip": hip, "right_hip": hip, "left_knee": knee, "right_knee": knee,
                "left_ankle": (770.0, 430.0), "right_ankle": (770.0, 430.0)}  # fmt: skip
    gap = compute_measures(make_pose(together), ["ankle_knee_gap"])["ankle_knee_gap"]
    assert gap == pytest.approx(math.dist(knee, (770, 430)) / 150, abs=0.01)  # a shin length
    # one ankle on the other thigh just above the knee: a figure four, whichever leg
    # the model calls left
    for crossed in ("left", "right"):
        four = {**together, f"{crossed}_ankle": (665.0, 385.0)}
        gap = compute_measures(make_pose(four), ["ankle_knee_gap"])["ankle_knee_gap"]
        assert gap == pytest.approx(math.dist(knee, (665, 385)) / 150, abs=0.01)
        assert gap < 0.3
    # a far leg the model places with low visibility still counts; a leg not seen at
    # all leaves nothing to measure
    pose = make_pose(together)
    pose.visibility[LANDMARK_INDEX["left_knee"]] = 0.25
    assert compute_measures(pose, ["ankle_knee_gap"], 0.5)["ankle_knee_gap"] > 0.5
    pose.visibility[LANDMARK_INDEX["left_knee"]] = 0.0
    assert math.isnan(compute_measures(pose, ["ankle_knee_gap"], 0.5)["ankle_knee_gap"])


def test_a_stored_value_stands_in_only_for_a_mask_measure():
    """A landmarks file written before the engine ran (``-e auto``) stored its extra
    measures on the raw poses; a replay judges smoothed ones, so an extra the landmarks
    give again is computed on the pose, and only a mask measure (no mask is stored) is
    taken from the file. Before: ``-e auto`` and ``-e bird-dog`` timed the sample bird
    dog's holds 0.08 s apart."""
    import dataclasses

    import posecheck.limb_reach  # noqa: F401 - registers arm_reach
    from posecheck.angles import EXTRA_MEASURES, compute_measures

    pose = make_pose({"left_hip": (400, 300), "left_shoulder": (200, 300),
                      "left_elbow": (100, 300), "right_hip": (400, 300),
                      "right_shoulder": (200, 300), "right_elbow": (200, 400)})  # fmt: skip
    assert not EXTRA_MEASURES["arm_reach"].needs_mask
    assert EXTRA_MEASURES["back_curvature"].needs_mask
    fresh = compute_measures(pose, ["arm_reach"])["arm_reach"]
    assert math.isfinite(fresh)
    stored = dataclasses.replace(pose, extras={"arm_reach": 999.0, "back_curvature": 0.07})
    got = compute_measures(stored, ["arm_reach", "back_curvature"])
    assert got["arm_reach"] == pytest.approx(fresh)  # computed again on this pose
    assert got["back_curvature"] == pytest.approx(0.07)  # the mask's: from the file
