"""Render one exercise clip frame by frame, with the ground truth of every frame.

``ClipRenderer(RenderOptions(...)).frames()`` yields ``(index, t_s, image, truth)``;
``truth_header()`` has the clip-level truth (phases, holds, reps, faults, camera).
The truth points are the projected joint positions of the drawn figure; the
truth measures are :func:`posecheck.angles.compute_measures` on those points, so
truth and measurement share one convention.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from dataclasses import asdict, dataclass, replace
from typing import Any

import numpy as np

from posecheck import __version__
from posecheck.angles import REGISTRY, compute_measures
from posecheck.errors import InputError
from posecheck.pose import LANDMARK_NAMES, Pose
from posecheck.render.body import Anthropometry, Skeleton
from posecheck.render.draw import Camera, Scene, Style, random_style
from posecheck.render.motion import (
    ARM_MODES,
    FAULTS,
    POSTURES,
    Script,
    angles_at,
    body_pose,
    build_timeline,
    expand,
    place_body,
    script_from_definition,
)

# Measures written per frame (sided ones for both sides, and the unsided).
TRUTH_BASES = ("hip", "knee", "ankle", "shoulder", "elbow", "neck", "trunk_incline",
               "hip_elevation", "heel_elevation", "knee_elevation")  # fmt: skip
# 3D measures (posecheck.body3d) computed on the figure's joints in the camera's axes.
TRUTH_WORLD_MEASURES = ("knee_roll", "pelvis_twist")
TRUTH_MEASURES = (
    tuple(n for n in REGISTRY if (REGISTRY[n].base in TRUTH_BASES) or REGISTRY[n].side is None)
    + TRUTH_WORLD_MEASURES
)


@dataclass(frozen=True)
class RenderOptions:
    """What to render. ``view``/``side`` None: the script's view, a seeded side."""

    exercise: str
    fault: str | None = None
    view: str | None = None
    seed: int = 0
    duration_s: float | None = None
    size: tuple[int, int] = (640, 360)
    fps: float = 24.0
    side: str | None = None  # body side facing the camera ("left"/"right")
    noise: bool = True  # vary body, colours, camera distance/height/angle, shake
    reps: int | None = None
    hold_s: float | None = None
    move_s: float | None = None
    rest_s: float | None = None


class ClipRenderer:
    """Frames and truth of one rendered exercise clip (deterministic for a seed)."""

    def __init__(self, opts: RenderOptions, script: Script, exercise_def: Any = None) -> None:
        if opts.fault is not None and opts.fault not in FAULTS:
            raise InputError(f"unknown fault {opts.fault!r}",
                             "valid faults: " + ", ".join(sorted(FAULTS)))  # fmt: skip
        if exercise_def is not None:
            script = script_from_definition(script, exercise_def)
        if opts.reps is not None:
            script = replace(script, reps=opts.reps)
        for k in ("move_s", "rest_s"):
            if getattr(opts, k) is not None:
                script = replace(script, **{k: getattr(opts, k)})
        if opts.hold_s is not None:  # every hold takes this long
            holds = {p: float(opts.hold_s) for p in script.holds}
            script = replace(script, holds=holds, hold_s=float(opts.hold_s))
        self.opts = opts
        self.script = script
        self.definition = exercise_def
        rng = np.random.default_rng(opts.seed)
        self.rng = rng
        noise = opts.noise
        self.body = Anthropometry(
            height_m=float(rng.uniform(1.55, 1.90)) if noise else 1.72,
            build=float(rng.uniform(0.9, 1.15)) if noise else 1.0,
        )
        self.style: Style = random_style(rng) if noise else Style()
        self.near = opts.side or ("left" if rng.random() < 0.5 else "right")
        self.view = opts.view or script.view
        self.worked = self.near
        self.posture = POSTURES[script.posture]
        self.timeline = build_timeline(script, opts.fault, self.worked, opts.duration_s, rng)
        self.n_frames = int(math.floor(self.timeline.duration_s * opts.fps + 1e-6))
        # camera: side view looks from the near side, slightly oblique and from above
        obl = float(rng.uniform(5, 12) * rng.choice([-1, 1])) if noise else 8.0
        yaw = (180.0 if self.near == "left" else 0.0) + obl
        if self.view == "front":
            yaw = 90.0 + obl * 0.6
        elif self.view == "oblique":  # halfway between the near side and the front
            yaw = (135.0 if self.near == "left" else 45.0) + obl * 0.6
        if opts.fault == "wrong_view":
            yaw += 80.0 if self.view == "side" else -80.0
        if opts.fault == "far_side":
            yaw += 180.0
        pitch = float(rng.uniform(6, 14)) if noise else 9.0
        if self.view == "front" and script.posture in ("supine", "prone"):
            # from the feet at floor level the knees hide the face: the camera stands higher
            pitch += 24.0
        elif self.view == "oblique" and script.posture in ("supine", "prone"):
            pitch += 12.0
        # camera shake: a slow wobble of about 1-2 px (a filtered random walk)
        self._shake = np.zeros((self.n_frames + 1, 2))
        if noise:
            kicks = rng.normal(0, 1, (self.n_frames + 1, 2))
            for i in range(1, self.n_frames + 1):
                self._shake[i] = 0.85 * self._shake[i - 1] + 0.5 * kicks[i]
        fill = float(rng.uniform(0.72, 0.86)) if noise else 0.8
        self.cam, self.anchor_x = self._fit_camera(yaw, pitch, fill)
        lo, hi = self._mat_x
        chair = None
        if self.posture.chair_seat_h is not None:
            chair = (self._chair[0], self.posture.chair_seat_h * self.body.height_m, self._chair[1])
        self.scene = Scene(opts.size, self.cam, self.style, (lo, hi), chair)

    # --- set-up ---------------------------------------------------------------------
    def _skeleton(self, angles: dict[str, float], worked: str) -> Skeleton:
        lift = angles.get("foot_lift", 0.0)
        extra = ("foot_lift", *ARM_MODES)
        bp = body_pose({k: v for k, v in angles.items() if k not in extra})
        if "trunk" not in angles:
            bp = replace(bp, trunk=self.posture.trunk)
        return place_body(
            bp,
            self.posture,
            self.body,
            {worked: lift} if lift else None,
            {m: angles[m] for m in ARM_MODES if m in angles},
        )

    def _fit_camera(self, yaw: float, pitch: float, fill: float) -> tuple[Camera, float]:
        sc = self.script
        start = expand(sc.base, sc.poses[sc.start].angles, self.worked, sc.symmetric)
        anchor0 = self._skeleton(start, self.worked).points[self.posture.anchor][0]
        pts = []
        for ph in sc.poses:
            for side in ("left", "right"):
                sk = self._skeleton(expand(sc.base, sc.poses[ph].angles, side, sc.symmetric), side)
                dx = anchor0 - sk.points[self.posture.anchor][0]
                pts.append(np.stack(list(sk.points.values())) + [dx, 0, 0])
        allp = np.concatenate(pts)
        self._mat_x = (float(allp[:, 0].min()) - 0.25, float(allp[:, 0].max()) + 0.25)
        sk0 = self._skeleton(start, self.worked)
        fwd = 1.0 if sk0.points["left_knee"][0] >= sk0.points["hip_mid"][0] else -1.0
        self._chair = (float(sk0.points["hip_mid"][0]) + fwd * 0.14, fwd)
        probe = Camera(yaw, pitch, 1.0, (0.0, 0.0))
        xy, _ = probe.project(allp)
        (x0, y0), (x1, y1) = xy.min(axis=0), xy.max(axis=0)
        w, h = self.opts.size
        scale = fill * min(w / max(x1 - x0, 1e-3), 0.9 * h / max(y1 - y0, 1e-3))
        cx, cy = (x0 + x1) / 2, (y0 + y1) / 2
        origin = (w / 2 - scale * cx, h * 0.53 - scale * cy)
        if self.opts.fault == "out_of_frame":
            # too close: zoom in on the head end; the hips and legs leave the frame
            scale *= 1.4
            sk0 = self._skeleton(start, self.worked)
            (head, hip), _ = probe.project(
                np.stack([sk0.points["head_center"], sk0.points["hip_mid"]])
            )
            origin = (w / 2 - scale * cx, h * 0.53 - scale * cy)
            if abs(head[0] - hip[0]) >= abs(head[1] - hip[1]):  # lying: cut at the side
                edge = w * 1.04 if hip[0] > head[0] else -0.04 * w
                origin = (edge - scale * hip[0], origin[1])
            else:  # upright: cut at the bottom
                origin = (origin[0], h * 1.04 - scale * hip[1])
        return Camera(yaw, pitch, scale, origin), float(anchor0)

    # --- output -----------------------------------------------------------------------
    def truth_header(self) -> dict[str, Any]:
        tl, sc, o = self.timeline, self.script, self.opts
        return {
            "format": "posecheck-render-truth",
            "version": 1,
            "posecheck_version": __version__,
            # the definition's name: a user's own exercise moved as a built-in one (render
            # --motion) is analysed with its own name; "motion" is the movement drawn
            "exercise": getattr(self.definition, "name", None) or sc.exercise,
            "motion": sc.exercise,
            "fault": o.fault,
            "faults": tl.faults,
            "view": self.view,
            "near_side": self.near,
            "worked_side": self.worked,
            "seed": o.seed,
            "options": {k: (list(v) if isinstance(v, tuple) else v) for k, v in asdict(o).items()},
            "fps": o.fps,
            "width": o.size[0],
            "height": o.size[1],
            "frame_count": self.n_frames,
            "duration_s": round(self.n_frames / o.fps, 3),
            "posture": sc.posture,
            "cycle": list(sc.cycle),
            "hold_phase": sc.hold_phase,
            "hold_phases": sc.holds,
            "counts_reps": bool(getattr(self.definition, "cycle", True)),
            "holds": tl.holds,
            "reps": tl.reps,
            "body": {"height_m": round(self.body.height_m, 3), "build": round(self.body.build, 3)},
            "camera": {
                k: (round(v, 3) if isinstance(v, float) else v) for k, v in asdict(self.cam).items()
            },
            "measures": list(TRUTH_MEASURES),
            "landmarks": list(LANDMARK_NAMES),
            "notes": "series: one list per field, one entry per frame. points: per frame the "
            "33 MediaPipe landmarks as drawn, [x, y] pixels (null when outside the frame); "
            "measures: name -> per-frame posecheck.angles.compute_measures on those points "
            "(null = not measurable); back_bulge: signed spine bulge over the shoulder-hip "
            "chord / chord length, + = bulging upwards in the image.",
        }

    def truth(self) -> dict[str, Any]:
        """The whole truth (header and per-frame series) without drawing a frame."""
        from posecheck.render.video import columns

        out = self.truth_header()
        out["series"] = columns([self.render_frame(i, draw=False)[1] for i in range(self.n_frames)])
        return out

    def frames(self) -> Iterator[tuple[int, float, np.ndarray, dict[str, Any]]]:
        """Yield ``(index, t_s, image BGR, truth)`` for every frame."""
        for i in range(self.n_frames):
            img, truth = self.render_frame(i)
            assert img is not None  # draw=True: always a picture
            yield i, truth["t_s"], img, truth

    def render_frame(self, i: int, draw: bool = True) -> tuple[np.ndarray | None, dict[str, Any]]:
        """The image and truth of frame ``i`` (frames are independent of each other).

        ``draw=False`` skips the drawing (truth only, much faster): the image is None.
        """
        o = self.opts
        w, h = o.size
        t = i / o.fps
        ang, seg = angles_at(self.timeline, self.script, t, o.fault)
        skel = self._skeleton(ang, seg.worked)
        dx = self.anchor_x - skel.points[self.posture.anchor][0]
        skel = skel.transformed(0.0, np.array([dx, 0.0, 0.0]))
        shake = self._shake[min(i, len(self._shake) - 1)]
        img = self.scene.draw(skel, (float(shake[0]), float(shake[1]))) if draw else None
        lms = skel.landmarks()
        xy, _ = self.cam.project(lms)
        xy = xy + shake
        inside = (xy[:, 0] >= 0) & (xy[:, 0] < w) & (xy[:, 1] >= 0) & (xy[:, 1] < h)
        hips = [LANDMARK_NAMES.index(n) for n in ("left_hip", "right_hip")]
        world = self.cam.camera_world(lms, lms[hips].mean(axis=0))
        pose = Pose(xy=xy, visibility=inside.astype(float), image_size=(w, h), world=world)
        meas = compute_measures(pose, TRUTH_MEASURES)
        truth = {
            "index": i,
            "t_s": round(t, 4),
            "phase": seg.phase if seg.kind != "move" else None,
            "segment": seg.kind,
            "target_phase": seg.phase,
            "rep": seg.rep,
            "worked_side": seg.worked,
            "fault_active": any(f["start_s"] <= t < f["end_s"] for f in self.timeline.faults),
            "points": [
                [round(float(x), 1), round(float(y), 1)] if ok else None
                for (x, y), ok in zip(xy, inside, strict=True)
            ],  # fmt: skip
            "measures": {k: (round(v, 1) if not math.isnan(v) else None) for k, v in meas.items()},
            "back_bulge": round(self._bulge(skel), 4),
        }
        return img, truth

    def _bulge(self, skel: Skeleton) -> float:
        sp, _ = self.cam.project(np.stack([skel.points[f"spine_{k}"] for k in range(9)]))
        a, b = sp[0], sp[-1]
        d = b - a
        L = float(np.hypot(*d)) or 1.0
        n = np.array([d[1], -d[0]]) / L  # perpendicular; choose the one pointing up
        if n[1] > 0:
            n = -n
        dist = (sp - a) @ n
        k = int(np.argmax(np.abs(dist)))
        return float(dist[k] / L)
