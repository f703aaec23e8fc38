"""The rep counter: one side's progress through the exercise's cycle.

``cycle`` lists the phases of one rep (``["down", "up", "down"]``). A rep counts when
the cycle completes. Leaving the start phase and coming back without reaching the
next phase of the cycle is an *incomplete* rep: reported, not counted. If the engine
stopped tracking during such a rep (out of view, paused), the rep was not seen to
fall short: it is neither counted nor reported. A symmetric cycle (``[A, B, A]``)
starts from whichever of its phases the person is seen in first and is one visit to
each: it counts when its second position is left (held, then let go), not the moment
it is reached. A rule joins a rep's faults when it was cued (:meth:`add_fault`), not
on every frame it fails: a failure too brief to tell the person about is no fault.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from posecheck.engine.common import is_nan
from posecheck.engine.phases import PhaseEntered
from posecheck.engine.scoring import (
    CAP_HOLD,
    CAP_INCOMPLETE,
    CAP_SHORT_HOLD,
    SHORT_HOLD_SHARE,
    depth_fraction,
    direction,
    fault_caps,
    hold_reached,
    rep_score,
)
from posecheck.exercise import Exercise, Rule, mirror_measure
from posecheck.pose import other_side
from posecheck.results import HoldRecord, RepRecord


@dataclass(frozen=True)
class TurnedBack:
    """A rep turned back before reaching the cycle's peak phase (told at once, live)."""

    record: RepRecord  # the rep so far: its furthest values (``depth``), not yet closed
    t_s: float


@dataclass(frozen=True)
class RepEnded:
    """A rep ended (complete or not). ``record.index`` is 0: the engine numbers reps."""

    record: RepRecord
    form: float  # share of the rep's frames without a failing rule
    caps: tuple[float, ...] = ()  # what capped its score (posecheck.engine.scoring)
    told: bool = False  # its shortfall was already told when it turned back


class RepCounter:
    """``on_enter`` per phase change, ``on_frame`` per tracked frame; returns ended reps."""

    def __init__(self, exercise: Exercise, side: str) -> None:
        self.ex = exercise
        self.side = side
        self.cycle: tuple[str, ...] = tuple(exercise.cycle)  # symmetric: as first seen
        self.cycle_fixed = not exercise.symmetric
        self.cycle_pos = 0  # index in the cycle of the last phase reached
        self.left_start_s: float | None = None  # when the start phase was left (a rep began)
        self._begin()

    def _begin(self) -> None:
        self.peak: dict[str, float] = {}
        self.frames = 0
        self.bad = 0
        self.faults: list[str] = []
        self.fault_sev: dict[str, str] = {}  # cued rule id -> severity
        self.unsteady = 0
        self.unseen = False  # the engine was not tracking for part of this rep
        self.holds: list[HoldRecord] = []
        self.turned_back = False  # moved back from its furthest point before the peak
        self._gain: dict[str, tuple[float, float]] = {}  # target -> (value, when) of its last gain
        self.side_vote = 0.0  # side_by: sum over the rep's frames of (this side - the other)

    def carry_over(self, old: RepCounter) -> None:
        """Keep another side's progress (the same person, seen from the other side)."""
        self.cycle_pos, self.left_start_s = old.cycle_pos, old.left_start_s
        self.cycle, self.cycle_fixed = old.cycle, old.cycle_fixed

    @property
    def voted_side(self) -> str:
        """The side of the rep under way (or the last one): the counter's own side, or
        with ``side_by`` the side whose ``side_by`` values were the larger over its frames
        (differences summed: the frames and limbs where one side is far ahead weigh most)."""
        return self.side if self.side_vote >= 0.0 else other_side(self.side)

    @property
    def in_rep(self) -> bool:
        return self.left_start_s is not None

    @property
    def start_phase(self) -> str | None:
        return self.cycle[0] if self.cycle else None

    def not_seen(self) -> None:
        """A frame the engine did not track."""
        if self.left_start_s is not None:
            self.unseen = True

    def add_hold(self, rec: HoldRecord) -> None:
        self.holds.append(rec)

    def on_frame(
        self, values: Mapping[str, float | None], failing: Sequence[Rule], t_s: float = 0.0
    ) -> TurnedBack | None:
        """A tracked frame inside a rep: its form and the furthest values reached.

        Returns :class:`TurnedBack` once, on the frame a rep that has not reached the
        peak phase moves back from its furthest point by more than the hysteresis band
        on a peak target it falls short of, or has not gained more than the band for
        ``stall_s`` on a target it falls short of by more than the band (closer, it may
        yet count: a chest raise told "reached 21.6°, aim for 22.0°" reached 22.1°): the
        moment to tell the person.
        """
        if self.left_start_s is None:
            return None
        self.frames += 1
        if failing:
            self.bad += 1
        for m in self.ex.side_by:
            a, b = values.get(m), values.get(mirror_measure(m))
            if a is not None and b is not None and not math.isnan(a - b):
                self.side_vote += a - b
        cyc = self.cycle
        if len(cyc) < 2:
            return None
        start, peak = self.ex.phase(cyc[0]), self.ex.phase(cyc[1])
        back = False
        stuck: list[float] = []  # since when each target it falls short of has not gained
        for t in peak.targets:
            v = values.get(t.key, math.nan)
            if v is None or is_nan(v):
                continue
            sign = direction(start, t)
            goal = t.min if sign > 0 else t.max
            band = self.ex.setting("hysteresis_deg" if t.unit == "deg" else "hysteresis")
            old = self.peak.get(t.key)
            if old is None or (v - old) * sign > 0:
                self.peak[t.key] = old = v
                gain = self._gain.get(t.key)
                if gain is None or (v - gain[0]) * sign > band:
                    self._gain[t.key] = (v, t_s)  # a real gain, not the model's jitter
            short = goal is not None and (goal - old) * sign > 0
            if short and (old - v) * sign > band:
                back = True
            if short and goal is not None and (goal - old) * sign > band:  # else may yet count
                stuck.append(self._gain.get(t.key, (v, t_s))[1])
        # a rep that stops short of the peak for stall_s is told as if it turned back: a
        # person holding a sagging bridge hears "Lift your hips higher" while holding it,
        # not once down again (a bridge-hips-sag render held 148 deg for 6 s in silence)
        wait = self.ex.setting("stall_s")
        if stuck and wait and t_s - max(stuck) >= wait and t_s - self.left_start_s >= wait:
            back = True
        if back and not self.turned_back and self.cycle_pos == 0:
            self.turned_back = True
            rec = RepRecord(0, round(self.left_start_s, 3), round(t_s, 3), False,
                            {k: round(x, 2) for k, x in self.peak.items()}, self.voted_side,
                            peak_phase=cyc[1])  # fmt: skip
            return TurnedBack(rec, t_s)
        return None

    def add_fault(self, rule_id: str, severity: str) -> None:
        """A rule was cued during the rep under way: one of its faults (caps its score)."""
        if self.left_start_s is not None and rule_id not in self.fault_sev:
            self.fault_sev[rule_id] = severity
            self.faults.append(rule_id)

    def on_enter(self, ev: PhaseEntered, running_hold_s: float | None) -> RepEnded | None:
        """The side entered a phase: a rep may begin, advance or end."""
        name = ev.name
        if not self.cycle_fixed and name in self.cycle:
            # symmetric cycle [A, B, A]: one rep is one visit to each phase, starting
            # from whichever the person is seen in first (cat-camel may start either way)
            other = next(c for c in self.cycle if c != name)
            self.cycle, self.cycle_fixed = (name, other), True
        cyc = self.cycle
        if not cyc:
            return None
        start = cyc[0]
        out = None
        if (
            len(cyc) == 2 and ev.previous == cyc[1] and name != cyc[1]
            and self.left_start_s is not None and self.cycle_pos == 1
        ):  # fmt: skip
            # a symmetric cycle is complete when its second position is left
            out = self.close(min(ev.left_at_s, ev.since_s), True, running_hold_s)
        if ev.previous == start and name != start:
            self.left_start_s = min(ev.left_at_s, ev.since_s)
            self._begin()
            self.cycle_pos = 0
        if name is None:
            return out
        nxt = self.cycle_pos + 1
        if self.left_start_s is not None and nxt < len(cyc) and cyc[nxt] == name:
            self.cycle_pos = nxt
            if nxt == len(cyc) - 1 and len(cyc) > 2:
                out = self.close(ev.since_s, True, running_hold_s)
        elif name == start and self.left_start_s is not None:
            # back at the start without completing the cycle
            out = self.close(ev.since_s, self.cycle_pos == len(cyc) - 1, running_hold_s)
        if name == start:
            self.cycle_pos = 0
        return out

    def finish(self, end_s: float, phase: str | None) -> RepEnded | None:
        """The input ended: a rep under way is closed."""
        if self.left_start_s is None or not self.ex.cycle:
            return None
        # the input ended on the way back from the last phase of the cycle (the peak
        # was reached and left): the rep is done; one that never got there is incomplete
        n = len(self.cycle)
        at_peak = n >= 2 and self.cycle_pos == (n - 2 if n >= 3 else 1)
        if at_peak and phase is not None and n >= 3:
            # still at the peak when the input ended (a clip that stops at the top): not
            # seen to fall short, nor to finish: not recorded. (A symmetric cycle's
            # second position is its end: that counts.)
            self.left_start_s = None
            self.cycle_pos = 0
            return None
        return self.close(end_s, at_peak, None)

    def close(self, end_s: float, complete: bool, running_hold_s: float | None) -> RepEnded | None:
        """End the rep; None when it is dropped (incomplete and partly unseen)."""
        if not complete and self.unseen:
            # part of it happened out of view (the state said so): it was not seen to
            # fall short, so it is neither counted nor reported as incomplete
            self.left_start_s = None
            self.cycle_pos = 0
            return None
        start_s = self.left_start_s if self.left_start_s is not None else end_s
        cyc = self.cycle
        depth = 1.0
        if not complete:
            depth = (
                depth_fraction(self.ex.phase(cyc[0]), self.ex.phase(cyc[1]), self.peak)
                if len(cyc) >= 2 else 0.0
            )  # fmt: skip
        peak = self.ex.phase(cyc[1]) if len(cyc) > 1 else None
        hold = 1.0
        if peak is not None and peak.hold_s:
            durations = [h.duration_s for h in self.holds]
            if running_hold_s is not None:  # a hold still inside its grace when the rep ends
                durations.append(running_hold_s)
            hold = min(1.0, max(durations, default=0.0) / peak.hold_s)
        form = 1.0 - (self.bad / self.frames if self.frames else 0.0)
        steady = max(0.0, 1.0 - self.unsteady)
        caps = fault_caps(self.fault_sev)
        if not complete:
            caps = (*caps, CAP_INCOMPLETE)
        elif peak is not None and peak.hold_s and hold < SHORT_HOLD_SHARE:
            caps = (*caps, CAP_SHORT_HOLD)
        elif (
            peak is not None
            and peak.hold_s
            and not hold_reached(self.ex, hold * peak.hold_s, peak.hold_s)
        ):
            caps = (*caps, CAP_HOLD)  # told to hold longer: never green
        rec = RepRecord(
            index=0,
            start_s=round(start_s, 3),
            end_s=round(end_s, 3),
            complete=complete,
            depth={k: round(v, 2) for k, v in self.peak.items()},
            side=self.voted_side,
            score=rep_score(depth, hold, form, steady, caps),
            faults=list(self.faults),
            peak_phase=cyc[1] if len(cyc) > 1 else None,
        )
        self.left_start_s = None
        self.cycle_pos = 0
        told, self.turned_back = self.turned_back, False
        return RepEnded(rec, form, caps, told)
