"""The registry of named measures (joint angles, segment angles, ratios) and their conventions.

Every measure an exercise definition can name is registered here, with the
points it uses and what its numbers mean. All geometry is done in pixel space
(never on normalized coordinates, which distort angles on non-square frames).

Naming:
- Sided measures are registered per side: ``left_hip``, ``right_hip``.
  Definitions may write the bare name (``hip``), which :func:`resolve` turns into
  the worked side, or ``other_hip`` for the opposite side.
- Unsided measures (``shoulder_line_tilt``) have no side prefix.

Conventions:
- Joint angle (``kind="joint"``): the inner angle at the middle point, 0-180 deg.
  180 = the three points in a straight line; smaller = more bent.
- Segment incline (``kind="incline"``): the acute angle between a segment and the
  image horizontal, 0-90 deg. 0 = horizontal (lying), 90 = vertical (upright).
- Segment elevation (``kind="elevation"``): signed angle of the segment from its
  first point to its second above the horizontal, -90..90 deg, positive when the
  second point is higher in the image; direction-free (left/right facing gives
  the same value).
- A measure is NaN when any point it needs has visibility below the threshold.
  Computing a measure never raises.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

from posecheck.pose import LANDMARK_INDEX, SIDES, Pose, other_side

DEFAULT_MIN_VISIBILITY = 0.5


@dataclass(frozen=True)
class MeasureSpec:
    """One named measure: how it is computed and what its value means."""

    name: str
    unit: str  # "deg" or "ratio"
    kind: str  # "joint", "incline", "elevation", "ratio"
    points: tuple[str, ...]  # landmark names used (for visibility checks and overlays)
    description: str
    side: str | None = None  # "left"/"right" for sided measures
    base: str | None = None  # the bare name ("hip") for sided measures
    compute: Callable[[np.ndarray], float] | None = None  # on the (k, 2) points, in order
    # Extra measures computed from the whole pose (e.g. its segmentation mask) rather
    # than from the points alone; compute_measures calls it with the Pose.
    from_pose: Callable[..., float] | None = None  # called as f(pose, min_visibility=...)
    needs_mask: bool = False  # True: NaN unless the estimator ran with segmentation

    @property
    def vertex(self) -> str:
        """The landmark an overlay draws the value at."""
        return self.points[1] if self.kind == "joint" else self.points[0]


def joint_angle_deg(a: np.ndarray, b: np.ndarray, c: np.ndarray) -> float:
    """Inner angle ABC at ``b`` in degrees (0-180); NaN for a zero-length arm.

    Points may be arrays, tuples or lists (plain float math: it runs every frame).
    """
    ux, uy = float(a[0]) - float(b[0]), float(a[1]) - float(b[1])
    vx, vy = float(c[0]) - float(b[0]), float(c[1]) - float(b[1])
    nu, nv = math.hypot(ux, uy), math.hypot(vx, vy)
    if nu == 0.0 or nv == 0.0:
        return math.nan
    cos = (ux * vx + uy * vy) / (nu * nv)
    return math.degrees(math.acos(max(-1.0, min(1.0, cos))))


def incline_deg(a: np.ndarray, b: np.ndarray) -> float:
    """Acute angle of segment AB against the image horizontal, 0-90 deg."""
    dx, dy = float(b[0] - a[0]), float(b[1] - a[1])
    if dx == 0.0 and dy == 0.0:
        return math.nan
    return math.degrees(math.atan2(abs(dy), abs(dx)))


def elevation_deg(a: np.ndarray, b: np.ndarray) -> float:
    """Signed angle of B above A against the horizontal, -90..90 deg (image y points down)."""
    dx, dy = float(b[0] - a[0]), float(b[1] - a[1])
    if dx == 0.0 and dy == 0.0:
        return math.nan
    return math.degrees(math.atan2(-dy, abs(dx)))


# --- the registry -----------------------------------------------------------------

_SIDED_JOINTS: dict[str, tuple[tuple[str, str, str], str]] = {
    "hip": (("shoulder", "hip", "knee"), "shoulder-hip-knee; 180 = trunk and thigh in line"),
    "knee": (("hip", "knee", "ankle"), "hip-knee-ankle; 180 = leg straight"),
    "shoulder": (
        ("hip", "shoulder", "elbow"),
        "hip-shoulder-elbow; 0 = arm along the trunk, 180 = arm overhead in line",
    ),
    "elbow": (("shoulder", "elbow", "wrist"), "shoulder-elbow-wrist; 180 = arm straight"),
    "ankle": (
        ("knee", "ankle", "foot_index"),
        "knee-ankle-toe; about 90-110 standing, larger when the foot points",
    ),
    "neck": (
        ("ear", "shoulder", "hip"),
        "ear-shoulder-hip; 180 = head in line with the trunk, smaller = head forward",
    ),
    "leg_line": (
        ("shoulder", "hip", "ankle"),
        "shoulder-hip-ankle; about 170-180 lying with the feet on the floor (knees bent "
        "or not), smaller = feet lifted off it",
    ),
}
_SIDED_INCLINES: dict[str, tuple[tuple[str, str], str]] = {
    "trunk_incline": (("shoulder", "hip"), "shoulder-hip line vs horizontal; 0 lying, 90 upright"),
    "thigh_incline": (("hip", "knee"), "hip-knee line vs horizontal; 0 flat, 90 vertical"),
    "shin_incline": (("knee", "ankle"), "knee-ankle line vs horizontal; 0 flat, 90 vertical"),
    "upper_arm_incline": (
        ("shoulder", "elbow"),
        "shoulder-elbow line vs horizontal; 0 level, 90 vertical",
    ),
    "forearm_incline": (("elbow", "wrist"), "elbow-wrist line vs horizontal"),
    "foot_incline": (
        ("heel", "foot_index"),
        "heel-toe line vs horizontal; near 0 with the foot flat on the floor",
    ),
}
_SIDED_ELEVATIONS: dict[str, tuple[tuple[str, str], str]] = {
    "knee_elevation": (
        ("hip", "knee"),
        "knee above the hip, signed: >0 when the knee is higher than the hip in the image",
    ),
    "hip_elevation": (
        ("shoulder", "hip"),
        "hip above the shoulder, signed: >0 when the hip is higher (bridge top, lying)",
    ),
    "shoulder_elevation": (
        ("hip", "shoulder"),
        "shoulder above the hip, signed: >0 when the chest is raised (prone chest raise)",
    ),
    "heel_elevation": (
        ("foot_index", "heel"),
        "heel above the toes, signed: >0 when the heel lifts off a flat floor",
    ),
}


def _make_registry() -> dict[str, MeasureSpec]:
    reg: dict[str, MeasureSpec] = {}
    parts: tuple[str, ...]  # three points for joints, two for inclines and elevations
    for side in SIDES:

        def lm(part: str, side: str = side) -> str:
            return f"{side}_{part}"

        for base, (parts, desc) in _SIDED_JOINTS.items():
            pts = tuple(lm(p) for p in parts)
            reg[f"{side}_{base}"] = MeasureSpec(
                f"{side}_{base}", "deg", "joint", pts, desc, side, base,
                lambda p: joint_angle_deg(p[0], p[1], p[2]),
            )  # fmt: skip
        for base, (parts, desc) in _SIDED_INCLINES.items():
            pts = tuple(lm(p) for p in parts)
            reg[f"{side}_{base}"] = MeasureSpec(
                f"{side}_{base}", "deg", "incline", pts, desc, side, base,
                lambda p: incline_deg(p[0], p[1]),
            )  # fmt: skip
        for base, (parts, desc) in _SIDED_ELEVATIONS.items():
            pts = tuple(lm(p) for p in parts)
            reg[f"{side}_{base}"] = MeasureSpec(
                f"{side}_{base}", "deg", "elevation", pts, desc, side, base,
                lambda p: elevation_deg(p[0], p[1]),
            )  # fmt: skip
    reg["shoulder_line_tilt"] = MeasureSpec(
        "shoulder_line_tilt", "deg", "incline", ("left_shoulder", "right_shoulder"),
        "left-right shoulder line vs horizontal (front view); 0 = level",
        compute=lambda p: incline_deg(p[0], p[1]),
    )  # fmt: skip
    reg["hip_line_tilt"] = MeasureSpec(
        "hip_line_tilt", "deg", "incline", ("left_hip", "right_hip"),
        "left-right hip line vs horizontal (front view); 0 = level",
        compute=lambda p: incline_deg(p[0], p[1]),
    )  # fmt: skip
    reg["shoulder_width_ratio"] = MeasureSpec(
        "shoulder_width_ratio", "ratio", "ratio",
        ("left_shoulder", "right_shoulder", "left_hip", "right_hip"),
        "shoulder-to-shoulder distance / mid-shoulder-to-mid-hip distance; "
        "near 0 seen from the side, about 0.7-0.9 seen from the front",
        compute=lambda p: _width_ratio(p),
    )  # fmt: skip
    return reg


def _width_ratio(p: np.ndarray) -> float:
    trunk = np.linalg.norm((p[0] + p[1]) / 2 - (p[2] + p[3]) / 2)
    if trunk == 0:
        return math.nan
    return float(np.linalg.norm(p[0] - p[1]) / trunk)


REGISTRY: dict[str, MeasureSpec] = _make_registry()
SIDED_BASES: frozenset[str] = frozenset(s.base for s in REGISTRY.values() if s.base)

# Measures computed from something other than landmarks (e.g. the segmentation
# mask for back curvature) register here with their description so definitions
# can be validated; their values come from the module that computes them.
EXTRA_MEASURES: dict[str, MeasureSpec] = {}


def register_extra(spec: MeasureSpec) -> None:
    """Register a measure computed from the whole pose (``spec.from_pose``), e.g. from its mask.

    :func:`compute_measures` calls ``spec.from_pose(pose, min_visibility=...)`` when it is asked
    for; for a mask measure a value stored with the pose (``Pose.extras``, from a
    landmarks file) is used instead when present, since the mask is not stored.
    """
    EXTRA_MEASURES[spec.name] = spec


def known_measures() -> dict[str, MeasureSpec]:
    return {**REGISTRY, **EXTRA_MEASURES}


def resolve(name: str, side: str | None) -> str:
    """Turn a definition's measure name into a registered one for the worked side.

    ``hip`` -> ``left_hip`` (side="left"); ``other_hip`` -> ``right_hip``;
    ``left_hip`` and unsided names are returned unchanged. With ``side=None`` a bare
    sided name resolves to ``left_`` (callers that care pass a side).
    """
    if name.startswith("other_") and name[6:] in SIDED_BASES:
        return f"{other_side(side or 'left')}_{name[6:]}"
    if name in SIDED_BASES:
        return f"{side or 'left'}_{name}"
    return name


def is_known(name: str) -> bool:
    """True if ``name`` is a registered measure, bare sided base or ``other_`` form."""
    reg = known_measures()
    return (
        name in reg
        or name in SIDED_BASES
        or (name.startswith("other_") and name[6:] in SIDED_BASES)
    )


def compute_measures(
    pose: Pose | None,
    names: Iterable[str] | None = None,
    min_visibility: float = DEFAULT_MIN_VISIBILITY,
) -> dict[str, float]:
    """Compute named measures (all registered ones, or ``names``) for one pose.

    Landmark measures are NaN when a point is below ``min_visibility`` or when
    ``pose`` is None. Extra measures (:func:`register_extra`) come from
    ``spec.from_pose(pose, min_visibility=...)``; those of the segmentation mask (e.g.
    ``back_curvature``) from ``pose.extras`` when stored there (a pose replayed from a
    landmarks file, which keeps no mask); NaN when neither gives a value.
    ``names=None`` means every landmark measure and every extra with a ``from_pose``.
    Unknown names are left out. Never raises for a bad pose.
    """
    if names is None:
        wanted = list(REGISTRY) + [n for n, s in EXTRA_MEASURES.items() if s.from_pose]
    else:
        wanted = [n for n in names if n in REGISTRY or n in EXTRA_MEASURES]
    if pose is None:
        return {n: math.nan for n in wanted}
    out: dict[str, float] = {}
    # Once per pose: which points are visible, and the points as Python floats
    # (two-point geometry on tiny NumPy arrays costs more than the math itself).
    ok = (pose.visibility >= min_visibility).tolist()
    rows: list[list[float]] | None = None
    for n in wanted:
        spec = REGISTRY.get(n)
        if spec is None:
            out[n] = _extra_value(EXTRA_MEASURES[n], pose, min_visibility)
            continue
        idx = _point_index(spec)
        if not all(ok[i] for i in idx) or spec.compute is None:
            out[n] = math.nan
            continue
        if spec.kind in _PLAIN_KINDS:
            if rows is None:
                rows = pose.xy.tolist()
            pts: Any = [rows[i] for i in idx]
        else:
            pts = pose.xy[idx]
        try:
            val = spec.compute(pts)
        except (ValueError, FloatingPointError, ZeroDivisionError):
            val = math.nan
        out[n] = float(val)
    return out


# Kinds whose compute functions index points as p[k][0], p[k][1] only.
_PLAIN_KINDS = frozenset({"joint", "incline", "elevation"})


_POINT_INDEX: dict[str, list[int]] = {}


def _point_index(spec: MeasureSpec) -> list[int]:
    idx = _POINT_INDEX.get(spec.name)
    if idx is None:
        idx = _POINT_INDEX[spec.name] = [LANDMARK_INDEX[p] for p in spec.points]
    return idx


def _extra_value(spec: MeasureSpec, pose: Pose, min_visibility: float) -> float:
    # A mask measure comes from the value stored with the pose when there is one (a
    # landmarks file keeps no mask). The others are computed on this pose, the stored
    # value standing in only where the pose cannot give one (a drawn pose without world
    # points): an older file written before the engine ran stored them on the raw poses,
    # while a replay judges smoothed ones, as ``analyze -e NAME`` does.
    stored = pose.extras.get(spec.name) if pose.extras is not None else None
    if stored is not None and (spec.needs_mask or spec.from_pose is None):
        return float(stored)
    value = math.nan
    if spec.from_pose is not None:
        try:
            value = float(spec.from_pose(pose, min_visibility=min_visibility))
        except (ValueError, FloatingPointError, ZeroDivisionError, IndexError, TypeError):
            value = math.nan
    return float(stored) if stored is not None and math.isnan(value) else value


def describe_table(names: Iterable[str] | None = None) -> list[tuple[str, str, str]]:
    """(name, unit, description) rows for help text and the docs."""
    reg = known_measures()
    return [(n, reg[n].unit, reg[n].description) for n in (names or sorted(reg))]


def side_visibility(
    pose: Pose, parts: Iterable[str] = ("shoulder", "hip", "knee", "ankle")
) -> Mapping[str, float]:
    """Mean visibility of the given parts on each side: the side facing the camera scores higher."""
    parts = list(parts)
    return {s: float(np.mean([pose.vis(f"{s}_{p}") for p in parts])) for s in SIDES}


# Mask-based and world-landmark measures live in their own modules and register
# themselves on import;
# importing it here means every user of the registry sees them. (Placed last: it
# imports MeasureSpec and register_extra from this module.)
from posecheck import body3d as _body3d  # noqa: E402,F401  (world-landmark rotations)
from posecheck import curvature as _curvature  # noqa: E402,F401
from posecheck import foreshortening as _foreshortening  # noqa: E402,F401  (profile_hip)
from posecheck import limb_reach as _limb_reach  # noqa: E402,F401  (arm_reach, leg_reach)
