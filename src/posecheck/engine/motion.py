"""Motion checks: moving too fast, bouncing in a hold.

Besides the definition's own safety rules: the angular speed of the safety measures
over ``speed_window_s`` above ``safety.max_speed_deg_s`` fails as "too_fast" once the
measures stay known for ``speed_confirm_s`` after it (the model's points race off as it
loses a person: a cut, a fade, leaving the picture are no fast movement); in a
hold phase, ``bounce_reversals`` direction changes of at least ``bounce_min_deg``
within ``bounce_window_s`` fail as "bouncing", each left by a quick swing (to the
next turning point within ``bounce_swing_s``): the model's slow drift of a noisy
measure (the 3D knee roll of a still supine twist wanders 5-9 deg over 0.5-4 s) is
no bounce, a bounce (1.6 Hz in the renders: swings of 0.2-0.4 s) is. A cut
(:meth:`MotionChecks.restart`) empties the history, which starts again
``cut_settle_s`` later.
"""

from __future__ import annotations

import math
from collections import deque
from collections.abc import Sequence

import numpy as np

from posecheck.engine.common import EPS, check_nonneg, is_nan
from posecheck.exercise import Rule, Safety

# Extra history kept beyond the longest window, so a window's oldest frame is there.
HISTORY_MARGIN_S = 0.05


def median3(series: list[float]) -> list[float]:
    """Running median of 3 (ends kept): removes one-sample spikes, keeps real swings."""
    if len(series) < 3:
        return list(series)
    out = [series[0]]
    for a, b, c in zip(series, series[1:], series[2:]):  # noqa: B905
        trio = [v for v in (a, b, c) if not is_nan(v)]
        out.append(float(np.median(trio)) if trio else math.nan)
    out.append(series[-1])
    return out


def turning_points(
    series: list[float], min_step: float, times: Sequence[float] | None = None
) -> list[tuple[float, float]]:
    """(time, value) of the series' first value, each turning point (a swing of at least
    ``min_step`` back from it followed) and the furthest value since the last one.
    ``times`` default to the sample index; NaN values are skipped."""
    ts = list(times) if times is not None else list(range(len(series)))
    pts = [(float(t), v) for t, v in zip(ts, series) if not is_nan(v)]  # noqa: B905
    if not pts:
        return []
    out = [pts[0]]
    direction, extreme = 0, pts[0]  # the furthest point reached in the current direction
    for t, v in pts[1:]:
        if direction == 0:
            if abs(v - extreme[1]) >= min_step:
                direction, extreme = (1 if v > extreme[1] else -1), (t, v)
        elif (v - extreme[1]) * direction > 0:
            extreme = (t, v)
        elif abs(v - extreme[1]) >= min_step:
            out.append(extreme)
            direction, extreme = -direction, (t, v)
    if direction != 0:
        out.append(extreme)
    return out


def reversals(
    series: list[float],
    min_step: float,
    times: Sequence[float] | None = None,
    max_swing_s: float = math.inf,
) -> int:
    """Direction changes in ``series`` counting only swings of at least ``min_step``.

    With ``times``, a direction change counts only when the swing that leaves it
    reaches its next turning point (or the furthest value so far) within
    ``max_swing_s``: a bounce is quick, a slow sway or the model's drift is not.
    """
    pts = turning_points(series, min_step, times)
    turns = pts[1:-1]
    if times is None:
        return len(turns)
    return sum(1 for a, b in zip(turns, pts[2:]) if b[0] - a[0] <= max_swing_s + EPS)  # noqa: B905


class MotionChecks:
    """``record`` every frame's measures, then ``check`` returns the failing movement rules."""

    def __init__(
        self,
        safety: Safety,
        speed_window_s: float,
        cut_settle_s: float,
        bounce_swing_s: float = math.inf,
        speed_confirm_s: float = 0.0,
    ) -> None:
        check_nonneg(
            speed_window_s=speed_window_s,
            cut_settle_s=cut_settle_s,
            bounce_window_s=safety.bounce_window_s,
            bounce_swing_s=bounce_swing_s,
            speed_confirm_s=speed_confirm_s,
        )
        self.safety = safety
        self.speed_window_s = speed_window_s
        self.cut_settle_s = cut_settle_s
        self.bounce_swing_s = bounce_swing_s
        self.speed_confirm_s = speed_confirm_s
        self._keep_s = max(safety.bounce_window_s, speed_window_s) + HISTORY_MARGIN_S
        self.reset()

    def reset(self) -> None:
        self._history: deque[tuple[float, dict[str, float]]] = deque()
        self._settle_until = -math.inf  # the history restarts here (cut)
        self._known: dict[str, float] = {}  # measure -> the last frame it was known
        self._fresh: dict[str, float] = {}  # measure -> it settles until then (new to the model)
        self._fast: tuple[float, Rule] | None = None  # a speed over the limit, to confirm

    def restart(self, t_s: float) -> bool:
        """A cut just before ``t_s``: forget the history until the new view settles.

        True for a new cut; False for a jump while the last cut settles (the same cut).
        """
        self._history.clear()
        self._fast = None  # the speed just before a cut was the model losing the view
        new = t_s >= self._settle_until - EPS
        # the new view's landmarks settle over a few frames: history starts after that
        self._settle_until = t_s + self.cut_settle_s
        return new

    def settling(self, t_s: float) -> bool:
        """True just after a cut."""
        return t_s < self._settle_until - EPS

    def record(self, t_s: float, measures: dict[str, float], back_in_view: bool = False) -> None:
        """Keep this frame's measures. ``back_in_view``: the view gate just returned to
        tracking: the history restarts as after a cut, so no speed is measured across the
        span the points were guesses out of the picture (the real bird-dog arm-reach
        clip: the far knee read 176 deg, then 120 as the view came back, "too fast").

        A measure the model reads for the first time, or again after it was unknown for
        longer than ``speed_window_s``, settles as after a cut: its first
        ``cut_settle_s`` are left out (the real supine-twist clip, the person lying still
        in the twist: the knee roll read 129 -> 148 -> 133 deg in the first 0.24 s under
        a title card, and 113 -> 76 deg in 0.12 s as it became readable again at 1.84 s,
        each a "Lower your knees slowly"). The change baselines keep their own settling
        (``baseline_settle_s``)."""
        if back_in_view:
            self.restart(t_s)
        fresh = []
        for name, v in measures.items():
            if is_nan(v):
                continue
            last = self._known.get(name)
            if last is None or t_s - last > self.speed_window_s + EPS:
                self._fresh[name] = t_s + self.cut_settle_s
            self._known[name] = t_s
            if t_s < self._fresh.get(name, -math.inf) - EPS:
                fresh.append(name)
        if fresh:
            measures = {**measures, **dict.fromkeys(fresh, math.nan)}
        if not self.settling(t_s):
            self._history.append((t_s, measures))
        while self._history and t_s - self._history[0][0] > self._keep_s:
            self._history.popleft()

    def check(self, t_s: float, names: Sequence[str], hold_since: float | None) -> list[Rule]:
        """The movement rules failing now, on measures ``names``. ``hold_since``: the start
        of the current phase when it is a hold phase (bounces count from there), else None."""
        hist = list(self._history)
        fast = self._too_fast(t_s, names, hist)
        bounce = None
        if self.safety.bounce_reversals and hold_since is not None:
            bounce = self._bouncing(t_s, names, hist, hold_since)
        # a bounce is fast: told as the bounce it is, not as a movement too fast
        rule = bounce or fast
        return [rule] if rule is not None else []

    def _too_fast(self, t_s: float, names: Sequence[str], hist: list) -> Rule | None:
        """The speed rule once confirmed: the measures it was read on stayed known for
        ``speed_confirm_s`` after the first frame over the limit (then it is told even if
        the movement has slowed: it happened)."""
        now = self._speed_over(t_s, names, hist)
        if self._fast is not None and (
            not hist or is_nan(hist[-1][1].get(self._fast[1].measure, math.nan))
        ):
            self._fast = None  # the person is being lost: what raced was the model
        if self._fast is None:
            if now is None:
                return None
            self._fast = (t_s, now)
        first, rule = self._fast
        if t_s - first < self.speed_confirm_s - EPS:
            return None
        if now is None:
            self._fast = None  # told on this frame, over since
        return now or rule

    def _speed_over(self, t_s: float, names: Sequence[str], hist: list) -> Rule | None:
        sf = self.safety
        if not sf.max_speed_deg_s or len(hist) < 2:
            return None
        # (EPS: 30 frames/s puts the frame 0.3 s back at 0.30000000000000004 s)
        old = next((h for h in hist if t_s - h[0] <= self.speed_window_s + EPS), hist[0])
        dt = t_s - old[0]
        if dt < self.speed_window_s * 0.5:
            return None
        for n in names:
            a, b = old[1].get(n, math.nan), hist[-1][1].get(n, math.nan)
            if not is_nan(a) and not is_nan(b) and abs(b - a) / dt > sf.max_speed_deg_s:
                return Rule(measure=n, unit="deg", id="too_fast", cue=sf.speed_cue,
                            priority=1, severity="safety")  # fmt: skip
        return None

    def _bouncing(self, t_s: float, names: Sequence[str], hist: list, since: float) -> Rule | None:
        sf = self.safety
        # only since the hold phase began (the way in is no bounce), and through a
        # 3-sample median so a one-frame tracking glitch is no bounce either
        since = max(t_s - sf.bounce_window_s, since)
        recent = [h for h in hist if h[0] >= since - EPS]
        times = [h[0] for h in recent]
        for n in names:
            series = median3([h[1].get(n, math.nan) for h in recent])
            turns = reversals(series, sf.bounce_min_deg, times, self.bounce_swing_s)
            if turns >= (sf.bounce_reversals or 0):
                return Rule(measure=n, unit="deg", id="bouncing", cue=sf.bounce_cue,
                            priority=1, severity="safety")  # fmt: skip
        return None
