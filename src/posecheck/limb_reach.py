"""Reaching limbs seen from the side, whichever side the model puts them on.

From the side the left and right limbs overlap: the near one hides the far one, and
the model mixes them up while they move. On the rendered bird dog (480x270, 12
frames/s, seed 0; the far, left arm and the near, right leg reach in the second rep,
held 13.4-19.4 s):

- the far arm is read at 179 deg, then from 15.8 s for 0.1-2 s at a time at 82-149 deg
  while the near arm, standing under the shoulder, is read at 141-170 deg;
- the legs trade places as the near leg goes back (12.67-12.83 s) and as it comes
  down (20.0-20.5 s: the far hip reads 117-143 deg, the near one 72-92).

That a limb reaches is seen; which one, frame by frame, is not. These measures read
the reach whichever side carries it: the larger angle of the two sides; NaN when
neither side is seen. A side counts wherever the model places its three points at all
(visibility from :data:`posecheck.foreshortening.MIN_SIDE_VISIBILITY`; outside the
picture is 0), not from the definition's ``min_visibility``: a hidden far limb left out
hands the reach to the near one. On the real arm-reach clip read at 0.5 (as recognition
reads it) the far leg, held back at 4.8-6.0 and 7.5-8.1 s, is seen at 0.39-0.57 while
the near leg, down, reads 83 deg. (Asking for both sides instead loses the reach
whenever the far arm, down under the body, is seen at 0.22-0.28: a rendered correct
rep, seed 1.) Which diagonal works is decided once per rep, over its frames, by the
engine (``side_by`` in the definition; posecheck.engine.reps).

- ``arm_reach``: hip-shoulder-elbow; 0 = arm along the trunk, 180 = overhead in line.
- ``leg_reach``: shoulder-hip-knee; 180 = leg straight back in line with the trunk.
- ``reach_knee``: hip-knee-ankle of the leg with the larger ``leg_reach`` angle.
- ``ankle_knee_gap``: how far an ankle is from the other leg's knee, in thigh lengths
  (the nearer of the two pairs, so it does not matter which leg the model calls which):
  a figure four rests one ankle on the other thigh just above the knee (about 0-0.3);
  legs drawn in side by side keep each ankle a shin's length below the knees (about 0.5
  and more; 0.35 and more where the camera looks along the shins, obliquely).

Registered with :func:`posecheck.angles.register_extra` on import (the angle registry
imports this module).
"""

from __future__ import annotations

import math

from posecheck.angles import DEFAULT_MIN_VISIBILITY, MeasureSpec, joint_angle_deg, register_extra
from posecheck.foreshortening import MIN_SIDE_VISIBILITY
from posecheck.pose import SIDES, Pose

_ARM = ("hip", "shoulder", "elbow")
_LEG = ("shoulder", "hip", "knee")
_KNEE = ("hip", "knee", "ankle")


def _angle(pose: Pose, side: str, parts: tuple[str, ...]) -> float:
    names = [f"{side}_{p}" for p in parts]
    if min(pose.vis(n) for n in names) < MIN_SIDE_VISIBILITY:
        return math.nan
    return joint_angle_deg(*(pose.point(n) for n in names))


def _furthest(pose: Pose, parts: tuple[str, ...]) -> tuple[float, str]:
    """(the larger angle of the two sides, its side); (NaN, "") when neither is seen."""
    best, side = math.nan, ""
    for sd in SIDES:
        a = _angle(pose, sd, parts)
        if not math.isnan(a) and not a <= best:
            best, side = a, sd
    return best, side


def arm_reach(pose: Pose, min_visibility: float = DEFAULT_MIN_VISIBILITY) -> float:
    """The larger hip-shoulder-elbow angle (deg) of the two arms."""
    del min_visibility  # not a cut: see MIN_SIDE_VISIBILITY
    return _furthest(pose, _ARM)[0]


def leg_reach(pose: Pose, min_visibility: float = DEFAULT_MIN_VISIBILITY) -> float:
    """The larger shoulder-hip-knee angle (deg) of the two legs."""
    del min_visibility  # not a cut: see MIN_SIDE_VISIBILITY
    return _furthest(pose, _LEG)[0]


def reach_knee(pose: Pose, min_visibility: float = DEFAULT_MIN_VISIBILITY) -> float:
    """Hip-knee-ankle angle (deg) of the leg reaching further back (see :func:`leg_reach`)."""
    del min_visibility  # not a cut: see MIN_SIDE_VISIBILITY
    _, side = _furthest(pose, _LEG)
    return _angle(pose, side, _KNEE) if side else math.nan


def ankle_knee_gap(pose: Pose, min_visibility: float = DEFAULT_MIN_VISIBILITY) -> float:
    """The smaller distance from one leg's ankle to the other leg's knee, over the two
    thighs' mean length in the picture; NaN where a leg is not seen at all."""
    del min_visibility  # not a cut: see MIN_SIDE_VISIBILITY
    names = _both(_KNEE)
    if min(pose.vis(n) for n in names) < MIN_SIDE_VISIBILITY:
        return math.nan
    pt = {n: pose.point(n) for n in names}
    thigh = sum(math.dist(pt[f"{sd}_hip"], pt[f"{sd}_knee"]) for sd in SIDES) / 2
    if thigh <= 0:
        return math.nan
    a, b = SIDES
    gap = min(math.dist(pt[f"{a}_ankle"], pt[f"{b}_knee"]),
              math.dist(pt[f"{b}_ankle"], pt[f"{a}_knee"]))  # fmt: skip
    return gap / thigh


def _both(parts: tuple[str, ...]) -> tuple[str, ...]:
    return tuple(f"{sd}_{p}" for sd in SIDES for p in parts)


for _spec in (
    MeasureSpec("arm_reach", "deg", "joint", _both(_ARM),
                "hip-shoulder-elbow of the arm raised further (the larger of the two sides: "
                "from the side the model mixes the arms up); 180 = arm overhead in line",
                from_pose=arm_reach),
    MeasureSpec("leg_reach", "deg", "joint", _both(_LEG),
                "shoulder-hip-knee of the leg stretched further back (the larger of the two "
                "sides); 180 = leg in line with the trunk",
                from_pose=leg_reach),
    MeasureSpec("reach_knee", "deg", "joint", _both(_KNEE),
                "hip-knee-ankle of the leg stretched further back (leg_reach); 180 = straight",
                from_pose=reach_knee),
    MeasureSpec("ankle_knee_gap", "ratio", "ratio", _both(_KNEE),
                "an ankle's distance from the other knee, in thigh lengths (the nearer "
                "pair); about 0-0.3 with one ankle resting on the other knee (figure "
                "four), 0.35 and more with the legs side by side",
                from_pose=ankle_knee_gap),
):  # fmt: skip
    register_extra(_spec)  # idempotent: the same spec under the same name
