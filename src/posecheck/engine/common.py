"""Small helpers every engine part uses: time tolerance, NaN test, part words, events."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

from posecheck.angles import EXTRA_MEASURES, REGISTRY
from posecheck.pose import SIDES

EPS = 1e-6  # time comparisons: 0.1 * 19 is not 1.9 in floating point

# Words for landmark parts in "move so your ... are in view" cues.
PART_WORDS = {
    "ankle": "feet", "heel": "feet", "foot_index": "feet", "knee": "knees", "hip": "hips",
    "shoulder": "shoulders", "elbow": "arms", "wrist": "hands", "ear": "head",
    "eye": "head", "nose": "head", "pinky": "hands", "index": "hands", "thumb": "hands",
}  # fmt: skip


@dataclass(frozen=True)
class PartEvent:
    """What a part reports (the engine stamps it with the frame index into an ``Event``)."""

    kind: str
    t_s: float
    data: dict[str, Any] = field(default_factory=dict)


def is_nan(v: float | None) -> bool:
    """True for None and NaN (an unknown value)."""
    return v is None or (isinstance(v, float) and math.isnan(v))


def part_words(names: list[str] | tuple[str, ...]) -> list[str]:
    """The body words for landmark or part names, each once, in order ("feet", "hips")."""
    words: list[str] = []
    for p in names:
        w = PART_WORDS.get(p.split("_", 1)[1] if p.startswith(SIDES) else p, "body")
        if w not in words:
            words.append(w)
    return words


_ONE = {"feet": "foot", "knees": "knee", "hips": "hip", "shoulders": "shoulder",
        "arms": "arm", "hands": "hand"}  # fmt: skip


def unknown_reason(measure: str, far: bool = False) -> str:
    """Why a measure is unknown, in words: "feet not in view", or for a mask measure
    "no body outline from the segmentation mask". ``far``: a measure of the side away
    from the camera (``other_*``), which the body itself hides from a side view: "the
    far side's hip and knee not seen", not "hips and knees not in view" (they are)."""
    spec = {**REGISTRY, **EXTRA_MEASURES}.get(measure)
    if spec is not None and spec.needs_mask:
        return "no body outline from the segmentation mask"
    words = part_words(list(spec.points) if spec else [])
    if far and words:
        listed = _listed([_ONE.get(w, w) for w in words], "and")
        return f"the far side's {listed} not seen: hidden by the body or out of view"
    # "or": one of them out is enough (a bird dog's feet out of the picture read "hips
    # and knees and feet not in view" beside hips and knees in every frame)
    return f"{_listed(words, 'or') or 'its points'} not in view"


def _listed(words: list[str], conj: str) -> str:
    """ "hips, knees or feet": the words, the last joined with ``conj``."""
    return f"{', '.join(words[:-1])} {conj} {words[-1]}" if len(words) > 1 else "".join(words)


def check_nonneg(**values: float) -> None:
    """Raise ValueError naming the first parameter that is negative or not a number."""
    for name, v in values.items():
        if not isinstance(v, int | float) or math.isnan(v) or v < 0:
            raise ValueError(f"{name} must be a number >= 0, not {v!r}")
