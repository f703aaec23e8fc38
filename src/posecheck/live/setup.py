"""The set-up check before counting: is the person fully in view, seen from the right side?

Pure Python + numpy. The check answers one frame at a time; the coach
(:mod:`posecheck.live.coach`) decides how long it must pass (the get-ready
countdown restarts whenever it fails).

What "fully in view" means comes from the exercise definition: its ``required``
landmark parts (``hip``, ``knee``, ``left_ankle``...), or, when it lists none,
every landmark its measures use. A bare part (``knee``) is satisfied by either
side unless a side is given, because with ``side = "auto"`` the worked side is
not known before the person is in place. A landmark counts as in view when its
visibility reaches the definition's ``min_visibility`` and it lies inside the
image, ``edge_margin`` (:data:`posecheck.pose.EDGE_MARGIN`, 1% of the size) away
from the border: MediaPipe places a cut-off ankle on the border itself with high
visibility (bird-dog-arm-reach-feet-cropped.mp4: right ankle at x = 3 px,
visibility 0.98, the foot beyond the edge). Poses from the estimator already have
such points hidden (``Pose.hide_off_frame``); the check repeats the test with
this check's own margin, so a pose from elsewhere is judged the same way.

The view is judged with the registered ``shoulder_width_ratio`` measure
(shoulder-to-shoulder distance over trunk length): near 0.1 from the side, about
0.7-0.9 from the front. On every side-view clip in ../shared/media the median is
0.05-0.28; the engine's bounds apply unless the definition's ``camera`` table sets
its own.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING

from posecheck.angles import REGISTRY, SIDED_BASES, compute_measures
from posecheck.engine import FRONT_VIEW_MIN_RATIO, SIDE_VIEW_MAX_RATIO, STATE_CUES
from posecheck.pose import EDGE_MARGIN, LANDMARK_INDEX, SIDES, Pose, in_frame_mask
from posecheck.results import STATE_NO_PERSON

if TYPE_CHECKING:
    from posecheck.exercise import Exercise

# The engine's view bounds, used when the definition's camera table leaves them
# unset, so set-up and counting judge the view the same way.
DEFAULT_MAX_SIDE_RATIO = SIDE_VIEW_MAX_RATIO
DEFAULT_MIN_FRONT_RATIO = FRONT_VIEW_MIN_RATIO

LOWER_BODY = ("knee", "ankle", "heel", "foot_index")

MSG_NO_PERSON = STATE_CUES[STATE_NO_PERSON]
MSG_FEET = "Move back so your feet are in view."
MSG_BODY = "Move back so your whole body is in view."
MSG_SIDE = STATE_CUES["side"]
MSG_FRONT = STATE_CUES["front"]


@dataclass(frozen=True)
class SetupStatus:
    """The answer for one frame. ``reason``: "ok", "no_person", "out_of_view", "wrong_view",
    "old_posture" (a routine's next step: still in the previous step's posture)."""

    ok: bool
    reason: str
    message: str = ""
    missing: tuple[str, ...] = ()
    width_ratio: float = math.nan


def _part(name: str) -> tuple[str | None, str]:
    """Split ``left_knee`` into ("left", "knee"); ``knee`` into (None, "knee")."""
    for s in SIDES:
        if name.startswith(s + "_"):
            return s, name[len(s) + 1 :]
    return None, name


def required_parts(exercise: Exercise) -> tuple[str, ...]:
    """The landmark parts the exercise needs in view (definition's ``required`` or its measures)."""
    if exercise.required:
        return tuple(exercise.required)
    names: set[str] = set()
    for m in exercise.all_measures():
        base = m[6:] if m.startswith("other_") else m
        if base in SIDED_BASES:
            spec = REGISTRY[f"left_{base}"]
            names.update(_part(p)[1] for p in spec.points)
        elif base in REGISTRY:
            names.update(REGISTRY[base].points)
    return tuple(sorted(names))


class SetupCheck:
    """Checks one pose against the exercise's set-up needs (in view, right view)."""

    def __init__(
        self, exercise: Exercise, side: str | None = None, edge_margin: float = EDGE_MARGIN
    ) -> None:
        camera = exercise.camera
        self.view: str = camera.view or "any"
        self.max_side_ratio = camera.max_width_ratio or DEFAULT_MAX_SIDE_RATIO
        self.min_front_ratio = camera.min_width_ratio or DEFAULT_MIN_FRONT_RATIO
        self.view_cue: str = camera.wrong_view_cue or (
            MSG_SIDE if self.view == "side" else MSG_FRONT
        )
        self.min_visibility = float(exercise.min_visibility or 0.5)
        self.parts = required_parts(exercise)
        self.side = side if side in SIDES else None
        self.edge_margin = edge_margin

    def _in_view(self, pose: Pose, landmark: str) -> bool:
        i = LANDMARK_INDEX[landmark]
        if pose.visibility[i] < self.min_visibility:
            return False
        return bool(in_frame_mask(pose.xy[i : i + 1], pose.image_size, self.edge_margin)[0])

    def missing(self, pose: Pose) -> tuple[str, ...]:
        """Required landmarks not in view (for bare parts: on the better side)."""
        fixed = [p for p in self.parts if p in LANDMARK_INDEX]
        bare = [p for p in self.parts if p not in LANDMARK_INDEX]
        out = [p for p in fixed if not self._in_view(pose, p)]
        if bare:
            sides = (self.side,) if self.side else SIDES
            best: list[str] | None = None
            for s in sides:
                miss = [f"{s}_{p}" for p in bare if f"{s}_{p}" in LANDMARK_INDEX]
                miss = [n for n in miss if not self._in_view(pose, n)]
                if best is None or len(miss) < len(best):
                    best = miss
            out.extend(best or [])
        return tuple(out)

    def check(self, pose: Pose | None) -> SetupStatus:
        """Ok, or the one thing to fix first: nobody, out of view, wrong view."""
        if pose is None:
            return SetupStatus(False, "no_person", MSG_NO_PERSON)
        missing = self.missing(pose)
        if missing:
            lower = any(_part(n)[1] in LOWER_BODY for n in missing)
            return SetupStatus(False, "out_of_view", MSG_FEET if lower else MSG_BODY, missing)
        # Positions of a hidden far shoulder are still estimated: take the ratio at any visibility.
        ratio = compute_measures(pose, ["shoulder_width_ratio"], min_visibility=0.0)[
            "shoulder_width_ratio"
        ]
        wrong = (self.view == "side" and not ratio <= self.max_side_ratio) or (
            self.view == "front" and not ratio >= self.min_front_ratio
        )
        if wrong:
            return SetupStatus(False, "wrong_view", self.view_cue, (), ratio)
        return SetupStatus(True, "ok", "", (), ratio)
