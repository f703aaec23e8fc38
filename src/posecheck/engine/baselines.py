"""Change baselines: a measure's change from its recent low (or high) value.

A change bound (``min_change_deg`` ...) tests ``value - baseline``, where the baseline
is the :data:`BASELINE_PERCENTILE` percentile (100 - it for ``baseline = "max"``) of
the measure over the bound's last ``baseline_s`` seconds, defined once that history
spans ``baseline_min_s``. The first ``baseline_settle_s`` of a pose run (and after a
cut) are left out: the model's landmarks settle. Shared with
:mod:`posecheck.recognize`.
"""

from __future__ import annotations

import math
from collections import deque
from collections.abc import Iterable

from posecheck.engine.common import EPS, check_nonneg, is_nan
from posecheck.exercise import Bound

BASELINE_PERCENTILE = 20.0


def percentile(values: list[float], q: float) -> float:
    """``np.percentile(values, q)`` (linear method), bit for bit, for a short list.

    Called every frame for each change bound; NumPy's call overhead on ~100 values
    was a quarter of the engine's time.
    """
    s = sorted(values)
    n = len(s)
    vi = (n - 1) * (q / 100)
    lo = math.floor(vi)
    if lo >= n - 1:
        return float(s[n - 1])
    g = vi - lo
    a, b = s[lo], s[lo + 1]
    d = b - a
    # NumPy's _lerp: from the nearer end, so the result stays monotonic in g
    return float(b - d * (1 - g) if g >= 0.5 else a + d * g)


class ChangeBaselines:
    """The history of each change bound's measure per side, and the change from it.

    Per frame: :meth:`note_frame` (is there a pose, is a cut settling), then
    :meth:`changes` for each side. :meth:`restart` forgets every history (a cut).
    """

    def __init__(self, bounds: Iterable[Bound], settle_s: float, min_s: float) -> None:
        check_nonneg(baseline_settle_s=settle_s, baseline_min_s=min_s)
        unique: dict[str, Bound] = {}
        for b in bounds:
            if b.change:
                unique.setdefault(b.key, b)
        self.bounds = tuple(unique.values())
        self.settle_s, self.min_s = settle_s, min_s
        self.reset()

    def reset(self) -> None:
        self._hist: dict[tuple[str, str], deque[tuple[float, float]]] = {}
        self._since: float | None = None  # first frame of the current pose run

    def restart(self) -> None:
        """Forget the histories (after a cut the old view's angles are not comparable)."""
        self._hist.clear()

    def note_frame(self, t_s: float, has_pose: bool, settling: bool) -> None:
        """Start (or restart, while a cut settles) the pose run the settle time counts from."""
        if not has_pose:
            self._since = None
        elif self._since is None or settling:
            self._since = t_s

    def changes(
        self, side: str, values: dict[str, float | None], t_s: float, tracking: bool, frozen: bool
    ) -> dict[str, float | None]:
        """Each bound's key -> change of its measure from the baseline (NaN: value unknown;
        None: no baseline yet). ``frozen``: keep the history as it is (during a hold)."""
        out: dict[str, float | None] = {}
        for b in self.bounds:
            hist = self._hist.setdefault((side, b.key), deque())
            got = values.get(b.measure, math.nan)
            v = math.nan if got is None else got
            if not frozen:
                settled = self._since is not None and (t_s - self._since >= self.settle_s - EPS)
                if tracking and settled and not is_nan(v):
                    hist.append((t_s, v))
                while hist and t_s - hist[0][0] > b.baseline_s + EPS:
                    hist.popleft()
            if is_nan(v):
                out[b.key] = math.nan
                continue
            if not hist or hist[-1][0] - hist[0][0] < self.min_s - EPS:
                out[b.key] = None  # no baseline yet: the bound does not decide
                continue
            # a low (high) percentile rather than the extreme: one bad frame is no baseline
            q = BASELINE_PERCENTILE if b.baseline == "min" else 100 - BASELINE_PERCENTILE
            out[b.key] = v - percentile([h[1] for h in hist], q)
        return out
