"""Causal One-Euro filtering of landmarks (Casiez, Roussel, Vogel, CHI 2012).

The One-Euro filter is a low-pass filter whose cutoff rises with the speed of the
signal: at rest it smooths hard (no jitter on a held position), in motion it opens
up (little lag). It only looks at the past, so it works live.

Here every coordinate of every landmark is filtered independently, with the time
step taken from the frames' ``t_s`` (never a nominal rate). Pixel coordinates are
divided by the pose's size (mean of its box's width and height) before the speed
is measured, so the same parameters work on any resolution and distance:

- ``min_cutoff`` (Hz): cutoff at rest. Lower = smoother holds, more lag.
- ``beta``: how fast the cutoff rises with speed (in pose sizes per second).
  Higher = less lag in motion.
- ``d_cutoff`` (Hz): cutoff of the speed estimate itself.

The speed is measured between the raw samples, so it is the same at any frame rate.
(The reference filter measures it from the last *estimate* to the new sample over
one frame interval: on a steady movement that reads the lag divided by the interval
on top of the speed, about 5 times the speed at 30 frames/s and 2 times at 5, so the
filter opened up more, and lagged less, the faster the frames came; on the real
pelvic-tilt clip a hold then started 0.16 s apart at 10 and 30 frames/s,
bench/README.md.)

The filter resets when no pose is seen (a dropout) or when the time gap exceeds
``max_gap_s``, so a person re-appearing elsewhere is not dragged across the frame.
Visibility is passed through unchanged.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace

import numpy as np

from posecheck.pose import Pose


@dataclass(frozen=True)
class OneEuroParams:
    """Tuning of the One-Euro landmark filter (see the module docs)."""

    min_cutoff: float = 1.0  # Hz at rest
    # cutoff increase per (pose size / s) of speed. 40 with the speed between raw
    # samples keeps the filter at 30 frames/s about where beta 10 had it with the
    # reference speed estimate (real bridge and pelvic-tilt holds within 0.04 s)
    beta: float = 40.0
    d_cutoff: float = 1.0  # Hz for the speed estimate
    max_gap_s: float = 0.5  # reset after a gap this long

    def __post_init__(self) -> None:
        if self.min_cutoff <= 0 or self.d_cutoff <= 0 or self.beta < 0 or self.max_gap_s <= 0:
            raise ValueError("One-Euro parameters must be positive (beta may be 0)")


def _alpha(cutoff: np.ndarray | float, dt: float) -> np.ndarray | float:
    tau = 1.0 / (2.0 * math.pi * cutoff)
    return 1.0 / (1.0 + tau / dt)


class OneEuroArrayFilter:
    """One-Euro filter on an array of values (any shape), updated with times in seconds."""

    def __init__(self, params: OneEuroParams | None = None) -> None:
        self.p = params or OneEuroParams()
        self._x: np.ndarray | None = None
        self._dx: np.ndarray | None = None
        self._raw: np.ndarray | None = None  # the last raw sample (the speed's start)
        self._t = 0.0

    def reset(self) -> None:
        self._x = None
        self._dx = None
        self._raw = None

    def __call__(self, x: np.ndarray, t_s: float, scale: float | np.ndarray = 1.0) -> np.ndarray:
        """Filter one sample. ``scale`` divides the speed (values per second) before ``beta``;
        a number, or an array broadcasting against ``x`` (a scale per column)."""
        x = np.asarray(x, dtype=np.float64)
        if self._x is None or self._dx is None or self._raw is None:
            self._x, self._dx, self._raw, self._t = x.copy(), np.zeros_like(x), x.copy(), t_s
            return x.copy()
        dt = t_s - self._t
        if not dt > 0 or dt > self.p.max_gap_s:
            if dt > self.p.max_gap_s:
                self.reset()
                return self(x, t_s, scale)
            return self._x.copy()  # same or earlier time: keep the last estimate
        p = self.p
        prev, prev_dx, raw = self._x, self._dx, self._raw
        if not np.isfinite(prev).all() or not np.isfinite(raw).all():
            # A value that was NaN restarts from its new value (and NaN stays NaN).
            prev = np.where(np.isfinite(prev), prev, x)
            raw = np.where(np.isfinite(raw), raw, x)
            prev_dx = np.nan_to_num(prev_dx)
        dx = (x - raw) / dt  # between raw samples: the same at any frame rate
        a_d = _alpha(p.d_cutoff, dt)
        dx_hat = a_d * dx + (1.0 - a_d) * prev_dx
        cutoff = p.min_cutoff + p.beta * np.abs(dx_hat) / np.maximum(scale, 1e-9)
        a = _alpha(cutoff, dt)
        x_hat = a * x + (1.0 - a) * prev
        self._x, self._dx, self._raw, self._t = x_hat, dx_hat, x.copy(), t_s
        return x_hat.copy()


class OneEuroFilter:
    """The landmark smoother: One-Euro on a pose's pixel and world coordinates, and on
    the mask measures stored with it (``Pose.extras``).

    ``smoother(pose, t_s)`` returns a new :class:`Pose` (the input is not modified),
    or ``None`` for ``None`` (and resets: a dropout ends the filtered track).

    The mask measures (the back's curvature from the segmentation outline) are taken on
    the raw pose and mask (:func:`posecheck.pipeline.with_mask_measures`) and were not
    filtered at all, while the landmarks were: the outline jitters from frame to frame
    (the real cat-camel clips' back curvature moves 0.003-0.01 a frame while held, 0.1-0.3
    a second at 30 frames/s, against a hold's stillness limit of 0.05 a second), so the
    more frames came, the more often a held back read as moving (the two-cycle clip's
    second cat started 0.27 s apart at 10 and 30 frames/s). They are filtered at the
    landmarks' rest cutoff, without the speed term (``beta`` 0): from a jittering value
    the speed estimate is mostly the jitter, and would open the filter on it.
    """

    def __init__(self, params: OneEuroParams | None = None) -> None:
        self.params = params or OneEuroParams()
        # x, y (pixels) and, when present, world x, y, z (metres) side by side: one
        # filter over a (33, 5) array costs half of two filters.
        self._f = OneEuroArrayFilter(self.params)
        self._with_world: bool | None = None
        self._scale = np.ones(5)
        # the mask measures, one filter each: a value unknown (NaN, or left out, as a
        # landmarks file leaves it out) ends its filtered track, as a lost pose does, so
        # a replay of the file filters exactly as the run that wrote it
        self._mask_params = replace(self.params, beta=0.0)
        self._fx: dict[str, OneEuroArrayFilter] = {}

    def reset(self) -> None:
        self._f.reset()
        self._fx.clear()

    def _extras(self, extras: dict[str, float] | None, t_s: float) -> dict[str, float] | None:
        known = {n: v for n, v in (extras or {}).items() if math.isfinite(v)}
        for name in [n for n in self._fx if n not in known]:
            del self._fx[name]
        if not known:
            return extras
        out = dict(extras or {})
        for name, v in known.items():
            f = self._fx.setdefault(name, OneEuroArrayFilter(self._mask_params))
            out[name] = float(f(np.array([v]), t_s)[0])
        return out

    def __call__(self, pose: Pose | None, t_s: float) -> Pose | None:
        if pose is None:
            self.reset()
            return None
        x0, y0, x1, y1 = pose.bbox(0.3, model=True)  # the whole body, also past the edge
        size = max(1.0, ((x1 - x0) + (y1 - y0)) / 2)
        world = pose.world
        with_world = world is not None
        if with_world != self._with_world:
            self._f.reset()  # the columns change meaning
            self._with_world = with_world
        extras = self._extras(pose.extras, t_s)
        if world is not None:
            self._scale[:2] = size  # pixels: in body sizes; metres: a body is about 1 m
            out = self._f(np.concatenate((pose.xy, world), axis=1), t_s, self._scale)
            return replace(pose, xy=out[:, :2], world=out[:, 2:], extras=extras)
        return replace(pose, xy=self._f(pose.xy, t_s, size), world=None, extras=extras)


PoseSmoother = OneEuroFilter  # the name pipeline.run's docs use for its ``smoother``
