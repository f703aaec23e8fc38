"""A kinematic human body posed by the named angles of :mod:`posecheck.angles`.

Pure numpy. The body lives in a world frame in metres: ``X`` along the mat,
``Y`` up (the floor is ``Y = 0``), ``Z`` sideways. The movement is in the
sagittal (X-Y) plane; the body's right side is always ``+Z`` (so a camera on
``+Z`` sees the right side), the left side ``-Z``. Limbs may roll out of the
plane (twists, a knee falling to the side).

Joint parameters use the conventions of the named measures, so a pose asked for
with ``hip=175`` measures 175 degrees on the true points:

- ``trunk`` (deg): direction from the hip centre to the shoulder centre,
  counter-clockwise from +X (90 = upright, 180 = lying with the head at -X).
  Usually solved from the floor contacts, not given.
- ``hip``: inner shoulder-hip-knee angle, 180 = thigh in line with the trunk;
  values above 180 mean hyperextension (thigh behind the trunk line).
- ``knee``: inner hip-knee-ankle angle, 180 = straight.
- ``ankle``: inner knee-ankle-toe angle, 90-110 = foot at a right angle.
- ``shoulder``: inner hip-shoulder-elbow angle, 0 = arm along the trunk,
  90 = arm forward, 180 = overhead.
- ``elbow``: inner shoulder-elbow-wrist angle, 180 = straight.
- ``head``: head flexion against the trunk line (deg, + = chin to chest).
- ``spine``: back rounding as the bulge of the spine curve over its chord, as a
  fraction of trunk length (+ = rounded / cat, - = arched / camel).
- ``leg_roll`` / ``arm_roll``: rotation of a whole limb about the trunk axis
  through its root joint (deg, + towards +Z).
- ``leg_cross``: 0-1, how far the ankle goes from where the angles put it to a figure
  four's: resting across the other thigh just above its knee, this knee bent out to
  the side (the hip and knee angles then follow from the legs' lengths).

Segment lengths are fractions of standing height from Winter's anthropometric
table: D. A. Winter, *Biomechanics and Motor Control of Human Movement*, 4th ed.
(Wiley, 2009), Fig. 4.1 (after Drillis & Contini 1966). Widths and depths not
in that table (chest depth, limb radii) are typical adult values chosen to look
right, marked "approx." below.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field, replace

import numpy as np

from posecheck.pose import LANDMARK_INDEX, NUM_LANDMARKS

SIDES = ("left", "right")
LATERAL = {"left": -1.0, "right": 1.0}  # the body's right side is +Z


@dataclass(frozen=True)
class Anthropometry:
    """Segment lengths (m) of one body, from height and build.

    ``build`` scales widths and limb girths (1.0 average, 0.85 slim, 1.2 broad);
    lengths follow Winter's fractions of ``height_m``.
    """

    height_m: float = 1.72
    build: float = 1.0

    # --- lengths, Winter (2009) Fig. 4.1, as fractions of height ---
    @property
    def head_h(self) -> float:  # vertex to chin: 1.000 - 0.870
        return 0.130 * self.height_m

    @property
    def neck(self) -> float:  # chin (0.870) to shoulder (0.818)
        return 0.052 * self.height_m

    @property
    def trunk(self) -> float:  # shoulder (0.818) to greater trochanter (0.530)
        return 0.288 * self.height_m

    @property
    def upper_arm(self) -> float:  # shoulder 0.818 to elbow 0.630
        return 0.186 * self.height_m

    @property
    def forearm(self) -> float:  # elbow 0.630 to wrist 0.485
        return 0.146 * self.height_m

    @property
    def hand(self) -> float:  # wrist to fingertip
        return 0.108 * self.height_m

    @property
    def thigh(self) -> float:  # greater trochanter 0.530 to knee 0.285
        return 0.245 * self.height_m

    @property
    def shank(self) -> float:  # knee 0.285 to ankle 0.039
        return 0.246 * self.height_m

    @property
    def foot(self) -> float:  # foot length
        return 0.152 * self.height_m

    @property
    def ankle_h(self) -> float:  # ankle height over the sole
        return 0.039 * self.height_m

    @property
    def shoulder_half(self) -> float:  # shoulder joint centres, inside the 0.259 biacromial width
        return 0.105 * self.height_m * self.build

    @property
    def hip_half(self) -> float:  # hip landmarks, about half the 0.191 hip width
        return 0.085 * self.height_m * self.build

    # --- girths (approx.) ---
    @property
    def head_d(self) -> float:  # head length front to back (approx. 0.20 m)
        return 0.113 * self.height_m

    @property
    def head_w(self) -> float:  # head breadth (approx. 0.15 m)
        return 0.088 * self.height_m

    @property
    def chest_d(self) -> float:  # half depth of the chest (approx.)
        return 0.062 * self.height_m * self.build

    @property
    def chest_w(self) -> float:  # half width of the chest (Winter: chest width 0.174)
        return 0.090 * self.height_m * self.build

    @property
    def pelvis_d(self) -> float:  # half depth at the hips (approx.)
        return 0.060 * self.height_m * self.build

    @property
    def waist_d(self) -> float:  # half depth at the waist (approx.)
        return 0.052 * self.height_m * self.build

    def limb_radius(self, where: str) -> float:
        """Approximate limb radius (m) at a joint, scaled by build."""
        f = {
            "hip": 0.050, "knee": 0.031, "calf": 0.033, "ankle": 0.019,
            "shoulder": 0.030, "elbow": 0.021, "wrist": 0.017, "neck": 0.030,
        }[where]  # fmt: skip
        return f * self.height_m * self.build


@dataclass(frozen=True)
class LimbAngles:
    hip: float = 180.0
    knee: float = 180.0
    ankle: float = 95.0
    shoulder: float = 10.0
    elbow: float = 170.0
    leg_roll: float = 0.0
    arm_roll: float = 0.0
    leg_cross: float = 0.0


@dataclass(frozen=True)
class BodyPose:
    """Joint angles of both sides plus trunk, head and spine shape (see module doc)."""

    left: LimbAngles = field(default_factory=LimbAngles)
    right: LimbAngles = field(default_factory=LimbAngles)
    trunk: float = 90.0
    head: float = 0.0
    spine: float = 0.0
    lumbar: float = 0.0  # extra lower-back arch (+) or flattening (-), fraction of trunk
    twist: float = 0.0  # shoulder girdle rotation about the trunk axis (deg)

    def side(self, s: str) -> LimbAngles:
        return self.left if s == "left" else self.right

    def with_side(self, s: str, **kw: float) -> BodyPose:
        limb = replace(self.side(s), **kw)
        return replace(self, left=limb) if s == "left" else replace(self, right=limb)


def blend(a: BodyPose, b: BodyPose, w: float) -> BodyPose:
    """Linear blend of every angle, ``w`` = 0 gives ``a``, 1 gives ``b``."""

    def mix(x: float, y: float) -> float:
        return x + (y - x) * w

    def limb(p: LimbAngles, q: LimbAngles) -> LimbAngles:
        return LimbAngles(
            *(mix(getattr(p, f), getattr(q, f)) for f in LimbAngles.__dataclass_fields__)
        )

    return BodyPose(
        left=limb(a.left, b.left), right=limb(a.right, b.right),
        trunk=mix(a.trunk, b.trunk), head=mix(a.head, b.head), spine=mix(a.spine, b.spine),
        lumbar=mix(a.lumbar, b.lumbar), twist=mix(a.twist, b.twist),
    )  # fmt: skip


def _dir(deg: float) -> np.ndarray:
    r = math.radians(deg)
    return np.array([math.cos(r), math.sin(r), 0.0])


def _rot_axis(v: np.ndarray, axis: np.ndarray, deg: float) -> np.ndarray:
    """Rodrigues rotation of vectors ``v`` (..., 3) about unit ``axis``."""
    if deg == 0.0:
        return v
    k = axis / np.linalg.norm(axis)
    t = math.radians(deg)
    c, s = math.cos(t), math.sin(t)
    return v * c + np.cross(k, v) * s + np.outer(v @ k, k).reshape(v.shape) * (1 - c)


@dataclass
class Skeleton:
    """World positions (m) of the body's points for one pose.

    ``points``: name -> (3,) for the 33 MediaPipe landmarks plus helper points
    (``hip_mid``, ``shoulder_mid``, ``neck_top``, ``head_center``, ``spine_*``).
    ``frames``: local axes used by the drawing (``trunk_up``, ``front``, ``head_up``,
    ``head_front``).
    """

    points: dict[str, np.ndarray]
    frames: dict[str, np.ndarray]
    body: Anthropometry

    def transformed(self, rot_deg: float, shift: np.ndarray) -> Skeleton:
        """Rotate about Z (in the sagittal plane) by ``rot_deg`` then shift."""
        r = math.radians(rot_deg)
        m = np.array([[math.cos(r), -math.sin(r), 0], [math.sin(r), math.cos(r), 0], [0, 0, 1]])
        pts = {k: m @ v + shift for k, v in self.points.items()}
        frs = {k: m @ v for k, v in self.frames.items()}
        return Skeleton(pts, frs, self.body)

    def rolled(self, roll_deg: float) -> Skeleton:
        """Rotate about X (the body's long axis when lying along the mat) by ``roll_deg``:
        -90 lays a body built face down onto its left side (a side plank)."""
        r = math.radians(roll_deg)
        m = np.array([[1, 0, 0], [0, math.cos(r), -math.sin(r)], [0, math.sin(r), math.cos(r)]])
        pts = {k: m @ v for k, v in self.points.items()}
        frs = {k: m @ v for k, v in self.frames.items()}
        return Skeleton(pts, frs, self.body)

    def landmarks(self) -> np.ndarray:
        """(33, 3) world positions in MediaPipe landmark order."""
        out = np.zeros((NUM_LANDMARKS, 3))
        for name, i in LANDMARK_INDEX.items():
            out[i] = self.points[name]
        return out


# Share of the legs' common roll the pelvis follows: both knees falling to one side
# (a supine twist) turn the pelvis with them, while the shoulders stay flat.
PELVIS_FOLLOW = 0.6


def pelvis_roll(pose: BodyPose) -> float:
    """The pelvis's roll about the trunk axis (deg, + towards +Z): PELVIS_FOLLOW of the
    smaller leg roll when both legs roll the same way, else 0 (one leg rolling out, as
    in a figure four, turns in the hip joint)."""
    rolls = [pose.side(s).leg_roll * LATERAL[s] for s in SIDES]
    if rolls[0] * rolls[1] <= 0:
        return 0.0
    return PELVIS_FOLLOW * math.copysign(min(abs(r) for r in rolls), rolls[0])


def forward_kinematics(pose: BodyPose, body: Anthropometry) -> Skeleton:
    """Place every point of the body with the hip centre at the origin."""
    z = np.array([0.0, 0.0, 1.0])
    t = _dir(pose.trunk)
    front = _dir(pose.trunk - 90.0)  # the chest side
    p: dict[str, np.ndarray] = {}
    hip_mid = np.zeros(3)
    sh_mid = hip_mid + body.trunk * t
    p["hip_mid"], p["shoulder_mid"] = hip_mid, sh_mid
    roll = pelvis_roll(pose)
    pelvis_side = _rot_axis(z[None], t, roll)[0]
    for s in SIDES:
        _place_leg(p, s, pose, body, hip_mid + LATERAL[s] * body.hip_half * pelvis_side, t)
        _place_arm(p, s, pose, body, sh_mid, t)
    for s in SIDES:
        if pose.side(s).leg_cross > 0:
            _cross_leg(p, s, pose.side(s).leg_cross, body, t, front)
    up, hf = _place_head(p, pose, body, sh_mid, t)
    _place_spine(p, pose, body, hip_mid, sh_mid, front)
    # the chest turns with the shoulder girdle (twists): its front and side directions
    chest_front = _rot_axis(front[None], t, pose.twist)[0]
    chest_side = _rot_axis(z[None], t, pose.twist)[0]
    frames = {"trunk_up": t, "front": front, "head_up": up, "head_front": hf,
              "chest_front": chest_front, "chest_side": chest_side,
              "pelvis_front": _rot_axis(front[None], t, roll)[0],
              "pelvis_side": pelvis_side}  # fmt: skip
    return Skeleton(p, frames, body)


def _place_leg(
    p: dict[str, np.ndarray], s: str, pose: BodyPose, body: Anthropometry, hip: np.ndarray,
    t: np.ndarray,
) -> None:  # fmt: skip
    """The hip, knee, ankle, heel and toe of side ``s`` (the leg rolled about the trunk axis)."""
    la = pose.side(s)
    thigh_d = _dir(pose.trunk - la.hip)
    knee = hip + body.thigh * thigh_d
    shank_deg = (pose.trunk - la.hip) + la.knee - 180.0
    ankle = knee + body.shank * _dir(shank_deg)
    foot_deg = shank_deg + 180.0 - la.ankle
    fv, fdown = _dir(foot_deg), _dir(foot_deg - 90.0)
    heel = ankle - 0.22 * body.foot * fv + 0.85 * body.ankle_h * fdown
    toe = ankle + 0.74 * body.foot * fv + 0.85 * body.ankle_h * fdown
    leg = np.stack([knee, ankle, heel, toe]) - hip
    leg = _rot_axis(leg, t, la.leg_roll * LATERAL[s]) + hip
    p[f"{s}_hip"] = hip
    for name, v in zip(("knee", "ankle", "heel", "foot_index"), leg, strict=True):
        p[f"{s}_{name}"] = v


# A figure four's crossed ankle rests on the other thigh this share of the thigh's length
# above its knee, on the side facing the trunk.
CROSS_ABOVE_KNEE = 0.15


def _cross_leg(
    p: dict[str, np.ndarray], s: str, w: float, body: Anthropometry, t: np.ndarray,
    front: np.ndarray,
) -> None:  # fmt: skip
    """Move leg ``s`` a share ``w`` of the way to a figure four (see ``leg_cross``): the
    ankle onto the other thigh, the knee where thigh and shank lengths put it, out to
    the side and towards the chest (two-link inverse kinematics)."""
    o = "right" if s == "left" else "left"
    hip, o_hip, o_knee = p[f"{s}_hip"], p[f"{o}_hip"], p[f"{o}_knee"]
    u = (o_knee - o_hip) / np.linalg.norm(o_knee - o_hip)
    towards_trunk = t - (t @ u) * u
    n = towards_trunk / (np.linalg.norm(towards_trunk) or 1.0)
    gap = body.limb_radius("knee") + body.limb_radius("ankle")
    target = o_knee - CROSS_ABOVE_KNEE * body.thigh * u + gap * n
    l1, l2 = body.thigh, body.shank
    d_vec = target - hip
    if not np.linalg.norm(d_vec):  # the target on the hip itself: nothing to solve
        return
    d = min(float(np.linalg.norm(d_vec)), 0.999 * (l1 + l2))
    e = d_vec / np.linalg.norm(d_vec)
    target = hip + d * e
    a = (l1 * l1 - l2 * l2 + d * d) / (2 * d)
    r = math.sqrt(max(l1 * l1 - a * a, 0.0))
    pole = LATERAL[s] * np.array([0.0, 0.0, 1.0]) + front  # out to the side, up
    pole = pole - (pole @ e) * e
    knee = hip + a * e + r * pole / (np.linalg.norm(pole) or 1.0)
    shift = target - p[f"{s}_ankle"]
    new = {"knee": knee, "ankle": target, "heel": p[f"{s}_heel"] + shift,
           "foot_index": p[f"{s}_foot_index"] + shift}  # fmt: skip
    for part, v in new.items():
        p[f"{s}_{part}"] = p[f"{s}_{part}"] + w * (v - p[f"{s}_{part}"])


def _place_arm(
    p: dict[str, np.ndarray], s: str, pose: BodyPose, body: Anthropometry, sh_mid: np.ndarray,
    t: np.ndarray,
) -> None:  # fmt: skip
    """The shoulder (turned by the twist), elbow, wrist and hand points of side ``s``."""
    z = np.array([0.0, 0.0, 1.0])
    la = pose.side(s)
    lat = LATERAL[s]
    sh = sh_mid + lat * body.shoulder_half * z
    sh = _rot_axis((sh - sh_mid)[None], t, pose.twist)[0] + sh_mid
    ua_deg = pose.trunk + 180.0 + la.shoulder
    elbow = sh + body.upper_arm * _dir(ua_deg)
    fa_deg = ua_deg + (180.0 - la.elbow)
    wrist = elbow + body.forearm * _dir(fa_deg)
    hv = _dir(fa_deg)
    palm = _dir(fa_deg - 90.0)  # towards the palm side for a hanging arm
    hw = 0.022 * body.height_m
    pinky = wrist + 0.42 * body.hand * hv + lat * hw * z + 0.2 * hw * palm
    index = wrist + 0.46 * body.hand * hv - lat * hw * 0.6 * z + 0.2 * hw * palm
    thumb = wrist + 0.25 * body.hand * hv - lat * hw * 1.1 * z + 0.6 * hw * palm
    arm = np.stack([elbow, wrist, pinky, index, thumb]) - sh
    arm = _rot_axis(arm, t, la.arm_roll * lat) + sh
    p[f"{s}_shoulder"] = sh
    for name, v in zip(("elbow", "wrist", "pinky", "index", "thumb"), arm, strict=True):
        p[f"{s}_{name}"] = v


def _place_head(
    p: dict[str, np.ndarray], pose: BodyPose, body: Anthropometry, sh_mid: np.ndarray,
    t: np.ndarray,
) -> tuple[np.ndarray, np.ndarray]:  # fmt: skip
    """Neck, head centre and face points; returns the head's up and front directions."""
    z = np.array([0.0, 0.0, 1.0])
    neck_d = _dir(pose.trunk - 0.5 * pose.head)
    neck_base = sh_mid + 0.01 * body.height_m * t
    neck_top = neck_base + body.neck * neck_d
    up = _dir(pose.trunk - pose.head)
    hf = _dir(pose.trunk - pose.head - 90.0)
    center = neck_top + 0.42 * body.head_h * up + 0.12 * body.head_d * hf
    p["neck_top"], p["head_center"] = neck_top, center
    D, H, W = body.head_d, body.head_h, body.head_w

    def head_pt(fwd: float, upw: float, lateral: float) -> np.ndarray:
        return center + fwd * D * hf + upw * H * up + lateral * W * z

    p["nose"] = head_pt(0.56, -0.06, 0.0)
    for s in SIDES:
        lat = LATERAL[s]
        p[f"{s}_eye_inner"] = head_pt(0.44, 0.10, 0.16 * lat)
        p[f"{s}_eye"] = head_pt(0.42, 0.10, 0.27 * lat)
        p[f"{s}_eye_outer"] = head_pt(0.38, 0.10, 0.38 * lat)
        p[f"{s}_ear"] = head_pt(-0.06, 0.02, 0.50 * lat)
        p[f"mouth_{s}"] = head_pt(0.45, -0.27, 0.17 * lat)
    return up, hf


def _place_spine(
    p: dict[str, np.ndarray], pose: BodyPose, body: Anthropometry, hip_mid: np.ndarray,
    sh_mid: np.ndarray, front: np.ndarray,
) -> None:  # fmt: skip
    """The spine curve, for drawing only: the landmarks stay on the chord."""
    for i, u in enumerate(np.linspace(0.0, 1.0, 9)):
        bulge = 4.0 * u * (1 - u) * pose.spine * body.trunk
        # lumbar arch: a bump low on the back, towards the front (lordosis)
        lum = math.sin(math.pi * min(u / 0.55, 1.0)) * pose.lumbar * body.trunk if u < 0.55 else 0.0
        p[f"spine_{i}"] = hip_mid + u * (sh_mid - hip_mid) - bulge * front + lum * front


# --- resting on the floor -----------------------------------------------------------

Support = tuple[str, float]  # point name, height (m) of that point above the floor at rest


def rest_on_floor(
    skel: Skeleton,
    supports: list[Support],
    prefer_deg: float = 0.0,
    tol: float = 0.01,
    com_margin: float = 0.12,
) -> tuple[Skeleton, float]:
    """Rotate the body in its plane and lift it so it rests on the floor.

    Every pair of support points defines a rotation that puts both at their rest
    heights; the valid one (no other support below its height) closest to
    ``prefer_deg`` extra rotation wins. Returns the placed skeleton and the
    rotation used (deg). With one support, the body is only lifted.
    """
    pts = {n: skel.points[n] for n, _ in supports}
    h = dict(supports)
    cands: list[float] = [prefer_deg]
    names = list(pts)
    for i in range(len(names)):
        for j in range(i + 1, len(names)):
            a, b = names[i], names[j]
            d = pts[b][:2] - pts[a][:2]
            L = float(np.hypot(*d))
            if L < 1e-6:
                continue
            s = (h[b] - h[a]) / L
            if abs(s) > 1:
                continue
            phi = math.asin(s)
            cur = math.atan2(d[1], d[0])
            for target in (phi, math.pi - phi):
                rot = math.degrees(target - cur)
                rot = (rot + 180.0) % 360.0 - 180.0
                cands.append(rot)

    def place(rot: float) -> tuple[Skeleton, float]:
        r = math.radians(rot)
        c, s_ = math.cos(r), math.sin(r)
        lift = max(h[n] - (s_ * pts[n][0] + c * pts[n][1]) for n in names)
        placed = skel.transformed(rot, np.array([0.0, lift, 0.0]))
        pen = sum(max(0.0, h[n] - placed.points[n][1]) for n in names)
        return placed, pen

    best: tuple[float, float, Skeleton, float] | None = None
    for rot in cands:
        placed, pen = place(rot)
        # the lift makes every support at or above its height; a valid rest has
        # two supports touching, i.e. the pair solution: prefer small rotations.
        dist = abs(((rot - prefer_deg) + 180.0) % 360.0 - 180.0)
        touch_x = [placed.points[n][0] for n in names if abs(placed.points[n][1] - h[n]) < tol]
        # stable: two supports touch and the centre of mass lies between them
        q = placed.points
        com = (
            0.5 * q["hip_mid"][0]
            + 0.3 * q["shoulder_mid"][0]
            + 0.1 * (q["left_knee"][0] + q["right_knee"][0])
        )
        # (two touching points side by side, left and right heel, are not a base)
        stable = (
            len(touch_x) >= min(2, len(names))
            and (min(touch_x) - com_margin <= com <= max(touch_x) + com_margin)
            and (len(names) < 2 or max(touch_x) - min(touch_x) > 0.03)
        )
        key = (0.0 if stable else 1.0) + pen + (2.0 if dist > 100.0 else 0.0), dist
        if best is None or key < (best[0], best[1]):
            best = (key[0], key[1], placed, rot)
    assert best is not None
    return best[2], best[3]
