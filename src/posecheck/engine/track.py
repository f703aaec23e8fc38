"""One worked side's phase machine, hold timer and rep counter, stepped together.

For ``alternate`` exercises the engine keeps one :class:`SideTrack` per side.
``step`` returns the rules failing now and what happened, in order (phase entered,
hold started or ended, rep ended); the engine turns those into events and records.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field, replace

from posecheck.engine.common import EPS, PartEvent
from posecheck.engine.holds import HoldEnded, HoldTimer, Stillness
from posecheck.engine.phases import PhaseEntered, PhaseMachine
from posecheck.engine.reps import RepCounter, RepEnded, TurnedBack
from posecheck.exercise import Exercise, Rule

Outcome = PhaseEntered | PartEvent | HoldEnded | RepEnded | TurnedBack
Values = Mapping[str, float | None]
Judge = Callable[[Iterable[Rule], Values, str], list[Rule]]  # (rules, values, side) -> failing


@dataclass
class SideTrack:
    """The parts that follow one side: ``phases``, ``hold``, ``reps``."""

    side: str
    phases: PhaseMachine
    hold: HoldTimer
    reps: RepCounter
    still: Stillness
    out: list[Outcome] = field(default_factory=list)
    # a phase of the exercise has been entered: its rules are judged from then on, not
    # while the person gets into position (the real cobra clip lowers from all fours:
    # "Keep your hips on the floor" at 0.4 s, before the exercise began)
    started: bool = False
    # the first and the last frame with this side's values of the current run (a run
    # starts afresh after more than grace_s without them): a phase that began after the
    # run's first frame was seen arriving (HoldRecord.arrived)
    seen_from: float | None = None
    seen_last: float | None = None

    @classmethod
    def new(cls, exercise: Exercise, side: str, hysteresis: Mapping[str, float]) -> SideTrack:
        phases = PhaseMachine(exercise.phases, exercise.setting("min_dwell_s"), hysteresis)
        hold = HoldTimer(
            exercise, side, exercise.setting("grace_s"), exercise.setting("min_dwell_s"),
            band=hysteresis,
        )  # fmt: skip
        limits = {
            "deg": exercise.setting("still_deg_s"),
            "ratio": exercise.setting("still_ratio_s"),
        }
        # a run's first cut_settle_s: the model settles on a person it just found
        still = Stillness(
            exercise, limits, exercise.setting("still_window_s"),
            exercise.setting("cut_settle_s"), exercise.setting("drop_bridge_s"),
        )  # fmt: skip
        return cls(side, phases, hold, RepCounter(exercise, side), still)

    def carry_over(self, old: SideTrack) -> None:
        """Keep another side's progress (the same person, seen from the other side)."""
        self.phases.phase, self.phases.phase_since = old.phases.phase, old.phases.phase_since
        self.reps.carry_over(old.reps)
        self.started = old.started
        self.seen_from, self.seen_last = old.seen_from, old.seen_last

    def busy(self) -> bool:
        """In a rep, holding, or out of the start phase."""
        phase = self.phases.phase
        return (
            self.reps.in_rep
            or self.hold.hold is not None
            or (phase is not None and phase != self.reps.start_phase)
        )

    def hold_phase_since(self) -> float | None:
        """When the current phase began, if it is a hold phase (else None)."""
        phase = self.phases.get(self.phases.phase)
        return self.phases.phase_since if phase is not None and phase.hold_s else None

    def step(self, t: float, vals: Values, tracking: bool, judge: Judge) -> list[Rule]:
        """One frame; what happened goes to ``out``. Returns the rules failing now."""
        if not tracking:
            self.reps.not_seen()
            self.still.lost()
            self._hold_step(t, False, vals, lost=True)
            return []
        step = self.phases.step(t, vals)
        if not step.known:  # unknown values: keep everything as it is
            self.still.lost()
            self._hold_step(t, False, vals, lost=True)
            return []
        if step.entered is not None:
            self._entered(step.entered)
        self._seen(t)
        self.started = self.started or self.phases.phase is not None
        rules = self.reps.ex.rules_for(self.phases.phase) if self.started else ()
        failing = judge(rules, vals, self.side)
        phase = self.phases.get(self.phases.phase)
        # the hold timer runs only while the phase holds, no rule of it fails and the
        # body is still in it (a person counts a hold from arriving until starting to leave)
        # the stillness is read from a candidate hold phase on, so a body still before the
        # phase is entered is seen as still from then (not from the frame it is entered)
        cand = self.phases.get(self.phases.cand)
        watch = phase if phase is not None and phase.hold_s else cand
        still_s = self.still.step(t, vals, watch)
        if watch is not phase:
            still_s = None
        there = bool(phase is not None and phase.hold_s and self.phases.within(phase, vals))
        # when the hold's stillness ended: where the speed crossed its limit, or the
        # phase was left, each the middle of the last still window in the phase
        out = self.phases.out_since
        ends = (self.still.left_s, None if out is None else out - self.still.window_s / 2)
        left = [x for x in ends if x is not None]
        rules_ok = not any(r.stops_hold for r in failing)
        ok = there and still_s is not None and rules_ok
        wobble = there and still_s is None and rules_ok
        self._hold_step(
            t, ok, vals, still_s, moved=not there or still_s is None, wobble=wobble,
            left_s=min(left, default=None), since_s=self.still.since_s,
        )  # fmt: skip
        turned = self.reps.on_frame(vals, failing, t)
        if turned is not None:
            self.out.append(turned)
        return failing

    def _seen(self, t: float) -> None:
        """A frame with this side's values: the run it belongs to, and whether the
        current phase began after the run's first frame (the person seen arriving)."""
        gap = self.hold.grace_s
        if self.seen_from is None or self.seen_last is None or t - self.seen_last > gap + EPS:
            self.seen_from = t
        self.seen_last = t
        since = self.phases.phase_since
        self.hold.arrived = self.phases.phase is not None and since > self.seen_from + EPS

    def add_faults(self, rules: Iterable[Rule]) -> None:
        """Rules cued long enough to be told about: faults of the rep and hold under way."""
        for r in rules:
            if r.severity != "setup":
                self.reps.add_fault(r.id, r.severity)
                self.hold.add_fault(r.id, r.severity)

    def enter(self, name: str | None, since: float, t: float) -> None:
        """Enter ``name`` now (the end of the input accepting a pending phase)."""
        self._entered(self.phases.enter(name, since, t))

    def end_hold(self, t: float, stopped: str) -> None:
        """End a running hold: counting stopped (``stopped``: HoldRecord.stopped)."""
        self._hold_ended(self.hold.end(t, stopped))

    def finish(self, t: float) -> None:
        """The input ended: a rep under way is closed. A hold that ended as the person
        was lost from view in its position, never seen again, was ended by the input (the
        real knee-to-chest clip fades to black during its double hug: told "your longest
        hold was 9.6 s" of a hold she was still in)."""
        if self.hold.lost_ended is not None:
            self.hold.lost_ended.stopped = "end"
            self.hold.lost_ended = None
        ended = self.reps.finish(t, self.phases.phase)
        if ended is not None:
            self.out.append(ended)

    def take(self) -> list[Outcome]:
        """What happened since the last call, in order."""
        out, self.out = self.out, []
        return out

    def _entered(self, ev: PhaseEntered) -> None:
        self.out.append(ev)
        ended = self.reps.on_enter(ev, self.hold.running_s)
        if ended is not None:
            self.out.append(ended)

    def _hold_step(
        self,
        t: float,
        ok: bool,
        vals: Values,
        still_s: float | None = None,
        moved: bool = False,
        wobble: bool = False,
        left_s: float | None = None,
        since_s: float | None = None,
        lost: bool = False,
    ) -> None:
        ph = self.phases
        got = self.hold.step(
            t, ok, vals, ph.phase, ph.phase_since, ph.entered_t, still_s, moved, wobble,
            left_s, since_s, lost,
        )  # fmt: skip
        if isinstance(got, HoldEnded):
            self._hold_ended(got)
        elif got is not None:
            self.out.append(got)

    def _hold_ended(self, ended: HoldEnded | None) -> None:
        if ended is not None:
            if self.reps.ex.side_by:  # one track reads both sides: the rep's side
                ended = replace(ended, record=replace(ended.record, side=self.reps.voted_side))
            self.reps.add_hold(ended.record)
            self.out.append(ended)
