"""Animation scripts: how each exercise moves, with holds, reps, rest and injected faults.

Pure Python + numpy. A script is a posture (how the body rests on the floor or a
chair), named key poses (one per phase of the definition: ``down``/``up``,
``cat``/``camel``, ...), the order the phases are visited in and the dose (move
time, hold time, reps, rest). Key pose angles use the names of
:mod:`posecheck.angles` (``hip``, ``knee``, ``shoulder``, ... for the worked
side; ``other_hip`` for the other side) plus a few shape parameters the
landmarks cannot show (``spine``, ``lumbar``, ``head``, ``twist``, ``leg_roll``).

When an :class:`posecheck.exercise.Exercise` definition is given, the script
reads from it: the phase order (``cycle``), the held phase and its ``hold_s``,
the dose, and every phase target on a joint angle, which moves the key pose's
angle inside the target range (see :func:`script_from_definition`).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np

from posecheck.render.body import (
    Anthropometry,
    BodyPose,
    LimbAngles,
    Skeleton,
    Support,
    forward_kinematics,
    rest_on_floor,
)

JOINTS = ("hip", "knee", "ankle", "shoulder", "elbow", "leg_roll", "arm_roll", "leg_cross")
SHAPE = ("trunk", "head", "spine", "lumbar", "twist")


@dataclass(frozen=True)
class Posture:
    """How the body rests: support points (height above the floor as a fraction of body
    height), the preferred extra rotation, the point whose X stays fixed, a chair."""

    supports: tuple[tuple[str, float], ...]
    trunk: float  # starting trunk direction (deg), refined by the supports
    anchor: str
    chair_seat_h: float | None = None  # fraction of height
    flat_feet: bool = True
    com_margin: float = 0.12  # metres; large = do not check balance (feet planted)
    # a support only bears weight while its limb is down: point -> (joint, max angle)
    lifted_if: dict[str, tuple[str, float]] = field(default_factory=dict)
    # lying on a side: the body, built face down, is rolled this far about its long axis
    # before it rests on the supports (-90: on the left side); 0 = not rolled
    roll_deg: float = 0.0


POSTURES: dict[str, Posture] = {
    "supine": Posture(
        (
            ("shoulder_mid", 0.062),
            ("hip_mid", 0.058),
            ("left_heel", 0.0),
            ("right_heel", 0.0),
            ("left_foot_index", 0.0),
            ("right_foot_index", 0.0),
            ("head_center", 0.066),
        ),
        180.0,
        "shoulder_mid",
    ),  # fmt: skip
    "prone": Posture(
        (
            ("hip_mid", 0.060),
            ("left_knee", 0.030),
            ("right_knee", 0.030),
            ("left_foot_index", 0.0),
            ("right_foot_index", 0.0),
        ),
        0.0,
        "hip_mid",
        flat_feet=False,
    ),  # fmt: skip
    "all_fours": Posture(
        (
            ("left_wrist", 0.02),
            ("right_wrist", 0.02),
            ("left_knee", 0.03),
            ("right_knee", 0.03),
            ("left_foot_index", 0.0),
            ("right_foot_index", 0.0),
        ),
        0.0,
        "left_knee",
        flat_feet=False,
        # bird dog: a reaching arm or leg is in the air, not a support
        lifted_if={
            f"{sd}_{p}": (j, lim)
            for sd in ("left", "right")
            for p, j, lim in (
                ("wrist", "shoulder", 120.0),
                ("knee", "hip", 140.0),
                ("foot_index", "hip", 140.0),
            )
        },
    ),  # fmt: skip
    "kneeling": Posture(
        (("left_knee", 0.03), ("right_knee", 0.03), ("left_ankle", 0.036), ("right_ankle", 0.036)),
        0.0,
        "left_knee",
        flat_feet=False,
    ),  # fmt: skip
    "seated": Posture(
        (
            ("hip_mid", 0.27),
            ("left_heel", 0.0),
            ("right_heel", 0.0),
            ("left_foot_index", 0.0),
            ("right_foot_index", 0.0),
        ),
        90.0,
        "hip_mid",
        chair_seat_h=0.245,
    ),  # fmt: skip
    "standing": Posture(
        (
            ("left_heel", 0.0),
            ("left_foot_index", 0.0),
            ("right_heel", 0.0),
            ("right_foot_index", 0.0),
        ),
        90.0,
        "left_ankle",
        flat_feet=False,  # the ankle angle keeps the shins upright; the trunk leans
        com_margin=10.0,
    ),
    # sitting on a chair edge, feet free to lift (reverse jack knife): only the seat
    "seated_free": Posture(
        (("hip_mid", 0.285),), 90.0, "hip_mid", chair_seat_h=0.245, flat_feet=False
    ),  # fmt: skip  # fmt: skip
}


@dataclass(frozen=True)
class KeyPose:
    """Named angles for one phase; missing names keep the posture's base pose."""

    angles: dict[str, float]


@dataclass(frozen=True)
class Script:
    """One exercise's animation, before faults and noise."""

    exercise: str
    posture: str
    view: str  # "side" or "front"
    base: dict[str, float]  # angles shared by every key pose
    poses: dict[str, KeyPose]
    start: str  # phase the clip starts and ends in
    cycle: tuple[str, ...]  # phases of one rep, first == last
    hold_phase: str | None  # where the hold timer runs
    hold_s: float = 3.0
    move_s: float = 1.5
    reps: int = 2
    rest_s: float = 1.0
    lead_s: float = 1.0  # still start before the first rep
    alternate: bool = False  # worked side alternates rep by rep (bird dog, single knee)
    symmetric: bool = True  # "hip" applies to both sides unless other_hip is given
    faults: tuple[str, ...] = ()  # faults that make sense for this exercise
    bounce_measure: str = "hip"
    # the other side bounces with the worked one even when it is posed on its own (a
    # figure four: the crossed ankle rests on the other knee, the legs move as one)
    bounce_together: bool = False
    holds: dict[str, float] = field(default_factory=dict)  # phase -> hold time (s)
    # How far the "incomplete" fault's rep goes: into the gap between the start phase
    # (with the engine's hysteresis band) and the peak target, by the definition's
    # measures on the drawn figure (tests/test_render.py checks it for every script).
    incomplete_frac: float = 0.6


_HOOK = {"hip": 125, "knee": 72, "shoulder": 12, "elbow": 175, "head": 5, "arms_floor": 1.0}
_ALL4: dict[str, float] = {
    "hip": 92,
    "knee": 92,
    "shoulder": 88,
    "elbow": 176,
    "ankle": 150,
    "head": -15,
}
_FRAME = ("out_of_frame", "wrong_view")
_HUG = {"hip": 55, "knee": 50, "shoulder": 62, "elbow": 115, "head": 15, "arms_floor": 0.0,
        "arms_shins": 1.0}  # fmt: skip


def _s(
    name: str,
    posture: str,
    view: str,
    base: dict[str, float],
    poses: dict[str, dict],
    cycle: tuple[str, ...],
    holds: dict[str, float],
    faults: tuple[str, ...],
    **kw: Any,
) -> Script:
    """A script; the first cycle phase is the start, the first hold phase the main one.

    Every script with a hold of :data:`SHORT_HOLD_FROM_S` or more can show ``short_hold``.
    """
    if holds and max(holds.values()) >= SHORT_HOLD_FROM_S and "short_hold" not in faults:
        faults = (*faults, "short_hold")
    return Script(
        name, posture, view, base, {k: KeyPose(v) for k, v in poses.items()}, cycle[0], cycle,
        next(iter(holds), None), hold_s=next(iter(holds.values()), 0.0), holds=holds,
        faults=faults, **kw,
    )  # fmt: skip


# The short_hold fault: each hold lasts this share of its target, at least the minimum;
# only where the hold is long enough to be held far short. A pause under 2 s cannot be:
# the minimum is 60% of the reverse jack knife's 1 s pause, and the engine times a hold
# from the slow end of the move (a 0.6 s pause drawn there measured 0.9-1.0 s).
SHORT_HOLD_SHARE = 0.2
SHORT_HOLD_MIN_S = 0.6
SHORT_HOLD_FROM_S = 2.0

# Phase names follow poses/*.toml; values sit inside each phase's target ranges.
SCRIPTS: dict[str, Script] = {
    s.exercise: s
    for s in (
        _s(
            "bridge",
            "supine",
            "side",
            _HOOK,
            {"down": {}, "up": {"hip": 176, "knee": 97, "shoulder": 18}},
            ("down", "up", "down"),
            {"up": 3.0},
            ("hips_sag", "foot_lift", "incomplete", "too_fast") + _FRAME,
            move_s=1.6,
        ),
        _s(
            "pelvic-tilt",
            "supine",
            "side",
            {**_HOOK, "lumbar": 0.035},
            {"rest": {}, "tilt": {"hip": 132, "lumbar": -0.02}},
            ("rest", "tilt", "rest"),
            {"tilt": 3.0},
            # no "incomplete": between rest (0.9 + 0.4 deg) and the tilt (1.7 deg) there is no
            # room for a visible partial tilt: one drawn at 1.5 deg reads 2.3, the real
            # clip's complete tilts 2.0-4.8 (bench/README.md, Feedback)
            ("foot_lift",) + _FRAME,
            move_s=1.0,
        ),
        _s(
            "abdominal-draw-in",
            "supine",
            "side",
            {**_HOOK, "lumbar": 0.03},
            {"rest": {}, "hold": {"lumbar": 0.0, "hip": 127}},
            ("rest", "hold", "rest"),
            {"hold": 4.0},
            _FRAME,
            move_s=1.0,
        ),
        _s(
            "knees-to-chest",
            "supine",
            "side",
            _HOOK,
            {"rest": {}, "hug": _HUG},
            ("rest", "hug", "rest"),
            {"hug": 4.0},
            ("bounce", "incomplete", "too_fast") + _FRAME,
            move_s=1.8,
        ),
        _s(
            "single-knee-to-chest",
            "supine",
            "side",
            _HOOK,
            {"rest": {}, "hug": {**_HUG, "other_hip": 150, "other_knee": 150}},
            ("rest", "hug", "rest"),
            {"hug": 4.0},
            ("bounce", "incomplete", "too_fast") + _FRAME,
            move_s=1.8,
            symmetric=False,
            alternate=True,
        ),
        _s(
            "knee-rock",
            "supine",
            "side",
            {**_HUG, "arms_floor": 0.0},
            {"in": {"hip": 48}, "out": {"hip": 92, "knee": 60}},
            ("in", "out", "in"),
            {},
            ("too_fast", "incomplete") + _FRAME,
            move_s=1.5,
            incomplete_frac=0.47,  # hip 68 deg: out of "in" (60 + 5), short of "out" (70)
            rest_s=0.2,
            reps=3,
        ),
        _s(
            "supine-twist",
            "supine",
            "front",
            {**_HOOK, "shoulder": 90, "arm_roll": 80, "arms_floor": 0.0},
            {"middle": {}, "twist": {"leg_roll": 65, "other_leg_roll": -65}},
            ("middle", "twist", "middle"),
            {"twist": 4.0},
            ("bounce",) + _FRAME,
            move_s=3.0,
            bounce_measure="leg_roll",
        ),
        _s(
            "reclined-pigeon",
            "supine",
            "side",
            _HOOK,
            {
                # one ankle crossed over the other knee (leg_cross), then both legs
                # drawn in: the crossed leg's place follows the other knee, its own
                # angles are only where it would be uncrossed
                "start": {"hip": 100, "knee": 80, "leg_roll": 35, "leg_cross": 1.0},
                "stretch": {
                    "hip": 70,
                    "knee": 85,
                    "leg_roll": 55,
                    "leg_cross": 1.0,
                    "other_hip": 75,
                    "other_knee": 80,
                    "shoulder": 45,
                    "elbow": 150,
                    "arms_floor": 0.0,
                },
            },
            ("start", "stretch", "start"),
            {"stretch": 4.0},
            ("bounce",) + _FRAME,
            move_s=2.0,
            symmetric=False,
            bounce_together=True,
        ),
        _s(
            "lower-tummy",
            "supine",
            "side",
            {**_HOOK, "lumbar": 0.0},
            {"down": {}, "lift": {"hip": 88, "knee": 90}},
            ("down", "lift", "down"),
            {"lift": 2.0},
            ("incomplete", "too_fast") + _FRAME,
            move_s=1.5,
            symmetric=False,
            alternate=True,
        ),
        _s(
            "cat-camel",
            "all_fours",
            "side",
            _ALL4,
            {
                "camel": {"spine": -0.09, "head": -40, "hip": 86, "shoulder": 93},
                "cat": {"spine": 0.12, "head": 50, "hip": 98, "shoulder": 84},
            },
            ("camel", "cat", "camel"),
            {"cat": 2.0, "camel": 2.0},
            ("incomplete",) + _FRAME,
            move_s=1.8,
        ),
        _s(
            "bird-dog",
            "all_fours",
            "side",
            _ALL4,
            {
                "all_fours": {},
                "reach": {
                    "shoulder": 168,
                    "elbow": 178,
                    "other_hip": 177,
                    "other_knee": 176,
                    "other_ankle": 120,
                    "head": -5,
                },
            },
            ("all_fours", "reach", "all_fours"),
            {"reach": 2.5},
            ("incomplete", "too_fast") + _FRAME,
            move_s=1.8,
            symmetric=False,
            alternate=True,
        ),
        _s(
            "childs-pose",
            "kneeling",
            "side",
            {**_ALL4, "ankle": 160, "arms_hands": 1.0},
            {
                "start": {},
                "rest": {
                    "hip": 32,
                    "knee": 28,
                    "shoulder": 165,
                    "elbow": 176,
                    "head": 15,
                    "spine": 0.05,
                },
            },
            ("start", "rest", "start"),
            {"rest": 4.0},
            ("bounce",) + _FRAME,
            move_s=2.2,
        ),
        _s(
            "chest-raise",
            "prone",
            "side",
            {
                "hip": 180,
                "knee": 178,
                "ankle": 150,
                "shoulder": 95,
                "elbow": 45,
                "head": -10,
                "arms_elbows": 1.0,
                "arms_elbow_max": 112.0,
            },
            {"down": {}, "up": {"hip": 208, "head": -25, "spine": -0.05}},
            ("down", "up", "down"),
            {"up": 3.0},
            ("bounce", "incomplete", "too_fast") + _FRAME,
            move_s=2.0,
            # the partial raise in the middle of the definition's gap, out of "down" (17.5
            # deg with its band) and short of "up" (22): 0.6 of the way read 19.7-22.1
            # (median 20.4) on one machine's model, a 0.2 s spike entering "up"
            incomplete_frac=0.57,
        ),
        _s(
            "seated-forward-curl",
            "seated",
            "side",
            {"hip": 95, "knee": 95, "ankle": 95, "shoulder": 10, "elbow": 170, "head": 0},
            {"upright": {}, "curl": {"hip": 45, "spine": 0.10, "head": 35, "shoulder": 40}},
            ("upright", "curl", "upright"),
            {"curl": 4.0},
            ("bounce", "too_fast") + _FRAME,
            move_s=2.2,
            bounce_measure="hip",
        ),
        _s(
            "seated-spinal-twist",
            "seated",
            "front",
            {"hip": 95, "knee": 95, "ankle": 95, "shoulder": 35, "elbow": 100},
            {"middle": {}, "twist": {"twist": 55}},
            ("middle", "twist", "middle"),
            {"twist": 4.0},
            _FRAME,
            move_s=2.0,
            bounce_measure="twist",
        ),
        _s(
            "seated-reverse-jack-knife",
            "seated_free",
            "side",
            {"trunk": 100, "hip": 100, "knee": 95, "ankle": 100, "shoulder": 20, "elbow": 120},
            {"down": {}, "tuck": {"hip": 45, "knee": 65, "ankle": 120}},
            ("down", "tuck", "down"),
            {"tuck": 1.5},
            ("incomplete", "too_fast") + _FRAME,
            move_s=1.4,
        ),
        _s(
            "standing-backbend",
            "standing",
            "side",
            {"hip": 180, "knee": 178, "ankle": 86, "shoulder": -25, "elbow": 80},
            {"upright": {}, "lean": {"hip": 200, "spine": -0.06, "head": -20}},
            ("upright", "lean", "upright"),
            {"lean": 3.0},
            ("bounce", "too_fast") + _FRAME,
            move_s=2.5,
        ),
    )
}

FAULTS: dict[str, str] = {
    "hips_sag": "the pelvis stops short of a straight line at the top (hips sagging)",
    "foot_lift": "the worked-side heel lifts off the floor during the hold",
    "bounce": "small fast bounces during the hold instead of a still stretch",
    "too_fast": "every movement takes a fraction of a second",
    "incomplete": "the second rep stops between the start position and the target",
    "short_hold": "every hold lasts a fifth of its target time (at least 0.6 s)",
    "out_of_frame": "the camera is too close: the feet leave the frame",
    "wrong_view": "the camera looks from the head/feet end instead of the side",
    "far_side": "the camera looks at the other side of the body",
}


def exercise_names() -> list[str]:
    return sorted(SCRIPTS)


# --- building body poses ------------------------------------------------------------------


def expand(
    base: dict[str, float], pose: dict[str, float], worked: str, symmetric: bool
) -> dict[str, float]:
    """Named angles -> explicit per-side names (``left_hip``, ``right_hip``, ...) and shape keys.

    ``base`` names apply to both sides; in ``pose`` a bare name (``hip``) is the worked
    side (both sides when ``symmetric``), ``other_hip`` the other side. Every joint of
    both sides gets a value, so key poses interpolate without jumps.
    """
    other = "right" if worked == "left" else "left"
    defaults = LimbAngles()
    out: dict[str, float] = {}
    for j in JOINTS:
        for sd in ("left", "right"):
            out[f"{sd}_{j}"] = float(base.get(j, getattr(defaults, j)))
        if f"other_{j}" in base:
            out[f"{other}_{j}"] = float(base[f"other_{j}"])
        if j in pose:
            out[f"{worked}_{j}"] = float(pose[j])
            if symmetric:
                out[f"{other}_{j}"] = float(pose[j])
        if f"other_{j}" in pose:
            out[f"{other}_{j}"] = float(pose[f"other_{j}"])
    for k, v in {**base, **pose}.items():
        if k not in JOINTS and not k.startswith("other_"):
            out[k] = float(v)
    return out


def body_pose(angles: dict[str, float]) -> BodyPose:
    """A BodyPose from explicit per-side angles (see :func:`expand`) and shape keys."""
    limbs = {sd: {j: angles[f"{sd}_{j}"] for j in JOINTS if f"{sd}_{j}" in angles}
             for sd in ("left", "right")}  # fmt: skip
    shape = {k: angles[k] for k in SHAPE if k in angles}
    return BodyPose(left=LimbAngles(**limbs["left"]), right=LimbAngles(**limbs["right"]), **shape)


def _lifted(pose: BodyPose, posture: Posture, point: str) -> bool:
    cond = posture.lifted_if.get(point)
    if cond is None:
        return False
    side = "left" if point.startswith("left_") else "right"
    return getattr(pose.side(side), cond[0]) > cond[1]


def _built(pose: BodyPose, posture: Posture, body: Anthropometry) -> Skeleton:
    """Forward kinematics, rolled onto a side when the posture lies on one."""
    skel = forward_kinematics(pose, body)
    return skel.rolled(posture.roll_deg) if posture.roll_deg else skel


def place_body(
    pose: BodyPose,
    posture: Posture,
    body: Anthropometry,
    foot_lift: dict[str, float] | None = None,
    arms: dict[str, float] | None = None,
) -> Skeleton:
    """Forward kinematics, then flat feet on the floor, then rest on the supports.

    ``foot_lift``: side -> degrees the heel of that foot rotates up about the toes.
    ``arms``: mode -> weight 0-1 of arm placements solved after the body rests
    (see :func:`_place_arm`); the posture's supports must not include the arms then.
    """
    foot_lift = foot_lift or {}
    arms = arms or {}
    lifted_feet = tuple(s for s, v in foot_lift.items() if v > 0)
    sup: list[Support] = [
        (n, f * body.height_m)
        for n, f in posture.supports
        if not any(n.startswith(s) and n.endswith(("heel",)) for s in lifted_feet)
        and not _lifted(pose, posture, n)
    ]
    skel, rot = rest_on_floor(_built(pose, posture, body), sup, 0.0, com_margin=posture.com_margin)
    if posture.flat_feet:
        for _ in range(2):
            # choose each supporting foot's ankle angle so the sole is level
            for s in ("left", "right"):
                k, a = skel.points[f"{s}_knee"], skel.points[f"{s}_ankle"]
                if a[1] > 0.12 * body.height_m:  # foot in the air: leave it
                    continue
                shank = math.degrees(math.atan2(a[1] - k[1], a[0] - k[0]))
                toe_dir = skel.points[f"{s}_foot_index"][0] - skel.points[f"{s}_heel"][0]
                want = 0.0 if toe_dir >= 0 else 180.0
                ankle = (shank + 180.0 - want) % 360.0
                ankle = ankle if ankle <= 180 else 360 - ankle
                ankle = float(np.clip(ankle, 60, 150))
                pose = pose.with_side(s, ankle=ankle)
            skel, rot = rest_on_floor(
                _built(pose, posture, body), sup, rot, com_margin=posture.com_margin
            )
    if any(v > 0 for v in arms.values()):
        for sd in ("left", "right"):
            pose = _place_arm(pose, skel, sd, arms, body)
        skel, rot = rest_on_floor(
            _built(pose, posture, body), sup, rot, com_margin=posture.com_margin
        )
    if posture.flat_feet:
        for s in lifted_feet:
            _lift_heel(skel, s, foot_lift[s])
    _flatten_hands(skel, body)
    return skel


def _lift_heel(skel: Skeleton, side: str, deg: float) -> None:
    """Lift a resting foot's heel ``deg`` about its toes, as a person does: the body and
    the other foot stay down, the ankle rises and the knee goes with it (the leg's hip
    stays; thigh and shin keep their lengths). Rotating the foot about the ankle instead
    and resting the body on the toes lifted the whole figure: the other foot floated
    0.22 m above the floor and the pelvic tilt's pelvis left it (bench/README.md)."""
    pts = skel.points
    toe = pts[f"{side}_foot_index"]
    hip, knee, ankle = (pts[f"{side}_{p}"][:2].copy() for p in ("hip", "knee", "ankle"))
    thigh, shin = float(np.hypot(*(knee - hip))), float(np.hypot(*(ankle - knee)))
    back = pts[f"{side}_heel"][0] - toe[0]  # the heel is behind the toes
    r = math.radians(-deg if back < 0 else deg)  # turn the heel upwards
    c, s_ = math.cos(r), math.sin(r)
    for part in ("heel", "ankle"):
        v = pts[f"{side}_{part}"] - toe
        pts[f"{side}_{part}"] = toe + np.array([c * v[0] - s_ * v[1], s_ * v[0] + c * v[1], v[2]])
    new = pts[f"{side}_ankle"][:2]
    d = float(np.hypot(*(new - hip)))
    d = min(max(d, abs(thigh - shin) + 1e-6), thigh + shin - 1e-6)
    base = math.atan2(new[1] - hip[1], new[0] - hip[0])
    off = math.acos((thigh**2 + d**2 - shin**2) / (2 * thigh * d))
    cands = [hip + thigh * np.array([math.cos(base + k * off), math.sin(base + k * off)])
             for k in (1, -1)]  # fmt: skip
    best = min(cands, key=lambda q: float(np.hypot(*(q - knee))))  # bent the same way
    pts[f"{side}_knee"] = np.array([best[0], best[1], pts[f"{side}_knee"][2]])


def _flatten_hands(skel: Skeleton, body: Anthropometry) -> None:
    """Hands resting on the floor lie flat: turn the hand points level about the wrist."""
    for sd in ("left", "right"):
        wr = skel.points[f"{sd}_wrist"]
        if wr[1] > 0.045 * body.height_m:
            continue
        tip = (skel.points[f"{sd}_index"] + skel.points[f"{sd}_pinky"]) / 2 - wr
        cur = math.degrees(math.atan2(tip[1], tip[0]))
        want = 0.0 if tip[0] >= 0 else 180.0
        ang = math.radians(want - cur)
        c, s_ = math.cos(ang), math.sin(ang)
        for part in ("index", "pinky", "thumb"):
            v = skel.points[f"{sd}_{part}"] - wr
            skel.points[f"{sd}_{part}"] = wr + np.array(
                [c * v[0] - s_ * v[1], s_ * v[0] + c * v[1], v[2]]
            )


ARM_MODES = ("arms_floor", "arms_elbows", "arms_hands", "arms_shins", "arms_elbow_max")


def _norm180(a: float) -> float:
    return (a + 180.0) % 360.0 - 180.0


def _arm_wrist(sh: np.ndarray, trunk: float, S: float, E: float, body: Anthropometry) -> np.ndarray:
    ua = math.radians(trunk + 180.0 + S)
    fa = ua + math.radians(180.0 - E)
    return (
        sh[:2]
        + body.upper_arm * np.array([math.cos(ua), math.sin(ua)])
        + body.forearm * np.array([math.cos(fa), math.sin(fa)])
    )


def _place_arm(
    pose: BodyPose, skel: Skeleton, sd: str, arms: dict[str, float], body: Anthropometry
) -> BodyPose:
    """Solve one arm's shoulder/elbow angles for a placement, in the rested body's frame.

    - ``arms_floor``: lying beside the body on the floor, pointing to the feet.
    - ``arms_elbows``: propped on the elbows (prone): elbow on the floor, forearm level.
    - ``arms_hands``: hands on the floor, the elbow angle kept (all fours, child's pose).
    - ``arms_shins``: hands holding the shin just below the knee (knees to chest).
    """
    t = skel.frames["trunk_up"]
    trunk = math.degrees(math.atan2(t[1], t[0]))
    sh = skel.points[f"{sd}_shoulder"]
    la = pose.side(sd)
    S, E = la.shoulder, la.elbow
    head_dir = 1.0 if skel.points["head_center"][0] >= skel.points["hip_mid"][0] else -1.0
    tS, tE = S, E
    w = 0.0
    if arms.get("arms_floor", 0) > 0:
        w = arms["arms_floor"]
        level = 180.0 if head_dir > 0 else 0.0  # towards the feet
        tS, tE = _norm180(level - (trunk + 180.0) + (4.0 if level == 0.0 else -4.0)), 176.0
    elif arms.get("arms_elbows", 0) > 0:
        w = arms["arms_elbows"]
        h = 0.02 * body.height_m - sh[1]
        ua = math.degrees(math.asin(max(-1.0, min(1.0, h / body.upper_arm))))
        ua = ua if head_dir > 0 else 180.0 - ua  # elbow ahead of the shoulder
        if h < -0.8 * body.upper_arm:  # high enough: the upper arm nearly vertical
            ua = -90.0 + head_dir * 8.0
        fa = 0.0 if head_dir > 0 else 180.0
        tS = _norm180(ua - (trunk + 180.0))
        tE = float(np.clip(180.0 - _norm180(fa - ua), 30.0, 180.0))
        # hands raised towards the face (chin on the hands) rather than a long flat reach
        tE = min(tE, arms.get("arms_elbow_max", 180.0))
    elif arms.get("arms_hands", 0) > 0:
        w = arms["arms_hands"]
        grid = np.arange(S - 100.0, S + 100.0, 1.0)
        hts = np.array([_arm_wrist(sh, trunk, g, E, body)[1] - 0.02 * body.height_m for g in grid])
        cross = np.where(np.sign(hts[:-1]) != np.sign(hts[1:]))[0]
        if len(cross):
            k = cross[np.argmin(np.abs(grid[cross] - S))]
            tS = float(grid[k])
    elif arms.get("arms_shins", 0) > 0:
        w = arms["arms_shins"]
        k, a = skel.points[f"{sd}_knee"][:2], skel.points[f"{sd}_ankle"][:2]
        target = k + 0.3 * (a - k)
        d = target - sh[:2]
        L = float(np.hypot(*d))
        A, B = body.upper_arm, body.forearm + 0.3 * body.hand
        L = min(L, A + B - 1e-3)
        cosE = (A * A + B * B - L * L) / (2 * A * B)
        cosa = (A * A + L * L - B * B) / (2 * A * L)
        Ein = math.degrees(math.acos(max(-1.0, min(1.0, cosE))))
        alpha = math.degrees(math.acos(max(-1.0, min(1.0, cosa))))
        ua = math.degrees(math.atan2(d[1], d[0])) - alpha
        tS, tE = _norm180(ua - (trunk + 180.0)), Ein
    if w <= 0:
        return pose
    return pose.with_side(sd, shoulder=S + w * (tS - S), elbow=E + w * (tE - E))


# --- the timeline -------------------------------------------------------------------------


@dataclass
class Segment:
    t0: float
    t1: float
    a: dict[str, float]
    b: dict[str, float]
    phase: str  # phase reached at the end (or held)
    kind: str  # "still", "move", "hold"
    worked: str
    rep: int  # 1-based rep this segment belongs to, 0 outside reps


@dataclass
class Timeline:
    segments: list[Segment]
    holds: list[dict[str, Any]]
    reps: list[dict[str, Any]]
    faults: list[dict[str, Any]]
    duration_s: float


def _angles(script: Script, phase: str, worked: str) -> dict[str, float]:
    return expand(script.base, script.poses[phase].angles, worked, script.symmetric)


def build_timeline(
    script: Script,
    fault: str | None,
    worked: str,
    duration_s: float | None,
    rng: np.random.Generator,
) -> Timeline:
    """Lay out the still start, reps (moves and holds), rest, and where the fault happens."""
    move = min(0.25, script.move_s) if fault == "too_fast" else script.move_s
    segs: list[Segment] = []
    holds: list[dict[str, Any]] = []
    reps: list[dict[str, Any]] = []
    t = 0.0
    start = _angles(script, script.start, worked)
    segs.append(Segment(t, t + script.lead_s, start, start, script.start, "still", worked, 0))
    t += script.lead_s
    side = worked
    n_reps = script.reps
    if duration_s:
        one = (len(script.cycle) - 1) * move + sum(script.holds.values()) + script.rest_s
        n_reps = max(1, int((duration_s - script.lead_s - 0.5) // max(one, 0.5)))
    goal = script.hold_phase or script.cycle[len(script.cycle) // 2]  # the far position
    for rep in range(1, n_reps + 1):
        rep_start = t
        start = _angles(script, script.start, side)
        cur = start
        partial = fault == "incomplete" and rep == 2  # goes only part of the way
        incomplete = partial or fault == "hips_sag"
        for ph in script.cycle[1:]:
            target = _angles(script, ph, side)
            if fault == "hips_sag" and ph == script.hold_phase:
                for sd in ("left", "right"):  # the top stops short of a straight line
                    target = {**target, f"{sd}_hip": min(target[f"{sd}_hip"], 150.0)}
            if partial and ph == goal:
                f = script.incomplete_frac
                target = {k: start.get(k, v) + f * (v - start.get(k, v)) for k, v in target.items()}
            segs.append(Segment(t, t + move, cur, target, ph, "move", side, rep))
            t += move
            h = script.holds.get(ph, 0.0)
            if h > 0 and fault == "short_hold":
                # far short (a fifth), yet long enough for the engine to see a hold
                h = round(max(SHORT_HOLD_MIN_S, SHORT_HOLD_SHARE * h), 3)
            if h > 0:
                segs.append(Segment(t, t + h, target, target, ph, "hold", side, rep))
                if not (incomplete and ph == goal):
                    holds.append({"phase": ph, "start_s": round(t, 3), "end_s": round(t + h, 3),
                                  "side": side, "rep": rep})  # fmt: skip
                t += h
            cur = target
        reps.append({"index": rep, "start_s": round(rep_start, 3), "end_s": round(t, 3),
                     "complete": not incomplete, "side": side})  # fmt: skip
        if script.rest_s > 0:
            segs.append(Segment(t, t + script.rest_s, start, start, script.start, "still", side, 0))
            t += script.rest_s
        if script.alternate:
            side = "right" if side == "left" else "left"
    faults: list[dict[str, Any]] = []
    if fault:
        span = [0.0, t]
        if fault in ("hips_sag", "foot_lift", "bounce"):
            span = [holds[0]["start_s"], holds[0]["end_s"]] if holds else span
        if fault == "incomplete":
            r2 = next((r for r in reps if r["index"] == 2), reps[-1])
            span = [r2["start_s"], r2["end_s"]]
        faults.append(
            {
                "name": fault,
                "description": FAULTS[fault],
                "start_s": round(span[0], 3),
                "end_s": round(span[1], 3),
            }
        )
    return Timeline(segs, holds, reps, faults, t)


def _ease(x: float) -> float:
    x = min(1.0, max(0.0, x))
    return x * x * (3 - 2 * x)


def angles_at(
    tl: Timeline, script: Script, t: float, fault: str | None
) -> tuple[dict[str, float], Segment]:
    """The named angles at time ``t`` (with the fault applied) and the segment it is in."""
    seg = tl.segments[-1]
    for s in tl.segments:
        if s.t0 <= t < s.t1:
            seg = s
            break
    w = _ease((t - seg.t0) / max(1e-6, seg.t1 - seg.t0)) if seg.kind == "move" else 1.0
    keys = set(seg.a) | set(seg.b)
    ang = {
        k: seg.a.get(k, seg.b.get(k, 0.0))
        + w * (seg.b.get(k, seg.a.get(k, 0.0)) - seg.a.get(k, seg.b.get(k, 0.0)))
        for k in keys
    }
    f_on = any(f["start_s"] <= t < f["end_s"] for f in tl.faults)
    if fault == "bounce" and seg.kind == "hold" and f_on:
        m = script.bounce_measure
        amp = 9.0 if m != "twist" else 8.0
        wave = amp * math.sin(2 * math.pi * 1.6 * (t - seg.t0))
        other = "right" if seg.worked == "left" else "left"
        names = (
            [m]
            if m in ang
            else [f"{seg.worked}_{m}"]
            + ([f"{other}_{m}"] if script.symmetric or script.bounce_together else [])
        )
        ref = ang.get(names[0], 0.0)
        for k in names:
            # a side held at the opposite sign moves the opposite way: both knees of a
            # supine twist (leg rolls +65 and -65) bounce towards the same side together
            sign = -1.0 if ref * ang.get(k, 0.0) < 0 else 1.0
            ang[k] = ang.get(k, 0.0) + sign * wave
    if fault == "foot_lift" and seg.kind == "hold" and f_on:
        ramp = max(0.0, min(1.0, (t - seg.t0) / 0.5, (seg.t1 - t) / 0.5))
        ang["foot_lift"] = 50.0 * ramp
    return ang, seg


def script_for(name: str) -> Script:
    return SCRIPTS[name]


def script_from_definition(script: Script, exercise: Any) -> Script:
    """Adapt a script to an exercise definition (posecheck.exercise.Exercise).

    Reads the cycle, the held phase and its hold time, the dose's rest, and moves
    each key pose's joint angle inside its phase target range (with a margin).
    Phases the script does not know keep the nearest known pose.
    """
    poses = dict(script.poses)
    for ph in getattr(exercise, "phases", ()):
        kp = poses.get(ph.name)
        if kp is None:
            continue
        ang = dict(kp.angles)
        base = {**script.base, **ang}
        for tg in ph.targets:
            m = tg.measure
            if m not in base or getattr(tg, "unit", "deg") != "deg" or getattr(tg, "change", False):
                continue
            if getattr(tg, "change", False):  # bounds a change from a baseline, not the angle
                continue
            v = base[m]
            lo = tg.min if tg.min is not None else -1e9
            hi = tg.max if tg.max is not None else 1e9
            margin = min(6.0, (hi - lo) / 4) if hi < 1e8 and lo > -1e8 else 6.0
            if v < lo + margin:
                ang[m] = lo + margin
            elif v > hi - margin:
                ang[m] = hi - margin
        poses[ph.name] = KeyPose(ang)
    cycle = tuple(getattr(exercise, "cycle", ()) or ()) or script.cycle
    if not all(p in poses for p in cycle):
        cycle = script.cycle
    phases = getattr(exercise, "phases", ())
    holds = {p.name: float(p.hold_s) for p in phases if p.hold_s and p.name in poses}
    holds = holds or dict(script.holds)
    hold_phase = script.hold_phase if script.hold_phase in holds else next(iter(holds), None)
    hold_s = holds.get(hold_phase, 0.0) if hold_phase else 0.0
    return replace(script, poses=poses, cycle=cycle, start=cycle[0], hold_phase=hold_phase,
                   hold_s=hold_s, holds=holds)  # fmt: skip


# --- movements outside the library ----------------------------------------------------------
# Negatives for recognition (``bench/recognition.py``): common floor and standing exercises
# that share a posture or a movement with a library exercise. They have no definition in
# poses/, so their key poses are written here; ``posecheck render plank`` draws them.

OTHER_POSTURES: dict[str, Posture] = {
    # forearm plank: the body off the floor on the forearms and the toes
    "plank": Posture(
        (
            ("left_elbow", 0.02),
            ("right_elbow", 0.02),
            ("left_foot_index", 0.0),
            ("right_foot_index", 0.0),
        ),
        0.0,
        "left_elbow",
        flat_feet=False,
        com_margin=10.0,
    ),  # fmt: skip
    # side plank: on the left side, on the straight left arm and the side of the left foot
    "side_plank": Posture(
        (("left_wrist", 0.02), ("left_ankle", 0.026)),
        0.0,
        "left_ankle",
        flat_feet=False,
        com_margin=10.0,
        roll_deg=-90.0,
    ),  # fmt: skip
    # lying on the belly, the arms and legs free to lift (superman)
    "prone_free": Posture((("hip_mid", 0.060),), 0.0, "hip_mid", flat_feet=False),
    # lying on the back, the shoulders free to lift (crunch): the trunk direction is given
    "supine_curl": Posture((("hip_mid", 0.058),), 180.0, "hip_mid"),
    # sitting on a chair, one ankle crossed over the other knee (figure four): a foot whose
    # leg is turned out that far rests on the other knee, not on the floor
    "seated_cross": replace(
        POSTURES["seated"],
        lifted_if={
            f"{sd}_{p}": ("leg_roll", 20.0)
            for sd in ("left", "right")
            for p in ("heel", "foot_index")
        },
    ),  # fmt: skip
    # a lunge: the front foot flat, the back foot on its toes
    "split_stance": Posture(
        (("left_heel", 0.0), ("left_foot_index", 0.0), ("right_foot_index", 0.0)),
        90.0,
        "left_ankle",
        flat_feet=False,
        com_margin=10.0,
    ),  # fmt: skip
}
POSTURES.update(OTHER_POSTURES)

_STAND: dict[str, float] = {
    "hip": 180, "knee": 178, "ankle": 88, "shoulder": 10, "elbow": 170, "head": 0,
}  # fmt: skip

OTHER_SCRIPTS: dict[str, Script] = {
    s.exercise: s
    for s in (
        _s(
            "plank",
            "plank",
            "side",
            {"hip": 180, "knee": 178, "ankle": 100, "shoulder": 85, "elbow": 95, "head": -5},
            {"hold": {}, "settle": {"hip": 172, "head": 5}},
            ("hold", "settle", "hold"),
            {"hold": 3.0, "settle": 3.0},
            _FRAME,
            move_s=1.5,
            reps=1,
        ),
        _s(
            "side-plank",
            "side_plank",
            "side",
            # arms out to the sides (the roll turns them down to the floor and up): the
            # lower one carries the body, the upper one reaches to the ceiling
            {
                "hip": 180,
                "knee": 178,
                "ankle": 100,
                "shoulder": 90,
                "elbow": 178,
                "arm_roll": -90,
                "head": 0,
            },  # fmt: skip
            {"hold": {}, "settle": {"hip": 168, "head": 8}},
            ("hold", "settle", "hold"),
            {"hold": 3.0, "settle": 3.0},
            _FRAME,
            move_s=1.5,
            reps=1,
        ),
        _s(
            "crunch",
            "supine_curl",
            "side",
            {**_HOOK, "shoulder": 150, "elbow": 40, "arms_floor": 0.0, "trunk": 180},
            {"down": {}, "up": {"hip": 92, "trunk": 147, "spine": 0.08, "head": 35}},
            ("down", "up", "down"),
            {"up": 0.6},
            _FRAME,
            move_s=0.9,
            rest_s=0.3,
            reps=4,
        ),
        _s(
            "squat",
            "standing",
            "side",
            _STAND,
            {"up": {}, "down": {"hip": 80, "knee": 75, "ankle": 62, "shoulder": 80, "elbow": 175}},
            ("up", "down", "up"),
            {"down": 0.5},
            _FRAME,
            move_s=1.2,
            rest_s=0.4,
            reps=3,
        ),
        _s(
            "lunge",
            "split_stance",
            "side",
            {**_STAND, "hip": 160, "other_hip": 195, "other_ankle": 120},
            {"up": {}, "down": {"hip": 100, "knee": 92, "other_hip": 185, "other_knee": 95}},
            ("up", "down", "up"),
            {"down": 0.8},
            _FRAME,
            move_s=1.3,
            rest_s=0.4,
            reps=3,
            symmetric=False,
        ),
        # a pelvic tilt on all fours: the pelvis tucks under and the lower back rounds a
        # little, the head and shoulders stay where they are (not a cat-camel)
        _s(
            "quadruped-tilt",
            "all_fours",
            "side",
            _ALL4,
            {"neutral": {}, "tilt": {"spine": 0.07, "hip": 97}},
            ("neutral", "tilt", "neutral"),
            {"tilt": 2.0},
            _FRAME,
            move_s=1.2,
            rest_s=0.8,
            reps=3,
        ),
        # a figure-four stretch on a chair: one ankle over the other knee, then a lean
        # forward from the hips, held (not a seated spinal twist: the trunk does not turn)
        _s(
            "seated-figure-four",
            "seated_cross",
            "side",
            {"hip": 95, "knee": 95, "ankle": 95, "shoulder": 10, "elbow": 160, "head": 0},
            {
                "upright": {"hip": 75, "knee": 85, "leg_roll": 70},
                "lean": {
                    "hip": 50,
                    "knee": 95,
                    "leg_roll": 50,
                    "other_hip": 62,
                    "spine": 0.04,
                    "shoulder": 30,
                },
            },  # fmt: skip
            ("upright", "lean", "upright"),
            {"lean": 6.0},
            _FRAME,
            move_s=2.0,
            symmetric=False,
            reps=1,
        ),
        _s(
            "superman",
            "prone_free",
            "side",
            {
                "hip": 180,
                "knee": 178,
                "ankle": 150,
                "shoulder": 170,
                "elbow": 176,
                "head": -10,
                "trunk": 0,
            },  # fmt: skip
            {"down": {}, "up": {"hip": 204, "trunk": 12, "head": -25, "spine": -0.05}},
            ("down", "up", "down"),
            {"up": 2.0},
            _FRAME,
            move_s=1.4,
        ),
    )
}


def any_script(name: str) -> Script | None:
    """The script of a library exercise or of a movement outside the library, or None."""
    return SCRIPTS.get(name) or OTHER_SCRIPTS.get(name)
