"""Measures from MediaPipe's 3D world landmarks: rotations about the trunk's long axis.

A twist turns the knees and the pelvis about the body's long axis. Seen from the
feet this shows in the image, but from the side or obliquely the knees falling to
one side look like many other positions in 2D. MediaPipe's world landmarks
(``Pose.world``, metres, hip-centred, x right, y down, z away from the camera) keep
the depth, so the rotation can be measured in the body's own frame whatever the
camera view:

- ``up``: mid-hip -> mid-shoulder (the trunk's long axis);
- ``right``: left -> right shoulder, made perpendicular to ``up`` (the chest's
  side-to-side axis; with the shoulders flat on the floor it lies along the floor);
- ``front``: ``up`` x ``right``, out of the chest (the belly side).

Measures (unsided, degrees, registered with :func:`posecheck.angles.register_extra`):

- ``knee_roll``: how far the knees have rolled from pointing to the front of the
  chest (straight up when lying on the back) towards one side, about the trunk axis
  (the hip -> knee direction of each visible side, averaged).
  0 = knees up (hook lying), 90 = knees down to one side (a supine twist), 0-180.
  NaN when the knees lie within 20 degrees of the trunk axis (legs straight out, or in
  line with the body at a bridge's top: the direction is undefined, or the depth's
  noise) or a point is not visible.
- ``pelvis_twist``: the angle between the hip line and the shoulder line about the
  trunk axis, 0-90: 0 = pelvis square with the chest; a supine twist with the
  shoulders flat turns the pelvis 30-60 degrees; if the shoulders roll with the
  knees it stays small.

Measured on the real clips (``python bench/recognition.py`` landmarks, every 2 s):
the side/oblique supine-twist clip holds knee_roll 74-90 and pelvis_twist 38-52;
every other clip (hook lying, bridge, pelvic tilt, draw-in, dead bug, knees to chest,
reclined pigeon, all fours, standing) stays within knee_roll 28 and pelvis_twist 24.

Limits: depth is the least certain part of the world landmarks; which side the
knees fell to (toward or away from a side camera) is not reliable, so only the
amount is measured.
"""

from __future__ import annotations

import math

import numpy as np

from posecheck.angles import (
    DEFAULT_MIN_VISIBILITY,
    REGISTRY,
    MeasureSpec,
    known_measures,
    register_extra,
)
from posecheck.pose import LANDMARK_INDEX, Pose

# The knees' offset from the hips must have at least this share of its length
# across the trunk axis for knee_roll to have a direction (straight legs lying
# flat point along the axis): 0.34, the thigh at least 20 degrees off the trunk's
# line. Nearer the line, what is left across it is mostly the model's depth noise: at
# an obliquely filmed bridge's top the thigh lies 14-18 degrees off it (rendered
# bridges, bench/recognition.py landmarks) and that remainder read as knees rolled
# 50-76 degrees; supine twists hold their knees down with the thigh 26-56 degrees off
# it (the real clip; rendered ones 30 and more), their hips bent.
MIN_ACROSS_SHARE = 0.34

_TRUNK = ("left_shoulder", "right_shoulder", "left_hip", "right_hip")


def _world(pose: Pose | None, names: tuple[str, ...], min_visibility: float) -> list | None:
    """World points of ``names`` (metres), or None if missing or a point is not visible."""
    if pose is None or pose.world is None:
        return None
    if min(pose.vis(n) for n in names) < min_visibility:
        return None
    world = np.asarray(pose.world, dtype=float)
    pts = [world[LANDMARK_INDEX[n]] for n in names]
    if not all(np.isfinite(p).all() for p in pts):
        return None
    return pts


def _unit(v: np.ndarray) -> np.ndarray | None:
    n = float(np.linalg.norm(v))
    return v / n if n > 1e-9 and math.isfinite(n) else None


def _across(v: np.ndarray, axis: np.ndarray) -> np.ndarray:
    """The part of ``v`` perpendicular to the unit vector ``axis``."""
    return v - float(v @ axis) * axis


def trunk_frame(
    pose: Pose | None, min_visibility: float = DEFAULT_MIN_VISIBILITY
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray] | None:
    """(mid-hip, up, right, front) unit axes of the trunk in world coordinates, or None."""
    pts = _world(pose, _TRUNK, min_visibility)
    if pts is None:
        return None
    ls, rs, lh, rh = pts
    hip = (lh + rh) / 2
    up = _unit((ls + rs) / 2 - hip)
    if up is None:
        return None
    right = _unit(_across(rs - ls, up))
    if right is None:
        return None
    front = np.cross(up, right)
    return hip, up, right, front


def knee_roll_signed(pose: Pose | None, min_visibility: float = DEFAULT_MIN_VISIBILITY) -> float:
    """Knee direction about the trunk axis, -180..180 deg: 0 front, + towards the right side.

    The thigh direction (hip -> knee) of each visible side, averaged: in a side view
    the far knee is often hidden, and the near thigh alone shows the roll.
    """
    frame = trunk_frame(pose, min_visibility)
    if frame is None:
        return math.nan
    _, up, right, front = frame
    thighs = []
    for side in ("left", "right"):
        pts = _world(pose, (f"{side}_hip", f"{side}_knee"), min_visibility)
        if pts is not None:
            thighs.append(pts[1] - pts[0])
    if not thighs:
        return math.nan
    offset = np.mean(thighs, axis=0)
    length = float(np.linalg.norm(offset))
    across = _across(offset, up)
    if length <= 0 or float(np.linalg.norm(across)) < MIN_ACROSS_SHARE * length:
        return math.nan
    return math.degrees(math.atan2(float(across @ right), float(across @ front)))


def knee_roll(pose: Pose | None, min_visibility: float = DEFAULT_MIN_VISIBILITY) -> float:
    """How far the knees have rolled to a side from pointing to the front, 0-180 deg."""
    return abs(knee_roll_signed(pose, min_visibility))


def pelvis_twist(pose: Pose | None, min_visibility: float = DEFAULT_MIN_VISIBILITY) -> float:
    """Angle between the hip line and the shoulder line about the trunk axis, 0-90 deg."""
    frame = trunk_frame(pose, min_visibility)
    pts = _world(pose, ("left_hip", "right_hip"), min_visibility)
    if frame is None or pts is None:
        return math.nan
    _, up, right, front = frame
    hips = _unit(_across(pts[1] - pts[0], up))
    if hips is None:
        return math.nan
    angle = abs(math.degrees(math.atan2(float(hips @ front), float(hips @ right))))
    return min(angle, 180.0 - angle)  # a line has no direction: 170 deg is 10 deg


def shoulder_tilt(pose: Pose | None, min_visibility: float = DEFAULT_MIN_VISIBILITY) -> float:
    """How far the shoulder line tilts from level, 0-90 deg (world y is down): lying on
    the back or front with both shoulders down near 0, on a side (shoulders stacked, a
    side plank) near 90. NaN when a shoulder is not visible."""
    pts = _world(pose, ("left_shoulder", "right_shoulder"), min_visibility)
    if pts is None:
        return math.nan
    line = pts[1] - pts[0]
    length = float(np.linalg.norm(line))
    if length <= 0:
        return math.nan
    return math.degrees(math.asin(min(1.0, abs(float(line[1])) / length)))


def world_angles(
    pose: Pose | None,
    names: list[str] | tuple[str, ...],
    min_visibility: float = DEFAULT_MIN_VISIBILITY,
) -> dict[str, float]:
    """Joint angles and inclines of ``names`` (registered landmark measures) measured on
    the 3D world landmarks instead of the picture: NaN where a point is not visible or
    the pose has no world landmarks; other measures are left out.

    In the picture, an angle is true only in the plane facing the camera: filmed
    obliquely a hanging arm and a level trunk meet at 120 degrees, not 90. In 3D the
    angle is the body's whatever the view, with the depth's uncertainty (inclines are
    against the camera's horizontal plane, off by its pitch). Recognition judges a
    definition filmed from another angle than its camera asks on these.
    """
    out: dict[str, float] = {}
    world = None if pose is None or pose.world is None else np.asarray(pose.world, float)
    for name in names:
        spec = REGISTRY.get(name)
        if spec is None or spec.kind not in ("joint", "incline"):
            continue
        out[name] = math.nan
        if world is None or pose is None:
            continue
        idx = [LANDMARK_INDEX[p] for p in spec.points]
        if min(float(pose.visibility[i]) for i in idx) < min_visibility:
            continue
        pts = [world[i] for i in idx]
        if spec.kind == "joint":
            u, v = pts[0] - pts[1], pts[2] - pts[1]
            nu, nv = float(np.linalg.norm(u)), float(np.linalg.norm(v))
            if nu > 0 and nv > 0:
                cos = max(-1.0, min(1.0, float(u @ v) / (nu * nv)))
                out[name] = math.degrees(math.acos(cos))
        else:
            d = pts[1] - pts[0]
            n = float(np.linalg.norm(d))
            if n > 0:  # y is down: the share of the segment that is vertical
                out[name] = math.degrees(math.asin(min(1.0, abs(float(d[1])) / n)))
    return out


KNEE_ROLL = MeasureSpec(
    "knee_roll", "deg", "rotation",
    ("left_hip", "left_knee", "right_hip", "right_knee", "left_shoulder", "right_shoulder"),
    "knees rolled to a side about the trunk axis (3D, any view); 0 up, 90 down to one side",
    from_pose=knee_roll,
)  # fmt: skip

PELVIS_TWIST = MeasureSpec(
    "pelvis_twist", "deg", "rotation",
    ("left_hip", "right_hip", "left_shoulder", "right_shoulder"),
    "hip line turned against the shoulder line (3D, any view); 0 square with the chest",
    from_pose=pelvis_twist,
)  # fmt: skip

for _spec in (KNEE_ROLL, PELVIS_TWIST):
    if _spec.name not in known_measures():
        register_extra(_spec)
