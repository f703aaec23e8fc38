"""Hip angle of the leg seen in profile: both sides, trusted by how long each thigh is seen.

From the side, a shoulder-hip-knee angle is only right for a thigh that moves in the
plane the camera looks at. A thigh turned towards (or away from) the camera is seen
foreshortened and its angle is unreliable: in the reclined pigeon (figure four) the
crossed leg's knee turns out; on the rendered correct stretch the near, crossed thigh is
seen at 0.53-0.65 trunk lengths (the far one 0.78-0.84) and its hip angle reads 27-60
deg, swinging, where 70 is drawn, while the far thigh's reads a steady 65-69 (75 drawn).

``profile_hip`` (unit "deg", unsided): the shoulder-hip-knee angles of both sides,
averaged with weights (thigh length / trunk length) ** :data:`WEIGHT_POWER` times the
side's visibility (the least of its three points), so a thigh seen 16% shorter than
the other counts half as much, and so does a side the model sees half as well. The
weights change smoothly, with no switching from one leg to the other: a hard
visibility cut did switch (a rendered figure four at 640x360: the far knee's
visibility hovered at 0.50-0.51, the value jumped 75 -> 58 -> 67 deg between frames as
the far side dropped out and came back, "too fast"). A side counts from
:data:`MIN_SIDE_VISIBILITY`. With both thighs in profile (the real figure-four clip:
0.70-0.78 trunk lengths on both sides) it is close to the mean of the two. NaN when
neither side is seen.

Registered with :func:`posecheck.angles.register_extra` on import (the angle registry
imports this module).
"""

from __future__ import annotations

import math

from posecheck.angles import (
    DEFAULT_MIN_VISIBILITY,
    MeasureSpec,
    joint_angle_deg,
    register_extra,
)
from posecheck.pose import SIDES, Pose

WEIGHT_POWER = 4.0
# Below this a point is not seen at all (off the picture, hidden): the side is left out.
# Above it the visibility weighs the side in, smoothly (see the module docstring).
MIN_SIDE_VISIBILITY = 0.1


def profile_hip(pose: Pose, min_visibility: float = DEFAULT_MIN_VISIBILITY) -> float:
    """Shoulder-hip-knee angle (deg) of both sides, weighted by how long each thigh is seen
    and how visible each side is. ``min_visibility`` (the definition's) is not a cut here:
    the side seen better counts more; see :data:`MIN_SIDE_VISIBILITY`."""
    del min_visibility  # a weight, not a cut (the compute_measures signature passes it)
    total, weights = 0.0, 0.0
    for side in SIDES:
        names = (f"{side}_shoulder", f"{side}_hip", f"{side}_knee")
        vis = min(pose.vis(n) for n in names)
        if vis < MIN_SIDE_VISIBILITY:
            continue
        sh, hip, knee = (pose.point(n) for n in names)
        trunk = math.hypot(float(sh[0] - hip[0]), float(sh[1] - hip[1]))
        thigh = math.hypot(float(knee[0] - hip[0]), float(knee[1] - hip[1]))
        angle = joint_angle_deg(sh, hip, knee)
        if trunk <= 0.0 or math.isnan(angle):
            continue
        w = vis * (thigh / trunk) ** WEIGHT_POWER
        total, weights = total + w * angle, weights + w
    return total / weights if weights > 0.0 else math.nan


PROFILE_HIP = MeasureSpec(
    "profile_hip", "deg", "joint",
    ("left_shoulder", "left_hip", "left_knee", "right_shoulder", "right_hip", "right_knee"),
    "shoulder-hip-knee of both sides, each weighted by how long its thigh is seen "
    "(a thigh turned towards the camera counts less); 180 = straight",
    from_pose=profile_hip,
)  # fmt: skip
register_extra(PROFILE_HIP)  # idempotent: the same spec under the same name
