"""Cut detection: the whole body jumping between two frames faster than a body can move.

Edited exercise videos cut between camera angles and close-ups, and the model
sometimes re-acquires a person somewhere else after losing them for a frame.
Either way every landmark moves at once between two frames, and anything that
reads continuity (the One-Euro filter, the engine's speed and bounce checks,
the baselines of change bounds) would take the jump for a fast movement.

:class:`CutDetector` compares each pose with the last one seen:

- the **jump** is how far the trunk moved: the largest of the displacement of
  the mid-shoulder point, of the mid-hip point and of the change of the trunk
  length (mid-shoulder to mid-hip), divided by the trunk length (the larger of
  the two poses, so a zoom-in is measured against the close-up's size). A
  translation moves both points, a zoom changes the length, a new angle does
  both. Limbs are left out on purpose: real exercises swing arms and legs fast
  (a bird dog's reach, a knee pull) while the trunk, the heaviest part, moves
  slowly. (A median over the trunk and limb points was tried first; it finds
  the same cuts on the real clips, but from the side, with the far limbs hidden,
  a moving arm and leg can be half the visible points, and then the median is
  a moving point.)
- the pose is a **cut** when the jump is at least ``min_jump`` trunk lengths
  *and* its speed (jump / time since the last pose) at least ``min_speed``
  trunk lengths per second. The first bound keeps per-frame jitter at high
  frame rates out, the second keeps real movement at low frame rates (a GIF at
  3 frames/s) out.

Measured on the 19 real clips (landmarks of MediaPipe complexity 1): real movement
peaks at 0.081 trunk lengths per frame / 2.0 trunk lengths per second (cobra
push-up, 25 fps) and at 0.44 per frame / 1.5 per second (a GIF at 3.3 frames/s);
the model settling on the first frames of a clip or under a title card reaches
0.14 (3.8 per second). The camera cuts of the supine-twist clip jump 0.35 and
0.46 per frame (8.6 and 11 per second), those of the knees-to-chest clip 0.84
(13 per second, across a one-frame dropout) and 0.56. Defaults sit between:
0.2 trunk lengths and 5 per second.

The project's rendered clips slide the whole figure (hands and knees on the floor
included) along the picture when a bird dog reaches fast: 0.9 trunk lengths in
0.27 s, a camera pan in effect. That reads as a cut (0.41 trunk lengths in a
frame at 15 frames/s); the too-fast render is still flagged.

A missing pose (``None``) does not end the comparison: a pose found again
within ``max_gap_s`` is compared with the last one seen, so a cut with a
one-frame dropout on it (the model losing the person at the cut) is still one.
After a longer gap nothing is compared (anything may have happened meanwhile).

Pure Python + numpy; used by :func:`posecheck.pipeline.run`, which resets the
smoother and calls the engine's ``cut(t_s)`` on a cut.

**Picture cuts** (:class:`PictureCuts`) are found earlier, in the estimator, from the
pixels: the picture changes wholesale between two frames (a joined or edited video
moving on to another recording, another camera, a title card). There MediaPipe's
tracking, which looks for the person where they were in the last frame and smooths
over frames, carries a meaningless past into the new picture: after the still
picture of one clip it found nobody for 1.1 s in the next, and elsewhere it gave
landmarks 1-3 px off those of the clip alone all through the next clip. So the
estimator starts afresh at a picture cut (as a new estimator would) and the poses
that follow are the ones of that video alone.

**Fades** (:attr:`PictureCuts.fading`): an edited video that fades to or from a title
card or black changes the whole picture gradually, a few grey levels a frame, so no
two frames make a cut; meanwhile the person darkens or lightens with the picture and
the model's landmarks drift (the real supine-twist clip's knee roll read 103 -> 77
degrees while the picture faded to its closing card, which was told as "Lower your
knees slowly"). A frame is fading when most of the picture brightens (or darkens)
faster than ``fade_rate`` grey levels a second over its last step and the step before
it. A person moving changes one region of the picture, not most of it, and a camera
that flickers for a frame (the two-people clip: one dark frame, then bright again)
changes direction at once. The estimator reports no pose on a fading frame and starts
afresh when the fade is over, as at a cut.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from posecheck.pose import LANDMARK_INDEX, Pose

_SHOULDERS = (LANDMARK_INDEX["left_shoulder"], LANDMARK_INDEX["right_shoulder"])
_HIPS = (LANDMARK_INDEX["left_hip"], LANDMARK_INDEX["right_hip"])


@dataclass(frozen=True)
class CutParams:
    """Thresholds of the cut detector (see the module docs for the measurements)."""

    min_jump: float = 0.2  # trunk displacement, trunk lengths, between two poses
    min_speed: float = 5.0  # the same per second of media time
    max_gap_s: float = 0.5  # compare across a dropout no longer than this

    def __post_init__(self) -> None:
        if self.min_jump <= 0 or self.min_speed <= 0 or self.max_gap_s <= 0:
            raise ValueError("cut thresholds must be positive")


def trunk_length(pose: Pose) -> float:
    """Pixel distance from the mid-shoulder to the mid-hip point (NaN if unknown).

    Uses the positions whatever their visibility: the model places hidden points
    plausibly, good enough for a body-size unit.
    """
    sh, hp = _trunk(pose)
    return float(np.linalg.norm(sh - hp))


def _trunk(pose: Pose) -> tuple[np.ndarray, np.ndarray]:
    xy = pose.xy
    return (xy[_SHOULDERS[0]] + xy[_SHOULDERS[1]]) / 2, (xy[_HIPS[0]] + xy[_HIPS[1]]) / 2


def jump_size(a: Pose, b: Pose) -> float:
    """How far the trunk moved from ``a`` to ``b``, in trunk lengths (NaN if unknown).

    The largest of the mid-shoulder displacement, the mid-hip displacement and the
    change of the trunk length, over the larger trunk length of the two poses.
    Positions are used whatever their visibility (see :func:`trunk_length`).
    """
    sa, ha = _trunk(a)
    sb, hb = _trunk(b)
    la, lb = float(np.linalg.norm(sa - ha)), float(np.linalg.norm(sb - hb))
    scale = max(la, lb)
    if not scale > 0:
        return float("nan")
    moved = max(float(np.linalg.norm(sb - sa)), float(np.linalg.norm(hb - ha)), abs(lb - la))
    return moved / scale


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
        jump = jump_size(last, pose)
        self.last_jump = jump
        cut = bool(jump >= self.params.min_jump and jump / dt >= self.params.min_speed)
        if cut:
            self.cuts.append(t_s)
        return cut


@dataclass(frozen=True)
class PictureCutParams:
    """When two frames' thumbnails make a picture cut (measurements: :class:`PictureCuts`)."""

    cell_change: int = 30  # a thumbnail cell changed: its grey level moved by more than this
    min_share: float = 0.28  # a cut: at least this share of the cells changed
    fade_rate: float = 150.0  # a cell fading: its grey level moves faster than this a second
    fade_share: float = 0.6  # a fading step: at least this share of the cells fade one way

    def __post_init__(self) -> None:
        if not 0 < self.cell_change < 255 or not 0 < self.min_share <= 1:
            raise ValueError("picture cut thresholds out of range")
        if not self.fade_rate > 0 or not 0.5 < self.fade_share <= 1:
            raise ValueError("picture fade thresholds out of range")


class PictureCuts:
    """Say which frames are a picture cut from the frame before (see the module docs).

    ``cuts(thumbnail, t_s) -> bool`` with a small grey thumbnail of each frame (the
    estimator makes a 32x18 one, 0-255). A cut: at least ``min_share`` of its cells
    differ from the last thumbnail's by more than ``cell_change`` grey levels, or the
    thumbnail's shape changed. The first frame is no cut. ``cuts`` lists their times.

    Measured on 32x18 thumbnails of the 24 real clips, 128 rendered clips (the
    feedback and recognition benches' renders, sample_videos/) and the routine
    bench's joined recordings (bench/README.md, "Routines"): movement of a person
    changes at most 0.22 of the cells between two frames (a rendered supine twist seen
    obliquely, both legs rolling across the picture; two people walking and jumping
    close to the camera: 0.18; a cobra: 0.15); the camera cuts of the real clips
    change 0.35 (a studio cut from an oblique to a side camera, the person the only
    thing that changes) to 0.51, and the joins of the bench's recordings 0.45 to 0.95.
    """

    def __init__(self, params: PictureCutParams | None = None) -> None:
        self.params = params or PictureCutParams()
        self._last: np.ndarray | None = None
        self._last_t = 0.0
        self._last_step = 0  # +1 / -1: the last step brightened / darkened most of the picture
        self.last_share = float("nan")
        self.fading = False  # the last frame was fading (see the module docs, Fades)
        # the last step's shares of cells that brightened / darkened faster than fade_rate
        self.fade_shares = (0.0, 0.0)
        self.cuts: list[float] = []

    def reset(self) -> None:
        """Forget the last picture (the next frame is no cut and not fading)."""
        self._last = None
        self._last_step = 0
        self.fading = False

    def __call__(self, thumbnail: np.ndarray, t_s: float) -> bool:
        thumb = np.asarray(thumbnail, dtype=np.int16)
        last, self._last = self._last, thumb
        last_t, self._last_t = self._last_t, t_s
        step, self._last_step = self._last_step, 0
        self.fading = False
        self.fade_shares = (0.0, 0.0)
        if last is None:
            self.last_share = float("nan")
            return False
        if last.shape != thumb.shape:
            self.last_share = 1.0
        else:
            diff = thumb - last
            self.last_share = float((np.abs(diff) > self.params.cell_change).mean())
            self._last_step = self._fade_step(diff, t_s - last_t)
            self.fading = self._last_step != 0 and self._last_step == step
        cut = self.last_share >= self.params.min_share
        if cut:
            self.cuts.append(t_s)
        return cut

    def _fade_step(self, diff: np.ndarray, dt: float) -> int:
        """+1 (-1) if most cells brightened (darkened) faster than ``fade_rate``, else 0
        (the shares are kept in ``fade_shares``)."""
        if not dt > 0:
            return 0
        level = self.params.fade_rate * dt
        up, down = float((diff > level).mean()), float((diff < -level).mean())
        self.fade_shares = (up, down)
        share = self.params.fade_share
        return 1 if up >= share else -1 if down >= share else 0
