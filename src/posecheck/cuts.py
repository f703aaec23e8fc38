"""Cut detection: the whole body jumping between two frames faster than a body can move.

Edited exercise videos cut between camera angles and close-ups, and the model
sometimes re-acquires a person somewhere else after losing them for a frame.
Either way every landmark moves at once between two frames, and anything that
reads continuity (the One-Euro filter, the engine's speed and bounce checks,
the baselines of change bounds) would take the jump for a fast movement.

:class:`CutDetector` compares each pose with the last one seen:

- the **jump** is the median pixel displacement of the trunk and limb landmarks
  (shoulders, elbows, wrists, hips, knees, ankles) visible in both poses,
  divided by the trunk length (mid-shoulder to mid-hip, the larger of the two
  poses, so a zoom-in is measured against the close-up's size). The median
  ignores one fast limb: a real movement moves a few points, a cut moves all;
- the pose is a **cut** when the jump is at least ``min_jump`` trunk lengths
  *and* its speed (jump / time since the last pose) at least ``min_speed``
  trunk lengths per second. The first bound keeps per-frame jitter at high
  frame rates out, the second keeps real movement at low frame rates (a GIF at
  3 frames/s) out.

Measured on the real clips (``/work/cache`` landmark files, MediaPipe complexity 1):
real movement peaks at 0.067 trunk lengths per frame / 1.7 trunk lengths per
second (cobra push-up, 25 fps) and at 0.35 per frame / 1.2 per second (a GIF at
3.3 frames/s); the camera cuts of the supine-twist clip jump 0.40 and 0.57 per
frame (10 and 14 per second) and the close-up cut of the knees-to-chest clip
0.56 per frame. Defaults sit between: 0.15 trunk lengths and 5 per second.

A missing pose (``None``) does not end the comparison: a pose found again
within ``max_gap_s`` is compared with the last one seen, so a cut with a
one-frame dropout on it (the model losing the person at the cut) is still one.
After a longer gap nothing is compared (anything may have happened meanwhile).

Pure Python + numpy; used by :func:`posecheck.pipeline.run`, which resets the
smoother and calls the engine's ``cut(t_s)`` on a cut.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from posecheck.pose import LANDMARK_INDEX, Pose

# Trunk and limb points: the face is left out (it turns on its own and is often
# half hidden), hands and feet are represented by wrists and ankles.
JUMP_POINTS = tuple(
    LANDMARK_INDEX[f"{s}_{p}"]
    for s in ("left", "right")
    for p in ("shoulder", "elbow", "wrist", "hip", "knee", "ankle")
)
_SHOULDERS = (LANDMARK_INDEX["left_shoulder"], LANDMARK_INDEX["right_shoulder"])
_HIPS = (LANDMARK_INDEX["left_hip"], LANDMARK_INDEX["right_hip"])


@dataclass(frozen=True)
class CutParams:
    """Thresholds of the cut detector (see the module docs for the measurements)."""

    min_jump: float = 0.15  # median displacement, trunk lengths, between two poses
    min_speed: float = 5.0  # the same per second of media time
    max_gap_s: float = 0.5  # compare across a dropout no longer than this
    min_visibility: float = 0.5  # a point counts when this visible in both poses
    min_points: int = 4  # fewer points visible in both: use all trunk and limb points

    def __post_init__(self) -> None:
        if self.min_jump <= 0 or self.min_speed <= 0 or self.max_gap_s <= 0:
            raise ValueError("cut thresholds must be positive")


def trunk_length(pose: Pose) -> float:
    """Pixel distance from the mid-shoulder to the mid-hip point (NaN if unknown).

    Uses the positions whatever their visibility: the model places hidden points
    plausibly, good enough for a body-size unit.
    """
    xy = pose.xy
    sh = (xy[_SHOULDERS[0]] + xy[_SHOULDERS[1]]) / 2
    hp = (xy[_HIPS[0]] + xy[_HIPS[1]]) / 2
    return float(np.linalg.norm(sh - hp))


def jump_size(a: Pose, b: Pose, params: CutParams | None = None) -> float:
    """Median displacement of the trunk and limb points from ``a`` to ``b``, in trunk lengths.

    Points visible (``min_visibility``) in both poses are used; when fewer than
    ``min_points`` are, all trunk and limb points. NaN when it cannot be measured.
    """
    p = params or CutParams()
    idx = np.array(JUMP_POINTS)
    both = (a.visibility[idx] >= p.min_visibility) & (b.visibility[idx] >= p.min_visibility)
    if int(both.sum()) < p.min_points:
        both = np.ones(len(idx), dtype=bool)
    d = np.linalg.norm(b.xy[idx[both]] - a.xy[idx[both]], axis=1)
    d = d[np.isfinite(d)]
    scale = max(trunk_length(a), trunk_length(b))
    if d.size == 0 or not scale > 0:
        return float("nan")
    return float(np.median(d) / scale)


class CutDetector:
    """Say which poses are a cut from the previous one (see the module docs).

    ``detector(pose, t_s) -> bool``; ``None`` (no pose) returns False and keeps the
    last pose for comparison within ``max_gap_s``. ``cuts`` lists the times of the
    cuts seen so far; ``last_jump`` is the last measured jump (trunk lengths).
    """

    def __init__(self, params: CutParams | None = None) -> None:
        self.params = params or CutParams()
        self._last: Pose | None = None
        self._last_t = 0.0
        self.last_jump = float("nan")
        self.cuts: list[float] = []

    def reset(self) -> None:
        """Forget the last pose (the next one is compared with nothing)."""
        self._last = None

    def __call__(self, pose: Pose | None, t_s: float) -> bool:
        if pose is None:
            return False
        last, last_t = self._last, self._last_t
        self._last, self._last_t = pose, t_s
        self.last_jump = float("nan")
        if last is None:
            return False
        dt = t_s - last_t
        if not 0 < dt <= self.params.max_gap_s:
            return False
        jump = jump_size(last, pose, self.params)
        self.last_jump = jump
        cut = bool(jump >= self.params.min_jump and jump / dt >= self.params.min_speed)
        if cut:
            self.cuts.append(t_s)
        return cut
