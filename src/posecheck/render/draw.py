"""Draw the posed body, a mat, a floor and a wall with OpenCV (anti-aliased, shaded).

The look is tuned so MediaPipe's person detector finds the figure: a clear head
with a profile face (eye, brow, nose, mouth, ear, hair), limbs with cylinder
shading and an outline, clothing that contrasts with the floor and the mat.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial

import cv2
import numpy as np

from posecheck.render.body import LATERAL, SIDES, Anthropometry, Skeleton

_SHIFT = 4  # fixed-point bits for sub-pixel drawing
_ONE = 1 << _SHIFT
_LIGHT = np.array([-0.45, -0.89])  # light from the upper left, in image coordinates


@dataclass(frozen=True)
class Camera:
    """Orthographic camera: yaw about the vertical, a small downward pitch, a scale.

    ``yaw_deg`` = 0 looks from +Z (sees the body's right side); 180 looks from -Z
    (the left side); 90 from +X (front of a standing figure facing +X).
    ``origin_px`` is where the world origin (on the floor) lands in the image.
    """

    yaw_deg: float
    pitch_deg: float
    scale_px_per_m: float
    origin_px: tuple[float, float]

    def _axes(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        y, p = math.radians(self.yaw_deg), math.radians(self.pitch_deg)
        right = np.array([math.cos(y), 0.0, -math.sin(y)])
        toward = np.array([math.sin(y), 0.0, math.cos(y)])
        up = np.array([0.0, 1.0, 0.0])
        v_axis = up * math.cos(p) - toward * math.sin(p)
        d_axis = toward * math.cos(p) + up * math.sin(p)
        return right, v_axis, d_axis

    def project(self, pts: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """World points (..., 3) -> image pixels (..., 2) and depth (towards the camera)."""
        right, v_axis, d_axis = self._axes()
        pts = np.asarray(pts, dtype=float)
        x = self.origin_px[0] + self.scale_px_per_m * (pts @ right)
        y = self.origin_px[1] - self.scale_px_per_m * (pts @ v_axis)
        return np.stack([x, y], axis=-1), pts @ d_axis

    def camera_world(self, pts: np.ndarray, origin: np.ndarray) -> np.ndarray:
        """World points (..., 3) in the axes of MediaPipe's world landmarks: metres from
        ``origin`` (the mid-hip), x image right, y image down, z away from the camera."""
        right, v_axis, d_axis = self._axes()
        rel = np.asarray(pts, dtype=float) - np.asarray(origin, dtype=float)
        return np.stack([rel @ right, -(rel @ v_axis), -(rel @ d_axis)], axis=-1)

    def project_dir(self, v: np.ndarray) -> np.ndarray:
        """A world direction -> image direction (pixels per metre), no translation."""
        right, v_axis, _ = self._axes()
        return self.scale_px_per_m * np.array([v @ right, -(v @ v_axis)])


@dataclass(frozen=True)
class Style:
    """Colours (BGR) and scene choices; varied per seed."""

    skin: tuple[int, int, int] = (150, 180, 225)
    hair: tuple[int, int, int] = (30, 40, 60)
    shirt: tuple[int, int, int] = (160, 90, 40)
    trousers: tuple[int, int, int] = (60, 50, 45)
    shoes: tuple[int, int, int] = (50, 50, 55)
    wall_top: tuple[int, int, int] = (215, 220, 225)
    wall_bottom: tuple[int, int, int] = (180, 190, 200)
    floor: tuple[int, int, int] = (95, 135, 170)
    mat: tuple[int, int, int] = (140, 110, 60)
    long_sleeves: bool = False
    mat_shown: bool = True


SKINS = [(150, 180, 225), (120, 160, 210), (95, 135, 185), (70, 100, 150), (55, 75, 115)]
HAIRS = [(30, 40, 60), (20, 25, 30), (40, 80, 130), (60, 60, 70), (25, 50, 90)]
SHIRTS = [(160, 90, 40), (60, 60, 170), (70, 140, 60), (130, 130, 130), (50, 110, 200),
          (150, 60, 120), (40, 40, 40), (200, 170, 90)]  # fmt: skip
TROUSERS = [(60, 50, 45), (40, 40, 40), (110, 70, 40), (90, 90, 100), (50, 60, 110)]
WALLS = [((215, 220, 225), (180, 190, 200)), ((200, 225, 235), (170, 195, 210)),
         ((225, 215, 205), (190, 180, 170)), ((190, 205, 190), (160, 175, 160))]  # fmt: skip
FLOORS = [(95, 135, 170), (70, 100, 130), (150, 160, 165), (110, 125, 140)]
SHOES = [(235, 235, 235), (50, 50, 55), (60, 60, 150), (90, 90, 90), (200, 200, 210)]
MATS = [(140, 110, 60), (80, 80, 170), (120, 150, 70), (160, 120, 150), (60, 70, 80)]


def random_style(rng: np.random.Generator) -> Style:
    """A seeded choice of skin, hair, clothing and room colours."""

    def pick(seq):  # noqa: ANN001, ANN202 - local helper
        return seq[int(rng.integers(len(seq)))]

    wall = pick(WALLS)
    return Style(
        skin=pick(SKINS), hair=pick(HAIRS), shirt=pick(SHIRTS), trousers=pick(TROUSERS),
        wall_top=wall[0], wall_bottom=wall[1], floor=pick(FLOORS), mat=pick(MATS),
        shoes=pick(SHOES),
        long_sleeves=bool(rng.random() < 0.4),
    )  # fmt: skip


def _shade(color: tuple[int, int, int], f: float) -> tuple[int, int, int]:
    c = np.clip(np.array(color, dtype=float) * f + (f - 1.0) * 25.0 * (f > 1), 0, 255)
    return (int(c[0]), int(c[1]), int(c[2]))


def _fp(pts: np.ndarray) -> np.ndarray:
    return np.round(np.asarray(pts) * _ONE).astype(np.int32)


def _capsule_poly(
    p0: np.ndarray, p1: np.ndarray, r0: float, r1: float, n_arc: int = 9
) -> np.ndarray:
    d = p1 - p0
    L = float(np.hypot(*d))
    d = np.array([1.0, 0.0]) if L < 1e-6 else d / L
    a = math.atan2(d[1], d[0])
    arc1 = [
        p1 + r1 * np.array([math.cos(t), math.sin(t)])
        for t in np.linspace(a - math.pi / 2, a + math.pi / 2, n_arc)
    ]
    arc0 = [
        p0 + r0 * np.array([math.cos(t), math.sin(t)])
        for t in np.linspace(a + math.pi / 2, a + 3 * math.pi / 2, n_arc)
    ]
    return np.array(arc1 + arc0)


def shaded_capsule(
    img: np.ndarray,
    p0: np.ndarray,
    p1: np.ndarray,
    r0: float,
    r1: float,
    color: tuple[int, int, int],
) -> None:
    """A limb: dark outline, base colour, then lighter inner bands towards the light."""
    d = p1 - p0
    L = float(np.hypot(*d)) or 1.0
    n = np.array([-d[1], d[0]]) / L
    side = float(np.sign(n @ _LIGHT) or 1.0)
    cv2.fillPoly(
        img,
        [_fp(_capsule_poly(p0, p1, r0 + 1.2, r1 + 1.2))],
        _shade(color, 0.45),
        cv2.LINE_AA,
        _SHIFT,
    )
    cv2.fillPoly(
        img, [_fp(_capsule_poly(p0, p1, r0, r1))], _shade(color, 0.78), cv2.LINE_AA, _SHIFT
    )
    for k, (frac, f) in enumerate(((0.78, 0.95), (0.55, 1.08), (0.3, 1.2))):
        off = side * n * (1 - frac) * 0.8 * (k + 1) / 3
        cv2.fillPoly(img, [_fp(_capsule_poly(p0 + off * r0, p1 + off * r1, r0 * frac, r1 * frac))],
                     _shade(color, f), cv2.LINE_AA, _SHIFT)  # fmt: skip


def _shaded_band(
    img: np.ndarray,
    center: np.ndarray,
    half: np.ndarray,
    normal: np.ndarray,
    color: tuple[int, int, int],
) -> None:
    """A variable-width band along a polyline (the torso), shaded like a capsule."""
    side = float(np.sign(np.mean(normal, axis=0) @ _LIGHT) or 1.0)

    def poly(scale: float, shift: float, grow: float = 0.0) -> np.ndarray:
        h = (half * scale + grow)[:, None]
        c = center + side * normal * (half * shift)[:, None]
        left, right = c + normal * h, c - normal * h
        # round ends: arcs around the first and last points
        cap_hi = _capsule_poly(c[-2], c[-1], h[-1, 0], h[-1, 0])[:9]
        cap_lo = _capsule_poly(c[1], c[0], h[0, 0], h[0, 0])[:9]
        return np.concatenate([right, cap_hi, left[::-1], cap_lo])

    cv2.fillPoly(img, [_fp(poly(1.0, 0.0, 1.3))], _shade(color, 0.45), cv2.LINE_AA, _SHIFT)
    cv2.fillPoly(img, [_fp(poly(1.0, 0.0))], _shade(color, 0.78), cv2.LINE_AA, _SHIFT)
    for k, (frac, f) in enumerate(((0.8, 0.95), (0.58, 1.08), (0.32, 1.18))):
        cv2.fillPoly(img, [_fp(poly(frac, (1 - frac) * 0.8 * (k + 1) / 3))], _shade(color, f),
                     cv2.LINE_AA, _SHIFT)  # fmt: skip


class Scene:
    """A room (wall, floor, mat, optional chair) and the figure drawn into it."""

    def __init__(
        self,
        size: tuple[int, int],
        cam: Camera,
        style: Style,
        mat_x: tuple[float, float],
        chair: tuple[float, float, float] | None = None,
    ) -> None:
        self.w, self.h = size
        self.cam = cam
        self.style = style
        self.background = self._background(mat_x, chair)

    # --- the room ---------------------------------------------------------------------
    def _background(
        self, mat_x: tuple[float, float], chair: tuple[float, float, float] | None
    ) -> np.ndarray:
        w, h, st, cam = self.w, self.h, self.style, self.cam
        img = np.zeros((h, w, 3), np.uint8)
        wall_base = cam.project(np.array([[0.0, 0.0, 0.0]]))[0][0][1]
        # the wall stands 2.5 m behind the body, away from the camera
        _, _, d_axis = cam._axes()
        back = (
            -2.5 * np.array([d_axis[0], 0.0, d_axis[2]]) / max(1e-6, np.hypot(d_axis[0], d_axis[2]))
        )
        wall_base = float(cam.project(back[None])[0][0][1])
        yb = int(np.clip(wall_base, 0, h))
        ramp = np.linspace(0, 1, max(yb, 1))[:, None]
        top, bot = np.array(st.wall_top, float), np.array(st.wall_bottom, float)
        img[:yb] = (top + (bot - top) * ramp)[:, None, :].astype(np.uint8)
        if yb < h:
            ramp = np.linspace(0, 1, h - yb)[:, None]
            fl = np.array(st.floor, float)
            img[yb:] = (fl * (0.8 + 0.35 * ramp))[:, None, :].clip(0, 255).astype(np.uint8)
            # floor boards: lines parallel to the wall, closer together far away
            for k in range(1, 40):
                y = yb + (h - yb) * (k / 40) ** 1.3 * 1.0
                cv2.line(img, (0, int(y)), (w, int(y)), _shade(st.floor, 0.85), 1, cv2.LINE_AA)
            cv2.rectangle(img, (0, yb - max(3, h // 60)), (w, yb), _shade(st.wall_bottom, 0.8), -1)
        if st.mat_shown:
            x0, x1 = mat_x
            corners = np.array([[x0, 0, -0.45], [x1, 0, -0.45], [x1, 0, 0.45], [x0, 0, 0.45]])
            pts, _ = cam.project(corners)
            cv2.fillPoly(img, [_fp(pts)], st.mat, cv2.LINE_AA, _SHIFT)
            # the mat's thickness shows as a darker strip on its near edge
            near = np.array([[x0, 0, 0.45], [x1, 0, 0.45], [x0, 0, -0.45], [x1, 0, -0.45]])
            npts, dep = cam.project(near)
            i = 0 if dep[0] > dep[2] else 2
            a, b = npts[i], npts[i + 1]
            strip = np.array([a, b, b + [0, 4], a + [0, 4]])
            cv2.fillPoly(img, [_fp(strip)], _shade(st.mat, 0.6), cv2.LINE_AA, _SHIFT)
        if chair is not None:
            self._chair(img, *chair)
        return cv2.GaussianBlur(img, (3, 3), 0)

    def _chair(self, img: np.ndarray, x_front: float, seat_h: float, fwd: float) -> None:
        cam = self.cam
        wood = (40, 70, 110)
        x_back = x_front - 0.42 * fwd
        seat = np.array([[x_back, seat_h, -0.22], [x_front, seat_h, -0.22],
                         [x_front, seat_h, 0.22], [x_back, seat_h, 0.22]])  # fmt: skip
        for x in (x_back + 0.03 * fwd, x_front - 0.03 * fwd):
            for z in (-0.19, 0.19):
                a, _ = cam.project(np.array([[x, 0, z], [x, seat_h, z]]))
                cv2.line(
                    img,
                    tuple(_fp(a[0])),
                    tuple(_fp(a[1])),
                    _shade(wood, 0.8),
                    max(2, int(cam.scale_px_per_m * 0.03)),
                    cv2.LINE_AA,
                    _SHIFT,
                )
        for z in (-0.19, 0.19):
            a, _ = cam.project(
                np.array(
                    [[x_back + 0.02 * fwd, seat_h, z], [x_back - 0.04 * fwd, seat_h + 0.45, z]]
                )
            )
            cv2.line(
                img,
                tuple(_fp(a[0])),
                tuple(_fp(a[1])),
                _shade(wood, 0.8),
                max(2, int(cam.scale_px_per_m * 0.03)),
                cv2.LINE_AA,
                _SHIFT,
            )
        p, _ = cam.project(seat)
        cv2.fillPoly(img, [_fp(p)], wood, cv2.LINE_AA, _SHIFT)
        edge, _ = cam.project(np.array([[x_back, seat_h, 0.22], [x_front, seat_h, 0.22]]))
        cv2.line(
            img,
            tuple(_fp(edge[0])),
            tuple(_fp(edge[1])),
            _shade(wood, 0.6),
            max(2, int(cam.scale_px_per_m * 0.035)),
            cv2.LINE_AA,
            _SHIFT,
        )

    # --- the figure -------------------------------------------------------------------
    def draw(self, skel: Skeleton, shift_px: tuple[float, float] = (0.0, 0.0)) -> np.ndarray:
        """The frame: background plus the figure (``shift_px`` moves the camera: shake)."""
        img = self.background.copy()
        draw_figure(img, skel, self.cam, self.style)
        if shift_px != (0.0, 0.0):
            m = np.array([[1, 0, shift_px[0]], [0, 1, shift_px[1]]], np.float32)
            img = cv2.warpAffine(img, m, (self.w, self.h), borderMode=cv2.BORDER_REFLECT)
        return img


def draw_figure(img: np.ndarray, skel: Skeleton, cam: Camera, style: Style) -> None:
    """Draw the figure's parts far to near (painter's order)."""
    names = list(skel.points)
    xy, dep = cam.project(np.stack([skel.points[n] for n in names]))
    P = dict(zip(names, xy, strict=True))
    Dp = dict(zip(names, dep, strict=True))
    s = cam.scale_px_per_m
    parts: list[tuple[float, Callable[[], None]]] = []
    for sd in SIDES:
        leg_depth = np.mean([Dp[f"{sd}_hip"], Dp[f"{sd}_knee"], Dp[f"{sd}_ankle"]])
        arm_depth = np.mean([Dp[f"{sd}_shoulder"], Dp[f"{sd}_elbow"], Dp[f"{sd}_wrist"]]) + 1e-3
        parts.append((leg_depth, partial(_draw_leg, img, P, sd, skel.body, s, style)))
        parts.append((arm_depth, partial(_draw_arm, img, P, sd, skel.body, s, style)))
    torso_depth = float(np.mean([Dp["hip_mid"], Dp["shoulder_mid"]]))
    parts.append((torso_depth, partial(_draw_torso, img, skel, cam, style)))
    # the head sits on the trunk: drawn just after it
    parts.append((torso_depth + 1e-4, partial(_draw_neck_and_head, img, P, skel, cam, style)))
    for _, fn in sorted(parts, key=lambda x: x[0]):
        fn()


def _draw_leg(
    img: np.ndarray, P: dict[str, np.ndarray], sd: str, b: Anthropometry, s: float, style: Style
) -> None:
    shaded_capsule(
        img,
        P[f"{sd}_hip"],
        P[f"{sd}_knee"],
        b.limb_radius("hip") * s,
        b.limb_radius("knee") * s,
        style.trousers,
    )
    shaded_capsule(
        img,
        P[f"{sd}_knee"],
        P[f"{sd}_ankle"],
        b.limb_radius("knee") * s,
        b.limb_radius("ankle") * s,
        style.trousers,
    )
    shaded_capsule(
        img,
        P[f"{sd}_heel"],
        P[f"{sd}_foot_index"],
        0.021 * b.height_m * s,
        0.015 * b.height_m * s,
        style.shoes,
    )
    shaded_capsule(img, P[f"{sd}_ankle"], P[f"{sd}_heel"],
                   0.019 * b.height_m * s, 0.02 * b.height_m * s, style.shoes)  # fmt: skip


def _draw_arm(
    img: np.ndarray, P: dict[str, np.ndarray], sd: str, b: Anthropometry, s: float, style: Style
) -> None:
    sleeve = style.shirt
    sh, el, wr = P[f"{sd}_shoulder"], P[f"{sd}_elbow"], P[f"{sd}_wrist"]
    r_sh, r_el, r_wr = (b.limb_radius(k) * s for k in ("shoulder", "elbow", "wrist"))
    if style.long_sleeves:
        shaded_capsule(img, sh, el, r_sh, r_el, sleeve)
        shaded_capsule(img, el, wr, r_el, r_wr, sleeve)
    else:
        mid = sh + 0.55 * (el - sh)
        shaded_capsule(img, mid, el, r_sh * 0.85, r_el, style.skin)
        shaded_capsule(img, el, wr, r_el, r_wr, style.skin)
        shaded_capsule(img, sh, mid, r_sh * 1.05, r_sh * 1.0, sleeve)
    tip = (P[f"{sd}_index"] + P[f"{sd}_pinky"]) / 2
    tip = wr + (tip - wr) * 1.5
    shaded_capsule(img, wr, tip, r_wr * 1.15, r_wr * 1.0, style.skin)


def _draw_neck_and_head(
    img: np.ndarray, P: dict[str, np.ndarray], skel: Skeleton, cam: Camera, style: Style
) -> None:
    b, s = skel.body, cam.scale_px_per_m
    sh = P["shoulder_mid"] + 0.25 * (P["neck_top"] - P["shoulder_mid"])
    shaded_capsule(img, sh, P["neck_top"], b.limb_radius("neck") * s,
                   b.limb_radius("neck") * 0.9 * s, style.skin)  # fmt: skip
    _draw_head(img, skel, cam, style)


def _draw_torso(img: np.ndarray, skel: Skeleton, cam: Camera, style: Style) -> None:
    b = skel.body
    spine = np.stack([skel.points[f"spine_{i}"] for i in range(9)])
    c, _ = cam.project(spine)
    u = np.linspace(0, 1, 9)
    depth = np.interp(
        u,
        [0, 0.25, 0.5, 0.8, 1.0],
        [b.pelvis_d, b.waist_d * 1.02, b.waist_d, b.chest_d, b.chest_d * 0.9],
    )
    width = np.interp(
        u,
        [0, 0.25, 0.5, 0.8, 1.0],
        [
            b.hip_half * 1.55,
            b.chest_w * 1.08,
            b.chest_w * 1.02,
            b.chest_w * 1.04,
            b.shoulder_half * 1.2,
        ],  # fmt: skip
    )
    tang = np.gradient(c, axis=0)
    tang /= np.linalg.norm(tang, axis=1, keepdims=True) + 1e-9
    normal = np.stack([-tang[:, 1], tang[:, 0]], axis=1)
    # cross-section axes turn from the pelvis to the chest (twists): blend along the spine
    k = np.clip((u - 0.3) / 0.6, 0, 1)[:, None]
    f3 = (1 - k) * skel.frames["pelvis_front"] + k * skel.frames["chest_front"]
    z3 = (1 - k) * skel.frames["pelvis_side"] + k * skel.frames["chest_side"]
    f_img = np.stack([cam.project_dir(v) for v in f3])
    z_img = np.stack([cam.project_dir(v) for v in z3])
    fp = np.abs(np.sum(normal * f_img, axis=1))
    zp = np.abs(np.sum(normal * z_img, axis=1))
    half = np.sqrt((depth * fp) ** 2 + (width * zp) ** 2)
    _shaded_band(img, c, half, normal, style.shirt)
    # trousers over the pelvis, up to the waist
    n = 4
    _shaded_band(img, c[:n], half[:n] * 1.02, normal[:n], style.trousers)


def _ellipse_pts(
    center: np.ndarray, a_vec: np.ndarray, b_vec: np.ndarray, n: int = 36
) -> np.ndarray:
    t = np.linspace(0, 2 * math.pi, n, endpoint=False)
    return center + np.outer(np.cos(t), a_vec) + np.outer(np.sin(t), b_vec)


@dataclass(frozen=True)
class _HeadView:
    """The head as the camera sees it: image centre, axes and scale (pixels)."""

    c: np.ndarray  # centre
    dc: float  # depth of the centre
    up_n: np.ndarray  # unit image vector up the head
    perp: np.ndarray  # unit image vector across it
    hf: np.ndarray  # image vector of the head's front direction
    a_vec: np.ndarray  # half-height axis of the outline
    b_vec: np.ndarray  # half-width axis of the outline
    face_dir: np.ndarray  # image vector towards the face
    facing: float  # 1 = face to camera, -1 = away
    head_h: float  # head height (m)
    s: float  # pixels per metre
    line_w: int


def _head_view(skel: Skeleton, cam: Camera) -> _HeadView:
    b = skel.body
    s = cam.scale_px_per_m
    (c,), (dc,) = cam.project(skel.points["head_center"][None])
    up = cam.project_dir(skel.frames["head_up"])
    hf = cam.project_dir(skel.frames["head_front"])
    zz = cam.project_dir(np.array([0.0, 0.0, 1.0]))
    up_n = up / (np.linalg.norm(up) + 1e-9)
    perp = np.array([-up_n[1], up_n[0]])
    ext = math.sqrt(
        (0.5 * b.head_d * (hf @ perp) / s) ** 2 + (0.5 * b.head_w * (zz @ perp) / s) ** 2
    )
    return _HeadView(
        c=c, dc=dc, up_n=up_n, perp=perp, hf=hf, a_vec=up * 0.5 * b.head_h * 0.95,
        b_vec=perp * ext * s, face_dir=hf * 0.5 * b.head_d,
        facing=float(skel.frames["head_front"] @ _toward(cam)), head_h=b.head_h, s=s,
        line_w=max(1, int(round(s * 0.004))),
    )  # fmt: skip


def _draw_head(img: np.ndarray, skel: Skeleton, cam: Camera, style: Style) -> None:
    hv = _head_view(skel, cam)
    _draw_hair_and_skin(img, hv, style)
    names = ["nose"] + [
        f"{sd}_{p}" for sd in SIDES for p in ("eye", "eye_inner", "eye_outer", "ear")
    ]
    names += ["mouth_left", "mouth_right"]
    xy, dep = cam.project(np.stack([skel.points[n] for n in names]))
    P = dict(zip(names, xy, strict=True))
    Dp = dict(zip(names, dep, strict=True))
    for sd in SIDES:
        # an ear on the side that faces the camera
        if Dp[f"{sd}_ear"] > hv.dc + 0.2 * skel.body.head_w:
            _draw_ear(img, P[f"{sd}_ear"], hv, style)
        # eyes that face the camera: white, iris, lid line and brow
        if Dp[f"{sd}_eye"] > hv.dc and hv.facing > -0.2:
            _draw_eye(img, P[f"{sd}_eye"], P[f"{sd}_eye_inner"], P[f"{sd}_eye_outer"], hv, style)
    if hv.facing > -0.3:
        _draw_nose_and_mouth(img, P, hv, style)


def _draw_hair_and_skin(img: np.ndarray, hv: _HeadView, style: Style) -> None:
    c, a_vec, b_vec, face_dir = hv.c, hv.a_vec, hv.b_vec, hv.face_dir
    # hair: the whole head outline, a little larger, shifted to the back and top
    hair = _ellipse_pts(c - 0.08 * face_dir + 0.06 * a_vec, a_vec * 1.04, b_vec * 1.06)
    cv2.fillPoly(img, [_fp(hair)], _shade(style.hair, 0.6), cv2.LINE_AA, _SHIFT)
    cv2.fillPoly(img, [_fp(_ellipse_pts(c - 0.08 * face_dir + 0.06 * a_vec, a_vec, b_vec))],
                 style.hair, cv2.LINE_AA, _SHIFT)  # fmt: skip
    # face/skin: offset towards the face and the chin so the hair caps top and back
    skin_c = c + 0.16 * face_dir - 0.10 * a_vec
    skin = _ellipse_pts(skin_c, a_vec * 0.9, b_vec * 0.93)
    if hv.facing > -0.6:
        cv2.fillPoly(img, [_fp(skin)], _shade(style.skin, 0.55), cv2.LINE_AA, _SHIFT)
        cv2.fillPoly(img, [_fp(_ellipse_pts(skin_c, a_vec * 0.86, b_vec * 0.89))], style.skin,
                     cv2.LINE_AA, _SHIFT)  # fmt: skip
        cv2.fillPoly(img, [_fp(_ellipse_pts(skin_c + 0.1 * face_dir - 0.05 * a_vec, a_vec * 0.55,
                                            b_vec * 0.55))], _shade(style.skin, 1.1),
                     cv2.LINE_AA, _SHIFT)  # fmt: skip


def _draw_ear(img: np.ndarray, e: np.ndarray, hv: _HeadView, style: Style) -> None:
    head_h, s = hv.head_h, hv.s
    ev = hv.up_n * 0.05 * head_h * s
    pv = hv.perp * 0.03 * head_h * s
    cv2.fillPoly(img, [_fp(_ellipse_pts(e, ev * 1.1, pv * 1.1))], _shade(style.skin, 0.6),
                 cv2.LINE_AA, _SHIFT)  # fmt: skip
    cv2.fillPoly(img, [_fp(_ellipse_pts(e, ev, pv))], _shade(style.skin, 0.95), cv2.LINE_AA, _SHIFT)


def _draw_eye(
    img: np.ndarray, e: np.ndarray, inner: np.ndarray, outer: np.ndarray, hv: _HeadView,
    style: Style,
) -> None:  # fmt: skip
    head_h, s, up_n, line_w = hv.head_h, hv.s, hv.up_n, hv.line_w
    half = (outer - inner) / 2
    if np.linalg.norm(half) < 0.012 * head_h * s:  # seen edge-on: a profile eye
        half = hv.hf / (np.linalg.norm(hv.hf) + 1e-9) * 0.035 * head_h * s
    lid = up_n * 0.022 * head_h * s
    cv2.fillPoly(img, [_fp(_ellipse_pts(e, half, lid))], (235, 240, 245), cv2.LINE_AA, _SHIFT)
    cv2.circle(img, tuple(_fp(e + 0.25 * half)), int(0.02 * head_h * s * _ONE), (40, 35, 30), -1,
               cv2.LINE_AA, _SHIFT)  # fmt: skip
    cv2.polylines(img, [_fp(_ellipse_pts(e, half, lid))], True, _DARK, line_w, cv2.LINE_AA, _SHIFT)
    brow = np.array([e - half * 1.1 + up_n * 0.07 * head_h * s,
                     e + half * 0.2 + up_n * 0.095 * head_h * s,
                     e + half * 1.2 + up_n * 0.075 * head_h * s])  # fmt: skip
    cv2.polylines(img, [_fp(brow)], False, _shade(style.hair, 0.7), line_w + 1, cv2.LINE_AA, _SHIFT)


def _draw_nose_and_mouth(
    img: np.ndarray, P: dict[str, np.ndarray], hv: _HeadView, style: Style
) -> None:
    head_h, s, up_n, line_w = hv.head_h, hv.s, hv.up_n, hv.line_w
    # nose: a wedge from the face surface to the tip
    tip = P["nose"]
    base_up = tip - 0.6 * (tip - hv.c) * 0.35 + up_n * 0.09 * head_h * s
    base_lo = tip - 0.6 * (tip - hv.c) * 0.35 - up_n * 0.03 * head_h * s
    nose = np.array([base_up, tip, base_lo])
    cv2.fillPoly(img, [_fp(nose)], _shade(style.skin, 0.95), cv2.LINE_AA, _SHIFT)
    cv2.polylines(
        img, [_fp(nose[1:])], False, _shade(style.skin, 0.55), line_w, cv2.LINE_AA, _SHIFT
    )
    ml, mr = P["mouth_left"], P["mouth_right"]
    if np.linalg.norm(ml - mr) < 0.03 * head_h * s:
        hfn = hv.hf / (np.linalg.norm(hv.hf) + 1e-9)
        ml, mr = (ml + mr) / 2 - hfn * 0.05 * head_h * s, (ml + mr) / 2 + hfn * 0.01 * head_h * s
    cv2.line(img, tuple(_fp(ml)), tuple(_fp(mr)), (70, 70, 150), line_w + 1, cv2.LINE_AA, _SHIFT)


_DARK = (25, 25, 35)  # lid lines


def _toward(cam: Camera) -> np.ndarray:
    y = math.radians(cam.yaw_deg)
    return np.array([math.sin(y), 0.0, math.cos(y)])


def near_side(cam: Camera) -> str:
    """The body side that faces the camera."""
    return "right" if _toward(cam)[2] >= 0 else "left"


__all__ = ["Camera", "Scene", "Style", "draw_figure", "near_side", "random_style", "LATERAL"]
