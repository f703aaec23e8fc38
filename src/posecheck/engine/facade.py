"""The :class:`Engine` facade: one frame in, one :class:`FrameResult` out.

It owns no judgement of its own: each frame goes through the parts in a fixed order
(see docs/ARCHITECTURE.md, "Engine", and the package docstring) and what they report
is stamped with the frame index into events, in the order it happened.
"""

from __future__ import annotations

import contextlib
import math
from collections.abc import Iterator
from typing import Any

from posecheck import lean as _lean  # noqa: F401  (registers trunk_lean)
from posecheck.angles import EXTRA_MEASURES, compute_measures, resolve
from posecheck.corrections import hold_shortfall, rep_shortfall
from posecheck.engine.baselines import ChangeBaselines
from posecheck.engine.common import PartEvent, is_nan
from posecheck.engine.cues import CueScheduler
from posecheck.engine.holds import HoldEnded
from posecheck.engine.motion import MotionChecks
from posecheck.engine.phases import PhaseEntered
from posecheck.engine.reps import RepEnded, TurnedBack
from posecheck.engine.side import SidePicker, side_parts
from posecheck.engine.summary import (
    RuleCoverage,
    SessionTally,
    closing_result,
    cut_note,
    measure_status,
)
from posecheck.engine.track import SideTrack
from posecheck.engine.view import ViewGate, width_ratio_any
from posecheck.exercise import Bound, Exercise, Rule
from posecheck.pose import SIDES, Pose, other_side
from posecheck.results import STATE_TRACKING, Event, FrameResult, SessionSummary


class Engine:
    """Turn per-frame measures into phases, holds, reps, cues and a session summary."""

    def __init__(self, exercise: Exercise, side: str = "auto"):
        self.ex = exercise
        policy = exercise.side if side == "auto" else side
        if policy not in ("auto", "left", "right", "alternate"):
            raise ValueError(f"side must be auto, left, right or alternate, not {side!r}")
        self.policy = policy
        s = exercise.setting
        self._hyst = {"deg": s("hysteresis_deg"), "ratio": s("hysteresis")}
        self._near = {"deg": s("near_deg"), "ratio": s("near")}
        self._safety_measures = exercise.safety.measures or exercise.key_measures
        bounds: list[Bound] = [b for p in exercise.phases for b in (*p.targets, *p.rules)]
        self._baselines = ChangeBaselines(
            [*bounds, *exercise.rules], s("baseline_settle_s"), s("baseline_min_s")
        )
        # the definition is fixed: resolve its measure names for each side once, not
        # every frame (definition name, registered name for that side)
        self._resolved = {
            sd: tuple((m, resolve(m, sd)) for m in sorted(exercise.all_measures())) for sd in SIDES
        }
        self._view = ViewGate(exercise, policy == "alternate", s("state_delay_s"))
        self._motion = MotionChecks(
            exercise.safety, s("speed_window_s"), s("cut_settle_s"), s("bounce_swing_s"),
            s("speed_confirm_s"),
        )  # fmt: skip
        self._cue_times = (s("cue_delay_s"), s("cue_min_s"), s("cue_repeat_s"))
        self.reset()

    # --- public API ----------------------------------------------------------------

    @property
    def measure_names(self) -> set[str]:
        """Resolved measure names the engine reads each frame (both sides: side may change)."""
        names = {name for pairs in self._resolved.values() for _, name in pairs}
        names.add("shoulder_width_ratio")
        return names

    @property
    def side(self) -> str:
        return self._side

    @property
    def exercise(self) -> Exercise:
        """The definition this engine judges (sinks read it through the pipeline)."""
        return self.ex

    @property
    def state(self) -> str:
        """The view gate's current state (``tracking``, ``no_person``, ...)."""
        return self._view.state

    @property
    def values(self) -> dict[str, dict[str, float | None]]:
        """The last frame's values per worked side, by definition name (change bounds by
        their key; None while a change bound has no baseline): what phases were matched on."""
        return {side: dict(v) for side, v in self._values_cached.items()}

    @property
    def needs_segmentation(self) -> bool:
        """True when a measure needs the person mask (run the estimator with segmentation)."""
        extras = EXTRA_MEASURES
        return any(getattr(extras.get(n), "needs_mask", False) for n in self.measure_names)

    def reset(self) -> None:
        """Forget everything (a new session)."""
        self._side = self.policy if self.policy in SIDES else "left"
        self._picker = SidePicker(
            side_parts(self.ex.required), side=self._side, decided=self.policy in SIDES
        )
        sides = SIDES if self.policy == "alternate" and not self.ex.side_by else (self._side,)
        self._tracks = {sd: SideTrack.new(self.ex, sd, self._hyst) for sd in sides}
        self._active = self._side
        self._view.reset()
        self._paused = False
        self._cues = CueScheduler(*self._cue_times)
        self._motion.reset()
        self._baselines.reset()
        self._coverage = RuleCoverage(self.ex)
        self.cuts: list[float] = []  # times of the cuts the pipeline reported
        self._tally = SessionTally(self.ex)
        self._frames = self._frames_pose = 0
        self._t0: float | None = None
        self._t_last = 0.0
        self._events: list[Event] = []
        # events raised between frames (switch_side from a key press) go out with the
        # next frame's result instead of being lost when update() starts a new list
        self._carry: list[Event] = []
        self._frame_index = 0
        self._values_cached: dict[str, dict[str, float | None]] = {}
        self._last_result: FrameResult | None = None
        self._final: FrameResult | None = None

    def pause(self, paused: bool = True) -> None:
        """Pause (or resume) counting; frames while paused get state ``paused``. A hold
        still held ends, ``stopped`` "stop" (its end is in the next frame's events)."""
        was, self._paused = self._paused, paused
        if paused and not was and self._t0 is not None:
            with _between_frames(self):
                self._end_all_holds(self._t_last, "stop")

    def switch_side(self) -> None:
        """Work the other side (left/right/auto policies); no effect for ``alternate``.

        The events it causes (holds it ends, the side change) come out in the next
        frame's ``FrameResult.events``.
        """
        if self.policy == "alternate":
            return
        with _between_frames(self):
            self._end_all_holds(self._t_last, "side")
            new = other_side(self._side)
            self._side, self._active = new, new
            self._picker.set(new)
            self._tracks = {new: SideTrack.new(self.ex, new, self._hyst)}
            self._emit(PartEvent("side", self._t_last, {"side": new}))

    def cut(self, t_s: float) -> None:
        """The picture cut just before the frame at ``t_s`` (see the package docs, Cuts).

        Call it before that frame's :meth:`update`. Restarts the speed/bounce history,
        the change baselines and the holds' held positions; keeps phase, hold, rep and
        counts. ``cuts`` lists the times (a jump while the last cut settles extends it,
        not listed again).
        """
        self._baselines.restart()
        for tr in self._tracks.values():
            tr.hold.new_view()  # values from another camera angle: no common reference
        if self._motion.restart(t_s):
            self.cuts.append(t_s)

    def reset_set(self) -> None:
        """Start a new set: the counters of the set start at 0 (records are kept)."""
        self._tally.new_set()

    def update(
        self,
        frame_index: int,
        t_s: float,
        pose: Pose | None,
        measures: dict[str, float] | None = None,
    ) -> FrameResult:
        """Process one frame. ``measures``: resolved name -> value (computed here if None)."""
        self._events, self._carry = self._carry, []
        self._frame_index = frame_index
        self._frames += 1
        if self._t0 is None:
            self._t0 = t_s
        self._t_last = t_s
        if measures is None:
            measures = compute_measures(pose, self.measure_names, self.ex.min_visibility)
        measures = dict(measures)
        if pose is not None:
            self._frames_pose += 1
            if is_nan(measures.get("shoulder_width_ratio")):
                measures["shoulder_width_ratio"] = width_ratio_any(pose)
            if self.policy == "auto":
                want = self._picker.update(pose)
                if want is not None:
                    self._set_side(want)
        busy = self.policy == "alternate" and self._tracks[self._active].busy()
        changed = self._view.update(t_s, pose, measures, self._active, self._paused, busy)
        if changed is not None:
            self._emit(changed)
        tracking = self.state == STATE_TRACKING
        self._baselines.note_frame(t_s, pose is not None, self._motion.settling(t_s))
        self._motion.record(t_s, measures, back_in_view=changed is not None and tracking)
        failing = self._judge_sides(t_s, measures, tracking)
        for ev in self._cues.update(t_s, failing if tracking else []):
            self._emit(ev)
        # a failure that lasted long enough to be told about is a fault of the rep / hold
        # under way (it caps its score), even while a more urgent cue is on screen
        self._tracks[self._active].add_faults(self._cues.told())
        result = self._result(frame_index, t_s, pose, measures)
        self._last_result = result  # finish() amends it into final_result
        return result

    @property
    def final_result(self) -> FrameResult | None:
        """The last frame's result as the end of the input left it (after :meth:`finish`).

        ``finish()`` may still count: it accepts a phase matched on the last frames, ends a
        running hold and closes an open rep. This is the last frame's ``FrameResult`` with
        the phase and counts after that and ``events`` = what ``finish()`` raised, for the
        sinks' optional ``end(result)`` (frames.csv's last row and the annotated video's
        last frame agree with the summary). None before ``finish()`` or without frames.
        """
        return self._final

    def finish(self, partial: bool = False) -> SessionSummary:
        """End running holds, close an open rep as incomplete, and summarise the session.
        What this closes (and a pause just before) is in :attr:`final_result`'s events."""
        self._events, self._carry = self._carry, []
        for sd in self._tracks.values():
            # the input ended: a phase matched on the last frames is accepted without
            # waiting out the dwell (a clip that stops as the person gets back down)
            pending = sd.phases.pending()
            if self.state == STATE_TRACKING and pending is not None:
                sd.enter(pending[0], pending[1], self._t_last)
                self._dispatch(sd)
        self._end_all_holds(self._t_last, "stop" if partial else "end")
        for sd in self._tracks.values():
            sd.finish(self._t_last)
            self._dispatch(sd)
        sd = self._tracks[self._active]
        self._final = closing_result(
            self._last_result, sd.phases.get(sd.phases.phase), sd.reps.voted_side,
            self._tally.set_holds, self._tally.set_reps, list(self._events),
        )  # fmt: skip
        return self._tally.summary(
            side=self._side if self.policy != "alternate" else "alternate",
            duration_s=round(self._t_last - (self._t0 or 0.0), 3),
            frames=self._frames,
            frames_with_pose=self._frames_pose,
            cue_stats=self._cues.stats,
            warnings=[*cut_note(self.cuts), *self._coverage.warnings()],
            partial=partial,
        )

    # --- one frame through the parts ---------------------------------------------------

    def _judge_sides(self, t_s: float, measures: dict[str, float], tracking: bool) -> list[Rule]:
        """Every side's phases, holds and reps; the rules failing on the side shown."""
        failing: list[Rule] = []
        self._values_cached = {}
        for sd in self._tracks.values():
            vals = self._values(sd.side, measures, t_s, tracking)
            self._values_cached[sd.side] = vals
            f = sd.step(t_s, vals, tracking, self._coverage.judge)
            self._dispatch(sd)
            if sd.side == self._active:
                failing = f
        if self.policy == "alternate":
            failing = self._pick_active(t_s, failing)
        if tracking:
            failing = failing + self._motion_failures(t_s)
        return failing

    def _values(
        self, side: str, measures: dict[str, float], t: float, tracking: bool
    ) -> dict[str, float | None]:
        """Definition name -> value for one side, plus the change values of change bounds
        (None while a change bound has no baseline yet)."""
        out: dict[str, float | None] = {}
        for m, name in self._resolved[side]:
            v = measures.get(name, math.nan)
            out[m] = math.nan if v is None else float(v)
        sd = self._tracks.get(side)
        # the baseline stands still while a hold runs (a 10 s tilt must not become the
        # new normal); it follows the person the rest of the time
        # (only inside a rep, so a wrong start can not freeze a wrong baseline)
        phase = sd.phases.get(sd.phases.phase) if sd is not None else None
        frozen = sd is not None and sd.reps.in_rep and phase is not None and bool(phase.hold_s)
        out.update(self._baselines.changes(side, out, t, tracking, frozen))
        return out

    def _motion_failures(self, t: float) -> list[Rule]:
        names = [resolve(m, self._active) for m in self._safety_measures]
        out = self._motion.check(t, names, self._tracks[self._active].hold_phase_since())
        if out:
            for other in self._tracks.values():
                if other.reps.in_rep:
                    other.reps.unsteady = 1
        return out

    def _pick_active(self, t: float, failing: list[Rule]) -> list[Rule]:
        """Alternate policy: the side shown and cued is the one that is moving."""
        if self._tracks[self._active].busy():
            return failing
        for side, sd in self._tracks.items():
            if side != self._active and sd.busy():
                self._active = side
                self._emit(PartEvent("side", t, {"side": side}))
                vals = self._values_cached.get(side, {})
                return [r for r in self.ex.rules_for(sd.phases.phase) if _fails(r, vals)]
        return failing

    def _result(
        self, frame_index: int, t_s: float, pose: Pose | None, measures: dict[str, float]
    ) -> FrameResult:
        sd = self._tracks[self._active]
        phase = sd.phases.get(sd.phases.phase)
        status, in_target = measure_status(self.ex, phase, self._active, measures, self._near)
        running = sd.hold.shown_s
        return FrameResult(
            index=frame_index,
            t_s=t_s,
            pose=pose,
            measures=measures,
            state=self.state,
            side=sd.reps.voted_side,
            phase=sd.phases.phase,
            key_measures=[resolve(m, self._active) for m in self.ex.key_measures],
            measure_status=status,
            in_target=in_target,
            hold_s=round(running, 3) if running is not None else 0.0,
            hold_target_s=phase.hold_s if phase and phase.hold_s else None,
            holds_done=self._tally.set_holds,
            reps_done=self._tally.set_reps,
            cue=self._view.cue if self.state != STATE_TRACKING else self._cues.cue,
            events=self._events,
            paused=self._paused,
        )

    # --- what the parts report ---------------------------------------------------------

    def _emit(self, ev: PartEvent) -> None:
        self._events.append(Event(ev.kind, ev.t_s, self._frame_index, ev.data))

    def _dispatch(self, sd: SideTrack) -> None:
        """Events and records for what a side's parts report, in order."""
        for o in sd.take():
            if isinstance(o, PhaseEntered):
                self._emit(o.event())
            elif isinstance(o, HoldEnded):
                for ev in self._tally.hold_ended(o, self._t_last):
                    self._emit(ev)
            elif isinstance(o, RepEnded):
                for ev in self._tally.rep_ended(o, self._t_last):
                    self._emit(ev)
            elif not isinstance(o, TurnedBack):
                self._emit(o)
            said = None if self._paused else _shortfall(self.ex, o, bool(self._tally.reps), sd)
            if said is not None:
                self._cues.announce(self._t_last, *said)

    def _end_all_holds(self, t: float, stopped: str) -> None:
        for sd in self._tracks.values():
            sd.end_hold(t, stopped)
            self._dispatch(sd)

    # --- sides ---------------------------------------------------------------------------

    def _set_side(self, side: str) -> None:
        if side == self._side and side in self._tracks:
            return
        old = self._tracks.get(self._side)
        if old is not None:
            old.end_hold(self._t_last, "side")  # a running hold is recorded, not lost
            self._dispatch(old)
            del self._tracks[self._side]
        self._side, self._active = side, side
        sd = SideTrack.new(self.ex, side, self._hyst)
        if old is not None:  # keep progress: the same person, seen from the other side
            sd.carry_over(old)
        self._tracks = {side: sd}
        self._emit(PartEvent("side", self._t_last, {"side": side}))


@contextlib.contextmanager
def _between_frames(engine: Engine) -> Iterator[None]:
    """Events raised between frames (a key press) go out with the next frame's."""
    frame_events, engine._events = engine._events, engine._carry
    try:
        yield
    finally:
        engine._events = frame_events


def _shortfall(ex: Exercise, o: object, counted: bool, sd: SideTrack) -> tuple[str, str] | None:
    """(id, text) to tell at once about what a side just reported: a rep short of the
    top as it turns back (or when it ends, if the turn was not seen), a hold that ended
    short of its time (not the setup before a cycle's first rep: a clip that starts in
    the cat position). Worded by posecheck.corrections. Not asked while the engine is
    paused: a hold the pause key (or a set done, a rest) stopped did not fall short
    ("That hold lasted 5.3 s: next time, hold the curl for 20 s" as space was pressed)."""
    if isinstance(o, TurnedBack) or (
        isinstance(o, RepEnded) and not o.record.complete and not o.told
    ):
        return rep_shortfall(ex, o.record)
    if isinstance(o, HoldEnded) and not o.record.reached and o.record.target_s:
        if o.record.stopped:
            return None  # still held as counting stopped: it did not fall short
        return None if _setup_hold(ex, counted, sd, o) else hold_shortfall(ex, o.record)
    return None


def _setup_hold(ex: Exercise, counted: bool, sd: SideTrack, o: object) -> bool:
    """A hold that ended before a cycle's first rep began, in a position the person was
    not seen arriving in, is the setup (a clip that starts in the camel position), as in
    posecheck.corrections: not told. (Its end is reported a grace later, when the first
    rep may be under way already.)"""
    if not ex.cycle or counted or not isinstance(o, HoldEnded) or o.record.arrived:
        return False
    began = sd.reps.left_start_s
    return not sd.reps.in_rep or (began is not None and o.record.end_s <= began + 1e-6)


def _fails(rule: Rule, vals: dict[str, Any]) -> bool:
    v = vals.get(rule.key, math.nan)
    return not is_nan(v) and not rule.contains(v)
