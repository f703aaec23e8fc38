"""Back curvature from the person-segmentation mask (the 33 landmarks have no spine).

Convention (``back_curvature``, unit "ratio"):

- Take the trunk axis from the visible shoulder to the visible hip.
- Find the back (dorsal) side of the trunk: the limbs (knees, feet, elbows, wrists)
  and the face lie on the front (ventral) side, so the back is the side away from
  them. When the limbs are in line with the trunk (lying flat, standing) the face
  decides, and as a last resort the side away from the floor (up in the image).
- At evenly spaced points between shoulder and hip, march along the dorsal normal
  from outside towards the axis and take the first crossing of the mask's 0.5
  level: that is the back's outline.
- Draw the straight chord between the outline's two ends and take the point of the
  outline farthest from it. The value is that signed distance divided by the
  shoulder-hip distance: **positive = the back bulges outwards (rounded: cat,
  flexion), negative = it sags inwards (arched: camel/cow, extension)**, 0 = flat.

It does not depend on which way the person faces or on the image's aspect ratio
(everything is done in pixels). It is NaN when there is no mask, when the shoulder
or hip is not visible enough, or when the outline is not found at enough points.
Measured on a side view of cat-camel: about -0.05 arched, +0.08..+0.10 rounded.

``belly_height`` (unit "ratio") looks at the other side of the trunk: the front
(ventral) outline over the lower trunk (55-85% of the way from shoulder to hip, the
belly between the lower ribs and the pelvis), as the median distance of that outline
from the straight shoulder-hip line, divided by the shoulder-hip distance. Larger =
the belly stands further out of the line; it drops when the lower belly flattens (a
posterior pelvic tilt with the tummy tightened: about -0.015 per tilt on the real
pelvic-tilt clip) and rises and falls with breathing (about 0.02-0.03 on the real
hook-lying breathing clip, period about 5 s). Hands or a forearm resting on the belly
become part of the outline: the measure then follows them.

Pure numpy; no OpenCV.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from posecheck.angles import DEFAULT_MIN_VISIBILITY, MeasureSpec, register_extra
from posecheck.pose import SIDES, Pose

# Where along the shoulder->hip axis the outline is sampled (fractions of the axis).
# The very ends are left out: at the shoulder the ray can graze the neck/head and at
# the hip the buttock's rounding, neither of which is the back.
BACK_T_RANGE = (0.1, 0.9)
# The lower part of the trunk for ``lumbar_curvature``: from about the lower ribs to
# the hip joint (the pelvis), where a pelvic tilt changes the back's outline.
LUMBAR_T_RANGE = (0.4, 1.0)
# How many outline points are sampled in that range.
BACK_SAMPLES = 25
# The belly for ``belly_height``: below the lower ribs and above the pelvis. The ends
# are left out: nearer the hip the outline climbs onto the thigh (hook lying), nearer
# the chest it follows the ribs (and often the hands resting there).
BELLY_T_RANGE = (0.55, 0.85)
BELLY_SAMPLES = 13
# How far in front of the shoulder-hip line the belly's outline is searched (trunk
# lengths): a belly stands about 0.15-0.25 trunk lengths in front of that line when
# lying on the back, well inside.
BELLY_REACH = 0.8
# How far from the axis (in shoulder-hip lengths) the back's outline is searched.
# A torso seen from the side is about 0.5 trunk lengths deep; its back is well inside.
REACH = 0.6
# At least this fraction of the sampled rays must find the outline.
MIN_FOUND = 0.7
# Mask threshold for "person".
MASK_LEVEL = 0.5

# Landmarks that lie on the front (ventral) side of the trunk, with their anchor
# (the trunk end they hang from) and a weight.
_VENTRAL_CUES: tuple[tuple[str, str, float], ...] = (
    ("knee", "hip", 1.0),
    ("ankle", "hip", 0.5),
    ("elbow", "shoulder", 0.5),
    ("wrist", "shoulder", 1.0),
)
# Below this |sum of ventral offsets| / trunk length the limbs do not decide.
_AMBIGUOUS = 0.15


@dataclass(frozen=True)
class BackOutline:
    """The sampled dorsal outline of the trunk and what was measured on it.

    ``points``: (k, 2) pixel points of the outline (NaN where not found), from the
    shoulder end to the hip end. ``dorsal``: unit vector pointing out of the back.
    ``value``: the signed ratio (see the module docstring). ``peak``: the outline
    point farthest from the chord (for overlays).
    """

    points: np.ndarray
    dorsal: np.ndarray
    shoulder: np.ndarray
    hip: np.ndarray
    value: float
    peak: np.ndarray | None


def visible_side(pose: Pose, min_visibility: float = DEFAULT_MIN_VISIBILITY) -> str | None:
    """The side whose shoulder and hip are both visible (the better one), else None."""
    best, best_vis = None, -1.0
    for side in SIDES:
        v = min(pose.vis(f"{side}_shoulder"), pose.vis(f"{side}_hip"))
        if v >= min_visibility and v > best_vis:
            best, best_vis = side, v
    return best


def dorsal_direction(
    pose: Pose, shoulder: np.ndarray, hip: np.ndarray, min_visibility: float = 0.3
) -> np.ndarray | None:
    """Unit normal of the shoulder-hip axis pointing out of the back; None if degenerate.

    The limbs hang from the front of the trunk (all fours: towards the floor; hook
    lying: knees up; seated: thighs forward), so the back is the opposite side. When
    the limbs are in line with the trunk, the face (nose relative to the ears) is the
    front. If nothing decides, the back is the side facing up in the image.
    """
    axis = hip - shoulder
    length = float(np.hypot(axis[0], axis[1]))
    if not math.isfinite(length) or length == 0.0:
        return None
    normal = np.array([-axis[1], axis[0]]) / length
    ends = {"hip": hip, "shoulder": shoulder}
    score = 0.0
    for part, anchor, weight in _VENTRAL_CUES:
        for side in SIDES:
            name = f"{side}_{part}"
            if pose.vis(name) >= min_visibility:
                off = float(np.dot(pose.point(name) - ends[anchor], normal))
                if math.isfinite(off):
                    score += weight * off
    if abs(score) < _AMBIGUOUS * length:
        ears = [pose.point(f"{s}_ear") for s in SIDES if pose.vis(f"{s}_ear") >= min_visibility]
        if ears and pose.vis("nose") >= min_visibility:
            face = float(np.dot(pose.point("nose") - np.mean(ears, axis=0), normal))
            if math.isfinite(face) and abs(face) > 0.03 * length:
                score = face
    if abs(score) < 1e-9:
        # Nothing decides: take the side that faces up in the image (away from the floor).
        return normal if normal[1] < 0 else -normal
    return -normal if score > 0 else normal


def _edge_along_ray(
    mask: np.ndarray, origin: np.ndarray, direction: np.ndarray, reach_px: float
) -> float:
    """Distance from ``origin`` along ``direction`` of the outermost mask edge within reach.

    Walks inwards from ``origin + reach_px * direction`` and returns the distance of
    the first crossing of MASK_LEVEL (sub-pixel, linearly interpolated); NaN if the
    ray never enters the mask or starts inside it (the person is cut by the reach).
    """
    h, w = mask.shape
    n = max(int(math.ceil(reach_px)), 2)
    d = np.linspace(reach_px, 0.0, n + 1)
    xs = origin[0] + d * direction[0]
    ys = origin[1] + d * direction[1]
    xi = np.round(xs).astype(int)
    yi = np.round(ys).astype(int)
    inside = (xi >= 0) & (xi < w) & (yi >= 0) & (yi < h)
    vals = np.zeros(d.shape, dtype=np.float64)
    vals[inside] = mask[yi[inside], xi[inside]]
    on = vals >= MASK_LEVEL
    if on[0] and inside[0]:
        return math.nan
    hits = np.flatnonzero(on)
    if hits.size == 0:
        return math.nan
    k = int(hits[0])
    if k == 0:
        return float(d[0])
    v0, v1 = vals[k - 1], vals[k]
    frac = (MASK_LEVEL - v0) / (v1 - v0) if v1 != v0 else 1.0
    return float(d[k - 1] + frac * (d[k] - d[k - 1]))


def outline_profile(
    mask: np.ndarray,
    start: np.ndarray,
    end: np.ndarray,
    direction: np.ndarray,
    t_range: tuple[float, float] = BACK_T_RANGE,
    samples: int = BACK_SAMPLES,
    reach: float = REACH,
) -> np.ndarray:
    """Outline points of the mask on one side of the segment start->end.

    For ``samples`` points evenly spaced at fractions ``t_range`` of the segment,
    finds the mask edge along ``direction`` (a unit vector) within ``reach``
    segment lengths. Returns (samples, 2) pixel points, NaN where not found.
    """
    length = float(np.hypot(*(end - start)))
    ts = np.linspace(t_range[0], t_range[1], samples)
    out = np.full((samples, 2), np.nan)
    for i, t in enumerate(ts):
        origin = start + t * (end - start)
        dist = _edge_along_ray(mask, origin, direction, reach * length)
        if math.isfinite(dist):
            out[i] = origin + dist * direction
    return out


def sagitta_ratio(
    points: np.ndarray, outward: np.ndarray, scale: float
) -> tuple[float, np.ndarray | None]:
    """Largest signed distance of ``points`` from the chord between its first and last
    found points, positive towards ``outward``, divided by ``scale``; and that point.
    """
    ok = np.isfinite(points).all(axis=1)
    pts = points[ok]
    if len(pts) < 3 or scale <= 0:
        return math.nan, None
    a, b = pts[0], pts[-1]
    chord = b - a
    clen = float(np.hypot(chord[0], chord[1]))
    if clen == 0.0:
        return math.nan, None
    normal = np.array([-chord[1], chord[0]]) / clen
    if float(np.dot(normal, outward)) < 0:
        normal = -normal
    dev = (pts - a) @ normal
    k = int(np.argmax(np.abs(dev)))
    return float(dev[k] / scale), pts[k]


def _mask_scale(pose: Pose) -> tuple[np.ndarray, float] | None:
    """The mask as float array and the factor from pose pixels to mask pixels."""
    if pose.mask is None:
        return None
    mask = np.asarray(pose.mask, dtype=np.float32)
    if mask.ndim != 2 or mask.size == 0:
        return None
    w, h = pose.image_size
    sx, sy = mask.shape[1] / w, mask.shape[0] / h
    if not math.isclose(sx, sy, rel_tol=0.02):
        return None  # a mask with another aspect ratio is not this frame's mask
    return mask, sx


def back_outline(
    pose: Pose | None,
    side: str | None = None,
    min_visibility: float = DEFAULT_MIN_VISIBILITY,
    t_range: tuple[float, float] = BACK_T_RANGE,
) -> BackOutline | None:
    """Measure the back's outline on ``pose.mask`` over ``t_range`` of the shoulder->hip
    axis; None when it cannot be measured."""
    if pose is None:
        return None
    ms = _mask_scale(pose)
    if ms is None:
        return None
    mask, scale = ms
    side = side or visible_side(pose, min_visibility)
    if side is None:
        return None
    if min(pose.vis(f"{side}_shoulder"), pose.vis(f"{side}_hip")) < min_visibility:
        return None
    shoulder = pose.point(f"{side}_shoulder") * scale
    hip = pose.point(f"{side}_hip") * scale
    if not (np.isfinite(shoulder).all() and np.isfinite(hip).all()):
        return None
    dorsal = dorsal_direction(pose, shoulder / scale, hip / scale)
    if dorsal is None:
        return None
    pts = outline_profile(mask, shoulder, hip, dorsal, t_range=t_range)
    length = float(np.hypot(*(hip - shoulder)))
    if np.isfinite(pts).all(axis=1).mean() < MIN_FOUND:
        value, peak = math.nan, None
    else:
        value, peak = sagitta_ratio(pts, dorsal, length)
    return BackOutline(
        points=pts / scale,
        dorsal=dorsal,
        shoulder=shoulder / scale,
        hip=hip / scale,
        value=value,
        peak=None if peak is None else peak / scale,
    )


def back_curvature(
    pose: Pose | None, side: str | None = None, min_visibility: float = DEFAULT_MIN_VISIBILITY
) -> float:
    """Signed back curvature ratio: + rounded (cat), - arched (camel); NaN if unmeasurable."""
    outline = back_outline(pose, side, min_visibility)
    return math.nan if outline is None else outline.value


def lumbar_curvature(
    pose: Pose | None, side: str | None = None, min_visibility: float = DEFAULT_MIN_VISIBILITY
) -> float:
    """Like :func:`back_curvature` on the lower trunk only (lower ribs to hip joint).

    Same sign: more negative = more arched (lordosis, anterior pelvic tilt), towards
    0 / positive = flattened (posterior pelvic tilt, lumbar flexion).
    """
    outline = back_outline(pose, side, min_visibility, t_range=LUMBAR_T_RANGE)
    return math.nan if outline is None else outline.value


def belly_height(
    pose: Pose | None, side: str | None = None, min_visibility: float = DEFAULT_MIN_VISIBILITY
) -> float:
    """Median distance of the front (belly) outline from the shoulder-hip line over
    55-85% of the trunk, in shoulder-hip lengths; NaN if unmeasurable.

    The front is the side opposite :func:`dorsal_direction`. Positive = in front of
    the line (the usual case); smaller = flatter belly. The median of the sampled
    points keeps a few bad rays (a hand, a graphic over the belly) from deciding.
    """
    if pose is None:
        return math.nan
    ms = _mask_scale(pose)
    if ms is None:
        return math.nan
    mask, scale = ms
    side = side or visible_side(pose, min_visibility)
    if side is None:
        return math.nan
    if min(pose.vis(f"{side}_shoulder"), pose.vis(f"{side}_hip")) < min_visibility:
        return math.nan
    shoulder = pose.point(f"{side}_shoulder") * scale
    hip = pose.point(f"{side}_hip") * scale
    if not (np.isfinite(shoulder).all() and np.isfinite(hip).all()):
        return math.nan
    dorsal = dorsal_direction(pose, shoulder / scale, hip / scale)
    length = float(np.hypot(*(hip - shoulder)))
    if dorsal is None or length == 0.0:
        return math.nan
    ventral = -dorsal
    pts = outline_profile(
        mask, shoulder, hip, ventral, t_range=BELLY_T_RANGE, samples=BELLY_SAMPLES,
        reach=BELLY_REACH,
    )  # fmt: skip
    # an outline on the frame's border is the frame cutting the person, not the belly
    h, w = mask.shape
    cut = (pts[:, 0] < 1) | (pts[:, 0] > w - 2) | (pts[:, 1] < 1) | (pts[:, 1] > h - 2)
    ok = np.isfinite(pts).all(axis=1) & ~cut
    if ok.mean() < MIN_FOUND:
        return math.nan
    # signed distance of each outline point from the shoulder-hip line, towards the front
    dist = (pts[ok] - shoulder) @ ventral
    return float(np.median(dist) / length)


BACK_CURVATURE = MeasureSpec(
    name="back_curvature",
    unit="ratio",
    kind="ratio",
    points=("left_shoulder", "left_hip", "right_shoulder", "right_hip"),
    description=(
        "back outline (segmentation mask) between shoulder and hip: largest signed "
        "distance from the straight chord / shoulder-hip distance; + rounded (cat, "
        "flexion), - arched (camel, extension), 0 flat; needs segmentation"
    ),
    from_pose=back_curvature,
    needs_mask=True,
)

LUMBAR_CURVATURE = MeasureSpec(
    name="lumbar_curvature",
    unit="ratio",
    kind="ratio",
    points=("left_shoulder", "left_hip", "right_shoulder", "right_hip"),
    description=(
        "back outline (segmentation mask) over the lower trunk (40-100% of the way "
        "from shoulder to hip): largest signed distance from the chord / shoulder-hip "
        "distance; more negative = lumbar arch (anterior pelvic tilt), towards 0 = low "
        "back flattened (posterior tilt); small (about 0.02 per tilt); needs segmentation"
    ),
    from_pose=lumbar_curvature,
    needs_mask=True,
)

BELLY_HEIGHT = MeasureSpec(
    name="belly_height",
    unit="ratio",
    kind="ratio",
    points=("left_shoulder", "left_hip", "right_shoulder", "right_hip"),
    description=(
        "front (belly) outline (segmentation mask) over 55-85% of the way from shoulder "
        "to hip: median distance from the shoulder-hip line / shoulder-hip distance; "
        "smaller = flatter lower belly (posterior pelvic tilt: about -0.015), rises and "
        "falls with breathing; hands on the belly count as belly; needs segmentation"
    ),
    from_pose=belly_height,
    needs_mask=True,
)

register_extra(BACK_CURVATURE)
register_extra(LUMBAR_CURVATURE)
register_extra(BELLY_HEIGHT)
