"""Back curvature from a segmentation mask: synthetic masks with a known bend."""

from __future__ import annotations

import math

import numpy as np
import pytest

from posecheck import angles, curvature
from posecheck.curvature import back_curvature, back_outline, dorsal_direction

from helpers import make_pose

W, H = 640, 360  # non-square on purpose: pixel geometry must not depend on the aspect


def _frame(shoulder, hip, dorsal_up: bool):
    """Unit axis, unit dorsal normal and length for a trunk from shoulder to hip."""
    s, h = np.asarray(shoulder, float), np.asarray(hip, float)
    length = float(np.hypot(*(h - s)))
    axis = (h - s) / length
    n = np.array([-axis[1], axis[0]])
    # dorsal_up: the back faces up in the image (all fours); else down (lying supine).
    if (n[1] < 0) != dorsal_up:
        n = -n
    return s, axis, n, length


def trunk_mask(shoulder, hip, bend: float, dorsal_up: bool = True, scale: float = 1.0):
    """A trunk-shaped band whose back outline bulges ``bend`` trunk lengths out of the
    back at mid-trunk (parabola; negative = sags in), front edge straight.

    ``scale`` draws the mask at another resolution than the (W, H) frame.
    """
    s, axis, n, length = _frame(shoulder, hip, dorsal_up)
    mh, mw = round(H * scale), round(W * scale)
    yy, xx = np.mgrid[0:mh, 0:mw]
    px = np.stack([xx, yy], axis=-1) / scale - s
    u = px @ axis / length
    v = px @ n / length
    back = 0.18 + 4 * bend * u * (1 - u)
    inside = (u > -0.15) & (u < 1.15) & (v > -0.22) & (v < back)
    return inside.astype(np.float32)


def all_fours(facing: str, dorsal_up: bool = True, tilt_px: float = 0.0, **kw):
    """Landmarks for a side view: trunk horizontal (or tilted), limbs on the front side."""
    if facing == "left":  # head on the image's left
        sh, hp = (180.0, 170.0), (460.0, 170.0 + tilt_px)
    else:
        sh, hp = (460.0, 170.0), (180.0, 170.0 + tilt_px)
    s, _, n, length = _frame(sh, hp, dorsal_up)
    front = -n  # limbs hang from the front
    pts = {
        "left_shoulder": sh, "right_shoulder": sh, "left_hip": hp, "right_hip": hp,
        "left_knee": tuple(np.asarray(hp) + 0.8 * length * front),
        "right_knee": tuple(np.asarray(hp) + 0.8 * length * front),
        "left_wrist": tuple(np.asarray(sh) + 0.9 * length * front),
        "right_wrist": tuple(np.asarray(sh) + 0.9 * length * front),
    }  # fmt: skip
    pose = make_pose(pts, image_size=(W, H), **kw)
    return pose, sh, hp


# The sampled outline runs from t=0.1 to t=0.9 of the trunk; a parabola of sagitta
# `bend` over the whole trunk has sagitta bend * 0.8**2 over that span.
SPAN = (curvature.BACK_T_RANGE[1] - curvature.BACK_T_RANGE[0]) ** 2


@pytest.mark.parametrize("facing", ["left", "right"])
@pytest.mark.parametrize("dorsal_up", [True, False], ids=["all-fours", "supine"])
@pytest.mark.parametrize("bend", [0.15, 0.08, 0.0, -0.05, -0.10])
@pytest.mark.parametrize("tilt_px", [0.0, 60.0])
def test_sign_and_magnitude(facing, dorsal_up, bend, tilt_px):
    pose, sh, hp = all_fours(facing, dorsal_up, tilt_px)
    pose.mask = trunk_mask(sh, hp, bend, dorsal_up)
    value = back_curvature(pose)
    assert value == pytest.approx(bend * SPAN, abs=0.008)
    if bend:
        assert math.copysign(1, value) == math.copysign(1, bend)


def test_mask_at_lower_resolution_is_scaled():
    pose, sh, hp = all_fours("left")
    pose.mask = trunk_mask(sh, hp, 0.12, scale=0.5)
    assert back_curvature(pose) == pytest.approx(0.12 * SPAN, abs=0.012)


def test_outline_points_lie_on_the_back():
    pose, sh, hp = all_fours("right")
    pose.mask = trunk_mask(sh, hp, 0.1)
    out = back_outline(pose)
    assert out is not None
    assert out.dorsal[1] < -0.99  # back faces up
    mid = out.points[len(out.points) // 2]
    # mid-trunk: 0.18 + 0.1 trunk lengths above the axis (y up is negative)
    assert mid[1] == pytest.approx(170 - 0.28 * 280, abs=1.5)
    assert out.peak is not None and out.peak[0] == pytest.approx(320, abs=15)


@pytest.mark.parametrize(
    "case",
    ["no_mask", "hidden_shoulder", "hidden_hips", "empty_mask", "full_mask", "wrong_aspect"],
)
def test_nan_when_unmeasurable(case):
    hidden = {"hidden_shoulder": ("left_shoulder", "right_shoulder"),
              "hidden_hips": ("left_hip", "right_hip")}.get(case, ())  # fmt: skip
    pose, sh, hp = all_fours("left", hidden=hidden)
    pose.mask = {
        "no_mask": None,
        "empty_mask": np.zeros((H, W), np.float32),
        "full_mask": np.ones((H, W), np.float32),
        "wrong_aspect": np.ones((H, H), np.float32),
    }.get(case, trunk_mask(sh, hp, 0.1))
    assert math.isnan(back_curvature(pose))


def test_none_pose_is_nan():
    assert math.isnan(back_curvature(None))


@pytest.mark.parametrize(
    "points, expect_up",
    [
        # all fours, facing left: knees and wrists below the trunk -> back faces up
        ({"left_shoulder": (100, 100), "left_hip": (300, 100),
          "left_knee": (300, 250), "left_wrist": (100, 250)}, True),
        # hook lying: knees above the hip line -> back faces down (on the floor)
        ({"left_shoulder": (100, 300), "left_hip": (300, 300),
          "left_knee": (400, 200), "left_ankle": (500, 300)}, False),
        # lying flat, limbs in line: the face (nose up from the ears) decides
        ({"left_shoulder": (100, 300), "left_hip": (300, 300), "left_knee": (450, 300),
          "left_ear": (40, 300), "nose": (20, 280)}, False),
        # lying prone flat: the nose points at the floor -> back faces up
        ({"left_shoulder": (100, 300), "left_hip": (300, 300), "left_knee": (450, 300),
          "left_ear": (40, 300), "nose": (20, 320)}, True),
        # nothing decides: the side away from the floor
        ({"left_shoulder": (100, 300), "left_hip": (300, 300)}, True),
    ],
)  # fmt: skip
def test_dorsal_direction(points, expect_up):
    pose = make_pose(points, image_size=(W, H))
    s, h = pose.point("left_shoulder"), pose.point("left_hip")
    d = dorsal_direction(pose, s, h)
    assert d is not None
    assert (d[1] < 0) == expect_up
    assert float(np.dot(d, h - s)) == pytest.approx(0.0, abs=1e-6)


def test_registered_and_computed_by_compute_measures():
    assert "back_curvature" in angles.known_measures()
    spec = angles.known_measures()["back_curvature"]
    assert spec.unit == "ratio" and spec.needs_mask
    pose, sh, hp = all_fours("left")
    pose.mask = trunk_mask(sh, hp, -0.1)
    got = angles.compute_measures(pose, ["back_curvature", "left_hip"])
    assert got["back_curvature"] == pytest.approx(-0.1 * SPAN, abs=0.008)
    assert "left_hip" in got
    assert "back_curvature" in angles.compute_measures(pose)  # all measures
    pose.mask = None
    assert math.isnan(angles.compute_measures(pose, ["back_curvature"])["back_curvature"])
    assert math.isnan(angles.compute_measures(None, ["back_curvature"])["back_curvature"])


@pytest.mark.parametrize("facing", ["left", "right"])
@pytest.mark.parametrize("bend", [0.1, -0.1])
def test_lumbar_curvature_measures_the_lower_trunk(facing, bend):
    # Supine (back on the floor), bend over the whole trunk: over 40-100% of it a
    # parabola of sagitta `bend` has sagitta bend * 0.6**2.
    pose, sh, hp = all_fours(facing, dorsal_up=False)
    pose.mask = trunk_mask(sh, hp, bend, dorsal_up=False)
    lo, hi = curvature.LUMBAR_T_RANGE
    assert curvature.lumbar_curvature(pose) == pytest.approx(bend * (hi - lo) ** 2, abs=0.008)
    got = angles.compute_measures(pose, ["lumbar_curvature"])
    assert got["lumbar_curvature"] == pytest.approx(bend * (hi - lo) ** 2, abs=0.008)


def test_lumbar_curvature_ignores_the_upper_back():
    # A hump only over the upper trunk (shoulder blades) leaves the lower trunk flat.
    pose, sh, hp = all_fours("left")
    mask = trunk_mask(sh, hp, 0.0)
    hump = trunk_mask(sh, hp, 0.3)
    upper = np.zeros_like(mask)
    upper[:, : int((sh[0] + hp[0]) / 2) - 40] = 1  # the half nearer the shoulder (facing left)
    pose.mask = np.maximum(mask, hump * upper)
    assert back_curvature(pose) > 0.05
    assert abs(curvature.lumbar_curvature(pose)) < 0.01


# --- belly_height: the front outline of the lower trunk -------------------------------


def belly_mask(shoulder, hip, front, dorsal_up: bool = False):
    """A trunk band whose front (belly) edge stands ``front(u)`` trunk lengths in front of
    the shoulder-hip line at fraction ``u`` of it; the back edge is straight."""
    s, axis, n, length = _frame(shoulder, hip, dorsal_up)
    yy, xx = np.mgrid[0:H, 0:W]
    px = np.stack([xx, yy], axis=-1) - s
    u = px @ axis / length
    v = px @ n / length  # + towards the back
    inside = (u > -0.15) & (u < 1.15) & (v < 0.18) & (-v < front(u))
    return inside.astype(np.float32)


@pytest.mark.parametrize("facing", ["left", "right"])
@pytest.mark.parametrize("tilt_px", [0.0, 40.0])
@pytest.mark.parametrize(
    "front, expect",
    [
        (lambda u: 0.20 + 0 * u, 0.20),  # flat belly 0.2 trunk lengths high
        (lambda u: 0.14 + 0 * u, 0.14),  # flatter
        # a dome over the belly: 0.15 + 0.2 u (1 - u), median over u in 0.55..0.85 at u=0.7
        (lambda u: 0.15 + 0.2 * u * (1 - u), 0.15 + 0.2 * 0.7 * 0.3),
    ],
)  # fmt: skip
def test_belly_height_measures_the_front_outline(facing, tilt_px, front, expect):
    pose, sh, hp = all_fours(facing, dorsal_up=False, tilt_px=tilt_px)  # hook lying: knees up
    pose.mask = belly_mask(sh, hp, front)
    assert curvature.belly_height(pose) == pytest.approx(expect, abs=0.006)


def test_belly_height_follows_a_flattening_and_ignores_the_back():
    pose, sh, hp = all_fours("left", dorsal_up=False)
    pose.mask = belly_mask(sh, hp, lambda u: 0.2 + 0 * u)
    rest = curvature.belly_height(pose)
    pose.mask = belly_mask(sh, hp, lambda u: 0.2 - 0.02 * (u > 0.5))  # lower belly drawn in
    assert curvature.belly_height(pose) - rest == pytest.approx(-0.02, abs=0.004)
    # a bent back (lumbar arch) does not move the front outline
    front = belly_mask(sh, hp, lambda u: 0.2 + 0 * u)
    back = trunk_mask(sh, hp, -0.1, dorsal_up=False)
    s, axis, n, length = _frame(sh, hp, False)
    yy, xx = np.mgrid[0:H, 0:W]
    v = (np.stack([xx, yy], axis=-1) - np.asarray(sh)) @ n / length
    pose.mask = np.where(v > 0, back, front).astype(np.float32)
    assert curvature.belly_height(pose) == pytest.approx(rest, abs=0.004)


def test_belly_height_median_ignores_a_hand_on_one_spot():
    pose, sh, hp = all_fours("right", dorsal_up=False)
    mask = belly_mask(sh, hp, lambda u: 0.2 + 0 * u)
    pose.mask = mask.copy()
    base = curvature.belly_height(pose)
    s, axis, n, length = _frame(sh, hp, False)
    hand = np.asarray(sh) + 0.7 * length * axis - 0.3 * length * n  # above the belly
    yy, xx = np.mgrid[0:H, 0:W]
    mask[np.hypot(xx - hand[0], yy - hand[1]) < 12] = 1.0  # a blob over two samples
    pose.mask = mask
    assert curvature.belly_height(pose) == pytest.approx(base, abs=0.004)


@pytest.mark.parametrize("case", ["no_mask", "hidden_hips", "empty_mask", "full_mask", "none"])
def test_belly_height_nan_when_unmeasurable(case):
    hidden = ("left_hip", "right_hip") if case == "hidden_hips" else ()
    pose, sh, hp = all_fours("left", dorsal_up=False, hidden=hidden)
    pose.mask = {
        "no_mask": None,
        "empty_mask": np.zeros((H, W), np.float32),
        "full_mask": np.ones((H, W), np.float32),
    }.get(case, belly_mask(sh, hp, lambda u: 0.2 + 0 * u))
    assert math.isnan(curvature.belly_height(None if case == "none" else pose))


def test_belly_height_registered():
    spec = angles.known_measures()["belly_height"]
    assert spec.unit == "ratio" and spec.needs_mask
    pose, sh, hp = all_fours("left", dorsal_up=False)
    pose.mask = belly_mask(sh, hp, lambda u: 0.18 + 0 * u)
    got = angles.compute_measures(pose, ["belly_height"])["belly_height"]
    assert got == pytest.approx(0.18, abs=0.006)
