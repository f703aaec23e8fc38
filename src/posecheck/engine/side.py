"""The side picker: which side of the body the camera sees best (``side = "auto"``).

Shared with :mod:`posecheck.recognize`: :func:`visibility_lead` and :func:`best_side`.
"""

from __future__ import annotations

import math
from collections.abc import Iterable

import numpy as np

from posecheck.pose import LANDMARK_INDEX, Pose

# The parts compared when a definition names no required ones.
DEFAULT_SIDE_PARTS = ("shoulder", "hip", "knee", "ankle")
# Running average of the left-minus-right visibility: each frame keeps SIDE_KEEP of the
# old score and adds SIDE_NEW of its own lead, so a few frames decide ...
SIDE_KEEP = 0.8
SIDE_NEW = 0.2
# ... and a later switch needs a clear margin (on the -1..1 score)
SIDE_SWITCH_MARGIN = 0.2


def side_parts(required: Iterable[str]) -> list[str]:
    """The parts with a left and a right landmark among ``required`` (default: trunk and legs)."""
    parts = [p for p in (tuple(required) or DEFAULT_SIDE_PARTS) if f"left_{p}" in LANDMARK_INDEX]
    return parts or list(DEFAULT_SIDE_PARTS)


def visibility_lead(pose: Pose, parts: Iterable[str]) -> float:
    """Mean left-minus-right visibility of ``parts`` (> 0: the left side is seen better)."""
    return float(np.mean([pose.vis(f"left_{p}") - pose.vis(f"right_{p}") for p in parts]))


def best_side(lead: float) -> str:
    """The side a visibility lead points to (ties: left)."""
    return "left" if lead >= 0 else "right"


class SidePicker:
    """Picks the side from the landmarks' visibility, frame by frame.

    ``update(pose)`` returns the side to work when it decides (the first frame) or
    switches (the other side leads by more than ``margin``), else None.
    """

    def __init__(
        self,
        parts: Iterable[str],
        side: str = "left",
        decided: bool = False,
        keep: float = SIDE_KEEP,
        new: float = SIDE_NEW,
        margin: float = SIDE_SWITCH_MARGIN,
    ) -> None:
        if not (0 <= keep <= 1 and 0 <= new <= 1) or math.isnan(keep + new):
            raise ValueError(f"keep and new must be in 0..1, not {keep!r}, {new!r}")
        if not margin >= 0:
            raise ValueError(f"margin must be >= 0, not {margin!r}")
        if side not in ("left", "right"):
            raise ValueError(f"side must be left or right, not {side!r}")
        self.parts = list(parts)
        self.keep, self.new, self.margin = keep, new, margin
        self.side = side
        self.decided = decided
        self.score = 0.0  # running left-minus-right visibility

    def set(self, side: str) -> None:
        """The side was chosen elsewhere (a key press): later frames switch only past the margin."""
        self.side, self.decided = side, True

    def update(self, pose: Pose) -> str | None:
        diff = visibility_lead(pose, self.parts)
        self.score = self.keep * self.score + self.new * diff if self.decided else diff
        want = best_side(self.score)
        if not self.decided:
            self.decided = True
            self.side = want
            return want
        if want != self.side and abs(self.score) > self.margin:
            self.side = want
            return want
        return None
