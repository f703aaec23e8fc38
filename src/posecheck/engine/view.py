"""The view gate: is the person there, in view and seen from the right side?

:class:`ViewGate` turns each frame into one state (``tracking``, ``no_person``,
``low_visibility``, ``wrong_view`` or ``paused``). A raw state must last
``state_delay_s`` before the gate switches to it (pausing and resuming tracking act
at once); only ``tracking`` lets the other parts count.

:func:`missing_points` is the required-points-in-view test, shared with
:mod:`posecheck.recognize`.
"""

from __future__ import annotations

import math
from collections.abc import Iterable

import numpy as np

from posecheck.angles import EXTRA_MEASURES, REGISTRY, resolve
from posecheck.engine.common import EPS, PartEvent, check_nonneg, is_nan, part_words
from posecheck.exercise import Exercise
from posecheck.pose import LANDMARK_INDEX, SIDES, Pose, other_side
from posecheck.results import (
    STATE_LOW_VISIBILITY,
    STATE_NO_PERSON,
    STATE_PAUSED,
    STATE_TRACKING,
    STATE_WRONG_VIEW,
    Cue,
)

# View check defaults (shoulder_width_ratio): measured on the real clips, side views
# stay below 0.35 and front views are above 0.5. A definition's camera table may
# override them (max_width_ratio / min_width_ratio).
SIDE_VIEW_MAX_RATIO = 0.45
FRONT_VIEW_MIN_RATIO = 0.5

STATE_CUES = {
    STATE_NO_PERSON: "Step into the camera view.",
    "side": "Turn sideways to the camera.",
    "front": "Face the camera.",
}


def point_name(side: str, part: str) -> str:
    """The landmark of ``part`` on ``side`` ("left_hip"); parts without sides ("nose") as is."""
    name = f"{side}_{part}"
    return name if name in LANDMARK_INDEX else part


def target_points(exercise: Exercise) -> dict[str, tuple[str, ...]]:
    """Per side, the landmarks the phase targets are measured from.

    No phase can be decided without them, so like the required parts they must be in view.
    """
    return {
        sd: tuple(sorted({
            p for ph in exercise.phases for t in ph.targets
            if resolve(t.measure, sd) in REGISTRY
            for p in REGISTRY[resolve(t.measure, sd)].points
        }))
        for sd in SIDES
    }  # fmt: skip


def _extra_points(measure: str) -> tuple[str, ...]:
    """The landmarks of an unsided extra measure (limb_reach's ``arm_reach``: both arms)."""
    spec = EXTRA_MEASURES.get(measure)
    return spec.points if spec is not None and not spec.needs_mask else ()


def missing_points(
    pose: Pose, side: str, required: Iterable[str], extra: Iterable[str], min_visibility: float
) -> list[str]:
    """The ``required`` parts (of ``side``) and ``extra`` landmarks seen below ``min_visibility``.

    Parts are returned as given ("ankle"), landmarks by name. Landmarks outside the
    picture have visibility 0 (:meth:`posecheck.pose.Pose.hide_off_frame`).
    """
    miss = [p for p in required if pose.vis(point_name(side, p)) < min_visibility]
    return miss + [p for p in extra if pose.vis(p) < min_visibility]


class ViewGate:
    """One state per frame, switched only after it persisted ``state_delay_s``.

    ``update`` returns a ``state`` event when the state changes; ``state`` and ``cue``
    (the setup cue shown while not tracking) are the current ones.
    """

    def __init__(self, exercise: Exercise, alternate: bool, state_delay_s: float) -> None:
        check_nonneg(state_delay_s=state_delay_s)
        self.ex = exercise
        self.alternate = alternate  # either side in full view is enough
        self.state_delay_s = state_delay_s
        self._targets = target_points(exercise)
        self.reset()

    def reset(self) -> None:
        self.state = STATE_TRACKING
        self.cue: Cue | None = None
        self._raw_state = STATE_TRACKING
        self._raw_since = 0.0

    def raw(
        self,
        pose: Pose | None,
        measures: dict[str, float],
        active: str,
        paused: bool = False,
        busy: bool = False,
    ) -> tuple[str, str]:
        """This frame's state and its cue, before the delay. ``busy``: the ``active``
        side is moving (alternate exercises), so its points must be inside the picture."""
        if paused:
            return STATE_PAUSED, "Paused."
        if pose is None:
            return STATE_NO_PERSON, STATE_CUES[STATE_NO_PERSON]
        missing = self._missing(pose, active, busy)
        wrong = self._wrong_view(measures)
        if wrong is not None:
            return STATE_WRONG_VIEW, wrong
        if missing:
            words = part_words(missing)
            return STATE_LOW_VISIBILITY, f"Move back so your {' and '.join(words)} are in view."
        return STATE_TRACKING, ""

    def _missing(self, pose: Pose, active: str, busy: bool) -> list[str]:
        ex = self.ex
        # alternate: either side in full view is enough (the far side is often hidden)
        sides = SIDES if self.alternate else (active,)
        missing: list[str] = []
        for side in sides:
            miss = missing_points(pose, side, ex.required, self._targets[side], ex.min_visibility)
            if not miss:
                missing = []
                break
            if not missing or len(miss) < len(missing):
                missing = miss
        if not missing and self.alternate and busy:
            # the other side's view excuses points hidden behind the body, not points of
            # the side being judged (the one moving) that are beyond the edge of the picture
            inside = pose.in_frame()
            names = [point_name(active, p) for p in ex.required] + list(self._targets[active])
            if ex.side_by:  # one track reads both sides: either may be the one moving
                other = other_side(active)
                names += [point_name(other, p) for p in ex.required] + list(self._targets[other])
                names += [
                    p for ph in ex.phases for t in ph.targets for p in _extra_points(t.measure)
                ]
            missing = [n for n in names if not inside[LANDMARK_INDEX[n]]]
        return missing

    def _wrong_view(self, measures: dict[str, float]) -> str | None:
        cam = self.ex.camera
        ratio = measures.get("shoulder_width_ratio", math.nan)
        if is_nan(ratio):
            return None
        if cam.view == "side" and ratio > (cam.max_width_ratio or SIDE_VIEW_MAX_RATIO):
            return cam.wrong_view_cue or STATE_CUES["side"]
        if cam.view == "front" and ratio < (cam.min_width_ratio or FRONT_VIEW_MIN_RATIO):
            return cam.wrong_view_cue or STATE_CUES["front"]
        return None

    def update(
        self,
        t_s: float,
        pose: Pose | None,
        measures: dict[str, float],
        active: str,
        paused: bool = False,
        busy: bool = False,
    ) -> PartEvent | None:
        """Judge one frame; a ``state`` event when the state switches."""
        raw, cue = self.raw(pose, measures, active, paused, busy)
        if raw != self._raw_state:
            self._raw_state, self._raw_since = raw, t_s
        # pausing and resuming tracking act at once; the others must persist
        due = raw in (STATE_PAUSED, STATE_TRACKING) or (
            t_s - self._raw_since >= self.state_delay_s - EPS
        )
        if raw != self.state and due:
            self.state = raw
            self.cue = None if raw == STATE_TRACKING else Cue(f"state_{raw}", cue, 0, "setup")
            return PartEvent("state", t_s, {"state": raw, "cue": cue or None})
        if raw == self.state and raw != STATE_TRACKING and cue and self.cue:
            self.cue = Cue(f"state_{raw}", cue, 0, "setup")
        return None


def width_ratio_any(pose: Pose) -> float:
    """shoulder_width_ratio from the landmark positions, whatever their visibility.

    Seen from the side the far shoulder is often below the visibility threshold,
    yet its predicted position still sits behind the near one: good enough for
    telling a side view from a front view.
    """
    idx = [LANDMARK_INDEX[n] for n in ("left_shoulder", "right_shoulder", "left_hip", "right_hip")]
    p = pose.xy[idx]
    trunk = float(np.linalg.norm((p[0] + p[1]) / 2 - (p[2] + p[3]) / 2))
    if trunk == 0 or not np.isfinite(trunk):
        return math.nan
    return float(np.linalg.norm(p[0] - p[1]) / trunk)
