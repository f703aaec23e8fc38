"""Signed trunk lean: forward or backward, which the direction-free angles cannot tell.

``trunk_lean`` (unit "deg", unsided): the angle of the hip->shoulder line from the
vertical, positive when the shoulders are ahead of the hips (leaning forward, towards
where the toes point), negative when they are behind (leaning back, a standing
backbend). 0 = upright. It is computed on the side that faces the camera (higher
visibility). "Forward" is where the toes point (heel -> toe, both feet together); when
the feet are not visible enough or point nowhere clearly (a foot seen end-on), where the
nose points (ear -> nose). NaN when neither is known or the shoulder/hip is not visible
enough.

Registered with :func:`posecheck.angles.register_extra` on import (the engine and
the library import this module).
"""

from __future__ import annotations

import math
from collections.abc import Iterable

from posecheck.angles import DEFAULT_MIN_VISIBILITY, MeasureSpec, known_measures, register_extra
from posecheck.pose import SIDES, Pose

# A foot seen end-on reads a heel -> toe of a pixel or two whose sign is the model's
# noise (a rendered standing backbend: the near foot's -2..+2 px flipped the lean
# between -20 and +20 deg, "too fast" on a still lean): both feet are summed, and a
# direction counts only when it is at least this share of the trunk's length.
FACING_MIN_SHARE = 0.05


def _cues(pose: Pose, side: str, min_vis: float) -> tuple[float, float]:
    """Which way the person faces by the feet (heel -> toe, both feet summed) and by the
    face (ear -> nose, both ears): +1 image-right, -1 image-left, 0 when that cue is not
    seen or points nowhere clearly (under FACING_MIN_SHARE of the trunk's length)."""
    sh, hip = pose.point(f"{side}_shoulder"), pose.point(f"{side}_hip")
    need = FACING_MIN_SHARE * math.hypot(float(sh[0] - hip[0]), float(sh[1] - hip[1]))
    out = []
    for back, front in (("heel", "foot_index"), ("ear", None)):
        dx, seen = 0.0, False
        for sd in SIDES:
            a, b = f"{sd}_{back}", (f"{sd}_{front}" if front else "nose")
            if min(pose.vis(a), pose.vis(b)) >= min_vis:
                dx += float(pose.point(b)[0] - pose.point(a)[0])
                seen = True
        out.append(math.copysign(1.0, dx) if seen and abs(dx) > max(need, 1e-6) else 0.0)
    return out[0], out[1]


def _facing(pose: Pose, side: str, min_vis: float) -> float:
    """+1 if the person faces image-right, -1 if image-left, 0 if unknown: where the
    toes point (heel -> toe, both feet), else where the nose points (ear -> nose)."""
    feet, face = _cues(pose, side, min_vis)
    return feet or face


def _lean_side(pose: Pose) -> str:
    return max(SIDES, key=lambda s: pose.vis(f"{s}_shoulder") + pose.vis(f"{s}_hip"))


def clip_facing(
    poses: Iterable[Pose | None], min_visibility: float = DEFAULT_MIN_VISIBILITY
) -> float:
    """Which way the person faces over a whole clip filmed from the side (+1 image-right,
    -1 image-left, 0 unknown), for :func:`trunk_lean`'s ``facing``.

    Nobody turns round during an exercise, so the direction is decided once: by the
    cue (feet or face) that stays the more consistent over the clip, by its majority.
    On a small figure the heel and toe landmarks swap on many frames (a rendered
    standing backbend at 480x270: the feet said forward in 85% of the frames, the
    face, rightly, the opposite in all of them), which flipped the lean's sign.
    """
    votes: list[list[float]] = [[], []]
    for pose in poses:
        if pose is not None:
            for v, cue in zip(votes, _cues(pose, _lean_side(pose), min_visibility), strict=True):
                if cue:
                    v.append(cue)
    best, best_share = 0.0, 0.0
    for v in votes:  # the feet first: on a tie they decide, as per frame
        if v:
            total = sum(v)
            share = abs(total) / len(v)  # 1 = every frame agrees
            if share > best_share and total:
                best, best_share = math.copysign(1.0, total), share
    return best


def trunk_lean(
    pose: Pose, min_visibility: float = DEFAULT_MIN_VISIBILITY, facing: float | None = None
) -> float:
    """Signed lean of the trunk from vertical in degrees (+ forward, - backward).

    ``facing``: +1/-1 which way the person faces in the image (e.g. :func:`clip_facing`);
    None: decided on this frame (the toes, else the face)."""
    side = _lean_side(pose)
    sh, hip = f"{side}_shoulder", f"{side}_hip"
    if min(pose.vis(sh), pose.vis(hip)) < min_visibility:
        return math.nan
    if facing is None:
        facing = _facing(pose, side, min_visibility)
    if facing == 0.0:
        return math.nan
    dx = float(pose.point(sh)[0] - pose.point(hip)[0]) * facing
    up = float(pose.point(hip)[1] - pose.point(sh)[1])  # image y points down
    if dx == 0.0 and up == 0.0:
        return math.nan
    return math.degrees(math.atan2(dx, up))


TRUNK_LEAN = MeasureSpec(
    "trunk_lean", "deg", "elevation",
    ("left_shoulder", "left_hip", "right_shoulder", "right_hip"),
    "hip->shoulder line from vertical, signed: + leaning forward (towards the toes), "
    "- leaning back; 0 upright (side view)",
    from_pose=trunk_lean,
)  # fmt: skip

if "trunk_lean" not in known_measures():
    register_extra(TRUNK_LEAN)
