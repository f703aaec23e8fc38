"""Motion checks: moving too fast, bouncing in a hold.

Besides the definition's own safety rules: the angular speed of the safety measures
over ``speed_window_s`` above ``safety.max_speed_deg_s`` fails as "too_fast"; in a
hold phase, ``bounce_reversals`` direction changes of at least ``bounce_min_deg``
within ``bounce_window_s`` fail as "bouncing". A cut (:meth:`MotionChecks.restart`)
empties the history, which starts again ``cut_settle_s`` later.
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


def reversals(series: list[float], min_step: float) -> int:
    """Direction changes in ``series`` counting only swings of at least ``min_step``."""
    vals = [v for v in series if not is_nan(v)]
    if len(vals) < 3:
        return 0
    count, direction = 0, 0
    extreme = vals[0]  # the furthest point reached in the current direction
    for v in vals[1:]:
        if direction == 0:
            if abs(v - extreme) >= min_step:
                direction, extreme = (1 if v > extreme else -1), v
        elif (v - extreme) * direction > 0:
            extreme = v
        elif abs(v - extreme) >= min_step:
            count += 1
            direction, extreme = -direction, v
    return count


class MotionChecks:
    """``record`` every frame's measures, then ``check`` returns the failing movement rules."""

    def __init__(self, safety: Safety, speed_window_s: float, cut_settle_s: float) -> None:
        check_nonneg(speed_window_s=speed_window_s, cut_settle_s=cut_settle_s,
                     bounce_window_s=safety.bounce_window_s)  # fmt: skip
        self.safety = safety
        self.speed_window_s = speed_window_s
        self.cut_settle_s = cut_settle_s
        self._keep_s = max(safety.bounce_window_s, speed_window_s) + HISTORY_MARGIN_S
        self.reset()

    def reset(self) -> None:
        self._history: deque[tuple[float, dict[str, float]]] = deque()
        self._settle_until = -math.inf  # the history restarts here (cut)

    def restart(self, t_s: float) -> bool:
        """A cut just before ``t_s``: forget the history until the new view settles.

        True for a new cut; False for a jump while the last cut settles (the same cut).
        """
        self._history.clear()
        new = t_s >= self._settle_until - EPS
        # the new view's landmarks settle over a few frames: history starts after that
        self._settle_until = t_s + self.cut_settle_s
        return new

    def settling(self, t_s: float) -> bool:
        """True just after a cut."""
        return t_s < self._settle_until - EPS

    def record(self, t_s: float, measures: dict[str, float]) -> None:
        if not self.settling(t_s):
            self._history.append((t_s, measures))
        while self._history and t_s - self._history[0][0] > self._keep_s:
            self._history.popleft()

    def check(self, t_s: float, names: Sequence[str], hold_since: float | None) -> list[Rule]:
        """The movement rules failing now, on measures ``names``. ``hold_since``: the start
        of the current phase when it is a hold phase (bounces count from there), else None."""
        out: list[Rule] = []
        hist = list(self._history)
        fast = self._too_fast(t_s, names, hist)
        if fast is not None:
            out.append(fast)
        if self.safety.bounce_reversals and hold_since is not None:
            bounce = self._bouncing(t_s, names, hist, hold_since)
            if bounce is not None:
                out.append(bounce)
        return out

    def _too_fast(self, t_s: float, names: Sequence[str], hist: list) -> Rule | None:
        sf = self.safety
        if not sf.max_speed_deg_s or len(hist) < 2:
            return None
        old = next((h for h in hist if t_s - h[0] <= self.speed_window_s), hist[0])
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
        for n in names:
            series = median3([h[1].get(n, math.nan) for h in hist if h[0] >= since - EPS])
            if reversals(series, sf.bounce_min_deg) >= (sf.bounce_reversals or 0):
                return Rule(measure=n, unit="deg", id="bouncing", cue=sf.bounce_cue,
                            priority=1, severity="safety")  # fmt: skip
        return None
