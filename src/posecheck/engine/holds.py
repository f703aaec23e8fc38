"""The hold timer: how long a held phase was held, with a grace for short failures.

In a phase with ``hold_s`` the timer runs while the phase's targets and every rule of
that phase hold (the engine says so each frame: ``ok``). A failure or a lost pose
shorter than ``grace_s`` pauses the timer without ending the hold; a longer one ends
it at the last good frame. Each hold ends as a :class:`HoldRecord` (start, end,
duration the timer ran, whether it reached ``hold_s``, score).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field

import numpy as np

from posecheck.engine.common import EPS, PartEvent, check_nonneg, is_nan
from posecheck.engine.scoring import hold_score
from posecheck.exercise import Exercise
from posecheck.results import HoldRecord


@dataclass
class _Hold:
    phase: str
    start_s: float
    last_ok_s: float
    ok_time_s: float = 0.0
    prev_ok: bool = True
    frames: int = 0
    bad_frames: int = 0
    values: list[float] = field(default_factory=list)


@dataclass(frozen=True)
class HoldEnded:
    """A hold ended: its record and the share of its frames without a failing rule."""

    record: HoldRecord
    form: float
    t_s: float


class HoldTimer:
    """One side's hold: ``step`` per frame returns a ``hold_start`` event or a
    :class:`HoldEnded`."""

    def __init__(self, exercise: Exercise, side: str, grace_s: float) -> None:
        check_nonneg(grace_s=grace_s)
        self.ex = exercise
        self.side = side
        self.grace_s = grace_s
        self.key = exercise.key_measures[0] if exercise.key_measures else None
        self.hold: _Hold | None = None

    @property
    def running_s(self) -> float | None:
        """Time held so far by the running hold (None: no hold runs)."""
        return self.hold.ok_time_s if self.hold is not None else None

    def step(
        self,
        t_s: float,
        ok: bool,
        values: Mapping[str, float | None],
        phase: str | None,
        phase_since: float,
        entered_t: float | None,
    ) -> PartEvent | HoldEnded | None:
        """One frame: ``ok`` = the held phase and its rules hold now."""
        h = self.hold
        if ok:
            if h is None:
                name = phase or ""
                # a hold that starts on entering the phase starts when the phase did
                # (the phase is entered after min_dwell_s, dated back to its first match)
                start = phase_since if entered_t == t_s else t_s
                h = self.hold = _Hold(name, start, t_s, ok_time_s=t_s - start)
                self._sample(h, values)
                data = {"phase": name, "target_s": self.ex.phase(name).hold_s,
                        "start_s": round(start, 3)}  # fmt: skip
                return PartEvent("hold_start", t_s, data)
            # the timer runs while rules are met; a gap within the grace pauses it
            if h.prev_ok:
                h.ok_time_s += t_s - h.last_ok_s
            h.last_ok_s = t_s
            self._sample(h, values)
            return None
        if h is None:
            return None
        h.prev_ok = False
        h.frames += 1
        h.bad_frames += 1
        if t_s - h.last_ok_s > self.grace_s + EPS:
            return self.end(t_s)
        return None

    def _sample(self, h: _Hold, values: Mapping[str, float | None]) -> None:
        h.prev_ok = True
        h.frames += 1
        v = values.get(self.key, math.nan) if self.key is not None else None
        if v is not None and not is_nan(v):
            h.values.append(v)

    def end(self, t_s: float) -> HoldEnded | None:
        """End the running hold (if any) and score it."""
        h = self.hold
        if h is None:
            return None
        self.hold = None
        phase = self.ex.phase(h.phase)
        target = phase.hold_s or 0.0
        unit = "deg"
        if self.key is not None:
            for tg in phase.targets:
                if tg.measure == self.key:
                    unit = tg.unit
        sd = float(np.std(h.values)) if len(h.values) > 2 else 0.0
        steady = max(0.0, 1.0 - sd / (5.0 if unit == "deg" else 0.05))
        form = 1.0 - (h.bad_frames / h.frames if h.frames else 0.0)
        tit = min(1.0, h.ok_time_s / target) if target else 1.0
        rec = HoldRecord(
            phase=h.phase,
            start_s=round(h.start_s, 3),
            end_s=round(h.last_ok_s, 3),
            duration_s=round(h.ok_time_s, 3),
            target_s=target,
            reached=h.ok_time_s >= target - 1e-6,
            side=self.side,
            score=hold_score(tit, form, steady),
        )
        return HoldEnded(rec, form, t_s)
